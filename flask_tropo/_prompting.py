"""The verbs that prompt the caller and wait for an answer: :class:`Say`,
:class:`Ask`, :class:`On` and :class:`Record`. Re-exported by
:mod:`flask_tropo.verbs`; internal.
"""

from __future__ import annotations

import collections.abc as c
import typing as t
from dataclasses import KW_ONLY
from dataclasses import dataclass

from . import _checks as check
from ._checks import AsrLogSecurity
from ._checks import AudioFormat
from ._checks import LogSecurity
from ._checks import SayAs
from ._checks import Seconds
from ._checks import Signals
from ._checks import UploadMethod
from ._nested import Choices
from ._nested import Transcription
from ._nested import UploadTarget
from ._nested import Verb
from ._nested import checked

#: A URL, or a handler of a route (rendered to its signed URL).
NextTarget: t.TypeAlias = "str | c.Callable[..., t.Any]"
UploadTo: t.TypeAlias = (
    "str | c.Callable[..., t.Any] | UploadTarget"
    " | c.Sequence[UploadTarget | str | c.Callable[..., t.Any]]"
)

_ATTEMPTS = check.number(1, whole=True)
_CONFIDENCE = check.number(0, 100)
_SENSITIVITY = check.number(0, 1)
#: The terminator of a Record or a Transfer.
TERMINATOR = check.terminator(Choices)
#: The upload URL of a Record or a StartRecording.
UPLOAD_URL = check.upload_url(UploadTarget)


@checked(value=check.non_empty, media=check.strings, event=check.event)
@dataclass(frozen=True, slots=True, repr=False)
class Say(Verb):
    """Speak text, play audio, or (on a text channel) send a message.

    Also the prompt element nested in ask, record, message and on.

    :param value: text, SSML or an audio URL.
    :param as\\_: read the value as ``"DATE"``, ``"DIGITS"`` or ``"NUMBER"``.
    :param media: MMS attachments: URLs or inline text.
    :param event: inside an :class:`Ask` or :class:`Record`, the event that
        plays this prompt: ``"timeout"``, ``"nomatch"``, ``"nomatch:2"``
        (several may be space separated).
    """

    tropo_key: t.ClassVar[str] = "say"

    value: str
    _: KW_ONLY
    as_: SayAs | None = None
    voice: str | None = None
    name: str | None = None
    required: bool | None = None
    allow_signals: Signals | None = None
    prompt_log_security: LogSecurity | None = None
    media: str | c.Sequence[str] | None = None
    event: str | None = None


@checked(
    choices=check.grammar(Choices),
    say=check.prompts(Say, check.prompt_order),
    attempts=_ATTEMPTS,
    min_confidence=_CONFIDENCE,
    sensitivity=_SENSITIVITY,
    mask_template=check.mask_template,
)
@dataclass(frozen=True, slots=True, repr=False)
class Ask(Verb):
    """Prompt the caller and collect input against a grammar.

    The result's action carries ``value`` (the grammar's answer) and
    ``interpretation`` (what was entered).

    :param choices: the grammar, a string or :class:`Choices`.
    :param say: the prompt(s): a string, a :class:`Say` or a list; prompts with
        an ``event`` play on retries and must come first.
    :param attempts: how many tries before ``incomplete`` (default 1).
    :param bargein: let input interrupt the prompt (default true).
    :param min_confidence: 0 to 100 (default 30).
    :param recognizer: speech recognition language, for example ``"en-us"``.
    :param sensitivity: 0 to 1 (default 0.5).
    :param speech_complete_timeout: seconds (default 0.5).
    :param speech_incomplete_timeout: seconds (default 0.5).
    :param timeout: seconds to wait for input (default 30).
    :param asr_log_security: ``"none"``, ``"suppress"`` or ``"mask"``.
    :param mask_template: with ``"mask"``: ``D`` logs a digit, ``X`` masks it,
        ``-`` masks the rest, for example ``"XXDD-"``.
    """

    tropo_key: t.ClassVar[str] = "ask"

    choices: Choices | str
    _: KW_ONLY
    say: Say | str | c.Sequence[Say | str] | None = None
    attempts: int | None = None
    allow_signals: Signals | None = None
    bargein: bool | None = None
    interdigit_timeout: Seconds | None = None
    min_confidence: int | None = None
    name: str | None = None
    recognizer: str | None = None
    required: bool | None = None
    sensitivity: float | None = None
    speech_complete_timeout: Seconds | None = None
    speech_incomplete_timeout: Seconds | None = None
    timeout: Seconds | None = None
    voice: str | None = None
    prompt_log_security: LogSecurity | None = None
    asr_log_security: AsrLogSecurity | None = None
    mask_template: str | None = None


@checked(
    event=check.on_event,
    next=check.next_target,
    say=check.prompts(Say),
    ask=check.wrapping(Ask, "an Ask or a grammar string"),
    signal=check.flag,
)
@dataclass(frozen=True, slots=True, repr=False)
class On(Verb):
    """Handle an event of the current document.

    Tropo forgets handlers at each new document. ``continue`` is the catch-all
    for events without a handler of their own.

    :param event: ``"continue"``, ``"incomplete"``, ``"error"`` or
        ``"hangup"``; in a :class:`Transfer` ``"ring"`` or ``"connect"``; or,
        with ``signal=True``, a signal name the verbs list in
        ``allow_signals``. A typo (``"contine"``) fails here, not on the
        call.
    :param next: where Tropo posts the result: a URL, or a handler registered
        with ``on_result`` (rendered to its signed URL).
    :param say: played before the result is posted.
    :param post: transfer ``connect`` only: a URL that gets a short result,
        reply ignored.
    :param ask: transfer ``connect`` only: a whisper the called party must
        answer; a string is a grammar.
    :param signal: ``event`` names a signal (sent through the REST API to
        interrupt a verb whose ``allow_signals`` lists it), not one of
        Tropo's events. Not written on the wire: a parsed ``on`` whose event
        is none of Tropo's is a signal.
    """

    tropo_key: t.ClassVar[str] = "on"

    event: str
    _: KW_ONLY
    next: NextTarget | None = None
    say: Say | str | c.Sequence[Say | str] | None = None
    post: str | None = None
    ask: Ask | str | None = None
    signal: bool | None = None


@checked(
    url=UPLOAD_URL,
    choices=TERMINATOR,
    say=check.prompts(Say, check.timeout_prompts),
    attempts=_ATTEMPTS,
    min_confidence=_CONFIDENCE,
    sensitivity=_SENSITIVITY,
    transcription=check.one_or_more(Transcription, "a Transcription"),
)
@dataclass(frozen=True, slots=True, repr=False)
class Record(Verb):
    """Record the caller and upload the file.

    :param attempts: tries (default 1).
    :param async_upload: fire ``continue`` at once and upload in the background.
    :param bargein: let the caller interrupt the prompt (default true).
    :param beep: beep before recording (default true).
    :param choices: the key that ends the recording: ``"#"`` or
        ``Choices(terminator="#")``.
    :param say: the prompt(s); event prompts may only be ``"timeout"``.
    :param max_silence: seconds of silence that end the recording (default 5).
    :param max_time: the longest recording, in seconds.
    :param min_confidence: legacy option, 0 to 100.
    :param timeout: seconds to wait for speech to begin (default 30).
    :param sensitivity: 0 to 1.
    """

    tropo_key: t.ClassVar[str] = "record"

    _: KW_ONLY
    url: UploadTo
    attempts: int | None = None
    async_upload: bool | None = None
    allow_signals: Signals | None = None
    bargein: bool | None = None
    beep: bool | None = None
    choices: Choices | str | None = None
    say: Say | str | c.Sequence[Say | str] | None = None
    format: AudioFormat | None = None
    max_silence: Seconds | None = None
    max_time: Seconds | None = None
    method: UploadMethod | None = None
    min_confidence: int | None = None
    name: str | None = None
    password: str | None = None
    username: str | None = None
    required: bool | None = None
    timeout: Seconds | None = None
    transcription: Transcription | c.Sequence[Transcription] | None = None
    voice: str | None = None
    interdigit_timeout: Seconds | None = None
    prompt_log_security: LogSecurity | None = None
    sensitivity: float | None = None
