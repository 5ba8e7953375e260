"""The Twilio platform: webhooks read into Session and Result, TwiML written
for each verb, Tropo's semantics emulated, X-Twilio-Signature checked with
twilio's own RequestValidator, bad input refused.

Every TwiML answer is also parsed with xml.etree and checked element by
element (conftest); the TwiML is read back here with xml.etree too.
"""

from __future__ import annotations

import sys
import typing as t
import xml.etree.ElementTree as ET

import pytest
from flask import Flask
from twilio.request_validator import RequestValidator

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

TOKEN = "twilio platform test auth token"
CALL = {
    "CallSid": "CA" + "7" * 32,
    "AccountSid": "AC" + "3" * 32,
    "From": "+16505550178",
    "To": "+14155550142",
    "CallStatus": "ringing",
    "Direction": "inbound",
    "ApiVersion": "2010-04-01",
}
SMS = {
    "MessageSid": "SM" + "4" * 32,
    "AccountSid": "AC" + "3" * 32,
    "From": "+16505550178",
    "To": "+14155550142",
    "Body": "hello there",
    "NumMedia": "0",
}

bp = TropoBlueprint("line", __name__)
answers: dict[str, t.Any] = {}
seen: list[Session | Result] = []


@bp.on_session("/voice")
def voice(session: Session) -> t.Any:
    seen.append(session)
    call_state["caller"] = session.from_.id if session.from_ else None
    return answers["voice"]


@bp.on_result("/next")
def after(result: Result) -> list[Verb]:
    seen.append(result)
    return [Say(f"got {result.value} from {call_state['caller']}"), Hangup()]


@bp.on_result("/other")
def other(result: Result) -> list[Verb]:
    seen.append(result)
    return [Say(f"other {result.disposition}"), Hangup()]


@bp.on_hangup("/hangup")
def hung_up(result: Result) -> Hangup:
    seen.append(result)
    return Hangup()


@bp.on_error("/error")
def failed(result: Result) -> list[Verb]:
    seen.append(result)
    return [Say(f"error {result.error}"), Hangup()]


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    app.config.update(TESTING=True, SECRET_KEY="twilio platform test secret key")
    Tropo(app)
    app.register_blueprint(bp, url_prefix="/tw", name="tw", platform="twilio")
    answers.clear()
    seen.clear()
    return app


def twiml(response: t.Any) -> ET.Element:
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    return root


def post(app: Flask, path: str, fields: dict[str, str], **kwargs: t.Any) -> t.Any:
    return app.test_client().post(path, data=fields, **kwargs)


def test_a_voice_webhook_is_a_session(app: Flask) -> None:
    answers["voice"] = [Say("Hello"), Hangup()]
    root = twiml(post(app, "/tw/voice", CALL))
    assert [(e.tag, e.text) for e in root] == [("Say", "Hello"), ("Hangup", None)]
    session = seen[0]
    assert isinstance(session, Session)
    assert session.id == session.call_id == CALL["CallSid"]
    assert session.account_id == CALL["AccountSid"]
    assert session.from_ is not None and session.from_.id == "+16505550178"
    assert session.from_.channel == "VOICE" and session.from_.network == "PSTN"
    assert session.to is not None and session.to.e164_id == "+14155550142"
    assert not session.is_text and not session.is_launched


def test_a_messaging_webhook_is_a_text_session(app: Flask) -> None:
    answers["voice"] = [Say("Hi back"), Hangup()]
    root = twiml(post(app, "/tw/voice", SMS))
    assert [(e.tag, e.text) for e in root] == [("Message", "Hi back")]
    session = seen[0]
    assert isinstance(session, Session) and session.is_text
    assert session.initial_text == "hello there"
    assert session.id == SMS["MessageSid"]


def test_an_ask_is_a_gather_then_a_redirect_for_no_input(app: Flask) -> None:
    answers["voice"] = [
        Ask(
            Choices("[4 DIGITS]", mode="dtmf", terminator="#"),
            say=[Say("Wrong", event="nomatch"), "Enter your PIN"],
            name="pin",
            timeout=7.5,
            attempts=2,
        ),
        On("continue", next=after),
        On("incomplete", next=other),
    ]
    root = twiml(post(app, "/tw/voice", CALL))
    gather, redirect = list(root)
    assert gather.tag == "Gather" and redirect.tag == "Redirect"
    assert gather.get("action") == redirect.text
    assert gather.get("action", "").startswith("/tw/next?tropo_token=")
    assert gather.attrib | {"action": ""} == {
        "action": "",
        "method": "POST",
        "input": "dtmf",
        "numDigits": "4",
        "finishOnKey": "#",
        "timeout": "8",
    }
    assert redirect.get("method") == "POST"
    assert [(p.tag, p.text) for p in gather] == [("Say", "Enter your PIN")]

    url = redirect.text or ""
    # Two keys: no match, one attempt left: the gather again, nomatch prompt first.
    again = twiml(post(app, url, {**CALL, "Digits": "12"}))
    assert [p.text for p in again[0]] == ["Wrong", "Enter your PIN"]
    assert len(seen) == 1  # no handler ran
    # The four keys: the continue handler, with call_state and the action.
    url = again[1].text or ""
    done = twiml(post(app, url, {**CALL, "Digits": "1234"}))
    assert done[0].text == "got 1234 from +16505550178"
    result = seen[-1]
    assert isinstance(result, Result)
    assert result.session_id == CALL["CallSid"]
    action = result.action("pin")
    assert action is not None
    assert (action.value, action.interpretation, action.attempts) == ("1234", "1234", 2)
    assert action.disposition == "SUCCESS"


def test_no_input_after_the_last_attempt_is_incomplete(app: Flask) -> None:
    answers["voice"] = [
        Ask("yes(yes, 1), no(no, 2)", say="Yes or no?", name="answer"),
        On("continue", next=after),
        On("incomplete", next=other),
    ]
    root = twiml(post(app, "/tw/voice", CALL))
    assert root[0].get("input") == "dtmf speech"
    assert root[0].get("hints") == "yes, no"
    assert root[0].get("numDigits") == "1"
    done = twiml(post(app, root[1].text or "", CALL))  # the redirect: no input
    assert done[0].text == "other TIMEOUT"


def test_speech_is_matched_by_the_grammar(app: Flask) -> None:
    answers["voice"] = [
        Ask("yes(yes, yeah, 1), no(no, 2)", say="Yes or no?", min_confidence=50),
        On("continue", next=after),
        On("incomplete", next=other),
    ]
    url = twiml(post(app, "/tw/voice", CALL))[0].get("action", "")
    low = twiml(post(app, url, {**CALL, "SpeechResult": "Yeah", "Confidence": "0.3"}))
    assert low[0].text == "other NOMATCH"  # below min_confidence
    url = twiml(post(app, "/tw/voice", CALL))[0].get("action", "")
    done = twiml(post(app, url, {**CALL, "SpeechResult": "Yeah", "Confidence": "0.92"}))
    assert done[0].text == "got yes from +16505550178"
    action = t.cast(Result, seen[-1]).actions[0]
    assert (action.interpretation, action.confidence) == ("Yeah", 92)


def test_a_document_that_runs_out_posts_to_continue(app: Flask) -> None:
    answers["voice"] = [
        Say("Hello"),
        Wait(1500),
        On("continue", next=after, say="On the way"),
    ]
    root = twiml(post(app, "/tw/voice", CALL))
    assert [(e.tag, e.get("length")) for e in root] == [
        ("Say", None),
        ("Pause", "2"),
        ("Redirect", None),
    ]
    done = twiml(post(app, root[2].text or "", CALL))
    assert [e.text for e in done] == ["On the way", "got None from +16505550178", None]


def test_a_transfer_is_a_dial(app: Flask) -> None:
    answers["voice"] = [
        Transfer(
            ["+14155550100", "sip:agent@example.com"],
            from_="+14155550142",
            timeout=20,
            choices="*",
            on=On("ring", say="Please hold"),
            name="agent",
        ),
        On("incomplete", next=other),
        On("continue", next=after),
    ]
    root = twiml(post(app, "/tw/voice", CALL))
    say, dial = list(root)
    assert say.text == "Please hold"
    assert dial.attrib | {"action": ""} == {
        "action": "",
        "method": "POST",
        "timeout": "20",
        "callerId": "+14155550142",
        "hangupOnStar": "true",
    }
    assert [(e.tag, e.text) for e in dial] == [
        ("Number", "+14155550100"),
        ("Sip", "sip:agent@example.com"),
    ]
    url = dial.get("action", "")
    busy = twiml(post(app, url, {**CALL, "DialCallStatus": "busy"}))
    assert busy[0].text == "other BUSY"
    url = twiml(post(app, "/tw/voice", CALL))[1].get("action", "")
    fine = {**CALL, "DialCallStatus": "completed", "DialCallDuration": "42"}
    assert twiml(post(app, url, fine))[0].text == "got None from +16505550178"
    action = t.cast(Result, seen[-1]).action("agent")
    assert action is not None and action.duration == 42


def test_conference_reject_and_hangup(app: Flask) -> None:
    answers["voice"] = [Conference("room 7", mute=True), Hangup()]
    root = twiml(post(app, "/tw/voice", CALL))
    assert root[0].tag == "Dial" and root[0][0].tag == "Conference"
    assert (root[0][0].text, root[0][0].get("muted")) == ("room 7", "true")
    answers["voice"] = [Reject()]
    assert twiml(post(app, "/tw/voice", CALL))[0].attrib == {"reason": "rejected"}


def test_say_as_and_audio(app: Flask) -> None:
    answers["voice"] = [
        Say("1234", as_="DIGITS", voice="Polly.Joanna"),
        Say("https://example.com/hold.mp3"),
        Hangup(),
    ]
    root = twiml(post(app, "/tw/voice", CALL))
    assert root[0].get("voice") == "Polly.Joanna"
    assert root[0][0].tag == "say-as"
    assert root[0][0].get("interpret-as") == "digits"
    assert (root[1].tag, root[1].text) == ("Play", "https://example.com/hold.mp3")


def test_a_text_asks_with_its_first_message(app: Flask) -> None:
    answers["voice"] = [
        Ask("[ANY]", say="What is it?", name="text"),
        On("continue", next=after),
    ]
    root = twiml(post(app, "/tw/voice", SMS))
    assert [e.tag for e in root] == ["Redirect"]  # the prompt is not sent
    done = twiml(post(app, root[0].text or "", SMS))
    assert [(e.tag, e.text) for e in done] == [
        ("Message", "got hello there from +16505550178")
    ]


def test_a_text_message_to_another_number(app: Flask) -> None:
    answers["voice"] = [Message("Your code", to="+14155550101", channel="TEXT")]
    root = twiml(post(app, "/tw/voice", SMS))
    assert root[0].attrib == {"to": "+14155550101"}
    assert root[0].text == "Your code"


@pytest.mark.parametrize(
    ("verbs", "named"),
    [
        (
            [Record(url="https://example.com/up")],
            "Record.url cannot be expressed on twilio",
        ),
        (
            [Message("Hi", to="+14155550101", channel="TEXT")],
            "Message cannot be expressed on twilio",
        ),
        ([Say("Hi"), On("continue", next="/elsewhere")], "On.next cannot be expressed"),
        (
            [Transfer("+14155550100", choices="#")],
            "Transfer.choices cannot be expressed",
        ),
        (
            [Transfer("+14155550100", machine_detection=True)],
            "Transfer.machine_detection cannot be expressed on twilio",
        ),
        (
            [Conference("r", terminator="#")],
            "Conference.terminator cannot be expressed",
        ),
        (
            [Say("Hi"), On("hangup", next=after)],
            "On.next cannot be expressed on twilio",
        ),
    ],
)
def test_what_cannot_map_is_refused(
    app: Flask, verbs: list[Verb], named: str, caplog: pytest.LogCaptureFixture
) -> None:
    answers["voice"] = verbs
    with pytest.raises(Exception, match=named):
        post(app, "/tw/voice", CALL)
    # A live call (not testing) hears the apology, never a 500.
    app.testing = False
    failures: list[BaseException] = []
    signals.handler_failed.connect(
        lambda sender, exception: failures.append(exception), app, weak=False
    )
    root = twiml(post(app, "/tw/voice", CALL))
    assert [e.tag for e in root] == ["Say", "Hangup"]
    assert named in str(failures[0])


def test_hangups_come_through_the_status_callback(app: Flask) -> None:
    ringing = twiml(post(app, "/tw/hangup", {**CALL, "CallStatus": "in-progress"}))
    assert list(ringing) == [] and seen == []
    done = {**CALL, "CallStatus": "completed", "CallDuration": "31"}
    assert list(twiml(post(app, "/tw/hangup", done))) == []
    result = seen[0]
    assert isinstance(result, Result)
    assert (result.state, result.session_duration) == ("DISCONNECTED", 31)


def test_the_fallback_url_reaches_the_error_route(app: Flask) -> None:
    fields = {**CALL, "ErrorCode": "11200", "ErrorUrl": "https://x.example/tw/voice"}
    root = twiml(post(app, "/tw/error", fields))
    assert root[0].text == "error Twilio error 11200 at https://x.example/tw/voice"


@pytest.mark.parametrize(
    ("body", "content_type", "field"),
    [
        ({"From": "+1"}, None, "CallSid"),
        ('{"CallSid": "CA1"}', "application/json", "Content-Type"),
        (
            "CallSid=CA1&From=%2B1\xff".encode("latin-1"),
            "application/x-www-form-urlencoded",
            "body",
        ),
    ],
)
def test_bad_requests_are_400_naming_the_field(
    app: Flask, body: t.Any, content_type: str | None, field: str
) -> None:
    kwargs = {"content_type": content_type} if content_type else {}
    for path in ("/tw/voice", "/tw/next?tropo_token=x", "/tw/hangup"):
        response = app.test_client().post(path, data=body, **kwargs)
        assert response.status_code == 400
        assert list(response.json["errors"]) == [field]


def test_a_continuation_needs_its_token(app: Flask) -> None:
    response = post(app, "/tw/next", {**CALL, "Digits": "1"})
    assert response.status_code == 403
    assert "tropo_token" in response.json["errors"]
    answers["voice"] = [Ask("1,2", say="Pick"), On("continue", next=after)]
    url = twiml(post(app, "/tw/voice", CALL))[0].get("action", "")
    foreign = post(app, url, {**CALL, "CallSid": "CA" + "9" * 32, "Digits": "1"})
    assert foreign.status_code == 403


# -- signatures ---------------------------------------------------------------------


def signed(app: Flask, url: str, fields: dict[str, str], token: str = TOKEN) -> t.Any:
    signature = RequestValidator(token).compute_signature(url, fields)
    return app.test_client().post(
        url, data=fields, headers={"X-Twilio-Signature": signature}
    )


def test_signatures_made_by_twilios_validator_are_accepted(app: Flask) -> None:
    app.config["TROPO_TWILIO_AUTH_TOKEN"] = TOKEN
    answers["voice"] = [Ask("1,2", say="Pick"), On("continue", next=after)]
    root = twiml(signed(app, "http://localhost/tw/voice", CALL))
    # The signed URL includes the query string that holds the token.
    url = "http://localhost" + (root[0].get("action") or "")
    assert "tropo_token=" in url
    assert twiml(signed(app, url, {**CALL, "Digits": "2"}))[0].text.startswith("got 2")


@pytest.mark.parametrize("how", ["missing", "other token", "other url", "altered"])
def test_bad_signatures_are_403(app: Flask, how: str) -> None:
    app.config["TROPO_TWILIO_AUTH_TOKEN"] = TOKEN
    answers["voice"] = [Say("Hello")]
    url = "http://localhost/tw/voice"
    token = "another auth token" if how == "other token" else TOKEN
    signature = RequestValidator(token).compute_signature(
        url + ("?x=1" if how == "other url" else ""), CALL
    )
    fields = {**CALL, "From": "+19995550000"} if how == "altered" else CALL
    headers = {} if how == "missing" else {"X-Twilio-Signature": signature}
    rejected: list[str] = []
    signals.payload_rejected.connect(
        lambda sender, reason, errors: rejected.append(reason), app, weak=False
    )
    response = app.test_client().post(url, data=fields, headers=headers)
    assert response.status_code == 403
    assert list(response.json["errors"]) == ["X-Twilio-Signature"]
    assert rejected == ["invalid-signature"] and seen == []


def test_behind_a_proxy_the_external_url_is_signed(app: Flask) -> None:
    app.config.update(
        TROPO_TWILIO_AUTH_TOKEN=TOKEN, TROPO_EXTERNAL_URL="https://ivr.example.com"
    )
    answers["voice"] = [Say("Hello")]
    signature = RequestValidator(TOKEN).compute_signature(
        "https://ivr.example.com/tw/voice", CALL
    )
    response = app.test_client().post(
        "/tw/voice", data=CALL, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 200
    inner = RequestValidator(TOKEN).compute_signature("http://localhost/tw/voice", CALL)
    response = app.test_client().post(
        "/tw/voice", data=CALL, headers={"X-Twilio-Signature": inner}
    )
    assert response.status_code == 403


def test_sha256_signatures_named_by_the_settings_header(app: Flask) -> None:
    app.config["TROPO_TWILIO_AUTH_TOKEN"] = TOKEN
    answers["voice"] = [Say("Hello")]
    url = "http://localhost/tw/voice"
    signature = RequestValidator(TOKEN).compute_signature(
        url, CALL, algorithm="HMAC_SHA256"
    )
    headers = {
        "X-Twilio-Signature": signature,
        "X-Twilio-Webhooks-Signature-Settings": "key=k1,algorithm=HMAC_SHA256",
    }
    assert app.test_client().post(url, data=CALL, headers=headers).status_code == 200


def test_the_simulator_signs_with_the_apps_token(app: Flask) -> None:
    app.config["TROPO_TWILIO_AUTH_TOKEN"] = TOKEN
    answers["voice"] = [Ask("1,2", say="Pick one"), On("continue", next=after)]
    call = Simulator(app, platform="twilio").dial("/tw/voice")
    call.press("2")
    assert call.heard == ["Pick one", "got 2 from +14155550100"]
    unsigned = Simulator(app, platform="twilio", secret="wrong token")
    with pytest.raises(Exception, match="403"):
        unsigned.dial("/tw/voice")


# -- registration ---------------------------------------------------------------------


def test_a_missing_twilio_package_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "twilio.request_validator", None)
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "twilio platform test secret key"
    Tropo(app)
    with pytest.raises(ImportError, match=r"flask-tropo\[twilio\]"):
        app.register_blueprint(bp, url_prefix="/tw", name="tw", platform="twilio")


def test_the_default_blueprint_can_serve_twilio() -> None:
    tropo = Tropo(platform="twilio")

    @tropo.on_session("/voice")
    def hello(session: Session) -> list[Verb]:
        return [Say("Hello"), Hangup()]

    app = Flask(__name__)
    app.config["SECRET_KEY"] = "twilio platform test secret key"
    tropo.init_app(app)
    assert [e.tag for e in twiml(post(app, "/voice", CALL))] == ["Say", "Hangup"]


def test_another_platform_name_is_a_value_error(app: Flask) -> None:
    with pytest.raises(ValueError, match="'tropo', 'twilio', 'jambonz'"):
        app.register_blueprint(bp, url_prefix="/x", name="x", platform="plivo")
