"""Golden JSON of ``render``: every verb and nested object, minimal and with
every option, written by hand from the wire reference (tropo-webapi.md
sections 1 and 2, DESIGN.md 3.2).

Comparisons are strict about JSON types: ``5`` must stay an ``int``, ``0.5``
a ``float``, ``true`` a ``bool``, arrays ``list`` and objects ``dict``.
"""

from __future__ import annotations

import json
import typing as t

import pytest

from flask_tropo.document import render
from flask_tropo.exceptions import TropoError
from flask_tropo.verbs import Answer
from flask_tropo.verbs import Ask
from flask_tropo.verbs import Call
from flask_tropo.verbs import Choices
from flask_tropo.verbs import Conference
from flask_tropo.verbs import GeneralLogSecurity
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import MachineDetection
from flask_tropo.verbs import Message
from flask_tropo.verbs import On
from flask_tropo.verbs import Prompt
from flask_tropo.verbs import Record
from flask_tropo.verbs import Redirect
from flask_tropo.verbs import Reject
from flask_tropo.verbs import Say
from flask_tropo.verbs import StartRecording
from flask_tropo.verbs import StopRecording
from flask_tropo.verbs import Transcription
from flask_tropo.verbs import Transfer
from flask_tropo.verbs import UploadTarget
from flask_tropo.verbs import Verb
from flask_tropo.verbs import Wait


def assert_wire(actual: object, expected: object, path: str = "$") -> None:
    """``actual == expected`` with JSON types compared too (``5`` is not
    ``5.0``, ``True`` is not ``1``, a tuple is not an array).
    """
    assert actual == expected
    _same_types(actual, expected, path)
    assert json.loads(json.dumps(actual)) == expected


def _same_types(actual: object, expected: object, path: str) -> None:
    assert type(actual) is type(expected), (
        f"{path}: {actual!r} is a {type(actual).__name__},"
        f" expected {type(expected).__name__} {expected!r}"
    )
    if isinstance(expected, dict):
        assert isinstance(actual, dict)
        for key, value in expected.items():
            _same_types(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list)
        for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
            _same_types(got, want, f"{path}[{index}]")


def check_pin(result: object) -> list[Verb]:
    """A stand-in result handler for callable ``next`` targets."""
    return []


# -- every verb: minimal, and with every option -------------------------------

ASK_FULL = Ask(
    Choices("[4 DIGITS]", mode="DTMF", terminator="#"),
    say=[
        Say("Sorry, I did not hear anything.", event="timeout"),
        Say("That is not a PIN.", event="nomatch:1 nomatch:2"),
        Say("Enter your PIN.", voice="kate"),
    ],
    attempts=3,
    allow_signals=["exit", "quit"],
    bargein=False,
    interdigit_timeout=5,
    min_confidence=30,
    name="pin",
    recognizer="en-gb",
    required=True,
    sensitivity=0.5,
    speech_complete_timeout=0.5,
    speech_incomplete_timeout=1.5,
    timeout=30.0,
    voice="allison",
    prompt_log_security="suppress",
    asr_log_security="mask",
    mask_template="XXDD-",
)
ASK_FULL_WIRE: dict[str, t.Any] = {
    "choices": {"value": "[4 DIGITS]", "mode": "dtmf", "terminator": "#"},
    "say": [
        {"value": "Sorry, I did not hear anything.", "event": "timeout"},
        {"value": "That is not a PIN.", "event": "nomatch:1 nomatch:2"},
        {"value": "Enter your PIN.", "voice": "kate"},
    ],
    "attempts": 3,
    "allowSignals": ["exit", "quit"],
    "bargein": False,
    "interdigitTimeout": 5,
    "minConfidence": 30,
    "name": "pin",
    "recognizer": "en-gb",
    "required": True,
    "sensitivity": 0.5,
    "speechCompleteTimeout": 0.5,
    "speechIncompleteTimeout": 1.5,
    "timeout": 30.0,
    "voice": "allison",
    "promptLogSecurity": "suppress",
    "asrLogSecurity": "mask",
    "maskTemplate": "XXDD-",
}

WHISPER = Ask(
    Choices("[5 DIGITS]", mode="dtmf"),
    say=[
        Say("Sorry. Please enter your 5 digit account number again.", event="nomatch"),
        Say("Sorry, I did not hear anything.", event="timeout"),
        Say("Please enter your 5 digit account number."),
    ],
    attempts=3,
    bargein=True,
    name="account",
    required=True,
    timeout=10.0,
)
WHISPER_WIRE: dict[str, t.Any] = {
    "choices": {"value": "[5 DIGITS]", "mode": "dtmf"},
    "say": [
        {
            "value": "Sorry. Please enter your 5 digit account number again.",
            "event": "nomatch",
        },
        {"value": "Sorry, I did not hear anything.", "event": "timeout"},
        {"value": "Please enter your 5 digit account number."},
    ],
    "attempts": 3,
    "bargein": True,
    "name": "account",
    "required": True,
    "timeout": 10.0,
}

GOLDEN: list[t.Any] = [
    # answer
    pytest.param(Answer(), "answer", {}, id="answer-minimal"),
    pytest.param(
        Answer(
            {
                "P-Header": "value goes here",
                "Remote-Party-ID": '"John Doe"<sip:jdoe@example.com>;party=calling',
            }
        ),
        "answer",
        {
            "headers": {
                "P-Header": "value goes here",
                "Remote-Party-ID": '"John Doe"<sip:jdoe@example.com>;party=calling',
            }
        },
        id="answer-headers",
    ),
    # ask
    pytest.param(
        Ask("[4 DIGITS]"),
        "ask",
        {"choices": {"value": "[4 DIGITS]"}},
        id="ask-minimal",
    ),
    pytest.param(
        Ask("1,2", say="Press 1 or 2."),
        "ask",
        {"choices": {"value": "1,2"}, "say": {"value": "Press 1 or 2."}},
        id="ask-one-say-is-an-object",
    ),
    pytest.param(
        Ask("[1 DIGIT]", say=["Press a key.", Say("Any key.")]),
        "ask",
        {
            "choices": {"value": "[1 DIGIT]"},
            "say": [{"value": "Press a key."}, {"value": "Any key."}],
        },
        id="ask-several-says-are-an-array",
    ),
    pytest.param(ASK_FULL, "ask", ASK_FULL_WIRE, id="ask-all-options"),
    pytest.param(
        Ask("yes(yes,y,1), no(no,n,2)", say="Yes or no?", asr_log_security="suppress"),
        "ask",
        {
            "choices": {"value": "yes(yes,y,1), no(no,n,2)"},
            "say": {"value": "Yes or no?"},
            "asrLogSecurity": "suppress",
        },
        id="ask-asr-suppress",
    ),
    # call
    pytest.param(Call("+14155550100"), "call", {"to": "+14155550100"}, id="call-min"),
    pytest.param(
        Call(["+14155550100", "sip:bob@example.com"]),
        "call",
        {"to": ["+14155550100", "sip:bob@example.com"]},
        id="call-to-list",
    ),
    pytest.param(
        Call(
            ["+14155550100", "sip:bob@example.com"],
            from_="+14155550199",
            network="SIP",
            channel="VOICE",
            answer_on_media=True,
            allow_signals=["exit", "quit"],
            headers={"x-callername": "Acme", "P-Header": "outbound"},
            name="outbound",
            required=False,
            timeout=60,
            machine_detection=MachineDetection("Please hold.", voice="kate"),
            voice="tom",
            callback_url="https://example.com/cdr",
            prompt_log_security="none",
            label="campaign-7",
        ),
        "call",
        {
            "to": ["+14155550100", "sip:bob@example.com"],
            "from": "+14155550199",
            "network": "SIP",
            "channel": "VOICE",
            "answerOnMedia": True,
            "allowSignals": ["exit", "quit"],
            "headers": {"x-callername": "Acme", "P-Header": "outbound"},
            "name": "outbound",
            "required": False,
            "timeout": 60,
            "machineDetection": {"introduction": "Please hold.", "voice": "kate"},
            "voice": "tom",
            "callbackUrl": "https://example.com/cdr",
            "promptLogSecurity": "none",
            "label": "campaign-7",
        },
        id="call-all-options",
    ),
    pytest.param(
        Call("+14155550100", from_="+14155550199", network="SMS", channel="TEXT"),
        "call",
        {
            "to": "+14155550100",
            "from": "+14155550199",
            "network": "SMS",
            "channel": "TEXT",
        },
        id="call-sms",
    ),
    # conference
    pytest.param(Conference("1234"), "conference", {"id": "1234"}, id="conf-min"),
    pytest.param(
        Conference(
            "1234",
            name="standup",
            allow_signals=["exit", "quit"],
            interdigit_timeout=3.5,
            mute=False,
            play_tones=True,
            required=True,
            terminator="*",
            join_prompt=Prompt("Someone joined.", voice="kate"),
            leave_prompt=True,
            prompt_log_security="suppress",
        ),
        "conference",
        {
            "id": "1234",
            "name": "standup",
            "allowSignals": ["exit", "quit"],
            "interdigitTimeout": 3.5,
            "mute": False,
            "playTones": True,
            "required": True,
            "terminator": "*",
            "joinPrompt": {"value": "Someone joined.", "voice": "kate"},
            "leavePrompt": True,
            "promptLogSecurity": "suppress",
        },
        id="conference-all-options",
    ),
    # generalLogSecurity
    pytest.param(
        GeneralLogSecurity("suppress"),
        "generalLogSecurity",
        "suppress",
        id="general-log-security-suppress",
    ),
    pytest.param(
        GeneralLogSecurity("none"),
        "generalLogSecurity",
        "none",
        id="general-log-security-none",
    ),
    # hangup, reject, stopRecording
    pytest.param(Hangup(), "hangup", None, id="hangup"),
    pytest.param(Reject(), "reject", None, id="reject"),
    pytest.param(StopRecording(), "stopRecording", None, id="stop-recording"),
    # message
    pytest.param(
        Message("This is an announcement.", "+14155550100"),
        "message",
        {"say": {"value": "This is an announcement."}, "to": "+14155550100"},
        id="message-minimal",
    ),
    pytest.param(
        Message(["First.", Say("Second.", voice="kate")], ["+14155550100", "+1415"]),
        "message",
        {
            "say": [{"value": "First."}, {"value": "Second.", "voice": "kate"}],
            "to": ["+14155550100", "+1415"],
        },
        id="message-several-says",
    ),
    pytest.param(
        Message(
            Say("Your code is 1234."),
            "+14155550100",
            answer_on_media=False,
            channel="TEXT",
            from_="+14155550199",
            name="sms",
            network="SMS",
            required=True,
            timeout=10,
            voice="kate",
            prompt_log_security="suppress",
            headers={"x-campaign": "spring"},
        ),
        "message",
        {
            "say": {"value": "Your code is 1234."},
            "to": "+14155550100",
            "answerOnMedia": False,
            "channel": "TEXT",
            "from": "+14155550199",
            "name": "sms",
            "network": "SMS",
            "required": True,
            "timeout": 10,
            "voice": "kate",
            "promptLogSecurity": "suppress",
            "headers": {"x-campaign": "spring"},
        },
        id="message-all-options",
    ),
    # on
    pytest.param(On("continue"), "on", {"event": "continue"}, id="on-minimal"),
    pytest.param(
        On("continue", next="/weather?uri=end"),
        "on",
        {"event": "continue", "next": "/weather?uri=end"},
        id="on-next",
    ),
    pytest.param(
        On("incomplete", say="Sorry."),
        "on",
        {"event": "incomplete", "say": {"value": "Sorry."}},
        id="on-say",
    ),
    pytest.param(
        On("error", say=["Sorry.", "Goodbye."]),
        "on",
        {"event": "error", "say": [{"value": "Sorry."}, {"value": "Goodbye."}]},
        id="on-says",
    ),
    pytest.param(
        On(
            "connect",
            next="/connected",
            say="Connecting you now.",
            post="https://example.com/post",
            ask="[5 DIGITS]",
        ),
        "on",
        {
            "event": "connect",
            "next": "/connected",
            "say": {"value": "Connecting you now."},
            "post": "https://example.com/post",
            "ask": {"choices": {"value": "[5 DIGITS]"}},
        },
        id="on-all-options",
    ),
    # record
    pytest.param(
        Record(url="https://example.com/upload"),
        "record",
        {"url": "https://example.com/upload"},
        id="record-url-string",
    ),
    pytest.param(
        Record(url="ftp://example.com/rec.wav", username="bob", password="pw"),
        "record",
        {"url": "ftp://example.com/rec.wav", "username": "bob", "password": "pw"},
        id="record-url-string-with-credentials",
    ),
    pytest.param(
        Record(url=UploadTarget("https://example.com/upload")),
        "record",
        {"url": {"url": "https://example.com/upload"}},
        id="record-upload-target",
    ),
    pytest.param(
        Record(
            url=[
                UploadTarget(
                    "https://example.com/a",
                    username="alice",
                    password="secret",
                    method="PUT",
                ),
                UploadTarget("https://example.com/b"),
            ]
        ),
        "record",
        {
            "url": [
                {
                    "url": "https://example.com/a",
                    "username": "alice",
                    "password": "secret",
                    "method": "PUT",
                },
                {"url": "https://example.com/b"},
            ]
        },
        id="record-upload-targets",
    ),
    pytest.param(
        Record(url=["https://example.com/a", "https://example.com/b"]),
        "record",
        {"url": [{"url": "https://example.com/a"}, {"url": "https://example.com/b"}]},
        id="record-several-url-strings",
    ),
    pytest.param(
        Record(url="https://example.com/upload", choices="#"),
        "record",
        {"url": "https://example.com/upload", "choices": {"terminator": "#"}},
        id="record-terminator",
    ),
    pytest.param(
        Record(
            url="mailto:ops@example.com",
            transcription=Transcription("mailto:ops@example.com"),
        ),
        "record",
        {
            "url": "mailto:ops@example.com",
            "transcription": {"url": "mailto:ops@example.com"},
        },
        id="record-one-transcription",
    ),
    pytest.param(
        Record(
            url="https://example.com/upload",
            transcription=[
                Transcription("mailto:ops@example.com", email_format="plain"),
                Transcription("https://example.com/transcripts", id="t-2"),
            ],
        ),
        "record",
        {
            "url": "https://example.com/upload",
            "transcription": [
                {"url": "mailto:ops@example.com", "emailFormat": "plain"},
                {"url": "https://example.com/transcripts", "id": "t-2"},
            ],
        },
        id="record-transcription-list",
    ),
    pytest.param(
        Record(
            url=UploadTarget(
                "https://example.com/upload",
                username="alice",
                password="secret",
                method="POST",
            ),
            attempts=2,
            async_upload=False,
            allow_signals=["exit"],
            bargein=True,
            beep=True,
            choices=Choices(terminator="*"),
            say=[
                Say("Sorry, I did not hear anything.", event="timeout"),
                Say("Leave a message after the beep."),
            ],
            format="audio/mp3",
            max_silence=5,
            max_time=30.0,
            method="PUT",
            min_confidence=40,
            name="voicemail",
            password="pw",
            username="bob",
            required=True,
            timeout=10,
            transcription=Transcription(
                "mailto:ops@example.com",
                id="vm-1",
                email_format="encoded",
                language="en-us",
            ),
            voice="allison",
            interdigit_timeout=5,
            prompt_log_security="suppress",
            sensitivity=0.5,
        ),
        "record",
        {
            "url": {
                "url": "https://example.com/upload",
                "username": "alice",
                "password": "secret",
                "method": "POST",
            },
            "attempts": 2,
            "asyncUpload": False,
            "allowSignals": ["exit"],
            "bargein": True,
            "beep": True,
            "choices": {"terminator": "*"},
            "say": [
                {"value": "Sorry, I did not hear anything.", "event": "timeout"},
                {"value": "Leave a message after the beep."},
            ],
            "format": "audio/mp3",
            "maxSilence": 5,
            "maxTime": 30.0,
            "method": "PUT",
            "minConfidence": 40,
            "name": "voicemail",
            "password": "pw",
            "username": "bob",
            "required": True,
            "timeout": 10,
            "transcription": {
                "url": "mailto:ops@example.com",
                "id": "vm-1",
                "emailFormat": "encoded",
                "language": "en-us",
            },
            "voice": "allison",
            "interdigitTimeout": 5,
            "promptLogSecurity": "suppress",
            "sensitivity": 0.5,
        },
        id="record-all-options",
    ),
    # redirect
    pytest.param(
        Redirect("sip:desk@example.com"),
        "redirect",
        {"to": "sip:desk@example.com"},
        id="redirect-minimal",
    ),
    pytest.param(
        Redirect("sip:desk@example.com", name="deflect", required=False),
        "redirect",
        {"to": "sip:desk@example.com", "name": "deflect", "required": False},
        id="redirect-all-options",
    ),
    # say
    pytest.param(Say("Hello."), "say", {"value": "Hello."}, id="say-minimal"),
    pytest.param(
        Say(
            "20240131",
            as_="DATE",
            voice="kate",
            name="today",
            required=False,
            allow_signals=["exit", "quit"],
            prompt_log_security="suppress",
            media=["https://example.com/1.jpg", "inline text"],
        ),
        "say",
        {
            "value": "20240131",
            "as": "DATE",
            "voice": "kate",
            "name": "today",
            "required": False,
            "allowSignals": ["exit", "quit"],
            "promptLogSecurity": "suppress",
            "media": ["https://example.com/1.jpg", "inline text"],
        },
        id="say-all-options",
    ),
    pytest.param(
        Say("Uninterruptible.", allow_signals=""),
        "say",
        {"value": "Uninterruptible.", "allowSignals": ""},
        id="say-no-signals",
    ),
    pytest.param(
        Say("1234", as_="DIGITS", allow_signals="exit"),
        "say",
        {"value": "1234", "as": "DIGITS", "allowSignals": "exit"},
        id="say-digits-one-signal",
    ),
    # startRecording
    pytest.param(
        StartRecording("https://example.com/rec"),
        "startRecording",
        {"url": "https://example.com/rec"},
        id="start-recording-minimal",
    ),
    pytest.param(
        StartRecording(UploadTarget("https://example.com/rec", method="PUT")),
        "startRecording",
        {"url": {"url": "https://example.com/rec", "method": "PUT"}},
        id="start-recording-upload-target",
    ),
    pytest.param(
        StartRecording(
            [UploadTarget("https://example.com/a"), UploadTarget("sftp://b/rec")]
        ),
        "startRecording",
        {"url": [{"url": "https://example.com/a"}, {"url": "sftp://b/rec"}]},
        id="start-recording-upload-targets",
    ),
    pytest.param(
        StartRecording(
            "https://example.com/rec",
            async_upload=True,
            format="audio/au",
            method="POST",
            username="alice",
            password="secret",
            transcription_id="t-1",
            transcription_email_format="plain",
            transcription_language="pt-br",
            transcription_out_uri="mailto:ops@example.com",
        ),
        "startRecording",
        {
            "url": "https://example.com/rec",
            "asyncUpload": True,
            "format": "audio/au",
            "method": "POST",
            "username": "alice",
            "password": "secret",
            "transcriptionID": "t-1",
            "transcriptionEmailFormat": "plain",
            "transcriptionLanguage": "pt-br",
            "transcriptionOutURI": "mailto:ops@example.com",
        },
        id="start-recording-all-options",
    ),
    # transfer
    pytest.param(
        Transfer("tel:+14155550100"),
        "transfer",
        {"to": "tel:+14155550100"},
        id="transfer-minimal",
    ),
    pytest.param(
        Transfer("+14155550100", choices="#"),
        "transfer",
        {"to": "+14155550100", "choices": {"terminator": "#"}},
        id="transfer-terminator-string",
    ),
    pytest.param(
        Transfer(
            "+14155550100",
            on=On("ring", say="https://example.com/holdmusic.mp3"),
        ),
        "transfer",
        {
            "to": "+14155550100",
            "on": [
                {
                    "event": "ring",
                    "say": {"value": "https://example.com/holdmusic.mp3"},
                }
            ],
        },
        id="transfer-one-on-is-an-array",
    ),
    pytest.param(
        Transfer(
            ["+14155550100", "sip:support@example.com"],
            from_="+14155550199",
            answer_on_media=False,
            allow_signals=["exit", "quit"],
            choices=Choices(terminator="0"),
            headers={"x-ticket": "42"},
            interdigit_timeout=5.5,
            machine_detection=False,
            name="support",
            on=[
                On("ring", say="https://example.com/holdmusic.mp3"),
                On("connect", ask=WHISPER, post="https://example.com/bridged"),
            ],
            play_tones=True,
            required=True,
            ring_repeat=5,
            timeout=60.0,
            voice="tom",
            callback_url="https://example.com/cdr",
            prompt_log_security="suppress",
            label="transfer-1",
        ),
        "transfer",
        {
            "to": ["+14155550100", "sip:support@example.com"],
            "from": "+14155550199",
            "answerOnMedia": False,
            "allowSignals": ["exit", "quit"],
            "choices": {"terminator": "0"},
            "headers": {"x-ticket": "42"},
            "interdigitTimeout": 5.5,
            "machineDetection": False,
            "name": "support",
            "on": [
                {
                    "event": "ring",
                    "say": {"value": "https://example.com/holdmusic.mp3"},
                },
                {
                    "event": "connect",
                    "ask": WHISPER_WIRE,
                    "post": "https://example.com/bridged",
                },
            ],
            "playTones": True,
            "required": True,
            "ringRepeat": 5,
            "timeout": 60.0,
            "voice": "tom",
            "callbackUrl": "https://example.com/cdr",
            "promptLogSecurity": "suppress",
            "label": "transfer-1",
        },
        id="transfer-all-options-whisper",
    ),
    # wait
    pytest.param(Wait(8000), "wait", {"milliseconds": 8000}, id="wait-minimal"),
    pytest.param(
        Wait(10000, allow_signals=["exit", "quit"]),
        "wait",
        {"milliseconds": 10000, "allowSignals": ["exit", "quit"]},
        id="wait-all-options",
    ),
    pytest.param(Wait(0), "wait", {"milliseconds": 0}, id="wait-zero"),
]


@pytest.mark.parametrize(("verb", "key", "payload"), GOLDEN)
def test_golden(verb: Verb, key: str, payload: object) -> None:
    assert_wire(render([verb]), {"tropo": [{key: payload}]})


def test_golden_covers_every_verb_class() -> None:
    from flask_tropo.verbs import VERBS

    covered = {type(p.values[0]) for p in GOLDEN}
    assert covered == set(VERBS.values())


# -- nested objects: minimal and with every option ----------------------------

NESTED: list[t.Any] = [
    # Choices
    pytest.param(
        Ask(Choices("1,2")),
        {"ask": {"choices": {"value": "1,2"}}},
        id="choices-minimal",
    ),
    pytest.param(
        Ask(Choices("[4 DIGITS]", mode="SPEECH", terminator="*")),
        {
            "ask": {
                "choices": {"value": "[4 DIGITS]", "mode": "speech", "terminator": "*"}
            }
        },
        id="choices-all-options-mode-lower-case",
    ),
    pytest.param(
        Ask(Choices("[ANY]", mode="Any")),
        {"ask": {"choices": {"value": "[ANY]", "mode": "any"}}},
        id="choices-mode-mixed-case",
    ),
    pytest.param(
        Transfer("+14155550100", choices=Choices(terminator="#")),
        {"transfer": {"to": "+14155550100", "choices": {"terminator": "#"}}},
        id="choices-terminator-only",
    ),
    # Transcription
    pytest.param(
        Record(url="https://x.example/r", transcription=Transcription("mailto:a@b.c")),
        {
            "record": {
                "url": "https://x.example/r",
                "transcription": {"url": "mailto:a@b.c"},
            }
        },
        id="transcription-minimal",
    ),
    pytest.param(
        Record(
            url="https://x.example/r",
            transcription=Transcription(
                "https://x.example/t", id="42", email_format="plain", language="en-gb"
            ),
        ),
        {
            "record": {
                "url": "https://x.example/r",
                "transcription": {
                    "url": "https://x.example/t",
                    "id": "42",
                    "emailFormat": "plain",
                    "language": "en-gb",
                },
            }
        },
        id="transcription-all-options",
    ),
    # UploadTarget
    pytest.param(
        StartRecording(UploadTarget("https://x.example/r")),
        {"startRecording": {"url": {"url": "https://x.example/r"}}},
        id="upload-target-minimal",
    ),
    pytest.param(
        StartRecording(
            UploadTarget(
                "https://x.example/r", username="u", password="p", method="PUT"
            )
        ),
        {
            "startRecording": {
                "url": {
                    "url": "https://x.example/r",
                    "username": "u",
                    "password": "p",
                    "method": "PUT",
                }
            }
        },
        id="upload-target-all-options",
    ),
    # MachineDetection: bool or object
    pytest.param(
        Call("+14155550100", machine_detection=True),
        {"call": {"to": "+14155550100", "machineDetection": True}},
        id="machine-detection-true",
    ),
    pytest.param(
        Call("+14155550100", machine_detection=False),
        {"call": {"to": "+14155550100", "machineDetection": False}},
        id="machine-detection-false",
    ),
    pytest.param(
        Call("+14155550100", machine_detection="Hi, this is Acme."),
        {
            "call": {
                "to": "+14155550100",
                "machineDetection": {"introduction": "Hi, this is Acme."},
            }
        },
        id="machine-detection-string",
    ),
    pytest.param(
        Transfer("+14155550100", machine_detection=MachineDetection()),
        {"transfer": {"to": "+14155550100", "machineDetection": {}}},
        id="machine-detection-minimal-object",
    ),
    pytest.param(
        Transfer(
            "+14155550100",
            machine_detection=MachineDetection(
                "https://x.example/intro.wav", voice="v"
            ),
        ),
        {
            "transfer": {
                "to": "+14155550100",
                "machineDetection": {
                    "introduction": "https://x.example/intro.wav",
                    "voice": "v",
                },
            }
        },
        id="machine-detection-all-options",
    ),
    # Prompt: bool or object
    pytest.param(
        Conference("1", join_prompt=True, leave_prompt=False),
        {"conference": {"id": "1", "joinPrompt": True, "leavePrompt": False}},
        id="prompt-bools",
    ),
    pytest.param(
        Conference("1", join_prompt="hello", leave_prompt=Prompt("bye")),
        {
            "conference": {
                "id": "1",
                "joinPrompt": {"value": "hello"},
                "leavePrompt": {"value": "bye"},
            }
        },
        id="prompt-minimal",
    ),
    pytest.param(
        Conference("1", leave_prompt=Prompt("https://x.example/bye.wav", voice="kate")),
        {
            "conference": {
                "id": "1",
                "leavePrompt": {"value": "https://x.example/bye.wav", "voice": "kate"},
            }
        },
        id="prompt-all-options",
    ),
]


@pytest.mark.parametrize(("verb", "element"), NESTED)
def test_nested_objects(verb: Verb, element: dict[str, t.Any]) -> None:
    assert_wire(render([verb]), {"tropo": [element]})


def test_nested_say_with_every_option() -> None:
    prompt = Say(
        "Sorry, that was not a date.",
        as_="DATE",
        voice="kate",
        name="retry",
        required=True,
        allow_signals=["exit"],
        prompt_log_security="suppress",
        media="https://x.example/calendar.png",
        event="nomatch:2",
    )
    assert_wire(
        render(Ask("[8 DIGITS]", say=[prompt, "Your birth date?"])),
        {
            "tropo": [
                {
                    "ask": {
                        "choices": {"value": "[8 DIGITS]"},
                        "say": [
                            {
                                "value": "Sorry, that was not a date.",
                                "as": "DATE",
                                "voice": "kate",
                                "name": "retry",
                                "required": True,
                                "allowSignals": ["exit"],
                                "promptLogSecurity": "suppress",
                                "media": "https://x.example/calendar.png",
                                "event": "nomatch:2",
                            },
                            {"value": "Your birth date?"},
                        ],
                    }
                }
            ]
        },
    )


# -- groups of options ----------------------------------------------------------


def test_log_security_fields() -> None:
    document = render(
        [
            GeneralLogSecurity("suppress"),
            Say("Your card number is 4111.", prompt_log_security="suppress"),
            Ask(
                "[16 DIGITS]",
                say=Say("Card number?", prompt_log_security="none"),
                prompt_log_security="suppress",
                asr_log_security="mask",
                mask_template="XXXX-",
            ),
            Ask("[4 DIGITS]", asr_log_security="none"),
            GeneralLogSecurity("none"),
        ]
    )
    assert_wire(
        document,
        {
            "tropo": [
                {"generalLogSecurity": "suppress"},
                {
                    "say": {
                        "value": "Your card number is 4111.",
                        "promptLogSecurity": "suppress",
                    }
                },
                {
                    "ask": {
                        "choices": {"value": "[16 DIGITS]"},
                        "say": {"value": "Card number?", "promptLogSecurity": "none"},
                        "promptLogSecurity": "suppress",
                        "asrLogSecurity": "mask",
                        "maskTemplate": "XXXX-",
                    }
                },
                {"ask": {"choices": {"value": "[4 DIGITS]"}, "asrLogSecurity": "none"}},
                {"generalLogSecurity": "none"},
            ]
        },
    )


@pytest.mark.parametrize(
    ("media", "wire"),
    [
        pytest.param("https://x.example/1.jpg", "https://x.example/1.jpg", id="one"),
        pytest.param(
            ["https://x.example/1.jpg", "this is inline text"],
            ["https://x.example/1.jpg", "this is inline text"],
            id="list",
        ),
        pytest.param(
            ("https://x.example/1.jpg",), ["https://x.example/1.jpg"], id="tuple"
        ),
    ],
)
def test_mms_media(media: t.Any, wire: t.Any) -> None:
    document = render(
        [
            Message(
                Say("Your photo.", media=media),
                "+14155550100",
                network="MMS",
                channel="TEXT",
            ),
            Say("Sent.", media=media),
        ]
    )
    assert_wire(
        document,
        {
            "tropo": [
                {
                    "message": {
                        "say": {"value": "Your photo.", "media": wire},
                        "to": "+14155550100",
                        "network": "MMS",
                        "channel": "TEXT",
                    }
                },
                {"say": {"value": "Sent.", "media": wire}},
            ]
        },
    )


def test_headers() -> None:
    headers = {"x-callername": "Acme", "Remote-Party-ID": "<sip:1@example.com>"}
    document = render(
        [
            Answer(headers),
            Call("sip:a@example.com", headers=headers),
            Transfer("sip:b@example.com", headers=headers),
            Message("Hi", "sip:c@example.com", headers=headers),
        ]
    )
    assert_wire(
        document,
        {
            "tropo": [
                {"answer": {"headers": headers}},
                {"call": {"to": "sip:a@example.com", "headers": headers}},
                {"transfer": {"to": "sip:b@example.com", "headers": headers}},
                {
                    "message": {
                        "say": {"value": "Hi"},
                        "to": "sip:c@example.com",
                        "headers": headers,
                    }
                },
            ]
        },
    )


def test_record_say_timeout_event() -> None:
    verb = Record(
        url="https://x.example/r",
        say=[Say("Still there?", event="timeout"), "Speak after the tone."],
    )
    assert_wire(
        render(verb),
        {
            "tropo": [
                {
                    "record": {
                        "url": "https://x.example/r",
                        "say": [
                            {"value": "Still there?", "event": "timeout"},
                            {"value": "Speak after the tone."},
                        ],
                    }
                }
            ]
        },
    )


@pytest.mark.parametrize(
    ("verb", "element"),
    [
        pytest.param(
            Ask("1", timeout=5, sensitivity=0.5, interdigit_timeout=3.0),
            {
                "ask": {
                    "choices": {"value": "1"},
                    "timeout": 5,
                    "sensitivity": 0.5,
                    "interdigitTimeout": 3.0,
                }
            },
            id="ask",
        ),
        pytest.param(
            Record(url="u:r", max_time=300, max_silence=2.5, sensitivity=1),
            {
                "record": {
                    "url": "u:r",
                    "maxTime": 300,
                    "maxSilence": 2.5,
                    "sensitivity": 1,
                }
            },
            id="record",
        ),
        pytest.param(
            Call("+1", timeout=10.0),
            {"call": {"to": "+1", "timeout": 10.0}},
            id="call",
        ),
        pytest.param(
            Transfer("+1", timeout=0, ring_repeat=2),
            {"transfer": {"to": "+1", "timeout": 0, "ringRepeat": 2}},
            id="transfer",
        ),
    ],
)
def test_numbers_render_as_given(verb: Verb, element: dict[str, t.Any]) -> None:
    assert_wire(render([verb]), {"tropo": [element]})
    text = json.dumps(render([verb]))
    for value in _leaves(element):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            assert json.dumps(value) in text


def _leaves(data: object) -> t.Iterator[object]:
    if isinstance(data, dict):
        for value in data.values():
            yield from _leaves(value)
    else:
        yield data


def test_falsy_values_are_kept_and_none_left_out() -> None:
    verb = Ask(
        "1",
        say=Say("x", required=False),
        bargein=False,
        attempts=1,
        timeout=0,
        allow_signals="",
        name=None,
        voice=None,
    )
    assert_wire(
        render(verb),
        {
            "tropo": [
                {
                    "ask": {
                        "choices": {"value": "1"},
                        "say": {"value": "x", "required": False},
                        "bargein": False,
                        "attempts": 1,
                        "timeout": 0,
                        "allowSignals": "",
                    }
                }
            ]
        },
    )


# -- documents ------------------------------------------------------------------


def test_several_verbs_in_order() -> None:
    document = render(
        [
            Answer(),
            Say("Welcome to Acme."),
            Ask("[4 DIGITS]", say="Enter your PIN.", name="pin"),
            On("continue", next="/pin"),
            On("incomplete", next="/retry"),
            StartRecording("https://x.example/rec"),
            Wait(500),
            StopRecording(),
            Say("Goodbye."),
            Hangup(),
        ]
    )
    assert_wire(
        document,
        {
            "tropo": [
                {"answer": {}},
                {"say": {"value": "Welcome to Acme."}},
                {
                    "ask": {
                        "choices": {"value": "[4 DIGITS]"},
                        "say": {"value": "Enter your PIN."},
                        "name": "pin",
                    }
                },
                {"on": {"event": "continue", "next": "/pin"}},
                {"on": {"event": "incomplete", "next": "/retry"}},
                {"startRecording": {"url": "https://x.example/rec"}},
                {"wait": {"milliseconds": 500}},
                {"stopRecording": None},
                {"say": {"value": "Goodbye."}},
                {"hangup": None},
            ]
        },
    )


def test_single_verb_not_in_a_list() -> None:
    assert_wire(render(Say("Hi")), {"tropo": [{"say": {"value": "Hi"}}]})
    assert_wire(render(Hangup()), {"tropo": [{"hangup": None}]})
    assert_wire(
        render(GeneralLogSecurity("suppress")),
        {"tropo": [{"generalLogSecurity": "suppress"}]},
    )


def test_empty_document() -> None:
    assert_wire(render([]), {"tropo": []})


def test_iterables_of_verbs() -> None:
    expected = {"tropo": [{"say": {"value": "a"}}, {"reject": None}]}
    assert_wire(render((Say("a"), Reject())), expected)
    assert_wire(render(v for v in [Say("a"), Reject()]), expected)


def test_rendering_twice_gives_the_same_document() -> None:
    verbs = [Ask("1,2", say=["a", "b"]), Transfer("+1", on=On("ring", say="r"))]
    assert render(verbs) == render(verbs)


# -- next targets ------------------------------------------------------------------


def test_callable_next_without_next_url_is_an_error() -> None:
    with pytest.raises(TropoError, match="check_pin"):
        render([On("continue", next=check_pin)])


def test_callable_next_nested_in_transfer_without_next_url_is_an_error() -> None:
    with pytest.raises(TropoError, match="check_pin"):
        render(Transfer("+1", on=On("connect", next=check_pin)))


def test_callable_next_rendered_by_next_url() -> None:
    seen: list[object] = []

    def next_url(handler: t.Any) -> str:
        seen.append(handler)
        return "/x?t=1"

    document = render(
        [
            On("continue", next=check_pin),
            On("hangup", next="/bye"),
            Transfer(
                "+14155550100",
                on=[On("ring", say="ringing"), On("connect", next=check_pin)],
            ),
        ],
        next_url=next_url,
    )
    assert_wire(
        document,
        {
            "tropo": [
                {"on": {"event": "continue", "next": "/x?t=1"}},
                {"on": {"event": "hangup", "next": "/bye"}},
                {
                    "transfer": {
                        "to": "+14155550100",
                        "on": [
                            {"event": "ring", "say": {"value": "ringing"}},
                            {"event": "connect", "next": "/x?t=1"},
                        ],
                    }
                },
            ]
        },
    )
    assert seen == [check_pin, check_pin]


def test_next_url_lambda() -> None:
    assert_wire(
        render(On("continue", next=check_pin), next_url=lambda h: "/x?t=1"),
        {"tropo": [{"on": {"event": "continue", "next": "/x?t=1"}}]},
    )


def test_next_url_does_not_leak_into_the_next_render() -> None:
    render(On("continue", next=check_pin), next_url=lambda h: "/x?t=1")
    with pytest.raises(TropoError):
        render(On("continue", next=check_pin))


# -- not verbs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "name"),
    [
        pytest.param("hello", "str", id="str"),
        pytest.param({"say": {"value": "x"}}, "dict", id="dict"),
        pytest.param(Choices("1,2"), "Choices", id="nested-object"),
        pytest.param(None, "NoneType", id="none"),
        pytest.param(Say, "type", id="class"),
    ],
)
def test_non_verb_is_a_type_error(item: object, name: str) -> None:
    with pytest.raises(TypeError) as info:
        render([Say("ok"), item])  # type: ignore[list-item]
    assert name in str(info.value)
    assert repr(item) in str(info.value)
