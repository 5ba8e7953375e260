"""What a ported app gets wrong says how to write it (issue 13, item 4): the
old SDK's option names in a verb's constructor, and ``on`` events Tropo does
not send."""

from __future__ import annotations

import typing as t

import pytest

from flask_tropo import parse_document
from flask_tropo import render
from flask_tropo.exceptions import InvalidArgument
from flask_tropo.verbs import Ask
from flask_tropo.verbs import Choices
from flask_tropo.verbs import On
from flask_tropo.verbs import Record
from flask_tropo.verbs import Say
from flask_tropo.verbs import StartRecording
from flask_tropo.verbs import Transfer

URL = "https://example.com/upload"
SNAKE = "(options are snake_case; the wire's camelCase keys are written for you)"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: Ask("[4 DIGITS]", minConfidence=40),
            "Ask() got unexpected keyword argument 'minConfidence':"
            f" write min_confidence= for minConfidence= {SNAKE}.",
        ),
        (
            lambda: Transfer("+14155550100", _from="+14155550199"),
            f"Transfer() got unexpected keyword argument '_from': write from_= for"
            f" _from= {SNAKE}.",
        ),
        (
            lambda: Say("12", _as="DIGITS"),
            f"Say() got unexpected keyword argument '_as': write as_= for _as="
            f" {SNAKE}.",
        ),
        (
            lambda: Say("12", **{"as": "DIGITS"}),
            f"Say() got unexpected keyword argument 'as': write as_= for as= {SNAKE}.",
        ),
        (
            lambda: StartRecording(URL, transcriptionOutURI="mailto:a@example.com"),
            "StartRecording() got unexpected keyword argument 'transcriptionOutURI':"
            f" write transcription_out_uri= for transcriptionOutURI= {SNAKE}.",
        ),
        (
            lambda: Record(url=URL, maxTime=30, asyncUpload=True),
            "Record() got unexpected keyword arguments 'maxTime', 'asyncUpload':"
            " write max_time= for maxTime=, async_upload= for asyncUpload="
            f" {SNAKE}.",
        ),
        (
            lambda: Choices("[4 DIGITS]", terminater="#"),
            f"Choices() got unexpected keyword argument 'terminater': write"
            f" terminator= for terminater= {SNAKE}.",
        ),
        (
            lambda: Say("Hi", bogus=1),
            "Say() got unexpected keyword argument 'bogus': Say has no option bogus;"
            " it takes allow_signals, as_, event, media, name, prompt_log_security,"
            " required, value, voice.",
        ),
    ],
)
def test_sdk_names_say_what_to_write(
    build: t.Callable[[], object], message: str
) -> None:
    with pytest.raises(TypeError) as info:
        build()
    assert str(info.value) == message


def test_a_typo_in_an_event_is_refused_naming_the_events() -> None:
    with pytest.raises(InvalidArgument) as info:
        On("contine", next="/next")
    assert str(info.value) == (
        "On.event: Tropo sends no event 'contine' (did you mean 'continue'?): use"
        " 'continue', 'incomplete', 'error' or 'hangup' ('ring' or 'connect' in a"
        " Transfer); for a signal named in allow_signals, write On('contine',"
        " signal=True)"
    )


@pytest.mark.parametrize(
    "event", ["continue", "incomplete", "error", "hangup", "ring", "connect"]
)
def test_the_events_tropo_sends(event: str) -> None:
    assert On(event).event == event


def test_a_signal_is_named_with_signal_true() -> None:
    verbs = [
        Ask("[4 DIGITS]", say="PIN?", allow_signals=["exit"]),
        On("exit", signal=True, next="/bye"),
        On("continue", next="/pin"),
    ]
    document = render(verbs)
    assert document["tropo"][1] == {"on": {"event": "exit", "next": "/bye"}}
    # Read back, an event Tropo does not send is a signal's.
    assert parse_document(document) == verbs


def test_one_of_tropos_events_is_no_signal() -> None:
    with pytest.raises(InvalidArgument, match="one of Tropo's events: drop signal"):
        On("hangup", signal=True)


def test_a_transfer_still_takes_only_ring_and_connect() -> None:
    with pytest.raises(InvalidArgument, match="'ring' and 'connect'"):
        Transfer("+14155550100", on=On("continue"))


def test_signal_false_is_no_signal() -> None:
    assert On("continue", signal=False) == On("continue")
    assert parse_document(render([On("continue", signal=False)])) == [On("continue")]
