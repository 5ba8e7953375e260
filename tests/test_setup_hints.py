"""Forgotten setup says what is missing: handlers on a ``Tropo()`` that was
never initialized on the app, ``Tropo(app)`` making a second, empty object,
and ``flask tropo call`` pointed at a result route."""

from __future__ import annotations

import pytest
from flask import Flask

from flask_tropo import Result
from flask_tropo import Session
from flask_tropo import Tropo
from flask_tropo.testing import SimulationError
from flask_tropo.testing import Simulator
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Say


def _handlers() -> Tropo:
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> list[object]:
        return [Say("Hi"), On("continue", next=check)]

    @tropo.on_result("/check")
    def check(result: Result) -> Hangup:
        return Hangup()

    return tropo


def test_dialling_an_app_whose_init_app_never_ran(app: Flask) -> None:
    tropo = _handlers()  # decorated, but init_app is never called
    with pytest.raises(SimulationError) as info:
        Simulator(app).dial("/voice")
    assert info.value.status == 404
    assert str(info.value).endswith(
        "The Tropo extension is not initialized on this app, and a Tropo() holds"
        " /voice: call tropo.init_app(app) after the modules that define the"
        " handlers are imported."
    )
    assert tropo.blueprint.tropo_routes


def test_a_second_tropo_made_with_tropo_app(app: Flask) -> None:
    tropo = _handlers()
    Tropo(app)  # meant: tropo.init_app(app)
    with pytest.raises(SimulationError) as info:
        Simulator(app).dial("/voice")
    assert str(info.value).endswith(
        "No Tropo routes are registered on this app, but a Tropo() that was never"
        " initialized on it holds /voice: call init_app(app) on that object"
        " (Tropo(app) makes a new, empty one)."
    )
    result = app.test_cli_runner().invoke(args=["tropo", "routes"])
    assert result.exit_code == 0
    assert result.output.startswith(
        "No Tropo routes are registered on this app, but a Tropo() that was never"
        " initialized on it holds "
    )
    # (other tests' Tropo objects may still be alive, and named too)
    assert result.output.endswith(
        ": call init_app(app) on that object (Tropo(app) makes a new, empty one).\n"
    )
    assert tropo.blueprint.tropo_routes


def test_a_path_that_is_no_route_lists_nothing_more(app: Flask) -> None:
    _handlers().init_app(app)
    with pytest.raises(SimulationError) as info:
        Simulator(app).dial("/nope")
    assert info.value.message.startswith("the app answered 404")
    assert "init_app" not in str(info.value)


def test_dialling_a_result_route(app: Flask) -> None:
    _handlers().init_app(app)
    with pytest.raises(SimulationError) as info:
        Simulator(app).dial("/check")
    assert str(info.value).endswith(
        "/check is a result route (tropo.check): the platform posts results to"
        " it, calls start on a session route (/voice)."
    )


def test_flask_tropo_call_on_a_result_route_is_one_line(app: Flask) -> None:
    _handlers().init_app(app)
    result = app.test_cli_runner().invoke(args=["tropo", "call", "/check"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: /check is a result route (tropo.check): the platform posts"
        " results to it, calls start on a session route (/voice).\n"
    )
