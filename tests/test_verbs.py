"""Constructing verbs and nested objects: signatures, normalization, frozen
value semantics, ``repr``, and every validation rule (DESIGN.md 3.1,
tropo-webapi.md section 2).
"""

from __future__ import annotations

import dataclasses
import typing as t

import pytest

from flask_tropo.exceptions import InvalidArgument
from flask_tropo.exceptions import TropoError
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

Factory = t.Callable[[], object]
URL = "https://example.com/upload"


# -- wire keys ---------------------------------------------------------------------


def test_verb_keys() -> None:
    assert {key: cls.__name__ for key, cls in VERBS.items()} == {
        "answer": "Answer",
        "ask": "Ask",
        "call": "Call",
        "conference": "Conference",
        "generalLogSecurity": "GeneralLogSecurity",
        "hangup": "Hangup",
        "message": "Message",
        "on": "On",
        "record": "Record",
        "redirect": "Redirect",
        "reject": "Reject",
        "say": "Say",
        "startRecording": "StartRecording",
        "stopRecording": "StopRecording",
        "transfer": "Transfer",
        "wait": "Wait",
    }
    for key, cls in VERBS.items():
        assert cls.tropo_key == key
        assert issubclass(cls, Verb)


@pytest.mark.parametrize(
    "cls", [Choices, Transcription, UploadTarget, MachineDetection, Prompt]
)
def test_nested_objects_are_not_verbs(cls: type) -> None:
    assert not issubclass(cls, Verb)


# -- signatures: positional primary value, keyword-only options ----------------------


def test_primary_values_are_positional() -> None:
    assert Say("Hi").value == "Hi"
    assert Ask("[4 DIGITS]").choices == Choices("[4 DIGITS]")
    assert On("continue").event == "continue"
    assert Transfer("+1").to == "+1"
    assert Call("+1").to == "+1"
    message = Message("Hi", "+1")
    assert (message.say, message.to) == ((Say("Hi"),), "+1")
    assert Conference("1234").id == "1234"
    assert Redirect("sip:a@b").to == "sip:a@b"
    assert Wait(100).milliseconds == 100
    assert StartRecording(URL).url == URL
    assert Answer({"P-Header": "x"}).headers == {"P-Header": "x"}
    assert GeneralLogSecurity("none").state == "none"
    assert Choices("1,2").value == "1,2"
    assert Transcription("mailto:a@b.c").url == "mailto:a@b.c"
    assert UploadTarget(URL).url == URL
    assert MachineDetection("Hi").introduction == "Hi"
    assert Prompt("Hi").value == "Hi"


def test_record_url_is_keyword_only() -> None:
    assert Record(url=URL).url == URL


def test_options_default_to_none() -> None:
    say = Say("Hi")
    assert [getattr(say, f.name) for f in dataclasses.fields(say)][1:] == [None] * 8
    assert Answer().headers is None
    assert Choices().value is None
    assert Choices().mode is None
    assert Choices().terminator is None
    assert MachineDetection().introduction is None
    on = On("continue")
    assert (on.next, on.say, on.post, on.ask) == (None, None, None, None)


@pytest.mark.parametrize(
    "factory",
    [
        pytest.param(lambda: Say(), id="Say()"),
        pytest.param(lambda: Ask(), id="Ask()"),
        pytest.param(lambda: On(), id="On()"),
        pytest.param(lambda: Record(), id="Record()"),
        pytest.param(lambda: Transfer(), id="Transfer()"),
        pytest.param(lambda: Call(), id="Call()"),
        pytest.param(lambda: Message("Hi"), id="Message-without-to"),
        pytest.param(lambda: Message(to="+1"), id="Message-without-say"),
        pytest.param(lambda: Conference(), id="Conference()"),
        pytest.param(lambda: Redirect(), id="Redirect()"),
        pytest.param(lambda: Wait(), id="Wait()"),
        pytest.param(lambda: StartRecording(), id="StartRecording()"),
        pytest.param(lambda: GeneralLogSecurity(), id="GeneralLogSecurity()"),
        pytest.param(lambda: Transcription(), id="Transcription()"),
        pytest.param(lambda: UploadTarget(), id="UploadTarget()"),
        pytest.param(lambda: Prompt(), id="Prompt()"),
    ],
)
def test_missing_argument_is_a_type_error(factory: Factory) -> None:
    with pytest.raises(TypeError):
        factory()


@pytest.mark.parametrize(
    "factory",
    [
        pytest.param(lambda: Say("x", bogus=1), id="Say-bogus"),
        pytest.param(lambda: Say("x", _as="DATE"), id="Say-_as"),
        pytest.param(lambda: Say("x", allowSignals="a"), id="Say-camelCase"),
        pytest.param(lambda: Ask("1", prompt="Pick"), id="Ask-prompt"),
        pytest.param(lambda: Call("+1", from_address="+2"), id="Call-from_address"),
        pytest.param(lambda: Call("+1", bargein=True), id="Call-bargein"),
        pytest.param(lambda: Record(url=URL, recording=True), id="Record-recording"),
        pytest.param(lambda: On("continue", name="x"), id="On-name"),
        pytest.param(lambda: Hangup(headers={}), id="Hangup-headers"),
        pytest.param(lambda: Redirect("sip:a", from_="b"), id="Redirect-from_"),
        pytest.param(lambda: Choices("1", value="2"), id="Choices-value-twice"),
    ],
)
def test_unknown_argument_is_a_type_error(factory: Factory) -> None:
    with pytest.raises(TypeError):
        factory()


@pytest.mark.parametrize(
    "factory",
    [
        pytest.param(lambda: Say("x", "DATE"), id="Say"),
        pytest.param(lambda: Ask("1", "Pick one"), id="Ask"),
        pytest.param(lambda: On("continue", "/next"), id="On"),
        pytest.param(lambda: Record(URL), id="Record-url"),
        pytest.param(lambda: Transfer("+1", "+2"), id="Transfer"),
        pytest.param(lambda: Call("+1", "+2"), id="Call"),
        pytest.param(lambda: Message("Hi", "+1", "+2"), id="Message"),
        pytest.param(lambda: Conference("1", "room"), id="Conference"),
        pytest.param(lambda: Redirect("sip:a", "name"), id="Redirect"),
        pytest.param(lambda: Wait(1, "exit"), id="Wait"),
        pytest.param(lambda: StartRecording(URL, True), id="StartRecording"),
        pytest.param(lambda: Answer({}, {}), id="Answer"),
        pytest.param(lambda: GeneralLogSecurity("none", "x"), id="GeneralLogSec"),
        pytest.param(lambda: Hangup(None), id="Hangup"),
        pytest.param(lambda: Reject(None), id="Reject"),
        pytest.param(lambda: StopRecording(None), id="StopRecording"),
        pytest.param(lambda: Choices("1", "dtmf"), id="Choices"),
        pytest.param(lambda: Transcription("mailto:a@b", "id"), id="Transcription"),
        pytest.param(lambda: UploadTarget(URL, "user"), id="UploadTarget"),
        pytest.param(lambda: MachineDetection("Hi", "kate"), id="MachineDetection"),
        pytest.param(lambda: Prompt("Hi", "kate"), id="Prompt"),
    ],
)
def test_options_are_keyword_only(factory: Factory) -> None:
    with pytest.raises(TypeError):
        factory()


# -- frozen values ---------------------------------------------------------------------

SAMPLES: list[t.Any] = [
    Answer(),
    Ask("1,2"),
    Call("+1"),
    Conference("1"),
    GeneralLogSecurity("none"),
    Hangup(),
    Message("Hi", "+1"),
    On("continue"),
    Record(url=URL),
    Redirect("sip:a@b"),
    Reject(),
    Say("Hi"),
    StartRecording(URL),
    StopRecording(),
    Transfer("+1"),
    Wait(1),
    Choices("1"),
    Transcription("mailto:a@b.c"),
    UploadTarget(URL),
    MachineDetection("Hi"),
    Prompt("Hi"),
]


@pytest.mark.parametrize("obj", SAMPLES, ids=lambda o: type(o).__name__)
def test_frozen(obj: object) -> None:
    names = [f.name for f in dataclasses.fields(t.cast(t.Any, obj)) if f.name != "_"]
    for name in [*names, "not_a_field"]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, name, "changed")
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(obj, name)


@pytest.mark.parametrize("obj", SAMPLES, ids=lambda o: type(o).__name__)
def test_equal_by_value(obj: object) -> None:
    copy = dataclasses.replace(t.cast(t.Any, obj))
    assert copy == obj
    assert copy is not obj


def test_equality() -> None:
    assert Say("Hi") == Say("Hi")
    assert Say("Hi") != Say("Ho")
    assert Say("Hi", voice="kate") != Say("Hi")
    assert Hangup() == Hangup()
    assert Hangup() != Reject()
    assert Ask("1", say="x", attempts=2) == Ask(
        Choices("1"), say=[Say("x")], attempts=2
    )


def test_every_verb_class_sampled() -> None:
    assert {type(s) for s in SAMPLES} >= set(VERBS.values())


# -- repr --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("obj", "text"),
    [
        (Say("Hi"), "Say('Hi')"),
        (Say("Hi", voice="kate"), "Say('Hi', voice='kate')"),
        (Say("Hi", required=False), "Say('Hi', required=False)"),
        (Hangup(), "Hangup()"),
        (Answer(), "Answer()"),
        (Choices("1,2"), "Choices('1,2')"),
        (Choices(terminator="#"), "Choices(terminator='#')"),
        (Record(url="u:r"), "Record(url='u:r')"),
        (Wait(0), "Wait(0)"),
        (GeneralLogSecurity("suppress"), "GeneralLogSecurity('suppress')"),
        (On("continue", next="/n"), "On('continue', next='/n')"),
        (Ask("1", attempts=3), "Ask(Choices('1'), attempts=3)"),
        (Message("Hi", "+1"), "Message((Say('Hi'),), '+1')"),
        (MachineDetection(), "MachineDetection()"),
    ],
)
def test_repr_shows_only_set_fields(obj: object, text: str) -> None:
    assert repr(obj) == text


# -- strings wrapped, lists normalized -------------------------------------------------


def test_strings_are_wrapped() -> None:
    assert Ask(choices="1,2") == Ask(Choices("1,2"))
    assert Ask(choices="1,2").choices == Choices("1,2")
    assert Ask("1", say="Pick").say == (Say("Pick"),)
    assert Ask("1", say=Say("Pick")).say == (Say("Pick"),)
    assert On("continue", say="Hold on").say == (Say("Hold on"),)
    assert On("connect", ask="[5 DIGITS]").ask == Ask(Choices("[5 DIGITS]"))
    assert Transfer("+1", choices="#").choices == Choices(terminator="#")
    assert Record(url=URL, choices="#").choices == Choices(terminator="#")
    assert Call("+1", machine_detection="Hi").machine_detection == MachineDetection(
        "Hi"
    )
    assert Transfer("+1", machine_detection="Hi").machine_detection == (
        MachineDetection("Hi")
    )
    assert Conference("1", join_prompt="hello").join_prompt == Prompt("hello")
    assert Conference("1", leave_prompt="bye").leave_prompt == Prompt("bye")
    assert Message("Hi", "+1").say == (Say("Hi"),)


def test_lists_are_normalized_to_tuples() -> None:
    assert Say("x", media=["a"]) == Say("x", media=("a",))
    assert Say("x", media=["a"]).media == ("a",)
    assert Say("x", allow_signals=["a", "b"]).allow_signals == ("a", "b")
    assert Ask("1", say=["a", "b"]).say == (Say("a"), Say("b"))
    assert Call(["+1", "+2"]).to == ("+1", "+2")
    assert Transfer(["+1"]).to == ("+1",)
    assert Message(["a", Say("b")], ["+1"]) == Message((Say("a"), Say("b")), ("+1",))
    assert Wait(1, allow_signals=["x"]).allow_signals == ("x",)
    on = [On("ring"), On("connect")]
    assert Transfer("+1", on=on).on == tuple(on)
    assert Transfer("+1", on=On("ring")).on == (On("ring"),)
    targets = [UploadTarget("a:1"), UploadTarget("b:2")]
    assert Record(url=targets).url == tuple(targets)
    assert StartRecording(targets).url == tuple(targets)
    assert Record(url=["a:1", "b:2"]).url == tuple(targets)
    scripts = [Transcription("mailto:a@b.c"), Transcription("mailto:d@e.f")]
    assert Record(url=URL, transcription=scripts).transcription == tuple(scripts)


def test_one_element_lists_collapse_where_the_wire_takes_one_object() -> None:
    assert Record(url=[UploadTarget(URL)]).url == UploadTarget(URL)
    assert StartRecording([URL]).url == UploadTarget(URL)
    only = Transcription("mailto:a@b.c")
    assert Record(url=URL, transcription=[only]).transcription == only


def test_headers_are_copied() -> None:
    headers = {"x-a": "1"}
    answer = Answer(headers)
    headers["x-b"] = "2"
    assert answer.headers == {"x-a": "1"}


# -- accepted values ----------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "stored"),
    [
        ("dtmf", "dtmf"),
        ("DTMF", "dtmf"),
        ("speech", "speech"),
        ("SPEECH", "speech"),
        ("any", "any"),
        ("Any", "any"),
    ],
)
def test_choices_mode_either_case(mode: str, stored: str) -> None:
    assert Choices("1", mode=mode).mode == stored
    assert Choices("1", mode=mode) == Choices("1", mode=stored)


@pytest.mark.parametrize(
    "factory",
    [
        pytest.param(lambda: Say("1", as_="DATE"), id="as-DATE"),
        pytest.param(lambda: Say("1", as_="DIGITS"), id="as-DIGITS"),
        pytest.param(lambda: Say("1", as_="NUMBER"), id="as-NUMBER"),
        pytest.param(lambda: Record(url=URL, format="audio/wav"), id="wav"),
        pytest.param(lambda: Record(url=URL, format="audio/mp3"), id="mp3"),
        pytest.param(lambda: Record(url=URL, format="audio/au"), id="au"),
        pytest.param(lambda: StartRecording(URL, format="audio/au"), id="sr-au"),
        pytest.param(lambda: Record(url=URL, method="POST"), id="POST"),
        pytest.param(lambda: Record(url=URL, method="PUT"), id="PUT"),
        pytest.param(lambda: StartRecording(URL, method="PUT"), id="sr-PUT"),
        pytest.param(lambda: UploadTarget(URL, method="PUT"), id="target-PUT"),
        pytest.param(lambda: Call("+1", channel="VOICE"), id="call-VOICE"),
        pytest.param(lambda: Call("+1", channel="TEXT"), id="call-TEXT"),
        pytest.param(lambda: Message("x", "+1", channel="TEXT"), id="msg-TEXT"),
        pytest.param(lambda: Say("x", prompt_log_security="none"), id="pls-none"),
        pytest.param(lambda: Say("x", prompt_log_security="suppress"), id="pls-sup"),
        pytest.param(lambda: Ask("1", asr_log_security="none"), id="asr-none"),
        pytest.param(lambda: Ask("1", asr_log_security="suppress"), id="asr-sup"),
        pytest.param(
            lambda: Ask("1", asr_log_security="mask", mask_template="XXDD-"),
            id="asr-mask",
        ),
        pytest.param(
            lambda: Ask("1", asr_log_security="mask", mask_template="D"), id="mask-D"
        ),
        pytest.param(
            lambda: Ask("1", asr_log_security="mask", mask_template="-"), id="mask--"
        ),
        pytest.param(lambda: GeneralLogSecurity("none"), id="gls-none"),
        pytest.param(lambda: GeneralLogSecurity("suppress"), id="gls-suppress"),
        pytest.param(lambda: Ask("1", attempts=1), id="attempts-1"),
        pytest.param(lambda: Record(url=URL, attempts=5), id="record-attempts-5"),
        pytest.param(lambda: Ask("1", timeout=0), id="timeout-0"),
        pytest.param(lambda: Ask("1", timeout=0.5), id="timeout-0.5"),
        pytest.param(lambda: Wait(0), id="wait-0"),
        pytest.param(lambda: Ask("1", sensitivity=0), id="sensitivity-0"),
        pytest.param(lambda: Ask("1", sensitivity=1), id="sensitivity-1"),
        pytest.param(lambda: Record(url=URL, sensitivity=0.99), id="rec-sens"),
        pytest.param(lambda: Ask("1", min_confidence=0), id="confidence-0"),
        pytest.param(lambda: Ask("1", min_confidence=100), id="confidence-100"),
        pytest.param(lambda: Record(url=URL, min_confidence=50), id="rec-conf"),
        pytest.param(lambda: Transfer("+1", on=On("ring")), id="on-ring"),
        pytest.param(lambda: Transfer("+1", on=On("connect")), id="on-connect"),
        pytest.param(lambda: Transcription("x:y", email_format="plain"), id="plain"),
        pytest.param(
            lambda: Transcription("x:y", email_format="encoded"), id="encoded"
        ),
        pytest.param(lambda: Transcription("x:y", email_format="omit"), id="omit"),
        pytest.param(
            lambda: StartRecording(URL, transcription_email_format="encoded"),
            id="sr-encoded",
        ),
        pytest.param(lambda: Say("x", allow_signals=""), id="no-signals"),
        pytest.param(lambda: Say("x", voice="Tian-tian"), id="voice-passes"),
        pytest.param(lambda: Call("+1", network="GTALK"), id="network-passes"),
        pytest.param(lambda: Ask("1", recognizer="x-va"), id="recognizer-passes"),
    ],
)
def test_accepted_values(factory: Factory) -> None:
    factory()


@pytest.mark.parametrize(
    "event",
    [
        "timeout",
        "nomatch",
        "nomatch:1",
        "nomatch:12",
        "nomatch:1 nomatch:2",
        "timeout nomatch",
    ],
)
def test_ask_say_events(event: str) -> None:
    ask = Ask("1", say=[Say("again", event=event), Say("Pick")])
    assert t.cast(tuple[Say, ...], ask.say)[0].event == event


def test_record_say_timeout_event() -> None:
    record = Record(url=URL, say=[Say("Still there?", event="timeout"), "Speak."])
    assert record.say == (Say("Still there?", event="timeout"), Say("Speak."))


def test_event_prompts_before_plain_prompts() -> None:
    Ask("1", say=[Say("a", event="timeout"), Say("b", event="nomatch"), "c", "d"])


# -- refused values -----------------------------------------------------------

INVALID: list[t.Any] = [
    # choices mode
    pytest.param(lambda: Choices("1", mode="voice"), "Choices", "mode", id="mode"),
    pytest.param(lambda: Choices("1", mode=""), "Choices", "mode", id="mode-empty"),
    pytest.param(
        lambda: Ask(Choices("1", mode="touchtone")), "Choices", "mode", id="ask-mode"
    ),
    # say as
    pytest.param(lambda: Say("1", as_="CURRENCY"), "Say", "as_", id="say-as"),
    pytest.param(lambda: Say("1", as_="TIME"), "Say", "as_", id="say-as-time"),
    # record / startRecording format and method
    pytest.param(
        lambda: Record(url=URL, format="audio/ogg"), "Record", "format", id="format"
    ),
    pytest.param(
        lambda: StartRecording(URL, format="wav"),
        "StartRecording",
        "format",
        id="sr-format",
    ),
    pytest.param(lambda: Record(url=URL, method="GET"), "Record", "method", id="meth"),
    pytest.param(
        lambda: StartRecording(URL, method="DELETE"),
        "StartRecording",
        "method",
        id="sr-method",
    ),
    pytest.param(
        lambda: UploadTarget(URL, method="GET"), "UploadTarget", "method", id="tm"
    ),
    # channel
    pytest.param(lambda: Call("+1", channel="SMS"), "Call", "channel", id="channel"),
    pytest.param(
        lambda: Message("x", "+1", channel="SMS"), "Message", "channel", id="msg-ch"
    ),
    # prompt log security on every verb that takes it
    pytest.param(
        lambda: Say("x", prompt_log_security="soppress"),
        "Say",
        "prompt_log_security",
        id="say-pls",
    ),
    pytest.param(
        lambda: Ask("1", prompt_log_security="mask"),
        "Ask",
        "prompt_log_security",
        id="ask-pls-mask",
    ),
    pytest.param(
        lambda: Call("+1", prompt_log_security="suppree"),
        "Call",
        "prompt_log_security",
        id="call-pls",
    ),
    pytest.param(
        lambda: Conference("1", prompt_log_security="all"),
        "Conference",
        "prompt_log_security",
        id="conf-pls",
    ),
    pytest.param(
        lambda: Message("x", "+1", prompt_log_security="SUPPRESS"),
        "Message",
        "prompt_log_security",
        id="msg-pls",
    ),
    pytest.param(
        lambda: Record(url=URL, prompt_log_security="x"),
        "Record",
        "prompt_log_security",
        id="rec-pls",
    ),
    pytest.param(
        lambda: Transfer("+1", prompt_log_security="x"),
        "Transfer",
        "prompt_log_security",
        id="xfer-pls",
    ),
    # asr log security and mask template
    pytest.param(
        lambda: Ask("1", asr_log_security="hide"),
        "Ask",
        "asr_log_security",
        id="asr",
    ),
    pytest.param(
        lambda: Ask("1", asr_log_security="mask"),
        "Ask",
        "mask_template",
        id="mask-required",
    ),
    pytest.param(
        lambda: Ask("1", asr_log_security="mask", mask_template="XXDDA"),
        "Ask",
        "mask_template",
        id="mask-letters",
    ),
    pytest.param(
        lambda: Ask("1", asr_log_security="mask", mask_template="xxdd"),
        "Ask",
        "mask_template",
        id="mask-lower-case",
    ),
    pytest.param(
        lambda: Ask("1", asr_log_security="mask", mask_template=""),
        "Ask",
        "mask_template",
        id="mask-empty",
    ),
    # general log security
    pytest.param(
        lambda: GeneralLogSecurity("mask"), "GeneralLogSecurity", "state", id="gls"
    ),
    pytest.param(
        lambda: GeneralLogSecurity("SUPPRESS"),
        "GeneralLogSecurity",
        "state",
        id="gls-upper",
    ),
    # attempts
    pytest.param(lambda: Ask("1", attempts=0), "Ask", "attempts", id="attempts-0"),
    pytest.param(lambda: Ask("1", attempts=-2), "Ask", "attempts", id="attempts-neg"),
    pytest.param(lambda: Ask("1", attempts=1.5), "Ask", "attempts", id="attempts-1.5"),
    pytest.param(
        lambda: Ask("1", attempts=True), "Ask", "attempts", id="attempts-bool"
    ),
    pytest.param(
        lambda: Record(url=URL, attempts=0), "Record", "attempts", id="rec-attempts"
    ),
    # timeouts
    pytest.param(lambda: Ask("1", timeout=-1), "Ask", "timeout", id="ask-timeout"),
    pytest.param(
        lambda: Ask("1", interdigit_timeout=-0.5),
        "Ask",
        "interdigit_timeout",
        id="ask-interdigit",
    ),
    pytest.param(
        lambda: Ask("1", speech_complete_timeout=-1),
        "Ask",
        "speech_complete_timeout",
        id="ask-speech-complete",
    ),
    pytest.param(
        lambda: Ask("1", speech_incomplete_timeout=-1),
        "Ask",
        "speech_incomplete_timeout",
        id="ask-speech-incomplete",
    ),
    pytest.param(
        lambda: Record(url=URL, timeout=-1), "Record", "timeout", id="rec-timeout"
    ),
    pytest.param(
        lambda: Record(url=URL, max_silence=-1),
        "Record",
        "max_silence",
        id="rec-max-silence",
    ),
    pytest.param(
        lambda: Record(url=URL, max_time=-30.0),
        "Record",
        "max_time",
        id="rec-max-time",
    ),
    pytest.param(
        lambda: Record(url=URL, interdigit_timeout=-5),
        "Record",
        "interdigit_timeout",
        id="rec-interdigit",
    ),
    pytest.param(lambda: Call("+1", timeout=-1), "Call", "timeout", id="call-timeout"),
    pytest.param(
        lambda: Message("x", "+1", timeout=-1), "Message", "timeout", id="msg-timeout"
    ),
    pytest.param(
        lambda: Transfer("+1", timeout=-1), "Transfer", "timeout", id="xfer-timeout"
    ),
    pytest.param(
        lambda: Transfer("+1", interdigit_timeout=-1),
        "Transfer",
        "interdigit_timeout",
        id="xfer-interdigit",
    ),
    pytest.param(
        lambda: Conference("1", interdigit_timeout=-1),
        "Conference",
        "interdigit_timeout",
        id="conf-interdigit",
    ),
    pytest.param(lambda: Ask("1", timeout="30"), "Ask", "timeout", id="timeout-string"),
    # wait
    pytest.param(lambda: Wait(-1), "Wait", "milliseconds", id="wait-negative"),
    pytest.param(lambda: Wait(1.5), "Wait", "milliseconds", id="wait-fraction"),
    pytest.param(lambda: Wait("100"), "Wait", "milliseconds", id="wait-string"),
    # transfer on events
    pytest.param(
        lambda: Transfer("+1", on=On("continue")), "Transfer", "on", id="xfer-on"
    ),
    pytest.param(
        lambda: Transfer("+1", on=[On("ring"), On("hangup")]),
        "Transfer",
        "on",
        id="xfer-on-list",
    ),
    pytest.param(
        lambda: Transfer("+1", on=[On("ring"), "connect"]),
        "Transfer",
        "on",
        id="xfer-on-not-on",
    ),
    # ranges
    pytest.param(
        lambda: Ask("1", sensitivity=1.5), "Ask", "sensitivity", id="sens-high"
    ),
    pytest.param(
        lambda: Ask("1", sensitivity=-0.1), "Ask", "sensitivity", id="sens-low"
    ),
    pytest.param(
        lambda: Record(url=URL, sensitivity=2),
        "Record",
        "sensitivity",
        id="rec-sens",
    ),
    pytest.param(
        lambda: Ask("1", min_confidence=101), "Ask", "min_confidence", id="conf-high"
    ),
    pytest.param(
        lambda: Ask("1", min_confidence=-1), "Ask", "min_confidence", id="conf-low"
    ),
    pytest.param(
        lambda: Record(url=URL, min_confidence=200),
        "Record",
        "min_confidence",
        id="rec-conf",
    ),
    # say events
    pytest.param(lambda: Say("x", event="hangup"), "Say", "event", id="event"),
    pytest.param(lambda: Say("x", event="nomatch:"), "Say", "event", id="nomatch:"),
    pytest.param(lambda: Say("x", event="nomatch:0"), "Say", "event", id="nomatch:0"),
    pytest.param(lambda: Say("x", event="nomatch:x"), "Say", "event", id="nomatch:x"),
    pytest.param(lambda: Say("x", event=""), "Say", "event", id="event-empty"),
    pytest.param(
        lambda: Say("x", event="timeout,nomatch"), "Say", "event", id="event-comma"
    ),
    pytest.param(
        lambda: Say("x", event="timeout continue"), "Say", "event", id="event-mixed"
    ),
    pytest.param(
        lambda: Record(url=URL, say=Say("x", event="nomatch")),
        "Record",
        "say",
        id="record-nomatch",
    ),
    pytest.param(
        lambda: Record(url=URL, say=[Say("x", event="timeout nomatch:1")]),
        "Record",
        "say",
        id="record-timeout-nomatch",
    ),
    # prompt order
    pytest.param(
        lambda: Ask("1", say=["Pick", Say("again", event="nomatch")]),
        "Ask",
        "say",
        id="ask-order",
    ),
    pytest.param(
        lambda: Ask(
            "1",
            say=[Say("t", event="timeout"), "Pick", Say("n", event="nomatch:1")],
        ),
        "Ask",
        "say",
        id="ask-order-middle",
    ),
    # ask grammar
    pytest.param(lambda: Ask(Choices()), "Ask", "choices", id="ask-no-value"),
    pytest.param(lambda: Ask(""), "Ask", "choices", id="ask-empty-grammar"),
    pytest.param(
        lambda: Ask(Choices(mode="dtmf", terminator="#")),
        "Ask",
        "choices",
        id="ask-terminator-only",
    ),
    pytest.param(lambda: Ask(5), "Ask", "choices", id="ask-number"),
    pytest.param(lambda: Ask("1", say=[]), "Ask", "say", id="ask-say-empty"),
    pytest.param(lambda: Ask("1", say=5), "Ask", "say", id="ask-say-number"),
    # record / transfer choices: terminator only
    pytest.param(
        lambda: Record(url=URL, choices=Choices("[5 DIGITS]")),
        "Record",
        "choices",
        id="record-grammar",
    ),
    pytest.param(
        lambda: Record(url=URL, choices=Choices(terminator="#", mode="dtmf")),
        "Record",
        "choices",
        id="record-mode",
    ),
    pytest.param(
        lambda: Transfer("+1", choices=Choices("1,2", terminator="#")),
        "Transfer",
        "choices",
        id="transfer-grammar",
    ),
    pytest.param(
        lambda: Choices(terminator="##"), "Choices", "terminator", id="terminator-2"
    ),
    pytest.param(
        lambda: Choices(terminator="a"), "Choices", "terminator", id="terminator-key"
    ),
    # empty to
    pytest.param(lambda: Call(""), "Call", "to", id="call-to-empty"),
    pytest.param(lambda: Call([]), "Call", "to", id="call-to-empty-list"),
    pytest.param(lambda: Call(["+1", ""]), "Call", "to", id="call-to-empty-item"),
    pytest.param(lambda: Transfer(""), "Transfer", "to", id="transfer-to-empty"),
    pytest.param(lambda: Transfer([]), "Transfer", "to", id="transfer-to-list"),
    pytest.param(lambda: Message("x", ""), "Message", "to", id="message-to-empty"),
    pytest.param(lambda: Message("x", []), "Message", "to", id="message-to-list"),
    pytest.param(lambda: Redirect(""), "Redirect", "to", id="redirect-to-empty"),
    pytest.param(lambda: Call(5), "Call", "to", id="call-to-number"),
    # other required values
    pytest.param(lambda: Say(""), "Say", "value", id="say-empty"),
    pytest.param(lambda: Say(None), "Say", "value", id="say-none"),
    pytest.param(lambda: Message([], "+1"), "Message", "say", id="message-no-say"),
    pytest.param(lambda: On(""), "On", "event", id="on-empty-event"),
    pytest.param(lambda: On("continue", next=5), "On", "next", id="on-next"),
    pytest.param(lambda: On("connect", ask=5), "On", "ask", id="on-ask"),
    pytest.param(lambda: Conference(""), "Conference", "id", id="conference-id"),
    pytest.param(lambda: Record(url=""), "Record", "url", id="record-url-empty"),
    pytest.param(lambda: Record(url=[]), "Record", "url", id="record-url-list"),
    pytest.param(lambda: StartRecording(5), "StartRecording", "url", id="sr-url"),
    pytest.param(lambda: Prompt(""), "Prompt", "value", id="prompt-value"),
    pytest.param(lambda: Transcription(""), "Transcription", "url", id="script-url"),
    pytest.param(lambda: UploadTarget(""), "UploadTarget", "url", id="target-url"),
    # wrong shapes
    pytest.param(
        lambda: Say("x", allow_signals=[1]), "Say", "allow_signals", id="signals"
    ),
    pytest.param(lambda: Say("x", media=[None]), "Say", "media", id="media"),
    pytest.param(lambda: Answer({"x": 1}), "Answer", "headers", id="headers"),
    pytest.param(lambda: Call("+1", headers=["x"]), "Call", "headers", id="hdr-list"),
    pytest.param(
        lambda: Call("+1", machine_detection=1),
        "Call",
        "machine_detection",
        id="machine-detection",
    ),
    pytest.param(
        lambda: Conference("1", join_prompt=1),
        "Conference",
        "join_prompt",
        id="join-prompt",
    ),
    pytest.param(
        lambda: Record(url=URL, transcription=["mailto:a@b"]),
        "Record",
        "transcription",
        id="transcription",
    ),
    pytest.param(
        lambda: Transfer("+1", ring_repeat=-1), "Transfer", "ring_repeat", id="ring"
    ),
    pytest.param(
        lambda: Conference("1", terminator="##"),
        "Conference",
        "terminator",
        id="conference-terminator",
    ),
    pytest.param(
        lambda: Transcription("x:y", email_format="html"),
        "Transcription",
        "email_format",
        id="email-format",
    ),
    pytest.param(
        lambda: StartRecording(URL, transcription_email_format="html"),
        "StartRecording",
        "transcription_email_format",
        id="sr-email-format",
    ),
]


@pytest.mark.parametrize(("factory", "verb", "field"), INVALID)
def test_invalid_value(factory: Factory, verb: str, field: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        factory()
    error = info.value
    assert isinstance(error, ValueError)
    assert isinstance(error, TropoError)
    assert (error.verb, error.field) == (verb, field)
    message = str(error)
    assert verb in message
    assert field in message


def test_record_timeout_prompt_may_follow_the_plain_prompt() -> None:
    # The ordering rule of the reference is stated for ask; the PHP SDK writes
    # record prompts plain first, and Tropo reads them.
    record = Record(url=URL, say=["Speak", Say("x", event="timeout")])
    assert [s.event for s in t.cast(tuple[Say, ...], record.say)] == [None, "timeout"]
