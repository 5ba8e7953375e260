"""The pytest plugin, run in-process with pytester."""

from __future__ import annotations

import pytest

CONFTEST = """
import pytest
from flask import Flask, request


@pytest.fixture
def app():
    app = Flask(__name__)
    app.testing = True

    @app.post("/voice")
    def voice():
        return {"tropo": [
            {"ask": {
                "choices": {"value": "[4 DIGITS]"},
                "say": {"value": "PIN?"},
                "name": "pin",
            }},
            {"on": {"event": "continue", "next": "/pin"}},
        ]}

    @app.post("/pin")
    def pin():
        value = request.get_json()["result"]["actions"]["value"]
        return {"tropo": [{"say": {"value": "You entered " + value}}, {"hangup": None}]}

    @app.post("/support")
    def support():
        return {"tropo": [
            {"transfer": {"to": "+14155550111", "name": "agent"}},
            {"on": {"event": "incomplete", "next": "/bye"}},
        ]}

    @app.post("/bye")
    def bye():
        return {"tropo": [{"hangup": None}]}

    @app.post("/session")
    def session():
        user_type = request.get_json()["session"]["userType"]
        return {"tropo": [{"say": {"value": user_type}}]}

    return app
"""

TESTS = """
import pytest
from flask_tropo.testing import Simulator


def test_sim(tropo_sim):
    assert isinstance(tropo_sim, Simulator)
    call = tropo_sim.dial("/voice").press("1234")
    assert call.heard == ["PIN?", "You entered 1234"]
    assert call.ended


@pytest.mark.tropo(transfer="busy")
def test_marker(tropo_sim, client):
    assert tropo_sim.transfer == "busy"
    call = tropo_sim.dial("/support")
    assert call.results[0]["result"]["actions"]["disposition"] == "BUSY"


def test_factory(tropo_simulator, app):
    sim = tropo_simulator(transfer="no-answer")
    assert sim.transfer == "no-answer"
    assert tropo_simulator(app).transfer == "answer"


def test_session_payload(client, tropo_session_payload):
    payload = tropo_session_payload(user_type="MACHINE", from_="+16505550100")
    assert payload["session"]["from"]["id"] == "+16505550100"
    assert client.post("/session", json=payload).get_json() == {
        "tropo": [{"say": {"value": "MACHINE"}}]
    }
    text = tropo_session_payload(kind="text", initialText="hi")
    assert text["session"]["to"]["channel"] == "TEXT"
    assert text["session"]["initialText"] == "hi"
    launch = tropo_session_payload(kind="launch", parameters={"num": 5})
    assert launch["session"]["parameters"] == {
        "token": "simulator-token", "action": "create", "num": "5"
    }


def test_result_payload(client, tropo_result_payload):
    payload = tropo_result_payload(actions={"name": "pin", "value": "4321"}, sequence=2)
    assert payload["result"]["sequence"] == 2
    assert payload["result"]["calledid"] == "+14155550199"
    answer = client.post("/pin", json=payload).get_json()
    assert answer["tropo"][0] == {"say": {"value": "You entered 4321"}}
"""


def test_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=5)


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.tropo(transfer='answer')*"])


def test_fixtures_are_listed_and_none_is_autouse(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    # a test that asks for no tropo fixture: with no autouse fixtures, its
    # setup plan names none of them
    pytester.makepyfile(
        "def test_nothing(request):\n"
        "    assert not [n for n in request.fixturenames if n.startswith('tropo_')]\n"
    )
    listed = pytester.runpytest("--fixtures")
    for name in (
        "tropo_explore",
        "tropo_sim",
        "tropo_simulator",
        "tropo_session_payload",
        "tropo_result_payload",
    ):
        listed.stdout.fnmatch_lines([f"{name}*"])
    result = pytester.runpytest("--setup-plan")
    assert "tropo_" not in result.stdout.str()


def test_tropo_sim_needs_an_app_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_it(tropo_sim):\n    pass\n")
    result = pytester.runpytest("-p", "no:flask")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'app' not found*"])


def test_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_it(tropo_sim):\n    pass\n")
    result = pytester.runpytest("-p", "no:flask_tropo")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'tropo_sim' not found*"])


def test_with_a_running_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest
from flask_tropo.testing import SimulationError


def test_it(tropo_simulator):
    sim = tropo_simulator("http://127.0.0.1:9", timeout=1)
    with pytest.raises(SimulationError, match="cannot reach"):
        sim.dial("/voice")
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
