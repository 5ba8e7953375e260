"""What each emulated platform does with every verb and option: it maps it,
emulates it server-side, drops it (it has no effect there, or none that can
be kept) or refuses it. The tables are the one source: the writers check
every option a verb sets against them, and ``docs/platforms.rst`` shows them
(a test compares the two).

Also: reading a Tropo grammar into what a platform's gather can collect
(digit counts, hints).

:meta private:
"""

from __future__ import annotations

import dataclasses
import math
import typing as t

from .. import verbs as v
from ..exceptions import TropoError

if t.TYPE_CHECKING:  # pragma: no cover
    from ..simulator.grammar import Grammar

__all__ = ["MAPS", "DROPPED", "EMULATED", "REFUSED", "POLICIES", "Gather", "check"]

MAPS, EMULATED, DROPPED, REFUSED = "maps", "emulated", "dropped", "refused"
_LETTERS = {"M": MAPS, "E": EMULATED, "D": DROPPED, "R": REFUSED}

# One line per verb, ``option=letter``: M maps, E emulated, D dropped,
# R refused. Options shared by every verb (name, required...) mean the
# same on both platforms.
_COMMON = {
    "Say": "value=M as_=M voice=M name=D required=D allow_signals=D"
    " prompt_log_security=D event=E",
    "Ask": "choices=E say=E attempts=E allow_signals=D bargein=M"
    " min_confidence=E name=E recognizer=M required=E sensitivity=D"
    " speech_complete_timeout=M speech_incomplete_timeout=D timeout=M voice=M"
    " prompt_log_security=D asr_log_security=D mask_template=D",
    "On": "event=E next=E say=E post=R ask=R signal=D",
    "Transfer": "to=M from_=M answer_on_media=D allow_signals=D headers=R"
    " interdigit_timeout=D machine_detection=R name=E on=E play_tones=D"
    " required=E ring_repeat=D timeout=M voice=M callback_url=D"
    " prompt_log_security=D label=D",
    "Call": "to=R from_=R network=R channel=R answer_on_media=R allow_signals=R"
    " headers=R name=R required=R timeout=R machine_detection=R voice=R"
    " callback_url=R prompt_log_security=R label=R",
    "Message": "say=M to=M answer_on_media=D channel=M from_=M name=D network=D"
    " required=D timeout=D voice=D prompt_log_security=D headers=R",
    "Conference": "id=M name=D allow_signals=D interdigit_timeout=D mute=M"
    " play_tones=R required=D terminator=R join_prompt=R leave_prompt=R"
    " prompt_log_security=D",
    "Redirect": "to=R name=R required=R",
    "Wait": "milliseconds=M allow_signals=D",
    "Record": "url=R attempts=R async_upload=R allow_signals=R bargein=R beep=R"
    " choices=R say=R format=R max_silence=R max_time=R method=R"
    " min_confidence=R name=R password=R username=R required=R timeout=R"
    " transcription=R voice=R interdigit_timeout=R prompt_log_security=R"
    " sensitivity=R",
    "StartRecording": "url=R async_upload=R format=R method=R username=R"
    " password=R transcription_id=R transcription_email_format=R"
    " transcription_language=R transcription_out_uri=R",
    "StopRecording": "",
    "Answer": "headers=R",
    "GeneralLogSecurity": "state=D",
    "Hangup": "",
    "Reject": "",
}
_TWILIO = {
    "Say": "media=M",
    "Ask": "interdigit_timeout=D",
    "Transfer": "choices=M",
}
_JAMBONZ = {
    "Say": "media=M",
    "Ask": "interdigit_timeout=M",
    "Transfer": "choices=R headers=M",
    "Conference": "play_tones=M",
}


def _table(overrides: dict[str, str]) -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for verb, line in _COMMON.items():
        items = f"{line} {overrides.get(verb, '')}".split()
        table[verb] = {
            key: _LETTERS[letter]
            for key, _, letter in (item.partition("=") for item in items)
        }
    return table


#: Every verb's options by platform: ``POLICIES[platform][verb][option]``.
POLICIES: dict[str, dict[str, dict[str, str]]] = {
    "twilio": _table(_TWILIO),
    "jambonz": _table(_JAMBONZ),
}


def refuse(verb: str, option: str | None, platform: str, why: str) -> TropoError:
    """The error for a verb or option ``platform`` cannot express."""
    what = f"{verb}.{option}" if option else verb
    return TropoError(f"{what} cannot be expressed on {platform}: {why}.")


def check(platform: str, verb: v.Verb) -> None:
    """Refuse ``verb`` if it sets an option ``platform`` refuses.

    :raise TropoError: naming the verb, the option and the platform.
    """
    cls = type(verb)
    refused = _REFUSED.get((platform, cls))
    if refused is None:
        refused = _REFUSED[platform, cls] = _refused(platform, cls)
    for option in refused:
        if getattr(verb, option) is not None:
            name = cls.__name__
            raise refuse(name, option, platform, _WHY.get(name, "no equivalent"))


#: The options each platform refuses, by verb class (built on first use).
_REFUSED: dict[tuple[str, type], tuple[str, ...]] = {}


def _refused(platform: str, cls: type) -> tuple[str, ...]:
    """The options of ``cls`` that ``platform`` refuses: an option the table
    does not name is refused too."""
    options = POLICIES[platform][cls.__name__]
    return tuple(
        field.name
        for field in dataclasses.fields(cls)
        if field.name != "_" and options.get(field.name, REFUSED) == REFUSED
    )


_WHY = {
    "Call": "the platform places outbound calls through its REST API, not"
    " from a document; place the call with the REST API, pointing it at the"
    " session route",
    "Record": "the platform keeps recordings itself (Twilio) or has no record"
    " verb (jambonz), so the file cannot be uploaded where url says",
    "StartRecording": "the platform keeps call recordings itself, so the file"
    " cannot be uploaded where url says",
    "Redirect": "there is no SIP deflection of an unanswered call; use Transfer",
    "Answer": "SIP headers cannot be sent with the answer",
}


def seconds(value: float | None, default: float) -> int:
    """Whole seconds, rounded up (the platforms take integers)."""
    return math.ceil(default if value is None else value)


class Gather(t.NamedTuple):
    """What a platform's gather collects for an ``Ask``."""

    #: Take DTMF keys.
    dtmf: bool
    #: Take speech.
    speech: bool
    #: Exactly this many keys end the entry.
    num_digits: int | None
    #: The fewest and most keys of a ``[N-M DIGITS]`` grammar.
    min_digits: int | None
    max_digits: int | None
    #: Words for the recogniser.
    hints: tuple[str, ...]
    #: The key that ends entry (``choices.terminator``).
    finish_on_key: str | None
    #: Seconds to wait for input (Tropo's default 30).
    timeout: int


def gather_of(ask: v.Ask, grammar: Grammar) -> Gather:
    """What a platform's gather needs to collect input for ``ask``."""
    from ..simulator.grammar import DTMF_KEYS

    choices = t.cast(v.Choices, ask.choices)
    mode = (choices.mode or "any").lower()
    lengths: set[int] = set()
    ranges: list[tuple[int, int]] = []
    hints: list[str] = []
    open_ended = False
    for option in grammar.options:
        if option.kind == "any":
            open_ended = True
        elif option.kind == "digits":
            ranges.append((option.low, option.high))
            lengths.update(range(option.low, option.high + 1))
        for word in option.words:
            if word and set(word) <= DTMF_KEYS:
                lengths.add(len(word))
            elif word not in hints:
                hints.append(word)
    exact = next(iter(lengths)) if len(lengths) == 1 and not open_ended else None
    low = high = None
    if exact is None and len(ranges) == 1 and not open_ended and len(lengths) > 1:
        low, high = ranges[0]
        if lengths != set(range(low, high + 1)):
            low = high = None
    return Gather(
        dtmf=mode in ("dtmf", "any"),
        speech=mode in ("speech", "any"),
        num_digits=exact,
        min_digits=low,
        max_digits=high,
        hints=tuple(hints),
        finish_on_key=choices.terminator,
        timeout=seconds(ask.timeout, 30),
    )


def is_audio(value: str) -> bool:
    """Whether a say's value is an audio URL (played), not text (spoken)."""
    return value.startswith(("http://", "https://"))


#: SSML ``say-as`` ``interpret-as`` of Tropo's ``say`` ``as``.
SAY_AS = {"DIGITS": "digits", "NUMBER": "cardinal", "DATE": "date"}
