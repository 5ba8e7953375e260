"""The simulator's transfer, call, message, the logged verbs, answering,
redirect and reject, and hanging up."""

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

from flask_tropo.testing import SentMessage
from flask_tropo.testing import SimulationError
from flask_tropo.testing import Simulator

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def transfer_app(**fields: t.Any) -> ScriptedApp:
    transfer = {
        "to": ["+14155550111", "sip:backup@example.invalid"],
        "name": "agent",
        "on": [
            {"event": "ring", "say": {"value": "http://example.invalid/hold.mp3"}},
            {
                "event": "connect",
                "say": {"value": "Caller waiting"},
                "ask": {"choices": {"value": "1"}, "say": {"value": "Accept?"}},
                "post": "/w",
                "next": "/never",
            },
        ],
        **fields,
    }
    return ScriptedApp(
        {
            "/voice": tropo(
                say("Connecting you"),
                {"transfer": transfer},
                say("The agent hung up"),
                on("continue", "/after"),
                on("incomplete", "/failed"),
            ),
            "/after": tropo(HANGUP),
            "/failed": tropo(say("Nobody is available"), HANGUP),
        }
    )


def test_transfer_answered_goes_on() -> None:
    app = transfer_app(machineDetection=True)
    call = Simulator(app.app).dial("/voice")
    assert call.ended
    assert call.heard == [
        "Connecting you",
        "http://example.invalid/hold.mp3",
        "The agent hung up",
    ]
    assert app.paths == ["/voice", "/after"]
    action = app.results[-1]["actions"]
    assert STAMP.match(action.pop("timestamp"))
    assert action == {
        "name": "agent",
        "duration": 65,
        "connectedDuration": 60,
        "disposition": "SUCCESS",
        "calledid": "+14155550111",
        "userType": "HUMAN",
    }
    assert app.results[-1]["sessionDuration"] == 65
    notes = [e.detail for e in call.events if e.kind == "note"]
    assert "+14155550111 answered" in notes
    assert (
        "for the called party: say, ask (taken as answered), post to /w (not sent),"
        " next (not followed)"
    ) in notes
    assert "Caller waiting" not in call.heard
    assert "/w" not in app.paths


def test_transfer_busy_fires_incomplete_without_ringing() -> None:
    app = transfer_app()
    call = Simulator(app.app, transfer="busy").dial("/voice")
    assert call.heard == ["Connecting you", "Nobody is available"]
    assert app.paths[-1] == "/failed"
    action = app.results[-1]["actions"]
    assert (action["disposition"], action["duration"], action["connectedDuration"]) == (
        "BUSY",
        0,
        0,
    )
    assert "userType" not in action
    assert app.results[-1]["state"] == "ANSWERED"


def test_transfer_no_answer_rings_for_the_timeout() -> None:
    app = transfer_app(timeout=20.0)
    call = Simulator(app.app, transfer="no-answer").dial("/voice")
    assert "http://example.invalid/hold.mp3" in call.heard
    action = app.results[-1]["actions"]
    assert action["disposition"] == "TIMEOUT"
    assert action["duration"] == 20
    assert app.results[-1]["sessionDuration"] == 20


def test_transfer_not_required_goes_on_when_busy() -> None:
    app = transfer_app(required=False)
    call = Simulator(app.app, transfer="busy").dial("/voice")
    assert call.heard[-1] == "The agent hung up"
    assert app.paths[-1] == "/after"


def test_transfer_option_may_change_between_calls() -> None:
    app = transfer_app()
    sim = Simulator(app.app)
    sim.dial("/voice")
    sim.transfer = "busy"
    sim.dial("/voice")
    assert app.paths == ["/voice", "/after", "/voice", "/failed"]


def reminder_app(**call: t.Any) -> ScriptedApp:
    return ScriptedApp(
        {
            "/remind": lambda payload: tropo(
                {
                    "call": {
                        "to": payload["session"]["parameters"]["num"],
                        "name": "outbound",
                        **call,
                    }
                },
                say("Your appointment is tomorrow"),
                ask("1,2", prompt="Press 1 to confirm", name="confirm"),
                on("continue", "/confirmed"),
                on("incomplete", "/unreachable"),
            ),
            "/confirmed": tropo(say("Thanks"), HANGUP),
            "/unreachable": tropo(
                {"message": {"say": {"value": "Call us"}, "to": "+1", "network": "SMS"}}
            ),
        }
    )


def test_launch_places_a_call_then_plays_to_the_called_party() -> None:
    app = reminder_app()
    call = Simulator(app.app).launch("/remind", num="+14155550123")
    assert call.heard == ["Your appointment is tomorrow", "Press 1 to confirm"]
    call.press("1")
    assert call.heard[-1] == "Thanks"
    result = app.results[-1]
    assert result["calledid"] == "+14155550123"
    first, second = result["actions"]
    assert first["name"] == "outbound" and first["disposition"] == "SUCCESS"
    assert first["calledid"] == "+14155550123"
    assert second["value"] == "1"


@pytest.mark.parametrize(
    ("outcome", "disposition"), [("busy", "BUSY"), ("no-answer", "TIMEOUT")]
)
def test_launched_call_that_fails_fires_incomplete(
    outcome: str, disposition: str
) -> None:
    app = reminder_app()
    call = Simulator(app.app, transfer=outcome).launch("/remind", num="+14155550123")
    assert call.heard == []
    assert app.paths[-1] == "/unreachable"
    result = app.results[-1]
    assert result["state"] == "FAILED"
    assert result["actions"]["disposition"] == disposition
    assert call.messages[0].text == "Call us"


def test_launched_text_call() -> None:
    app = reminder_app(channel="TEXT", network="SMS")
    call = Simulator(app.app).launch("/remind", num="+14155550123")
    assert call.is_text
    assert call.heard == ["Your appointment is tomorrow", "Press 1 to confirm"]
    call.reply("1")
    assert call.heard[-1] == "Thanks"


def test_launched_call_not_required_goes_on_when_it_fails() -> None:
    app = reminder_app(required=False)
    app.documents["/remind"] = tropo(
        {"call": {"to": "+1", "required": False}},
        {
            "message": {
                "say": {"value": "x", "media": "http://m.invalid/a.png"},
                "to": "+2",
            }
        },
    )
    call = Simulator(app.app, transfer="busy").launch("/remind")
    assert call.ended and call.results == []
    assert call.messages[0].media == ("http://m.invalid/a.png",)


def test_say_before_call_in_a_launched_session_is_an_error() -> None:
    app = ScriptedApp({"/remind": tropo(say("Hello?"))})
    with pytest.raises(SimulationError, match="there is no call yet"):
        Simulator(app.app).launch("/remind")


def test_call_during_a_call_is_an_error() -> None:
    app = ScriptedApp({"/voice": tropo({"call": {"to": "+1"}})})
    with pytest.raises(SimulationError, match="a call is already active"):
        Simulator(app.app).dial("/voice")


def test_message_is_sent_and_the_call_goes_on() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(
                {
                    "message": {
                        "say": [
                            {"value": "Your code is 1234"},
                            {"value": "See", "media": ["http://m.invalid/1.jpg"]},
                        ],
                        "to": ["+14155550123", "+14155550124"],
                        "channel": "TEXT",
                        "from": "+14155550100",
                        "name": "code",
                    }
                },
                {"message": {"say": {"value": "Hello"}, "to": "sip:a@b"}},
                say("We texted you"),
                HANGUP,
            )
        }
    )
    call = Simulator(app.app).dial("/voice")
    assert call.heard == ["We texted you"]
    assert call.messages == [
        SentMessage(
            to="+14155550123",
            text="Your code is 1234 See",
            channel="TEXT",
            network="SMS",
            from_="+14155550100",
            name="code",
            says=("Your code is 1234", "See"),
            media=("http://m.invalid/1.jpg",),
        ),
        SentMessage(
            to="sip:a@b", text="Hello", channel="VOICE", network="PSTN", says=("Hello",)
        ),
    ]
    assert app.results == []


def test_launched_session_may_only_send_messages() -> None:
    app = ScriptedApp(
        {
            "/sms": tropo(
                {
                    "message": {
                        "say": {"value": "Hi"},
                        "to": "+1",
                        "network": "SMS",
                        "channel": "TEXT",
                    }
                }
            )
        }
    )
    call = Simulator(app.app).launch("/sms")
    assert call.ended and call.messages[0].network == "SMS"


def test_logged_verbs() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(
                {"generalLogSecurity": "suppress"},
                {"answer": {"headers": {"P-Header": "x"}}},
                {"answer": {}},
                {"conference": {"id": "room-7", "terminator": "#"}},
                {"wait": {"milliseconds": 1500}},
                {"generalLogSecurity": "none"},
                ask("1"),
            )
        }
    )
    call = Simulator(app.app).dial("/voice")
    verbs = [e.name for e in call.events if e.kind == "verb"]
    assert verbs == [
        "generalLogSecurity",
        "answer",
        "answer",
        "conference",
        "wait",
        "generalLogSecurity",
        "ask",
    ]
    notes = [e.detail for e in call.events if e.kind == "note"]
    assert "logging 'suppress' from here on" in notes
    assert "the call was already answered" in notes
    assert any("room-7" in note for note in notes)
    call.silence()
    assert call.duration == 31


@pytest.mark.parametrize(
    "verb",
    [
        {"reject": None},
        {"reject": {}},
        {"redirect": {"to": "sip:other@example.invalid"}},
    ],
)
def test_reject_and_redirect_before_answer_end_the_call(verb: dict[str, t.Any]) -> None:
    app = ScriptedApp(
        {"/voice": tropo({"wait": {"milliseconds": 10}}, verb, say("never"))}
    )
    call = Simulator(app.app).dial("/voice")
    assert call.ended and call.heard == [] and call.results == []
    key = next(iter(verb))
    assert (call.end_reason or "").startswith(f"the app {key}")


@pytest.mark.parametrize("first", [say("Hello"), {"answer": {}}])
@pytest.mark.parametrize("verb", [{"reject": None}, {"redirect": {"to": "sip:x@y"}}])
def test_reject_and_redirect_after_answer_are_errors(
    first: dict[str, t.Any], verb: dict[str, t.Any]
) -> None:
    app = ScriptedApp({"/voice": tropo(first, verb)})
    key = next(iter(verb))
    with pytest.raises(SimulationError, match=f"{key} only works before") as info:
        Simulator(app.app).dial("/voice")
    assert info.value.url == "http://localhost/voice"


def test_an_ask_answers_the_call_too() -> None:
    app = ScriptedApp({"/voice": tropo(ask("1", required=False), {"reject": None})})
    call = Simulator(app.app).dial("/voice")
    with pytest.raises(SimulationError, match="already answered"):
        call.press("2")
    assert call.ended and call.end_reason == "error"


def test_reject_in_a_launched_session_is_an_error() -> None:
    app = ScriptedApp({"/go": tropo({"reject": None})})
    with pytest.raises(SimulationError, match="no incoming call"):
        Simulator(app.app).launch("/go")


def hangup_app(*handlers: dict[str, t.Any]) -> ScriptedApp:
    return ScriptedApp(
        {
            "/voice": tropo(ask("1", name="a"), *handlers),
            "/gone": tropo(say("Goodbye"), ask("1")),
            "/c": tropo(say("continue document")),
        }
    )


def test_caller_hangup_fires_the_hangup_handler() -> None:
    app = hangup_app(
        on("hangup", "/gone", say={"value": "not heard"}), on("continue", "/c")
    )
    call = Simulator(app.app).dial("/voice").hangup()
    assert call.ended and call.waiting is None
    assert app.paths == ["/voice", "/gone"]
    result = call.results[-1]["result"]
    assert result["state"] == "DISCONNECTED"
    assert result["actions"] == {}
    assert call.heard == ["Pick"]  # the answer to the hangup is not run
    assert call.end_reason == "the caller hung up"


def test_caller_hangup_falls_through_to_continue() -> None:
    app = hangup_app(on("continue", "/c"))
    call = Simulator(app.app).dial("/voice").hangup()
    assert app.paths == ["/voice", "/c"]
    assert call.results[-1]["result"]["state"] == "DISCONNECTED"
    assert "continue document" not in call.heard


def test_caller_hangup_with_no_handler_posts_nothing() -> None:
    app = hangup_app(on("incomplete", "/c"))
    call = Simulator(app.app).dial("/voice").hangup()
    assert call.ended and call.results == []


def test_caller_hangup_handler_without_next() -> None:
    app = hangup_app(on("hangup", say={"value": "x"}), on("continue", "/c"))
    call = Simulator(app.app).dial("/voice").hangup()
    assert call.ended and call.results == []


def test_hangup_result_may_be_answered_with_no_content() -> None:
    app = hangup_app(on("hangup", "/gone"))
    app.documents["/gone"] = lambda payload: ("", 204)
    assert Simulator(app.app).dial("/voice").hangup().ended


def test_hangup_result_answered_with_an_error_raises() -> None:
    app = hangup_app(on("hangup", "/missing"))
    call = Simulator(app.app).dial("/voice")
    with pytest.raises(SimulationError, match="404 to the hangup result") as info:
        call.hangup()
    assert info.value.status == 404
    assert call.ended


@pytest.mark.parametrize("method", ["press", "speak", "silence", "hangup", "reply"])
def test_input_after_the_end_is_an_error(method: str) -> None:
    app = ScriptedApp({"/voice": tropo(say("Bye"), HANGUP)})
    call = Simulator(app.app).dial("/voice")
    args = () if method in ("silence", "hangup") else ("1",)
    with pytest.raises(RuntimeError, match=r"the call has ended \(the app hung up\)"):
        getattr(call, method)(*args)


@pytest.mark.parametrize("keys", ["12a", "", "  ", "1-2"])
def test_press_checks_keys(keys: str) -> None:
    app = ScriptedApp({"/voice": tropo(ask("1"))})
    call = Simulator(app.app).dial("/voice")
    with pytest.raises(ValueError, match="Expected DTMF keys"):
        call.press(keys)
    assert not call.ended


def test_press_ignores_spaces() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(ask("[4 DIGITS]", name="pin"), on("continue", "/c")),
            "/c": tropo(),
        }
    )
    Simulator(app.app).dial("/voice").press("12 34")
    assert app.results[-1]["actions"]["value"] == "1234"
