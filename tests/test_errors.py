"""Error answers on Tropo routes, the apology document, and the app's own
error pages."""

from __future__ import annotations

import logging
import typing as t

import pytest
from flask import Flask
from flask import abort
from flask.testing import FlaskClient

from flask_tropo.blueprint import TropoBlueprint
from flask_tropo.exceptions import HandlerReturnError
from flask_tropo.extension import Tropo
from flask_tropo.payloads import Result
from flask_tropo.payloads import Session
from flask_tropo.testing import Simulator
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import Say

if t.TYPE_CHECKING:  # pragma: no cover
    from conftest import SessionPayload


class Boom(Exception):
    pass


def _app(app: Flask, handler: t.Callable[[Session], t.Any]) -> Flask:
    tropo = Tropo()
    tropo.add_session_rule("/voice", "incoming", handler)

    @tropo.on_result("/pin")
    def pin(result: Result) -> Hangup:
        return Hangup()

    tropo.init_app(app)
    return app


def _fail(session: Session) -> t.NoReturn:
    raise Boom("database down")


@pytest.mark.parametrize(
    ("body", "content_type", "field"),
    [
        (b"{not json", "application/json", "_schema"),
        (b'{"result": {"sessionId": "x"}}', "application/json", "session"),
        (b'{"session": {"id": 42}}', "application/json", "id"),
        (b"", "application/json", "_schema"),
        (b'{"session": {"id": "x"}}', "text/plain", None),
    ],
)
def test_bad_payload_is_400(
    app: Flask, client: FlaskClient, body: bytes, content_type: str, field: str | None
) -> None:
    calls = []
    _app(app, lambda s: calls.append(s) or Hangup())
    response = client.post("/voice", data=body, content_type=content_type)
    if field is None:  # Tropo's content type is not required
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    document = response.get_json()
    assert document["code"] == 400
    assert document["status"] == "Bad Request"
    assert field in str(document["errors"])
    assert calls == []


def test_bad_result_payload_is_400(app: Flask, client: FlaskClient) -> None:
    _app(app, lambda s: Hangup())
    response = client.post("/pin", json={"result": {"sequence": "two"}})
    assert response.status_code == 400
    assert set(response.get_json()) == {"code", "status", "errors"}


def test_forbidden_shape(app: Flask, client: FlaskClient) -> None:
    _app(app, lambda s: Hangup())
    response = client.post("/pin", json={"result": {"sessionId": "abc"}})
    assert response.status_code == 403
    assert response.get_json() == {
        "code": 403,
        "status": "Forbidden",
        "errors": {
            "tropo_token": [
                "The tropo_token query parameter is missing: result routes accept"
                " only the next URLs that flask-tropo rendered."
            ]
        },
    }


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_get_is_a_json_405(app: Flask, client: FlaskClient, method: str) -> None:
    _app(app, lambda s: Hangup())
    response = client.open("/voice", method=method)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.mimetype == "application/json"
    if method == "GET":
        assert response.get_json() == {
            "code": 405,
            "status": "Method Not Allowed",
            "errors": {
                "method": [
                    "Tropo routes accept only POST: the platform posts its session and"
                    " result documents."
                ]
            },
        }


def test_the_apps_own_error_pages_survive(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    app.testing = False

    @app.errorhandler(404)
    def not_found(error: Exception) -> tuple[str, int]:
        return "<h1>Our own 404</h1>", 404

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[str, int]:
        return "<h1>Our own 500</h1>", 500

    @app.route("/page")
    def page() -> str:
        raise Boom("page failed")

    @app.route("/form", methods=["POST"])
    def form() -> str:
        abort(400)

    _app(app, lambda s: Hangup())
    response = client.get("/nowhere")
    assert (response.status_code, response.get_data()) == (404, b"<h1>Our own 404</h1>")
    response = client.get("/page")
    assert (response.status_code, response.get_data()) == (500, b"<h1>Our own 500</h1>")
    response = client.post("/form")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    response = client.put("/voice")  # werkzeug's routing 405, not ours
    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert client.post("/voice", json=tropo_session_doc()).status_code == 200


def test_handler_failure_under_testing_propagates(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    _app(app, _fail)
    with pytest.raises(Boom):
        client.post("/voice", json=tropo_session_doc())


def test_propagate_exceptions_config(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    app.testing = False
    app.config["TROPO_PROPAGATE_EXCEPTIONS"] = True
    app.config["PROPAGATE_EXCEPTIONS"] = True  # so the test client sees it
    _app(app, _fail)
    with pytest.raises(Boom):
        client.post("/voice", json=tropo_session_doc())


def test_apology_when_a_handler_fails(
    app: Flask,
    client: FlaskClient,
    tropo_session_doc: SessionPayload,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app.testing = False
    _app(app, _fail)
    with caplog.at_level(logging.ERROR):
        response = client.post("/voice", json=tropo_session_doc())
    assert response.status_code == 200
    assert response.get_json() == {
        "tropo": [
            {"say": {"value": "Sorry, something went wrong. Please call again later."}},
            {"hangup": None},
        ]
    }
    record = caplog.records[-1]
    assert tropo_session_doc()["session"]["id"] in record.getMessage()
    assert "tropo.incoming" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is Boom


def test_apology_with_transfer(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    app.testing = False
    app.config["TROPO_ERROR_MESSAGE"] = "One moment, an agent will help you."
    app.config["TROPO_ERROR_TRANSFER_TO"] = "+14155550100"
    _app(app, _fail)
    response = client.post("/voice", json=tropo_session_doc())
    assert response.get_json() == {
        "tropo": [
            {"say": {"value": "One moment, an agent will help you."}},
            {"transfer": {"to": "+14155550100"}},
        ]
    }


@pytest.mark.parametrize("transfer_to", [None, "+14155550100"])
def test_the_apology_in_a_token_launched_session_only_hangs_up(
    app: Flask, transfer_to: str | None
) -> None:
    """A launched session has no call yet: a say or a transfer cannot run
    there (the simulator, like the platform, refuses them), a hangup can."""
    app.testing = False
    app.config["TROPO_ERROR_TRANSFER_TO"] = transfer_to
    _app(app, _fail)
    call = Simulator(app).launch("/voice", to="+14155550100")
    assert call.ended
    assert call.heard == []
    assert call.end_reason == "the app hung up"


def test_bad_return_value(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    _app(app, lambda s: "Hello")
    with pytest.raises(HandlerReturnError, match="'tropo.incoming' returned str"):
        client.post("/voice", json=tropo_session_doc())
    app.testing = False
    response = client.post("/voice", json=tropo_session_doc())
    assert response.status_code == 200
    assert response.get_json()["tropo"][-1] == {"hangup": None}


def test_http_errors_from_a_handler_are_answered_as_json(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    app.testing = False

    def refuse(session: Session) -> t.NoReturn:
        abort(403, "Callers from this number are blocked.")

    _app(app, refuse)
    response = client.post("/voice", json=tropo_session_doc())
    assert response.status_code == 403
    assert response.get_json() == {
        "code": 403,
        "status": "Forbidden",
        "errors": {"request": ["Callers from this number are blocked."]},
    }


def test_blueprint_routes_get_the_same_shape(app: Flask, client: FlaskClient) -> None:
    Tropo(app)
    bp = TropoBlueprint("ivr", __name__)
    bp.add_session_rule("/voice", "voice", lambda s: Say("hi"))
    app.register_blueprint(bp, url_prefix="/ivr")
    response = client.post("/ivr/voice", data=b"[]", content_type="application/json")
    assert response.status_code == 400
    assert set(response.get_json()) == {"code", "status", "errors"}
