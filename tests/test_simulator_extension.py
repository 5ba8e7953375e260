"""The simulator against apps built with flask_tropo: signed next URLs with
tokens, call state, app-wide hangup handlers, Basic auth, mounted apps."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask
from sim_apps import serving
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from flask_tropo.continuation import call_state
from flask_tropo.extension import Tropo
from flask_tropo.payloads import Result
from flask_tropo.payloads import Session
from flask_tropo.testing import SimulationError
from flask_tropo.testing import Simulator
from flask_tropo.verbs import Ask
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Record
from flask_tropo.verbs import Say
from flask_tropo.verbs import Transfer


def pin_flow() -> Tropo:
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> list[t.Any]:
        call_state["tries"] = 0
        call_state["caller"] = session.from_.id if session.from_ else None
        return [
            Say("Welcome."),
            Ask("[4 DIGITS]", say="Enter your PIN", name="pin", attempts=2),
            On("continue", next=check_pin),
            On("incomplete", next=no_pin),
        ]

    @tropo.on_result("/pin")
    def check_pin(result: Result) -> list[t.Any]:
        call_state["tries"] += 1
        if result.value == "1234":
            return [
                Say(f"Hello {call_state['caller']}."),
                Record(url="http://example.invalid/up", name="memo", say="Speak"),
                On("continue", next=saved),
            ]
        if call_state["tries"] >= 2:
            return [Say("Too many tries."), Hangup()]
        return [
            Ask("[4 DIGITS]", say="Wrong PIN, again", name="pin"),
            On("continue", next=check_pin),
        ]

    @tropo.on_result("/saved")
    def saved(result: Result) -> list[t.Any]:
        action = result.action("memo")
        assert action is not None
        return [
            Say(f"Saved {action.duration} seconds."),
            Transfer("+14155550111", name="agent"),
            On("continue", next=transferred),
            On("incomplete", next=transferred),
        ]

    @tropo.on_result("/transferred")
    def transferred(result: Result) -> list[t.Any]:
        return [Say(f"Transfer: {result.disposition}."), Hangup()]

    @tropo.on_result("/no-pin")
    def no_pin(result: Result) -> list[t.Any]:
        return [Say(f"No PIN ({result.disposition})."), Hangup()]

    @tropo.on_hangup("/hung-up")
    def hung_up(result: Result) -> list[t.Any]:
        assert result.state == "DISCONNECTED"
        return [Hangup()]

    return tropo


@pytest.fixture
def ivr(app: Flask) -> Flask:
    pin_flow().init_app(app)
    return app


def test_whole_call_through_signed_next_urls(ivr: Flask) -> None:
    call = Simulator(ivr).dial("/voice", from_="alice")
    assert call.heard == ["Welcome.", "Enter your PIN"]
    call.press("9999")
    assert call.heard[-1] == "Wrong PIN, again"
    call.press("1234")
    assert call.heard[-2:] == ["Hello alice.", "Speak"]
    call.speak("call me back").press("#")
    assert call.heard[-2:] == ["Saved 3 seconds.", "Transfer: SUCCESS."]
    assert call.ended
    urls = [e.url or "" for e in call.events if e.kind == "post"]
    assert [url.partition("?")[0] for url in urls] == [
        "http://localhost/voice",
        "http://localhost/pin",
        "http://localhost/pin",
        "http://localhost/saved",
        "http://localhost/transferred",
    ]
    assert all("tropo_token=" in url for url in urls[1:])
    assert [r["result"]["sequence"] for r in call.results] == [1, 2, 3, 4]


def test_incomplete_and_transfer_outcomes(ivr: Flask) -> None:
    call = Simulator(ivr).dial("/voice").silence().silence()
    assert call.heard[-1] == "No PIN (TIMEOUT)."
    call = Simulator(ivr, transfer="no-answer").dial("/voice").press("1234")
    call.press("#")
    assert call.heard[-1] == "Transfer: TIMEOUT."


def test_app_wide_hangup_handler(ivr: Flask) -> None:
    call = Simulator(ivr).dial("/voice").hangup()
    assert call.ended
    assert (call.events[-2].url or "").startswith("http://localhost/hung-up?")
    assert call.results[-1]["result"]["state"] == "DISCONNECTED"


def test_basic_auth(ivr: Flask) -> None:
    ivr.config["TROPO_BASIC_AUTH"] = ("tropo", "s3cret")
    with pytest.raises(SimulationError) as info:
        Simulator(ivr).dial("/voice")
    assert info.value.status == 401
    assert Simulator(ivr, auth=("tropo", "s3cret")).dial("/voice").press("1234").heard
    call = Simulator(ivr).dial("http://tropo:s3cret@localhost/voice").press("1234")
    assert call.heard[-1] == "Speak"  # next URLs keep the credentials


def test_basic_auth_over_http(ivr: Flask) -> None:
    ivr.config["TROPO_BASIC_AUTH"] = ("tropo", "p@ss word")
    with serving(ivr) as base:
        host = base.removeprefix("http://")
        call = Simulator(f"http://tropo:p%40ss%20word@{host}").dial("/voice")
        call.press("1234")
        assert call.heard[-1] == "Speak"
        call = Simulator(base, auth=("tropo", "p@ss word")).dial("/voice")
        assert call.heard == ["Welcome.", "Enter your PIN"]


def test_app_mounted_under_a_prefix(ivr: Flask) -> None:
    mounted = DispatcherMiddleware(Flask("root"), {"/ivr": ivr.wsgi_app})
    call = Simulator(mounted).dial("/ivr/voice").press("1234")
    assert call.heard[-1] == "Speak"
    posts = [e.url or "" for e in call.events if e.kind == "post"]
    assert posts[1].startswith("http://localhost/ivr/pin?")


def test_external_url_reaches_the_app_in_process(ivr: Flask) -> None:
    ivr.config["TROPO_EXTERNAL_URL"] = "https://ivr.example.com"
    call = Simulator(ivr).dial("/voice").press("1234")
    assert call.heard[-1] == "Speak"
    posts = [e.url or "" for e in call.events if e.kind == "post"]
    assert posts[1].startswith("https://ivr.example.com/pin?")
