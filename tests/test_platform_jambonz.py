"""The jambonz platform: call hooks read into Session and Result, a JSON
array of verbs written for each verb, Tropo's semantics emulated,
Jambonz-Signature checked, bad input refused.

Every document these tests render is validated by @jambonz/verb-specifications
(conftest).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import typing as t

import pytest
from flask import Flask

from flask_tropo import Result
from flask_tropo import Session
from flask_tropo import Tropo
from flask_tropo import TropoBlueprint
from flask_tropo import call_state
from flask_tropo import signals
from flask_tropo.testing import Simulator
from flask_tropo.verbs import Ask
from flask_tropo.verbs import Choices
from flask_tropo.verbs import Conference
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import Message
from flask_tropo.verbs import On
from flask_tropo.verbs import Record
from flask_tropo.verbs import Reject
from flask_tropo.verbs import Say
from flask_tropo.verbs import Transfer
from flask_tropo.verbs import Verb
from flask_tropo.verbs import Wait

SECRET = "wh_secret_platform_tests"
CALL = {
    "call_sid": "5b1c7e2a-9f3d-4c8e-a1b2-c3d4e5f60718",
    "call_id": "f2a9c3d4-1111@10.0.0.7",
    "account_sid": "acc-3b8f",
    "application_sid": "app-91c2",
    "direction": "inbound",
    "from": "+16505550178",
    "to": "+14155550142",
    "caller_name": "Ada",
    "call_status": "trying",
    "sip_status": 100,
    "sip": {
        "headers": {"X-Customer": "42", "Call-ID": "f2a9"},
        "uri": "sip:+14155550142@10.0.0.7",
    },
}
SMS = {
    "message_sid": "msg-77",
    "account_sid": "acc-3b8f",
    "from": "+16505550178",
    "to": "+14155550142",
    "text": "HOURS",
}

bp = TropoBlueprint("line", __name__)
answers: dict[str, t.Any] = {}
seen: list[Session | Result] = []


@bp.on_session("/call")
def call_hook(session: Session) -> t.Any:
    seen.append(session)
    call_state["who"] = session.from_.name if session.from_ else None
    return answers["call"]


@bp.on_result("/next")
def after(result: Result) -> list[Verb]:
    seen.append(result)
    return [Say(f"got {result.value} for {call_state['who']}"), Hangup()]


@bp.on_result("/other")
def other(result: Result) -> list[Verb]:
    seen.append(result)
    return [Say(f"other {result.disposition}"), Hangup()]


@bp.on_hangup("/status")
def status(result: Result) -> Hangup:
    seen.append(result)
    return Hangup()


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    app.config.update(TESTING=True, SECRET_KEY="jambonz platform test secret key")
    Tropo(app)
    app.register_blueprint(bp, url_prefix="/jz", name="jz", platform="jambonz")
    answers.clear()
    seen.clear()
    return app


def verbs(response: t.Any) -> list[dict[str, t.Any]]:
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/json"
    document: list[dict[str, t.Any]] = response.json
    return document


def post(app: Flask, path: str, body: dict[str, t.Any]) -> t.Any:
    return app.test_client().post(path, json=body)


def test_a_call_hook_is_a_session(app: Flask) -> None:
    answers["call"] = [Say("Hello", voice="en-US-Standard-C"), Hangup()]
    assert verbs(post(app, "/jz/call", CALL)) == [
        {
            "verb": "say",
            "text": "Hello",
            "synthesizer": {"vendor": "default", "voice": "en-US-Standard-C"},
        },
        {"verb": "hangup"},
    ]
    session = seen[0]
    assert isinstance(session, Session)
    assert (session.id, session.call_id) == (CALL["call_sid"], CALL["call_id"])
    assert session.account_id == "acc-3b8f" and session.application_id == "app-91c2"
    assert session.from_ is not None and session.from_.name == "Ada"
    assert session.headers == {
        "X-Customer": "42",
        "Call-ID": "f2a9",
        "Request URI": "sip:+14155550142@10.0.0.7",
    }


def test_a_messaging_hook_is_a_text_session(app: Flask) -> None:
    answers["call"] = [Say("We open at 8"), Hangup()]
    assert verbs(post(app, "/jz/call", SMS)) == [
        {
            "verb": "message",
            "to": "+16505550178",
            "from": "+14155550142",
            "text": "We open at 8",
        }
    ]
    session = seen[0]
    assert isinstance(session, Session) and session.is_text
    assert session.initial_text == "HOURS"


def test_an_ask_is_a_gather_and_every_outcome_posts_to_it(app: Flask) -> None:
    answers["call"] = [
        Ask(
            Choices("[4-6 DIGITS]", terminator="#"),
            say=[
                Say("Wrong", event="nomatch"),
                Say("Nothing?", event="timeout"),
                "PIN?",
            ],
            name="pin",
            attempts=3,
            interdigit_timeout=3,
            recognizer="en-gb",
        ),
        On("continue", next=after),
        On("incomplete", next=other),
    ]
    [gather] = verbs(post(app, "/jz/call", CALL))
    hook = gather.pop("actionHook")
    assert hook.startswith("/jz/next?tropo_token=")
    assert gather == {
        "verb": "gather",
        "input": ["digits", "speech"],
        "timeout": 30,
        "minDigits": 4,
        "maxDigits": 6,
        "finishOnKey": "#",
        "interDigitTimeout": 3,
        "recognizer": {"vendor": "default", "language": "en-gb"},
        "say": {"text": "PIN?"},
    }
    # A timeout: the timeout prompt plays before the gather, whose prompt it nests.
    again = verbs(post(app, hook, {**CALL, "reason": "timeout"}))
    assert again[0] == {"verb": "say", "text": "Nothing?"}
    assert again[1]["say"] == {"text": "PIN?"}
    speech = {
        "alternatives": [{"transcript": "one two three four", "confidence": 0.87}]
    }
    done = verbs(
        post(
            app,
            again[1]["actionHook"],
            {**CALL, "reason": "speechDetected", "speech": speech},
        )
    )
    assert done == [{"verb": "say", "text": "got 1234 for Ada"}, {"verb": "hangup"}]
    action = t.cast(Result, seen[-1]).action("pin")
    assert action is not None
    assert (action.attempts, action.confidence, action.utterance) == (
        2,
        87,
        "one two three four",
    )


def test_the_last_failed_attempt_fires_incomplete(app: Flask) -> None:
    answers["call"] = [
        Ask("1,2", say="One or two?", name="pick"),
        On("continue", next=after),
        On("incomplete", next=other),
    ]
    [gather] = verbs(post(app, "/jz/call", CALL))
    assert gather["numDigits"] == 1
    done = verbs(
        post(
            app, gather["actionHook"], {**CALL, "reason": "dtmfDetected", "digits": "7"}
        )
    )
    assert done[0] == {"verb": "say", "text": "other NOMATCH"}


def test_dial_conference_pause_decline(app: Flask) -> None:
    answers["call"] = [
        Transfer(
            ["+14155550100", "sip:desk@pbx.example"],
            from_="+14155550142",
            headers={"X-Queue": "sales"},
            timeout=12.5,
        ),
        On("continue", next=after),
        On("incomplete", next=other),
    ]
    [dial] = verbs(post(app, "/jz/call", CALL))
    hook = dial.pop("actionHook")
    assert dial == {
        "verb": "dial",
        "target": [
            {"type": "phone", "number": "+14155550100"},
            {"type": "sip", "sipUri": "sip:desk@pbx.example"},
        ],
        "timeout": 13,
        "callerId": "+14155550142",
        "headers": {"X-Queue": "sales"},
    }
    failed = {**CALL, "dial_call_status": "no-answer", "dial_sip_status": 487}
    assert verbs(post(app, hook, failed))[0]["text"] == "other TIMEOUT"
    answers["call"] = [
        Conference("standup", mute=False, play_tones=True),
        Wait(250),
        Reject(),
    ]
    assert verbs(post(app, "/jz/call", CALL)) == [
        {
            "verb": "conference",
            "name": "standup",
            "joinMuted": False,
            "distributeDtmf": True,
        },
        {"verb": "pause", "length": 0.25},
        {"verb": "sip:decline", "status": 603, "reason": "Decline"},
    ]


def test_a_text_to_another_number(app: Flask) -> None:
    answers["call"] = [
        Say("Sending"),
        Message(
            Say("Your code is 42", media="https://example.com/c.png"),
            to="+14155550101",
            channel="TEXT",
        ),
        Hangup(),
    ]
    document = verbs(post(app, "/jz/call", CALL))
    assert document[1] == {
        "verb": "message",
        "to": "+14155550101",
        "from": "+14155550142",
        "text": "Your code is 42",
        "media": ["https://example.com/c.png"],
    }


@pytest.mark.parametrize(
    ("answer", "named"),
    [
        (
            [Record(url="https://example.com/up")],
            "Record.url cannot be expressed on jambonz",
        ),
        (
            [Transfer("+1415", choices="*")],
            "Transfer.choices cannot be expressed on jambonz",
        ),
        (
            [Conference("r", join_prompt=True)],
            "Conference.join_prompt cannot be expressed",
        ),
    ],
)
def test_what_cannot_map_is_refused(app: Flask, answer: list[Verb], named: str) -> None:
    answers["call"] = answer
    with pytest.raises(Exception, match=named):
        post(app, "/jz/call", CALL)
    app.testing = False
    assert [v["verb"] for v in verbs(post(app, "/jz/call", CALL))] == ["say", "hangup"]


def test_an_ask_in_a_text_is_refused(app: Flask) -> None:
    answers["call"] = [Ask("[ANY]", say="What?"), On("continue", next=after)]
    with pytest.raises(Exception, match="Ask cannot be expressed on jambonz"):
        post(app, "/jz/call", SMS)


def test_the_status_hook_reaches_the_hangup_route(app: Flask) -> None:
    assert verbs(post(app, "/jz/status", {**CALL, "call_status": "in-progress"})) == []
    assert seen == []
    over = {
        **CALL,
        "call_status": "completed",
        "duration": 48,
        "call_termination_by": "caller",
    }
    assert verbs(post(app, "/jz/status", over)) == []
    result = seen[0]
    assert isinstance(result, Result)
    assert (result.state, result.session_duration) == ("DISCONNECTED", 48)


@pytest.mark.parametrize(
    ("body", "content_type", "field"),
    [
        (json.dumps({"from": "+1"}), "application/json", "call_sid"),
        ("call_sid=1", "application/x-www-form-urlencoded", "Content-Type"),
        ('{"call_sid": "1"', "application/json", "body"),
        ('["call_sid"]', "application/json", "body"),
    ],
)
def test_bad_requests_are_400_naming_the_field(
    app: Flask, body: str, content_type: str, field: str
) -> None:
    for path in ("/jz/call", "/jz/next?tropo_token=x", "/jz/status"):
        response = app.test_client().post(path, data=body, content_type=content_type)
        assert response.status_code == 400, path
        assert list(response.json["errors"]) == [field]


@pytest.mark.parametrize(
    "odd",
    [
        {"sip": {"headers": ["not", "a", "map"]}},
        {"sip": "INVITE"},
        {"customerData": ["x"], "from": 7, "caller_name": None},
        {"call_sid": 42, "message_sid": "m-1"},
    ],
)
def test_odd_fields_never_reach_a_500(app: Flask, odd: dict[str, t.Any]) -> None:
    answers["call"] = [Say("Hello")]
    response = post(app, "/jz/call", {**CALL, **odd})
    assert response.status_code in (200, 400)
    speech = {"reason": "speechDetected", "speech": {"alternatives": ["odd"]}}
    answers["call"] = [Ask("1,2", say="Pick"), On("continue", next=after)]
    [gather] = verbs(post(app, "/jz/call", CALL))
    again = post(app, gather["actionHook"], {**CALL, **speech})
    assert again.status_code == 200


# -- signatures ---------------------------------------------------------------------


def signature(body: bytes, secret: str = SECRET, at: float | None = None) -> str:
    stamp = str(int(time.time() if at is None else at))
    digest = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256)
    return f"t={stamp},v1={digest.hexdigest()}"


def test_signed_requests_are_accepted(app: Flask) -> None:
    app.config["TROPO_JAMBONZ_WEBHOOK_SECRET"] = SECRET
    answers["call"] = [Say("Hello")]
    body = json.dumps(CALL).encode()
    response = app.test_client().post(
        "/jz/call",
        data=body,
        content_type="application/json",
        headers={"Jambonz-Signature": signature(body)},
    )
    assert verbs(response)[0]["text"] == "Hello"


@pytest.mark.parametrize(
    "how", ["missing", "other secret", "altered body", "too old", "garbled"]
)
def test_bad_signatures_are_403(app: Flask, how: str) -> None:
    app.config["TROPO_JAMBONZ_WEBHOOK_SECRET"] = SECRET
    answers["call"] = [Say("Hello")]
    body = json.dumps(CALL).encode()
    header = {
        "missing": None,
        "other secret": signature(body, "wh_secret_other"),
        "altered body": signature(body.replace(b"Ada", b"Eve")),
        "too old": signature(body, at=time.time() - 301),
        "garbled": "v1=abc",
    }[how]
    rejected: list[str] = []
    signals.payload_rejected.connect(
        lambda sender, reason, errors: rejected.append(reason), app, weak=False
    )
    headers = {} if header is None else {"Jambonz-Signature": header}
    response = app.test_client().post(
        "/jz/call", data=body, content_type="application/json", headers=headers
    )
    assert response.status_code == 403
    assert list(response.json["errors"]) == ["Jambonz-Signature"]
    assert rejected == ["invalid-signature"] and seen == []


def test_the_simulator_signs_with_the_apps_secret(app: Flask) -> None:
    app.config["TROPO_JAMBONZ_WEBHOOK_SECRET"] = SECRET
    answers["call"] = [Ask("yes, no", say="Yes or no?"), On("continue", next=after)]
    call = Simulator(app, platform="jambonz").dial("/jz/call")
    call.speak("yes")
    assert call.heard == ["Yes or no?", "got yes for None"]
    assert call.requests[-1]["call_status"] == "completed"  # the status hook
