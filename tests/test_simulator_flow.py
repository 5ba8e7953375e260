"""The simulator's on/next flow: handlers, continue, URLs, the end of a call,
and the session and result documents it posts."""

from __future__ import annotations

import re
import typing as t

import pytest
from sim_apps import HANGUP
from sim_apps import ScriptedApp
from sim_apps import ask
from sim_apps import on
from sim_apps import say
from sim_apps import tropo

from flask_tropo.payloads import Result
from flask_tropo.payloads import Session
from flask_tropo.simulator import call as engine
from flask_tropo.testing import SimulationError
from flask_tropo.testing import Simulator

HEX32 = re.compile(r"^[0-9a-f]{32}$")
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_say_and_hangup_posts_nothing() -> None:
    app = ScriptedApp({"/voice": tropo(say("Hello"), say("One", "Two"), HANGUP)})
    call = Simulator(app.app).dial("/voice")
    assert call.heard == ["Hello", "One", "Two"]
    assert call.ended and call.waiting is None
    assert call.results == []
    assert call.end_reason == "the app hung up"
    assert app.paths == ["/voice"]


def test_continue_next_and_say_of_on_plays_first() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(
                on("continue", "/next", say={"value": "Hold on"}), say("Hello")
            ),
            "/next": tropo(say("Welcome back"), HANGUP),
        }
    )
    call = Simulator(app.app).dial("/voice")
    assert call.heard == ["Hello", "Hold on", "Welcome back"]
    assert app.paths == ["/voice", "/next"]
    assert len(call.results) == 1
    result = call.results[0]["result"]
    assert result["actions"] == {}
    assert result["state"] == "ANSWERED"
    assert result["sequence"] == 1


def test_on_with_say_and_no_next_plays_then_runs_continue() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(
                ask("1,2", attempts=1),
                on("incomplete", say=[{"value": "Too bad"}]),
                on("continue", "/after"),
            ),
            "/after": tropo(HANGUP),
        }
    )
    call = Simulator(app.app).dial("/voice").press("9")
    assert call.heard == ["Pick", "Too bad"]
    assert app.paths == ["/voice", "/after"]
    assert call.results[0]["result"]["actions"]["disposition"] == "NOMATCH"


def test_event_without_handler_falls_through_to_continue() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(ask("1,2"), on("continue", "/c")),
            "/c": tropo(HANGUP),
        }
    )
    call = Simulator(app.app).dial("/voice").silence()
    assert app.paths == ["/voice", "/c"]
    assert call.results[0]["result"]["actions"]["disposition"] == "TIMEOUT"
    fired = [(e.name, e.detail) for e in call.events if e.kind == "event"]
    assert fired[0] == ("incomplete", "no handler: falls through to continue")


def test_handlers_live_for_one_document() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(on("continue", "/two"), on("hangup", "/gone")),
            "/two": tropo(ask("1,2")),
            "/gone": tropo(HANGUP),
        }
    )
    call = Simulator(app.app).dial("/voice").hangup()
    # /two declared no handler, so the caller's hangup posts nothing.
    assert app.paths == ["/voice", "/two"]
    assert call.ended and call.end_reason == "the caller hung up"


def test_first_on_per_event_wins() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(on("continue", "/a"), on("continue", "/b")),
            "/a": tropo(HANGUP),
            "/b": tropo(HANGUP),
        }
    )
    Simulator(app.app).dial("/voice")
    assert app.paths == ["/voice", "/a"]


@pytest.mark.parametrize(
    ("session_url", "next_url", "posted"),
    [
        ("/ivr/start.php", "step2.php?x=1", "/ivr/step2.php?x=1"),
        ("/ivr/start.php", "/root?y=2", "/root?y=2"),
        ("/ivr/start.php", "../up", "/up"),
        ("/ivr/start.php", "http://localhost/abs", "/abs"),
        ("/ivr/start.php?lang=en", "?page=2", "/ivr/start.php?page=2"),
    ],
)
def test_next_urls_resolve_against_the_document_url(
    session_url: str, next_url: str, posted: str
) -> None:
    def answer(payload: dict[str, t.Any]) -> dict[str, t.Any]:
        return tropo() if "result" in payload else tropo(on("continue", next_url))

    paths = {session_url.partition("?")[0], posted.partition("?")[0]}
    app = ScriptedApp(dict.fromkeys(paths, answer))
    Simulator(app.app).dial(session_url)
    assert app.paths[-1] == posted


def test_next_url_of_a_later_document_resolves_against_that_document() -> None:
    app = ScriptedApp(
        {
            "/a/one": tropo(on("continue", "/b/two")),
            "/b/two": tropo(on("continue", "three")),
            "/b/three": tropo(HANGUP),
        }
    )
    Simulator(app.app).dial("/a/one")
    assert app.paths == ["/a/one", "/b/two", "/b/three"]


def test_document_that_runs_out_ends_the_call() -> None:
    app = ScriptedApp({"/voice": tropo(say("Bye"))})
    call = Simulator(app.app).dial("/voice")
    assert call.ended
    assert call.results == []
    assert "ran out" in (call.end_reason or "")


def test_document_that_runs_out_fires_its_hangup_handler() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(say("Bye"), on("hangup", "/gone")),
            "/gone": tropo(say("never played")),
        }
    )
    call = Simulator(app.app).dial("/voice")
    assert call.ended
    assert call.heard == ["Bye"]
    assert app.paths == ["/voice", "/gone"]
    result = call.results[0]["result"]
    assert result["state"] == "DISCONNECTED"
    assert result["actions"] == {}


def test_continue_without_next_hangs_up_and_fires_hangup() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(
                on("continue", say={"value": "Goodbye"}), on("hangup", "/gone")
            ),
            "/gone": tropo(),
        }
    )
    call = Simulator(app.app).dial("/voice")
    assert call.heard == ["Goodbye"]
    assert app.paths == ["/voice", "/gone"]
    assert call.results[0]["result"]["state"] == "DISCONNECTED"


def test_empty_document_ends_the_call() -> None:
    app = ScriptedApp({"/voice": tropo()})
    call = Simulator(app.app).dial("/voice")
    assert call.ended and call.heard == []


def test_results_count_sequence_and_carry_ids() -> None:
    def answer(payload: dict[str, t.Any]) -> dict[str, t.Any]:
        if payload.get("result", {}).get("sequence") == 3:
            return tropo(HANGUP)
        return tropo(ask("[1 DIGIT]", name="d"), on("continue", "/voice"))

    app = ScriptedApp({"/voice": answer})
    sim = Simulator(app.app)
    call = sim.dial("/voice", to="+15555550123").press("1").press("2").press("3")
    assert call.ended
    sequences = [r["result"]["sequence"] for r in call.results]
    assert sequences == [1, 2, 3]
    session = call.session["session"]
    for document in call.results:
        result = document["result"]
        assert result["sessionId"] == session["id"] == call.session_id
        assert result["callId"] == session["callId"] == call.call_id
        assert result["calledid"] == "+15555550123"
        assert result["complete"] is True
        assert result["error"] is None
        assert list(result) == [
            "sessionId",
            "callId",
            "state",
            "sessionDuration",
            "sequence",
            "complete",
            "error",
            "calledid",
            "actions",
        ]
    durations = [r["result"]["sessionDuration"] for r in call.results]
    assert durations == [1, 2, 3]
    assert call.duration == 3


def test_simulated_clock_is_deterministic() -> None:
    def flow() -> list[int]:
        app = ScriptedApp(
            {
                "/voice": tropo(
                    ask("1", attempts=2, timeout=7.5),
                    {"wait": {"milliseconds": 2500}},
                    on("continue", "/end"),
                ),
                "/end": tropo(HANGUP),
            }
        )
        call = Simulator(app.app).dial("/voice").silence().press("1")
        return [r["result"]["sessionDuration"] for r in call.results]

    assert flow() == flow() == [11]


def test_session_document_of_a_call() -> None:
    app = ScriptedApp({"/voice": tropo()})
    call = Simulator(app.app).dial(
        "/voice",
        from_="+16505550101",
        to="+14155550102",
        network="SIP",
        headers={"x-custom": "yes", "CSeq": "2 INVITE"},
    )
    posted = app.posts[0][1]
    assert posted == call.session
    session = posted["session"]
    assert HEX32.match(session["id"]) and HEX32.match(session["callId"])
    assert session["id"] != session["callId"]
    assert STAMP.match(session["timestamp"])
    assert session["userType"] == "HUMAN"
    assert session["initialText"] is None
    assert session["from"] == {
        "id": "+16505550101",
        "e164Id": "+16505550101",
        "name": "+16505550101",
        "channel": "VOICE",
        "network": "SIP",
    }
    assert session["to"]["id"] == "+14155550102"
    headers = session["headers"]
    assert headers["x-custom"] == "yes"
    assert headers["CSeq"] == "2 INVITE"
    assert headers["x-sid"] == session["id"]
    assert "Call-ID" in headers and headers["Request URI"].startswith("sip:")
    assert "parameters" not in session
    parsed = Session.parse(posted)
    assert parsed.id == session["id"]
    assert parsed.from_ is not None and parsed.from_.id == "+16505550101"
    assert not parsed.is_text and not parsed.is_launched


def test_fresh_ids_per_call() -> None:
    app = ScriptedApp({"/voice": tropo()})
    sim = Simulator(app.app)
    first, second = sim.dial("/voice"), sim.dial("/voice")
    assert first.session_id != second.session_id
    assert first.call_id != second.call_id


def test_launch_session_document() -> None:
    app = ScriptedApp({"/remind": tropo()})
    call = Simulator(app.app).launch(
        "/remind", num="+14155550123", count=3, urgent=True, skip=None
    )
    session = app.posts[0][1]["session"]
    assert session == call.session["session"]
    assert session["userType"] == "NONE"
    assert "to" not in session and "from" not in session
    assert "headers" not in session
    assert HEX32.match(session["callId"])
    assert session["parameters"] == {
        "token": "simulator-token",
        "action": "create",
        "num": "+14155550123",
        "count": "3",
        "urgent": "true",
    }
    parsed = Session.parse(call.session)
    assert parsed.is_launched and parsed.parameters["num"] == "+14155550123"


def test_launch_parameters_may_replace_token() -> None:
    app = ScriptedApp({"/remind": tropo()})
    Simulator(app.app).launch("/remind", token="abc")
    assert app.posts[0][1]["session"]["parameters"]["token"] == "abc"


def test_results_parse_as_results() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(
                ask("yes(yes,y,1), no(no,n,2)", name="confirm"),
                on("continue", "/next"),
            ),
            "/next": tropo(HANGUP),
        }
    )
    call = Simulator(app.app).dial("/voice").press("1")
    result = Result.parse(call.results[0])
    assert result.state == "ANSWERED"
    assert result.value == "yes"
    assert result.interpretation == "1"
    assert result.called_id == "+14155550199"
    action = result.action("confirm")
    assert action is not None and action.utterance == "1" and action.concept == "yes"


def test_document_cap_stops_a_looping_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "MAX_DOCUMENTS", 5)
    app = ScriptedApp({"/loop": tropo(on("continue", "/loop"))})
    with pytest.raises(SimulationError, match="more than 5 documents") as info:
        Simulator(app.app).dial("/loop")
    assert info.value.url == "http://localhost/loop"
    assert len(app.posts) == 5


def test_default_cap_is_a_thousand() -> None:
    assert engine.MAX_DOCUMENTS == 1000


def test_events_log_the_flow_in_order() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(say("Hi"), ask("1"), on("continue", "/next")),
            "/next": tropo(HANGUP),
        }
    )
    call = Simulator(app.app).dial("/voice").press("1")
    kinds = [(e.kind, e.name) for e in call.events if e.kind != "note"]
    assert kinds == [
        ("post", "session"),
        ("verb", "say"),
        ("heard", "say"),
        ("verb", "ask"),
        ("heard", "ask"),
        ("input", "press"),
        ("verb", "on"),
        ("event", "continue"),
        ("post", "result"),
        ("verb", "hangup"),
        ("end", "call"),
    ]
    post = call.events[0]
    assert post.url == "http://localhost/voice" and post.status == 200
    assert str(post) == "POST http://localhost/voice [session] -> 200"
    heard = next(e for e in call.events if e.kind == "heard")
    assert str(heard) == "heard say: Hi"


def test_on_event_listener_sees_events_as_they_happen() -> None:
    app = ScriptedApp({"/voice": tropo(say("Hi"), ask("1"))})
    seen: list[t.Any] = []
    sim = Simulator(app.app, on_event=seen.append)
    call = sim.dial("/voice")
    assert seen == call.events
    call.press("1")
    assert seen == call.events and seen[-1].kind == "end"


def test_simulator_options_are_checked() -> None:
    app = ScriptedApp({})
    with pytest.raises(ValueError, match="transfer must be"):
        Simulator(app.app, transfer="maybe")
    with pytest.raises(TypeError, match="Simulator takes"):
        Simulator(t.cast(t.Any, 42))
    with pytest.raises(ValueError, match="http"):
        Simulator("ftp://example.com")
    assert (
        repr(Simulator(app.app)) == "<Simulator 'http://localhost' transfer='answer'>"
    )
    with pytest.raises(ValueError, match="platform must be"):
        Simulator(app.app, platform="plivo")
    assert repr(Simulator(app.app, platform="jambonz")) == (
        "<Simulator 'http://localhost' platform='jambonz' transfer='answer'>"
    )
    with pytest.raises(ValueError, match="no token launch"):
        Simulator(app.app, platform="twilio").launch("/voice")


def test_rule_may_be_a_full_url() -> None:
    app = ScriptedApp({"/voice": tropo()})
    sim = Simulator(app.app)
    assert sim.url("voice") == "http://localhost/voice"
    assert sim.url("https://ivr.example.com/v") == "https://ivr.example.com/v"
    sim.dial("https://ivr.example.com/voice")
    assert app.paths == ["/voice"]


def test_repr_of_a_call() -> None:
    app = ScriptedApp({"/voice": tropo(ask("1"))})
    call = Simulator(app.app).dial("/voice")
    assert repr(call) == f"<Call {call.session_id!r} waiting>"
    call.hangup()
    assert repr(call).endswith("ended: the caller hung up>")


def test_call_made_by_hand_and_naive_timestamps() -> None:
    import datetime as dt

    from flask_tropo.simulator import wire
    from flask_tropo.simulator.wire import WSGITransport
    from flask_tropo.testing import Call

    naive = dt.datetime(2024, 1, 2, 3, 4, 5, 678900)
    assert wire.iso_timestamp(naive) == "2024-01-02T03:04:05.678Z"
    app = ScriptedApp({"/voice": tropo(ask("1", name="a"), on("continue", "/c"))})
    app.documents["/c"] = tropo()
    for stamp in (None, "yesterday"):
        session = wire.voice_session()
        session["session"]["timestamp"] = stamp
        call = Call(WSGITransport(app.app), "http://localhost/voice", session)
        call.press("1")
        assert call.ended and call.results[0]["result"]["actions"]["value"] == "1"
