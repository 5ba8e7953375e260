"""``parse_document``: reading every SDK dialect (tropo-webapi.md 1.2),
round trips of every verb class, the errors it raises, and the rule that no
marshmallow ``Schema`` is built while rendering or parsing (DESIGN.md 5).

The documents are written here in the shapes the SDKs produce, with values
of our own.
"""

from __future__ import annotations

import json
import typing as t

import marshmallow
import pytest

from flask_tropo import InvalidDocument
from flask_tropo import TropoError
from flask_tropo.document import parse_document
from flask_tropo.document import render
from flask_tropo.verbs import VERBS
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


def doc(*elements: object) -> dict[str, t.Any]:
    return {"tropo": list(elements)}


# -- dialects ----------------------------------------------------------------------

DIALECTS: list[t.Any] = [
    # say: object, array, bare string
    pytest.param(
        doc({"say": {"value": "Welcome to Acme."}}),
        [Say("Welcome to Acme.")],
        id="say-object",
    ),
    pytest.param(
        doc({"say": [{"value": "Welcome to Acme.", "name": "welcome"}]}),
        [Say("Welcome to Acme.", name="welcome")],
        id="say-array-of-one-java-php",
    ),
    pytest.param(
        doc(
            {
                "say": [
                    {"value": "Welcome.", "voice": "kate"},
                    {"value": "Please hold.", "voice": "kate"},
                ]
            }
        ),
        [Say("Welcome.", voice="kate"), Say("Please hold.", voice="kate")],
        id="say-array-is-several-verbs",
    ),
    pytest.param(doc({"say": "Hi there."}), [Say("Hi there.")], id="say-bare-string"),
    pytest.param(
        doc({"ask": {"choices": {"value": "1,2"}, "say": "Press 1 or 2."}}),
        [Ask("1,2", say="Press 1 or 2.")],
        id="ask-say-bare-string-ruby",
    ),
    pytest.param(
        doc({"on": {"event": "continue", "next": "/next", "say": "One moment."}}),
        [On("continue", next="/next", say="One moment.")],
        id="on-say-bare-string",
    ),
    pytest.param(
        doc({"message": {"say": "Your code is 42.", "to": "+14155550100"}}),
        [Message("Your code is 42.", "+14155550100")],
        id="message-say-bare-string",
    ),
    pytest.param(
        doc({"record": {"url": "https://x.example/r", "say": "Speak now."}}),
        [Record(url="https://x.example/r", say="Speak now.")],
        id="record-say-bare-string",
    ),
    pytest.param(
        doc(
            {
                "ask": {
                    "choices": {"value": "[1 DIGIT]"},
                    "say": [{"value": "Please press a key."}],
                }
            }
        ),
        [Ask("[1 DIGIT]", say="Please press a key.")],
        id="ask-say-array-of-one",
    ),
    pytest.param(
        doc(
            {
                "ask": {
                    "choices": "[5 DIGITS]",
                    "say": {"value": "Zip code?"},
                }
            }
        ),
        [Ask("[5 DIGITS]", say="Zip code?")],
        id="ask-choices-bare-grammar-string",
    ),
    # on: object or array
    pytest.param(
        doc({"on": {"event": "hangup", "next": "/bye"}}),
        [On("hangup", next="/bye")],
        id="on-object",
    ),
    pytest.param(
        doc(
            {
                "on": [
                    {
                        "event": "continue",
                        "next": "menu.php?step=2",
                        "say": {"value": "Thanks!"},
                    }
                ]
            }
        ),
        [On("continue", next="menu.php?step=2", say="Thanks!")],
        id="on-array-of-one-php",
    ),
    pytest.param(
        doc(
            {
                "on": [
                    {"event": "continue", "next": "/ok"},
                    {"event": "incomplete", "next": "/retry"},
                ]
            }
        ),
        [On("continue", next="/ok"), On("incomplete", next="/retry")],
        id="on-array-is-several-verbs",
    ),
    pytest.param(
        doc(
            {
                "on": {
                    "event": "error",
                    "next": "/oops",
                    "say": [{"value": "Something went wrong."}],
                }
            }
        ),
        [On("error", next="/oops", say="Something went wrong.")],
        id="on-say-array-java",
    ),
    pytest.param(
        doc(
            {
                "transfer": {
                    "to": "+14155550100",
                    "on": {
                        "event": "ring",
                        "say": {"value": "https://x.example/r.mp3"},
                    },
                }
            }
        ),
        [Transfer("+14155550100", on=On("ring", say="https://x.example/r.mp3"))],
        id="transfer-on-object",
    ),
    pytest.param(
        doc(
            {
                "transfer": {
                    "to": "+14155550100",
                    "on": [
                        {"event": "ring", "say": {"value": "Ringing."}},
                        {"event": "connect", "ask": {"choices": "[1 DIGIT]"}},
                    ],
                }
            }
        ),
        [
            Transfer(
                "+14155550100",
                on=[On("ring", say="Ringing."), On("connect", ask="[1 DIGIT]")],
            )
        ],
        id="transfer-on-array",
    ),
    # empty verbs
    pytest.param(
        doc({"hangup": None}, {"reject": None}, {"stopRecording": None}),
        [Hangup(), Reject(), StopRecording()],
        id="empty-null",
    ),
    pytest.param(
        doc({"hangup": {}}, {"reject": {}}, {"stopRecording": {}}),
        [Hangup(), Reject(), StopRecording()],
        id="empty-object-node-csharp",
    ),
    pytest.param(
        doc({"hangup": "null"}, {"reject": "null"}, {"stopRecording": "null"}),
        [Hangup(), Reject(), StopRecording()],
        id="empty-null-string-php",
    ),
    pytest.param(doc({"answer": {}}), [Answer()], id="answer-empty-object"),
    pytest.param(doc({"answer": None}), [Answer()], id="answer-null"),
    pytest.param(
        doc({"answer": {"headers": {"P-Header": "abc"}}}),
        [Answer({"P-Header": "abc"})],
        id="answer-headers",
    ),
    pytest.param(
        doc({"generalLogSecurity": "suppress"}, {"generalLogSecurity": "none"}),
        [GeneralLogSecurity("suppress"), GeneralLogSecurity("none")],
        id="general-log-security-bare-string",
    ),
    # url: string, object, list
    pytest.param(
        doc({"record": {"url": "https://x.example/upload"}}),
        [Record(url="https://x.example/upload")],
        id="record-url-string",
    ),
    pytest.param(
        doc({"record": {"url": {"url": "https://x.example/upload"}}}),
        [Record(url=UploadTarget("https://x.example/upload"))],
        id="record-url-object-php",
    ),
    pytest.param(
        doc(
            {
                "record": {
                    "url": {
                        "url": "https://x.example/upload",
                        "username": "alice",
                        "password": "secret",
                        "method": "POST",
                    },
                    "method": "POST",
                }
            }
        ),
        [
            Record(
                url=UploadTarget(
                    "https://x.example/upload",
                    username="alice",
                    password="secret",
                    method="POST",
                ),
                method="POST",
            )
        ],
        id="record-url-object-node",
    ),
    pytest.param(
        doc(
            {
                "record": {
                    "url": [
                        {"url": "https://x.example/a", "method": "PUT"},
                        {"url": "ftp://x.example/b", "username": "bob"},
                    ]
                }
            }
        ),
        [
            Record(
                url=[
                    UploadTarget("https://x.example/a", method="PUT"),
                    UploadTarget("ftp://x.example/b", username="bob"),
                ]
            )
        ],
        id="record-url-list",
    ),
    pytest.param(
        doc({"startRecording": {"url": "https://x.example/rec", "method": "POST"}}),
        [StartRecording("https://x.example/rec", method="POST")],
        id="start-recording-url-string",
    ),
    pytest.param(
        doc({"startRecording": {"url": {"url": "https://x.example/rec"}}}),
        [StartRecording(UploadTarget("https://x.example/rec"))],
        id="start-recording-url-object",
    ),
    pytest.param(
        doc(
            {
                "startRecording": {
                    "url": [{"url": "https://x.example/a"}, {"url": "s3://b/c"}]
                }
            }
        ),
        [
            StartRecording(
                [UploadTarget("https://x.example/a"), UploadTarget("s3://b/c")]
            )
        ],
        id="start-recording-url-list",
    ),
    # to: string or list
    pytest.param(
        doc({"call": {"to": "+14155550100"}}),
        [Call("+14155550100")],
        id="call-to-string",
    ),
    pytest.param(
        doc({"call": {"to": ["+14155550100", "+14155550101"]}}),
        [Call(["+14155550100", "+14155550101"])],
        id="call-to-list",
    ),
    pytest.param(
        doc({"call": {"to": ["+14155550100"], "from": "+14155550199"}}),
        [Call(["+14155550100"], from_="+14155550199")],
        id="call-to-list-of-one-csharp",
    ),
    pytest.param(
        doc(
            {
                "message": {
                    "say": {"value": "Reminder: dentist at 3."},
                    "to": ["+14155550100"],
                    "network": "SMS",
                    "channel": "TEXT",
                }
            }
        ),
        [
            Message(
                "Reminder: dentist at 3.",
                ["+14155550100"],
                network="SMS",
                channel="TEXT",
            )
        ],
        id="message-to-list-csharp",
    ),
    pytest.param(
        doc({"transfer": {"to": ["sip:a@x.example", "+14155550100"]}}),
        [Transfer(["sip:a@x.example", "+14155550100"])],
        id="transfer-to-list",
    ),
    # choices
    pytest.param(
        doc(
            {
                "ask": {
                    "choices": {
                        "value": "[4 DIGITS]",
                        "mode": "DTMF",
                        "terminator": "*",
                    },
                    "say": [{"value": "PIN?"}],
                }
            }
        ),
        [Ask(Choices("[4 DIGITS]", mode="dtmf", terminator="*"), say="PIN?")],
        id="mode-upper-case-java",
    ),
    pytest.param(
        doc({"ask": {"choices": {"value": "sales, support", "mode": "Speech"}}}),
        [Ask(Choices("sales, support", mode="speech"))],
        id="mode-mixed-case",
    ),
    pytest.param(
        doc(
            {
                "record": {
                    "url": "/receive_recording",
                    "choices": {"terminator": "#", "value": ""},
                    "say": {"value": "Tell us about yourself."},
                }
            }
        ),
        [
            Record(
                url="/receive_recording",
                choices=Choices(terminator="#"),
                say="Tell us about yourself.",
            )
        ],
        id="record-choices-empty-value-python",
    ),
    pytest.param(
        doc({"transfer": {"to": "+1", "choices": {"terminator": "#"}}}),
        [Transfer("+1", choices="#")],
        id="transfer-choices-terminator",
    ),
    # numbers
    pytest.param(
        doc(
            {
                "ask": {
                    "choices": {"value": "[4 DIGITS]"},
                    "attempts": 3,
                    "timeout": 30.0,
                    "interdigitTimeout": 3.5,
                    "sensitivity": 0.5,
                    "speechCompleteTimeout": 0.5,
                    "minConfidence": 30,
                }
            }
        ),
        [
            Ask(
                "[4 DIGITS]",
                attempts=3,
                timeout=30.0,
                interdigit_timeout=3.5,
                sensitivity=0.5,
                speech_complete_timeout=0.5,
                min_confidence=30,
            )
        ],
        id="java-floats",
    ),
    pytest.param(
        doc({"wait": {"milliseconds": 8000}}, {"wait": {"milliseconds": 3000.0}}),
        [Wait(8000), Wait(3000)],
        id="wait-whole-float",
    ),
    # nested objects
    pytest.param(
        doc(
            {
                "call": {
                    "to": "+1",
                    "machineDetection": {"introduction": "Hello!", "voice": "kate"},
                }
            },
            {"transfer": {"to": "+2", "machineDetection": True}},
        ),
        [
            Call("+1", machine_detection=MachineDetection("Hello!", voice="kate")),
            Transfer("+2", machine_detection=True),
        ],
        id="machine-detection",
    ),
    pytest.param(
        doc(
            {
                "conference": {
                    "id": "1234",
                    "joinPrompt": {"value": "Joined.", "voice": "kate"},
                    "leavePrompt": True,
                }
            }
        ),
        [
            Conference(
                "1234", join_prompt=Prompt("Joined.", voice="kate"), leave_prompt=True
            )
        ],
        id="join-leave-prompt",
    ),
    pytest.param(
        doc(
            {
                "record": {
                    "url": "https://x.example/r",
                    "transcription": {
                        "id": "1234",
                        "url": "mailto:ops@x.example",
                        "emailFormat": "encoded",
                        "language": "en-uk",
                    },
                }
            }
        ),
        [
            Record(
                url="https://x.example/r",
                transcription=Transcription(
                    "mailto:ops@x.example",
                    id="1234",
                    email_format="encoded",
                    language="en-uk",
                ),
            )
        ],
        id="transcription-object",
    ),
    pytest.param(
        doc(
            {
                "record": {
                    "url": "https://x.example/r",
                    "transcription": [
                        {"url": "mailto:a@x.example"},
                        {"url": "https://x.example/t"},
                    ],
                }
            }
        ),
        [
            Record(
                url="https://x.example/r",
                transcription=[
                    Transcription("mailto:a@x.example"),
                    Transcription("https://x.example/t"),
                ],
            )
        ],
        id="transcription-list",
    ),
    pytest.param(
        doc(
            {
                "record": {
                    "url": {"url": "https://x.example/upload"},
                    "transcription": {
                        "id": "1234",
                        "url": "mailto:ops@x.example",
                        "emailFormat": "omit",
                    },
                }
            }
        ),
        [
            Record(
                url=UploadTarget("https://x.example/upload"),
                transcription=Transcription(
                    "mailto:ops@x.example", id="1234", email_format="omit"
                ),
            )
        ],
        id="transcription-email-format-omit-php",
    ),
    pytest.param(
        doc(
            {
                "message": {
                    "say": {
                        "value": "Here you go.",
                        "media": ["https://x.example/1.jpg", "inline text"],
                    },
                    "to": "+14155550100",
                    "network": "MMS",
                }
            }
        ),
        [
            Message(
                Say("Here you go.", media=["https://x.example/1.jpg", "inline text"]),
                "+14155550100",
                network="MMS",
            )
        ],
        id="mms-media",
    ),
    pytest.param(
        doc({"say": {"value": "Hold.", "allowSignals": ""}}),
        [Say("Hold.", allow_signals="")],
        id="allow-signals-empty-java",
    ),
    pytest.param(
        doc(
            {"say": [{"value": "Connected!", "name": "connected"}]},
            {"wait": {"allowSignals": ["exit", "quit"], "milliseconds": 10000}},
            {"say": [{"value": "Bye!", "name": "bye"}]},
        ),
        [
            Say("Connected!", name="connected"),
            Wait(10000, allow_signals=["exit", "quit"]),
            Say("Bye!", name="bye"),
        ],
        id="several-elements-in-order",
    ),
    pytest.param(doc(), [], id="empty-document"),
]


@pytest.mark.parametrize(("document", "verbs"), DIALECTS)
def test_dialects(document: dict[str, t.Any], verbs: list[Verb]) -> None:
    assert parse_document(document) == verbs


def test_java_floats_stay_floats() -> None:
    (ask,) = parse_document(
        doc({"ask": {"choices": {"value": "1"}, "timeout": 30.0, "attempts": 2}})
    )
    assert isinstance(ask, Ask)
    assert type(ask.timeout) is float
    assert type(ask.attempts) is int


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"tropo": [{"say": {"value": "Hé"}}]}, id="mapping"),
        pytest.param('{"tropo": [{"say": {"value": "Hé"}}]}', id="str"),
        pytest.param('{"tropo":[{"say":{"value":"H\\u00e9"}}]}', id="str-escaped"),
        pytest.param('{"tropo": [{"say": {"value": "Hé"}}]}'.encode(), id="bytes"),
    ],
)
def test_input_types(data: t.Any) -> None:
    assert parse_document(data) == [Say("Hé")]


# -- round trips --------------------------------------------------------------

WHISPER = Ask(
    Choices("[5 DIGITS]", mode="dtmf"),
    say=[
        Say("Please try again.", event="nomatch"),
        Say("Are you there?", event="timeout"),
        Say("Enter your account number."),
    ],
    attempts=3,
    name="account",
    timeout=10.0,
)

FULL: list[Verb] = [
    Answer({"P-Header": "value", "Remote-Party-ID": '"Jo"<sip:jo@x.example>'}),
    Answer(),
    Ask(
        Choices("[4 DIGITS]", mode="DTMF", terminator="#"),
        say=[
            Say("Sorry, I did not hear anything.", event="timeout"),
            Say("That is not a PIN.", event="nomatch:1 nomatch:2"),
            Say("Enter your PIN.", voice="kate", media="https://x.example/p.jpg"),
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
    ),
    Call(
        ["+14155550100", "sip:bob@x.example"],
        from_="+14155550199",
        network="SIP",
        channel="VOICE",
        answer_on_media=True,
        allow_signals="exit",
        headers={"x-callername": "Acme"},
        name="outbound",
        required=False,
        timeout=60,
        machine_detection=MachineDetection("Please hold.", voice="kate"),
        voice="tom",
        callback_url="https://x.example/cdr",
        prompt_log_security="none",
        label="campaign-7",
    ),
    Call("+14155550100", machine_detection=True),
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
    GeneralLogSecurity("suppress"),
    GeneralLogSecurity("none"),
    Hangup(),
    Message(
        [Say("Your photo.", media=["https://x.example/1.jpg", "text"]), "Bye."],
        ["+14155550100", "+14155550101"],
        answer_on_media=False,
        channel="TEXT",
        from_="+14155550199",
        name="mms",
        network="MMS",
        required=True,
        timeout=10,
        voice="kate",
        prompt_log_security="suppress",
        headers={"x-campaign": "spring"},
    ),
    On(
        "continue",
        next="/next?step=2",
        say="Please hold.",
        post="https://x.example/post",
        ask="[5 DIGITS]",
    ),
    On("error", say=["Sorry.", "Goodbye."]),
    Record(
        url=UploadTarget(
            "https://x.example/upload", username="alice", password="pw", method="PUT"
        ),
        attempts=2,
        async_upload=False,
        allow_signals=["exit"],
        bargein=True,
        beep=True,
        choices="*",
        say=[Say("Still there?", event="timeout"), Say("Leave a message.")],
        format="audio/mp3",
        max_silence=5,
        max_time=30.0,
        method="POST",
        min_confidence=40,
        name="voicemail",
        password="pw",
        username="bob",
        required=True,
        timeout=10,
        transcription=[
            Transcription(
                "mailto:ops@x.example",
                id="vm-1",
                email_format="encoded",
                language="en-us",
            ),
            Transcription("https://x.example/t"),
        ],
        voice="allison",
        interdigit_timeout=5,
        prompt_log_security="suppress",
        sensitivity=0.5,
    ),
    Record(
        url=["https://x.example/a", UploadTarget("https://x.example/b")],
        transcription=Transcription("mailto:ops@x.example", email_format="plain"),
    ),
    Record(url="https://x.example/upload"),
    Redirect("sip:desk@x.example", name="deflect", required=False),
    Reject(),
    Say(
        "20240131",
        as_="DATE",
        voice="kate",
        name="today",
        required=False,
        allow_signals=["exit", "quit"],
        prompt_log_security="suppress",
        media=["https://x.example/1.jpg", "inline text"],
    ),
    Say("Uninterruptible.", allow_signals=""),
    StartRecording(
        "https://x.example/rec",
        async_upload=True,
        format="audio/au",
        method="PUT",
        username="alice",
        password="secret",
        transcription_id="t-1",
        transcription_email_format="plain",
        transcription_language="pt-br",
        transcription_out_uri="mailto:ops@x.example",
    ),
    StartRecording([UploadTarget("https://x.example/a"), UploadTarget("s3://b/c")]),
    StopRecording(),
    Transfer(
        ["+14155550100", "sip:support@x.example"],
        from_="+14155550199",
        answer_on_media=False,
        allow_signals=["exit", "quit"],
        choices=Choices(terminator="0"),
        headers={"x-ticket": "42"},
        interdigit_timeout=5.5,
        machine_detection=MachineDetection(),
        name="support",
        on=[
            On("ring", say="https://x.example/holdmusic.mp3"),
            On("connect", ask=WHISPER, post="https://x.example/bridged", next="/b"),
        ],
        play_tones=True,
        required=True,
        ring_repeat=5,
        timeout=60.0,
        voice="tom",
        callback_url="https://x.example/cdr",
        prompt_log_security="suppress",
        label="transfer-1",
    ),
    Transfer("+14155550100", on=On("ring", say="Ringing."), machine_detection=False),
    Wait(10000, allow_signals=["exit", "quit"]),
    Wait(0),
]


def test_round_trips_cover_every_verb_class() -> None:
    assert {type(verb) for verb in FULL} == set(VERBS.values())


@pytest.mark.parametrize("verb", FULL, ids=lambda v: type(v).__name__)
def test_round_trip(verb: Verb) -> None:
    rendered = render([verb])
    assert parse_document(rendered) == [verb]
    assert render(parse_document(rendered)) == rendered
    text = json.dumps(rendered)
    assert parse_document(text) == [verb]
    assert parse_document(text.encode()) == [verb]


def test_round_trip_whole_document() -> None:
    rendered = render(FULL)
    assert parse_document(rendered) == FULL
    assert render(parse_document(json.dumps(rendered))) == rendered


# -- errors ----------------------------------------------------------------------------

ERRORS: list[t.Any] = [
    # unknown verb
    pytest.param(
        doc({"say": {"value": "Hi"}}, {"join": {"id": "1234"}}),
        1,
        "join",
        None,
        id="unknown-verb",
    ),
    pytest.param(doc({"Say": {"value": "Hi"}}), 0, "Say", None, id="verb-case"),
    pytest.param(doc({"choices": {"value": "1"}}), 0, "choices", None, id="choices"),
    # unknown key
    pytest.param(
        doc({"ask": {"choices": {"value": "1"}, "silenceTimeout": 10}}),
        0,
        "ask",
        "silenceTimeout",
        id="unknown-key",
    ),
    pytest.param(
        doc({"say": {"value": "Hi", "_as": "DATE"}}),
        0,
        "say",
        "_as",
        id="unknown-key-python-name",
    ),
    pytest.param(
        doc({"hangup": None}, {"ask": {"choices": {"value": "1", "bogus": 1}}}),
        1,
        "ask",
        "choices.bogus",
        id="unknown-nested-key",
    ),
    pytest.param(
        doc(
            {
                "transfer": {
                    "to": "+1",
                    "on": [
                        {"event": "ring"},
                        {
                            "event": "connect",
                            "ask": {
                                "choices": {"value": "1"},
                                "say": [{"value": "x", "bogus": True}],
                            },
                        },
                    ],
                }
            }
        ),
        0,
        "transfer",
        "on.1.ask.say.0.bogus",
        id="unknown-deeply-nested-key",
    ),
    pytest.param(
        doc({"call": {"to": "+1", "machineDetection": {"intro": "Hi"}}}),
        0,
        "call",
        "machineDetection.intro",
        id="unknown-machine-detection-key",
    ),
    pytest.param(
        doc({"hangup": {"headers": {}}}), 0, "hangup", None, id="hangup-with-options"
    ),
    # values a verb refuses
    pytest.param(
        doc({"ask": {"choices": {"value": "1"}, "attempts": 0}}),
        0,
        "ask",
        "attempts",
        id="attempts-0",
    ),
    pytest.param(
        doc({"ask": {"choices": {"value": "1"}, "interdigitTimeout": -1}}),
        0,
        "ask",
        "interdigitTimeout",
        id="negative-timeout-wire-key",
    ),
    pytest.param(
        doc({"say": {"value": "1", "as": "CURRENCY"}}), 0, "say", "as", id="say-as"
    ),
    pytest.param(
        doc({"ask": {"choices": {"value": "1", "mode": "voice"}}}),
        0,
        "ask",
        "choices.mode",
        id="nested-mode",
    ),
    pytest.param(
        doc({"call": {"to": "+1", "channel": "SMS"}}),
        0,
        "call",
        "channel",
        id="channel",
    ),
    pytest.param(
        doc({"record": {"url": "u:r", "choices": {"value": "[5 DIGITS]"}}}),
        0,
        "record",
        "choices",
        id="record-grammar",
    ),
    pytest.param(
        doc({"ask": {"choices": {"terminator": "#"}}}),
        0,
        "ask",
        "choices",
        id="ask-without-grammar",
    ),
    pytest.param(
        doc({"transfer": {"to": "+1", "on": {"event": "continue"}}}),
        0,
        "transfer",
        "on",
        id="transfer-on-event",
    ),
    pytest.param(
        doc(
            {
                "ask": {
                    "choices": {"value": "1"},
                    "say": [{"value": "Pick"}, {"value": "Again", "event": "nomatch"}],
                }
            }
        ),
        0,
        "ask",
        "say",
        id="prompt-order",
    ),
    pytest.param(
        doc({"ask": {"choices": {"value": "1"}, "asrLogSecurity": "mask"}}),
        0,
        "ask",
        "maskTemplate",
        id="mask-template-required",
    ),
    pytest.param(
        doc({"wait": {"milliseconds": -1}}), 0, "wait", "milliseconds", id="w"
    ),
    pytest.param(doc({"call": {"to": ""}}), 0, "call", "to", id="empty-to"),
    pytest.param(
        doc({"generalLogSecurity": "mask"}),
        0,
        "generalLogSecurity",
        None,
        id="general-log-security",
    ),
    # wrong types
    pytest.param(
        doc({"ask": {"choices": {"value": "1"}, "bargein": "true"}}),
        0,
        "ask",
        "bargein",
        id="bargein-string",
    ),
    pytest.param(
        doc({"ask": {"choices": {"value": "1"}, "attempts": "3"}}),
        0,
        "ask",
        "attempts",
        id="attempts-string",
    ),
    pytest.param(
        doc({"ask": {"choices": {"value": "1"}, "attempts": 2.5}}),
        0,
        "ask",
        "attempts",
        id="attempts-fraction",
    ),
    pytest.param(
        doc({"say": {"value": "x", "required": 1}}), 0, "say", "required", id="req-1"
    ),
    pytest.param(doc({"call": {"to": 14155550100}}), 0, "call", "to", id="to-number"),
    pytest.param(
        doc({"ask": {"choices": {"value": "1"}, "say": 5}}), 0, "ask", "say", id="say"
    ),
    pytest.param(doc({"ask": "[4 DIGITS]"}), 0, "ask", None, id="ask-string"),
    pytest.param(doc({"say": 5}), 0, "say", None, id="say-number"),
    pytest.param(doc({"say": []}), 0, "say", None, id="say-empty-array"),
    # missing required keys
    pytest.param(doc({"record": {"say": "Speak."}}), 0, "record", "url", id="url"),
    pytest.param(doc({"ask": {"say": "Pick"}}), 0, "ask", "choices", id="choices"),
    pytest.param(doc({"call": {"from": "+1"}}), 0, "call", "to", id="call-to"),
    pytest.param(doc({"on": {"next": "/n"}}), 0, "on", "event", id="on-event"),
    pytest.param(doc({"say": {"voice": "kate"}}), 0, "say", "value", id="say-value"),
    pytest.param(doc({"wait": {}}), 0, "wait", "milliseconds", id="milliseconds"),
    pytest.param(doc({"message": {"to": "+1"}}), 0, "message", "say", id="msg-say"),
    pytest.param(doc({"conference": {}}), 0, "conference", "id", id="conference-id"),
    pytest.param(
        doc({"record": {"url": {"username": "bob"}}}),
        0,
        "record",
        "url.url",
        id="upload-target-url",
    ),
]


@pytest.mark.parametrize(("document", "index", "verb", "key"), ERRORS)
def test_invalid_document(
    document: dict[str, t.Any], index: int, verb: str, key: str | None
) -> None:
    with pytest.raises(InvalidDocument) as info:
        parse_document(document)
    error = info.value
    assert isinstance(error, TropoError)
    assert isinstance(error, ValueError)
    assert (error.index, error.verb, error.key) == (index, verb, key)
    message = str(error)
    assert f"tropo[{index}]" in message
    assert verb in message
    if key is not None:
        assert f"{verb}.{key}" in message


def test_top_level_say_with_event_is_read_back() -> None:
    # The reference says an event means something only on a prompt inside ask
    # or record; a top-level one is kept (and ignored by Tropo), so that
    # render(parse_document(render([v]))) == render([v]) holds for every Say.
    verbs = parse_document(
        doc({"say": [{"value": "Hi"}, {"value": "Ho", "event": "nomatch"}]})
    )
    assert verbs == [Say("Hi"), Say("Ho", event="nomatch")]
    assert render(parse_document(render(verbs))) == render(verbs)


@pytest.mark.parametrize(
    "element",
    [
        pytest.param("hangup", id="string"),
        pytest.param(None, id="null"),
        pytest.param(["say", {"value": "Hi"}], id="array"),
        pytest.param({}, id="no-key"),
        pytest.param({"say": {"value": "Hi"}, "hangup": None}, id="two-keys"),
    ],
)
def test_element_not_a_single_key_object(element: object) -> None:
    with pytest.raises(InvalidDocument) as info:
        parse_document(doc({"answer": {}}, element))
    error = info.value
    assert error.index == 1
    assert error.verb is None
    assert "tropo[1]" in str(error)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"tropo": {"say": {"value": "Hi"}}}, id="tropo-object"),
        pytest.param({"tropo": None}, id="tropo-null"),
        pytest.param('{"tropo": "hangup"}', id="tropo-string"),
        pytest.param({"say": {"value": "Hi"}}, id="missing-tropo"),
        pytest.param({}, id="empty-object"),
        pytest.param("[]", id="json-array"),
        pytest.param("null", id="json-null"),
        pytest.param("not json", id="not-json"),
        pytest.param('{"tropo": [', id="truncated-json"),
        pytest.param("", id="empty-text"),
        pytest.param(b"\xff\xfe{}", id="undecodable-bytes"),
        pytest.param(b'{"tropo": [{"say": {"value": "\xe9"}}]}', id="latin-1-bytes"),
    ],
)
def test_not_a_document(data: t.Any) -> None:
    with pytest.raises(InvalidDocument) as info:
        parse_document(data)
    error = info.value
    assert isinstance(error, TropoError)
    assert isinstance(error, ValueError)
    assert (error.index, error.verb) == (None, None)
    assert str(error)


def test_unknown_top_level_key() -> None:
    with pytest.raises(InvalidDocument) as info:
        parse_document({"tropo": [], "version": "1.0"})
    assert info.value.key == "version"
    assert "version" in str(info.value)


# -- no Schema built per call --------------------------------------------------------


def test_no_schema_is_built_while_rendering_or_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[str] = []
    original = marshmallow.Schema.__init__

    def counting_init(self: marshmallow.Schema, *args: t.Any, **kw: t.Any) -> None:
        built.append(type(self).__name__)
        original(self, *args, **kw)

    monkeypatch.setattr(marshmallow.Schema, "__init__", counting_init)
    marshmallow.Schema()
    assert built == ["Schema"], "the counter must see constructions"
    built.clear()

    rendered = render(FULL)
    assert built == [], f"render built {built}"

    dialects = doc(
        {"say": [{"value": "a"}, {"value": "b"}]},
        {"say": "c"},
        {"on": [{"event": "continue", "next": "/n", "say": "d"}]},
        {"ask": {"choices": "[1 DIGIT]", "say": ["e", {"value": "f"}]}},
        {"hangup": "null"},
        {"reject": {}},
        {
            "record": {
                "url": {"url": "u:r"},
                "choices": {"terminator": "#", "value": ""},
            }
        },
    )
    assert parse_document(rendered) == FULL
    parse_document(json.dumps(rendered).encode())
    parse_document(dialects)
    assert built == [], f"parse_document built {built}"
