"""Bad answers from the app become a SimulationError naming the URL, the
status and the problem."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask
from flask import Response
from flask import redirect
from sim_apps import ScriptedApp
from sim_apps import on
from sim_apps import say
from sim_apps import tropo

from flask_tropo.exceptions import TropoError
from flask_tropo.testing import SimulationError
from flask_tropo.testing import Simulator


def answering(answer: t.Any) -> ScriptedApp:
    return ScriptedApp(
        {"/voice": tropo(on("continue", "/next")), "/next": lambda p: answer}
    )


def error_of(app: ScriptedApp) -> SimulationError:
    with pytest.raises(SimulationError) as info:
        Simulator(app.app).dial("/voice")
    return info.value


def test_unknown_route() -> None:
    error = error_of(ScriptedApp({}))
    assert error.url == "http://localhost/voice"
    assert error.status == 404
    message = str(error)
    assert message.startswith(
        "POST http://localhost/voice -> 404: the app answered 404"
    )
    assert "Not Found" in message
    assert "<" not in message  # HTML tags are stripped from the excerpt
    assert "\n" not in message
    assert isinstance(error, TropoError)


def test_server_error_names_the_result_url() -> None:
    error = error_of(answering(("boom", 500)))
    assert error.url == "http://localhost/next"
    assert error.status == 500
    assert "'boom'" in str(error)


def test_not_json_shows_the_start_of_the_body() -> None:
    body = "<?php echo 'oops'; ?>" + "x" * 500
    error = error_of(answering(Response(body, content_type="text/plain")))
    assert error.status == 200
    message = str(error)
    assert "the answer is not JSON (text/plain)" in message
    assert "<?php echo 'oops'; ?>" in message
    assert message.endswith('..."')
    assert len(message) < 400


def test_empty_body() -> None:
    error = error_of(answering(Response("", content_type="application/json")))
    assert "not JSON (application/json): (empty body)" in str(error)


def test_body_that_is_not_utf8() -> None:
    error = error_of(answering(Response(b"\xff\xfe{", content_type="application/json")))
    assert "not JSON" in str(error)


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"tropo": [{"sing": {"value": "la"}}]}, "unknown verb 'sing'"),
        ({"tropo": [{"say": {"value": "hi", "colour": "red"}}]}, "tropo[0].say"),
        ({"tropo": {"say": {"value": "hi"}}}, "must be an array"),
        ({"verbs": []}, "not a WebAPI document"),
        ([1, 2], "not a WebAPI document"),
    ],
)
def test_invalid_document(document: t.Any, problem: str) -> None:
    app = ScriptedApp(
        {
            "/voice": lambda payload: Response(
                _dumps(document), content_type="application/json"
            )
        }
    )
    error = error_of(app)
    assert "invalid WebAPI document" in str(error)
    assert problem in str(error)
    assert error.status == 200


def test_content_type_is_not_checked() -> None:
    app = ScriptedApp(
        {
            "/voice": lambda payload: Response(
                _dumps(tropo(say("hi"))), content_type="text/html"
            )
        }
    )
    assert Simulator(app.app).dial("/voice").heard == ["hi"]


def test_redirects_are_not_followed() -> None:
    app = ScriptedApp({"/voice": lambda payload: redirect("/elsewhere")})
    error = error_of(app)
    assert error.status == 302


def test_view_exceptions_propagate_in_testing_mode() -> None:
    app = answering(None)
    app.documents["/next"] = lambda payload: 1 / 0
    with pytest.raises(ZeroDivisionError):
        Simulator(app.app).dial("/voice")


def test_view_exceptions_are_500_outside_testing_mode(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = answering(None)
    app.app.testing = False
    app.documents["/next"] = lambda payload: 1 / 0
    error = error_of(app)
    assert error.status == 500
    assert "Internal Server Error" in str(error)


def test_call_after_an_error_is_over() -> None:
    flask_app = Flask(__name__)
    simulator = Simulator(flask_app)
    calls: list[t.Any] = []
    simulator.on_event = calls.append
    with pytest.raises(SimulationError):
        simulator.dial("/voice")
    assert [event.kind for event in calls] == ["post"]


def _dumps(value: t.Any) -> str:
    import json

    return json.dumps(value)
