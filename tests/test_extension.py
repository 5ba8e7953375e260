"""The ``Tropo`` extension object: init_app, config, several apps, repr."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask
from flask.testing import FlaskClient

from flask_tropo.blueprint import TropoBlueprint
from flask_tropo.extension import Tropo
from flask_tropo.payloads import Session
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import Say

if t.TYPE_CHECKING:  # pragma: no cover
    from conftest import SessionPayload

DEFAULTS = {
    "TROPO_SECRET_KEY": None,
    "TROPO_VERIFY_NEXT": True,
    "TROPO_NEXT_MAX_AGE": 14400,
    "TROPO_MAX_STATE_BYTES": 2048,
    "TROPO_EXTERNAL_URL": None,
    "TROPO_ERROR_MESSAGE": "Sorry, something went wrong. Please call again later.",
    "TROPO_ERROR_TRANSFER_TO": None,
    "TROPO_PROPAGATE_EXCEPTIONS": False,
    "TROPO_BASIC_AUTH": None,
    "TROPO_MAX_CONTENT_LENGTH": 65536,
    "TROPO_MAX_RECORDING_BYTES": 10 * 1024 * 1024,
}


def test_init_app_registers_the_instance(app: Flask) -> None:
    tropo = Tropo()
    tropo.init_app(app)
    assert app.extensions["tropo"] is tropo
    assert app.blueprints["tropo"] is tropo.blueprint


def test_app_in_the_constructor(app: Flask) -> None:
    tropo = Tropo(app)
    assert app.extensions["tropo"] is tropo


def test_config_defaults(app: Flask) -> None:
    Tropo(app)
    assert {key: app.config[key] for key in DEFAULTS} == DEFAULTS


def test_config_set_before_init_app_is_kept(app: Flask) -> None:
    app.config["TROPO_NEXT_MAX_AGE"] = 60
    app.config["TROPO_ERROR_MESSAGE"] = "Oops."
    Tropo(app)
    assert app.config["TROPO_NEXT_MAX_AGE"] == 60
    assert app.config["TROPO_ERROR_MESSAGE"] == "Oops."


def test_the_docstring_lists_every_key() -> None:
    doc = Tropo.init_app.__doc__ or ""
    for key in DEFAULTS:
        assert f"``{key}``" in doc


def test_second_init_app_fails(app: Flask) -> None:
    tropo = Tropo(app)
    with pytest.raises(RuntimeError, match="already registered.*use that instance"):
        tropo.init_app(app)
    with pytest.raises(RuntimeError, match="already registered"):
        Tropo(app)


def test_one_instance_serves_several_apps(
    tropo_session_doc: SessionPayload,
) -> None:
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> Say:
        return Say("hello")

    apps = [Flask(f"app{i}") for i in range(2)]
    for app in apps:
        tropo.init_app(app)
        assert app.extensions["tropo"] is tropo
        response = app.test_client().post("/voice", json=tropo_session_doc())
        assert response.get_json() == {"tropo": [{"say": {"value": "hello"}}]}


def test_decorator_after_init_app_fails(app: Flask) -> None:
    tropo = Tropo(app)
    with pytest.raises(RuntimeError) as info:

        @tropo.on_session("/late")
        def late(session: Session) -> Hangup:
            return Hangup()

    message = str(info.value)
    assert "'/late'" in message
    assert "before calling init_app()" in message
    assert "TropoBlueprint" in message


def test_blueprint_decorator_after_registration_fails(app: Flask) -> None:
    bp = TropoBlueprint("ivr", __name__)
    app.register_blueprint(bp)
    with pytest.raises(RuntimeError, match="'ivr' is already registered"):
        bp.add_result_rule("/late", "late", lambda r: Hangup())


def test_blueprint_needs_the_extension(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    bp = TropoBlueprint("ivr", __name__)
    bp.add_session_rule("/voice", "voice", lambda s: Hangup())
    app.register_blueprint(bp)
    with pytest.raises(
        RuntimeError, match=r"did you forget to call Tropo\(\).init_app"
    ):
        client.post("/voice", json=tropo_session_doc())


def test_repr() -> None:
    tropo = Tropo()
    assert repr(tropo) == "<Tropo 0 routes>"
    tropo.add_session_rule("/voice", "voice", lambda s: Hangup())
    assert repr(tropo) == "<Tropo 1 route>"
    tropo.add_result_rule("/pin", "pin", lambda r: Hangup())
    tropo.add_hangup_rule("/hangup", "hangup", lambda r: Hangup())
    tropo.add_error_rule("/error", "error", lambda r: Hangup())
    assert repr(tropo) == "<Tropo 4 routes>"


def test_add_cli(app: Flask) -> None:
    Tropo(app)
    assert "tropo" in app.cli.commands


def test_no_cli(app: Flask) -> None:
    Tropo(app, add_cli=False)
    assert "tropo" not in app.cli.commands
