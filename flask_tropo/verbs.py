"""The WebAPI verbs as frozen, keyword-only dataclasses.

Each class is one element of a ``{"tropo": [...]}`` document. Python names are
snake_case (``allow_signals``); the wire keys are the WebAPI's camelCase
(``allowSignals``), mapped only in :mod:`flask_tropo.schemas`. Reserved words
get a trailing underscore: ``from_``, ``as_``. The primary value is
positional, everything else keyword-only:

.. code-block:: python

    from flask_tropo import verbs

    [
        verbs.Say("Welcome to Acme."),
        verbs.Ask("[4 DIGITS]", say="Enter your PIN", name="pin", attempts=3),
        verbs.On("continue", next=check_pin),
    ]

Mistakes fail at construction: an unknown or missing argument is a
:class:`TypeError`; a value the wire reference rules out is a
:class:`ValueError` whose message names the verb and the field. Strings are
accepted where the wire takes an object and are wrapped:
``Ask(choices="1,2")``, ``Ask(say="Pick one")``, ``On(say="Hold on")``.
Voices, recognizers and networks are passed through unchecked.
"""

from __future__ import annotations

import collections.abc as c
import typing as t
from dataclasses import KW_ONLY
from dataclasses import MISSING
from dataclasses import FrozenInstanceError
from dataclasses import dataclass
from dataclasses import fields

from ._checks import _ASK_EVENT
from ._checks import _MASK
from ._checks import ASR_LOG_SECURITY
from ._checks import CHANNELS
from ._checks import EMAIL_FORMATS
from ._checks import FORMATS
from ._checks import LOG_STATES
from ._checks import METHODS
from ._checks import MODES
from ._checks import PROMPT_LOG_SECURITY
from ._checks import SAY_AS
from ._checks import TRANSCRIPTION_EMAIL_FORMATS
from ._checks import TRANSFER_EVENTS
from ._checks import _at_least
from ._checks import _between
from ._checks import _destinations
from ._checks import _fail
from ._checks import _headers
from ._checks import _media
from ._checks import _one_of
from ._checks import _prompt_order
from ._checks import _required_str
from ._checks import _set
from ._checks import _signals
from ._checks import _timeouts
from ._init import fast_init

__all__ = [
    "Verb",
    "Answer",
    "Ask",
    "Call",
    "Choices",
    "Conference",
    "GeneralLogSecurity",
    "Hangup",
    "MachineDetection",
    "Message",
    "On",
    "Prompt",
    "Record",
    "Redirect",
    "Reject",
    "Say",
    "StartRecording",
    "StopRecording",
    "Transcription",
    "Transfer",
    "UploadTarget",
    "Wait",
]

#: A ``next`` target: a URL string, or a handler registered with
#: ``on_result`` (rendered to its signed URL).
NextTarget: t.TypeAlias = "str | c.Callable[..., t.Any]"
#: One signal name or several.
Signals: t.TypeAlias = "str | c.Sequence[str]"


# -- validation helpers -------------------------------------------------------


def _says(owner: t.Any, field: str, required: bool = False) -> tuple[Say, ...] | None:
    """Normalize a say field: a string, a :class:`Say`, or a list of either."""
    value = getattr(owner, field)
    if value is None:
        if required:
            _fail(owner, field, "is required")
        return None
    if isinstance(value, str):  # the usual prompt, checked as below
        result: tuple[Say, ...] = (Say(value),)
        _set(owner, field, result)
        return result
    items = [value] if isinstance(value, Say) else value
    if not isinstance(items, c.Sequence) or not items:
        _fail(owner, field, f"must be a string, a Say or a list of them, got {value!r}")
    says: list[Say] = []
    for item in items:
        if isinstance(item, str):
            says.append(Say(item))
        elif isinstance(item, Say):
            says.append(item)
        else:
            _fail(owner, field, f"must hold strings or Say objects, got {item!r}")
    result = tuple(says)
    _set(owner, field, result)
    return result


def _machine_detection(owner: t.Any) -> None:
    value = owner.machine_detection
    if isinstance(value, str):
        _set(owner, "machine_detection", MachineDetection(value))
    elif value is not None and not isinstance(value, (bool, MachineDetection)):
        _fail(
            owner,
            "machine_detection",
            f"must be a bool, a string or a MachineDetection, got {value!r}",
        )


# -- the base -----------------------------------------------------------------


class _Model:
    """Shared ``repr`` of verbs and nested objects: only the fields that are
    set, so ``Say('Hi')`` reads as written.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        parts = []
        for field in fields(t.cast(t.Any, self)):
            if field.name == "_":
                continue
            value = getattr(self, field.name)
            if field.kw_only:
                if value is not field.default:
                    parts.append(f"{field.name}={value!r}")
            elif field.default is MISSING or value is not field.default:
                parts.append(repr(value))
        return f"{type(self).__name__}({', '.join(parts)})"


class Verb(_Model):
    """Base class of the top-level verbs.

    ``tropo_key`` is the verb's key on the wire (``"say"``, ``"startRecording"``).
    """

    __slots__ = ()
    tropo_key: t.ClassVar[str]


# -- nested objects -----------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class Choices(_Model):
    """The ``choices`` of an :class:`Ask` (a grammar), or only the terminator
    key of a :class:`Record` or :class:`Transfer`.

    :param value: the grammar, for example ``"[4 DIGITS]"`` or
        ``"yes(yes,y,1), no(no,n,2)"``.
    :param mode: ``"dtmf"``, ``"speech"`` or ``"any"``, either case; stored
        lower case.
    :param terminator: the DTMF key that ends entry, for example ``"#"``.
    """

    value: str | None = None
    _: KW_ONLY
    mode: str | None = None
    terminator: str | None = None

    def __post_init__(self) -> None:
        if self.value is not None and not isinstance(self.value, str):
            _fail(self, "value", f"must be a grammar string, got {self.value!r}")
        mode = self.mode
        if isinstance(mode, str):
            mode = mode.lower()
            _set(self, "mode", mode)
        if mode is not None and mode not in MODES:
            _one_of(self, "mode", mode, MODES)
        if self.terminator is not None and (
            not isinstance(self.terminator, str)
            or len(self.terminator) != 1
            or self.terminator not in "0123456789*#"
        ):
            _fail(self, "terminator", f"must be one DTMF key, got {self.terminator!r}")


@dataclass(frozen=True, slots=True, repr=False)
class Transcription(_Model):
    """Where a :class:`Record` sends its transcription.

    :param url: ``mailto:`` address or HTTP URL.
    :param id: an identifier echoed with the transcription.
    :param email_format: ``"plain"``, ``"encoded"`` or ``"omit"``.
    :param language: the language of the recording, for example ``"en-us"``.
    """

    url: str
    _: KW_ONLY
    id: str | None = None
    email_format: str | None = None
    language: str | None = None

    def __post_init__(self) -> None:
        _required_str(self, "url")
        _one_of(self, "email_format", self.email_format, TRANSCRIPTION_EMAIL_FORMATS)


@dataclass(frozen=True, slots=True, repr=False)
class UploadTarget(_Model):
    """One destination of a recording, for :class:`Record` and
    :class:`StartRecording` ``url``.

    :param url: where the file is uploaded (form field ``filename``).
    :param username: user name for the upload.
    :param password: password for the upload.
    :param method: ``"POST"`` or ``"PUT"``.
    """

    url: str
    _: KW_ONLY
    username: str | None = None
    password: str | None = None
    method: str | None = None

    def __post_init__(self) -> None:
        _required_str(self, "url")
        _one_of(self, "method", self.method, METHODS)


@dataclass(frozen=True, slots=True, repr=False)
class MachineDetection(_Model):
    """Answering-machine detection for :class:`Call` and :class:`Transfer`.

    ``machine_detection=True`` turns it on; this object adds an introduction
    played while detecting.

    :param introduction: text or audio URL played while detecting.
    :param voice: the voice of the introduction.
    """

    introduction: str | None = None
    _: KW_ONLY
    voice: str | None = None


@dataclass(frozen=True, slots=True, repr=False)
class Prompt(_Model):
    """A conference ``joinPrompt`` or ``leavePrompt`` with its own text.

    :param value: text or audio URL.
    :param voice: the voice to speak it with.
    """

    value: str
    _: KW_ONLY
    voice: str | None = None

    def __post_init__(self) -> None:
        _required_str(self, "value")


# -- verbs --------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class Say(Verb):
    """Speak text, play audio, or (on a text channel) send a message.

    Also the prompt element nested in ask, record, message and on.

    :param value: text, SSML or an audio URL.
    :param as\\_: read the value as ``"DATE"``, ``"DIGITS"`` or ``"NUMBER"``.
    :param voice: the TTS voice.
    :param name: label echoed in the result.
    :param required: only go on if this completes (default true).
    :param allow_signals: signal names that interrupt it; ``""`` for none.
    :param prompt_log_security: ``"none"`` or ``"suppress"``.
    :param media: MMS attachments: URLs or inline text.
    :param event: inside an :class:`Ask` or :class:`Record`, the event that
        plays this prompt: ``"timeout"``, ``"nomatch"``, ``"nomatch:2"``
        (several may be space separated).
    """

    tropo_key: t.ClassVar[str] = "say"

    value: str
    _: KW_ONLY
    as_: str | None = None
    voice: str | None = None
    name: str | None = None
    required: bool | None = None
    allow_signals: Signals | None = None
    prompt_log_security: str | None = None
    media: str | c.Sequence[str] | None = None
    event: str | None = None

    def __post_init__(self) -> None:
        # Each check runs only for a value that is set: a plain Say("...")
        # checks only its value.
        value = self.value
        if not isinstance(value, str) or not value:
            _required_str(self, "value")
        if self.as_ is not None:
            _one_of(self, "as_", self.as_, SAY_AS)
        if self.prompt_log_security is not None:
            _one_of(
                self,
                "prompt_log_security",
                self.prompt_log_security,
                PROMPT_LOG_SECURITY,
            )
        if self.allow_signals is not None:
            _signals(self)
        if self.media is not None:
            _media(self)
        if self.event is not None:
            parts = self.event.split() if isinstance(self.event, str) else []
            if not parts or not all(_ASK_EVENT.match(p) for p in parts):
                _fail(
                    self,
                    "event",
                    "must be 'timeout', 'nomatch' or 'nomatch:N' (space separated"
                    f" for several), got {self.event!r}",
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
    :param allow_signals: signal names that interrupt it.
    :param bargein: let input interrupt the prompt (default true).
    :param interdigit_timeout: seconds between DTMF keys (default 5).
    :param min_confidence: 0 to 100 (default 30).
    :param name: label of the action in the result.
    :param recognizer: speech recognition language, for example ``"en-us"``.
    :param required: only go on if this completes (default true).
    :param sensitivity: 0 to 1 (default 0.5).
    :param speech_complete_timeout: seconds (default 0.5).
    :param speech_incomplete_timeout: seconds (default 0.5).
    :param timeout: seconds to wait for input (default 30).
    :param voice: the TTS voice of the prompts.
    :param prompt_log_security: ``"none"`` or ``"suppress"``.
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
    interdigit_timeout: float | None = None
    min_confidence: int | None = None
    name: str | None = None
    recognizer: str | None = None
    required: bool | None = None
    sensitivity: float | None = None
    speech_complete_timeout: float | None = None
    speech_incomplete_timeout: float | None = None
    timeout: float | None = None
    voice: str | None = None
    prompt_log_security: str | None = None
    asr_log_security: str | None = None
    mask_template: str | None = None

    def __post_init__(self) -> None:
        # The checks in the order of the fields; each runs only for a value
        # that is set, so an Ask with few options checks little.
        choices = self.choices
        if isinstance(choices, str):
            choices = Choices(choices)
            _set(self, "choices", choices)
        elif not isinstance(choices, Choices):
            _fail(
                self,
                "choices",
                f"must be a grammar string or Choices, got {self.choices!r}",
            )
        if not choices.value:
            _fail(self, "choices", "needs a grammar value, for example '[4 DIGITS]'")
        if self.say is not None:
            _prompt_order(self, _says(self, "say"), "say")
        if self.attempts is not None:
            _at_least(self, "attempts", self.attempts, 1, integer=True)
        if self.min_confidence is not None:
            _between(self, "min_confidence", self.min_confidence, 0, 100)
        if self.sensitivity is not None:
            _between(self, "sensitivity", self.sensitivity, 0, 1)
        if self.interdigit_timeout is not None:
            _at_least(self, "interdigit_timeout", self.interdigit_timeout, 0)
        if self.speech_complete_timeout is not None:
            _at_least(self, "speech_complete_timeout", self.speech_complete_timeout, 0)
        if self.speech_incomplete_timeout is not None:
            _at_least(
                self, "speech_incomplete_timeout", self.speech_incomplete_timeout, 0
            )
        if self.timeout is not None:
            _at_least(self, "timeout", self.timeout, 0)
        if self.allow_signals is not None:
            _signals(self)
        if self.prompt_log_security is not None:
            _one_of(
                self,
                "prompt_log_security",
                self.prompt_log_security,
                PROMPT_LOG_SECURITY,
            )
        if self.asr_log_security is not None:
            _one_of(self, "asr_log_security", self.asr_log_security, ASR_LOG_SECURITY)
        if self.mask_template is not None and (
            not isinstance(self.mask_template, str)
            or not _MASK.match(self.mask_template)
        ):
            _fail(
                self,
                "mask_template",
                f"may hold only D, X and -, got {self.mask_template!r}",
            )
        if self.asr_log_security == "mask" and self.mask_template is None:
            _fail(self, "mask_template", "is required when asr_log_security is 'mask'")


@dataclass(frozen=True, slots=True, repr=False)
class On(Verb):
    """Handle an event of the current document.

    Tropo forgets handlers at each new document. ``continue`` is the catch-all
    for events without a handler of their own.

    :param event: ``"continue"``, ``"incomplete"``, ``"error"``, ``"hangup"``,
        a signal name; in a :class:`Transfer` only ``"ring"`` or ``"connect"``.
    :param next: where Tropo posts the result: a URL, or a handler registered
        with ``on_result`` (rendered to its signed URL).
    :param say: played before the result is posted.
    :param post: transfer ``connect`` only: a URL that gets a short result,
        reply ignored.
    :param ask: transfer ``connect`` only: a whisper the called party must
        answer; a string is a grammar.
    """

    tropo_key: t.ClassVar[str] = "on"

    event: str
    _: KW_ONLY
    next: NextTarget | None = None
    say: Say | str | c.Sequence[Say | str] | None = None
    post: str | None = None
    ask: Ask | str | None = None

    def __post_init__(self) -> None:
        event = self.event
        if not isinstance(event, str) or not event:
            _required_str(self, "event")
        if self.next is not None and not (
            isinstance(self.next, str) or callable(self.next)
        ):
            _fail(self, "next", f"must be a URL or a handler, got {self.next!r}")
        if self.say is not None:
            _says(self, "say")
        if self.ask is None:
            return
        if isinstance(self.ask, str):
            _set(self, "ask", Ask(self.ask))
        elif self.ask is not None and not isinstance(self.ask, Ask):
            _fail(self, "ask", f"must be an Ask or a grammar string, got {self.ask!r}")


def _upload_url(owner: t.Any) -> None:
    value = owner.url
    if isinstance(value, str):
        if not value:
            _fail(owner, "url", "must not be empty")
        return
    if isinstance(value, UploadTarget):
        return
    if (
        isinstance(value, c.Sequence)
        and value
        and all(isinstance(v, (str, UploadTarget)) for v in value)
    ):
        targets = tuple(UploadTarget(v) if isinstance(v, str) else v for v in value)
        _set(owner, "url", targets[0] if len(targets) == 1 else targets)
        return
    _fail(
        owner, "url", f"must be a URL, an UploadTarget or a list of them, got {value!r}"
    )


def _terminator_choices(owner: t.Any) -> None:
    value = owner.choices
    if value is None:
        return
    if isinstance(value, str):
        _set(owner, "choices", Choices(terminator=value))
        return
    if not isinstance(value, Choices):
        _fail(owner, "choices", f"must be a terminator key or Choices, got {value!r}")
    if value.value is not None or value.mode is not None:
        _fail(
            owner,
            "choices",
            "carries only a terminator here, for example Choices(terminator='#')",
        )


@dataclass(frozen=True, slots=True, repr=False)
class Record(Verb):
    """Record the caller and upload the file.

    :param url: upload destination(s): a URL string, an :class:`UploadTarget`
        or a list of them.
    :param attempts: tries (default 1).
    :param async_upload: fire ``continue`` at once and upload in the background.
    :param allow_signals: signal names that interrupt it.
    :param bargein: let the caller interrupt the prompt (default true).
    :param beep: beep before recording (default true).
    :param choices: the key that ends the recording: ``"#"`` or
        ``Choices(terminator="#")``.
    :param say: the prompt(s); event prompts may only be ``"timeout"``.
    :param format: ``"audio/wav"``, ``"audio/mp3"`` or ``"audio/au"``.
    :param max_silence: seconds of silence that end the recording (default 5).
    :param max_time: the longest recording, in seconds.
    :param method: ``"POST"`` or ``"PUT"``.
    :param min_confidence: legacy option, 0 to 100.
    :param name: label of the action in the result.
    :param password: password for the upload.
    :param username: user name for the upload.
    :param required: only go on if this completes (default true).
    :param timeout: seconds to wait for speech to begin (default 30).
    :param transcription: a :class:`Transcription`, or a list of them.
    :param voice: the TTS voice of the prompts.
    :param interdigit_timeout: seconds.
    :param prompt_log_security: ``"none"`` or ``"suppress"``.
    :param sensitivity: 0 to 1.
    """

    tropo_key: t.ClassVar[str] = "record"

    _: KW_ONLY
    url: str | UploadTarget | c.Sequence[UploadTarget | str]
    attempts: int | None = None
    async_upload: bool | None = None
    allow_signals: Signals | None = None
    bargein: bool | None = None
    beep: bool | None = None
    choices: Choices | str | None = None
    say: Say | str | c.Sequence[Say | str] | None = None
    format: str | None = None
    max_silence: float | None = None
    max_time: float | None = None
    method: str | None = None
    min_confidence: int | None = None
    name: str | None = None
    password: str | None = None
    username: str | None = None
    required: bool | None = None
    timeout: float | None = None
    transcription: Transcription | c.Sequence[Transcription] | None = None
    voice: str | None = None
    interdigit_timeout: float | None = None
    prompt_log_security: str | None = None
    sensitivity: float | None = None

    def __post_init__(self) -> None:
        _upload_url(self)
        _terminator_choices(self)
        says = _says(self, "say")
        for say in says or ():
            if say.event is not None and say.event != "timeout":
                _fail(
                    self,
                    "say",
                    "the only event a record prompt takes is 'timeout',"
                    f" got {say.event!r}",
                )
        _at_least(self, "attempts", self.attempts, 1, integer=True)
        _between(self, "min_confidence", self.min_confidence, 0, 100)
        _between(self, "sensitivity", self.sensitivity, 0, 1)
        _timeouts(self, "max_silence", "max_time", "timeout", "interdigit_timeout")
        _one_of(self, "format", self.format, FORMATS)
        _one_of(self, "method", self.method, METHODS)
        _one_of(
            self, "prompt_log_security", self.prompt_log_security, PROMPT_LOG_SECURITY
        )
        _signals(self)
        value = self.transcription
        if value is not None and not isinstance(value, Transcription):
            if (
                not isinstance(value, c.Sequence)
                or not value
                or not all(isinstance(v, Transcription) for v in value)
            ):
                _fail(
                    self,
                    "transcription",
                    f"must be a Transcription or a list of them, got {value!r}",
                )
            _set(self, "transcription", value[0] if len(value) == 1 else tuple(value))


@dataclass(frozen=True, slots=True, repr=False)
class Transfer(Verb):
    """Connect the caller to another party; the first to answer wins.

    :param to: a destination or a list of them (``+1415...``, ``sip:...``).
    :param from\\_: the caller id shown to the called party.
    :param answer_on_media: treat early media as answered.
    :param allow_signals: signal names that interrupt it.
    :param choices: the key the caller presses to cancel: ``"#"`` or
        ``Choices(terminator="#")``.
    :param headers: SIP headers for the new leg.
    :param interdigit_timeout: seconds.
    :param machine_detection: ``True``, an introduction string or a
        :class:`MachineDetection`.
    :param name: label of the action in the result.
    :param on: ``On("ring", say=...)`` and/or ``On("connect", ...)``, one or a
        list.
    :param play_tones: pass DTMF between the legs.
    :param required: only go on if this completes (default true).
    :param ring_repeat: how many times the ring audio repeats.
    :param timeout: seconds to wait for an answer (default 30).
    :param voice: the TTS voice.
    :param callback_url: CDR webhook at the end of the call.
    :param prompt_log_security: ``"none"`` or ``"suppress"``.
    :param label: appears in the CDR.
    """

    tropo_key: t.ClassVar[str] = "transfer"

    to: str | c.Sequence[str]
    _: KW_ONLY
    from_: str | None = None
    answer_on_media: bool | None = None
    allow_signals: Signals | None = None
    choices: Choices | str | None = None
    headers: c.Mapping[str, str] | None = None
    interdigit_timeout: float | None = None
    machine_detection: bool | str | MachineDetection | None = None
    name: str | None = None
    on: On | c.Sequence[On] | None = None
    play_tones: bool | None = None
    required: bool | None = None
    ring_repeat: int | None = None
    timeout: float | None = None
    voice: str | None = None
    callback_url: str | None = None
    prompt_log_security: str | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        _destinations(self, "to")
        _signals(self)
        _terminator_choices(self)
        _headers(self)
        _timeouts(self, "interdigit_timeout", "timeout")
        _at_least(self, "ring_repeat", self.ring_repeat, 0, integer=True)
        _machine_detection(self)
        _one_of(
            self, "prompt_log_security", self.prompt_log_security, PROMPT_LOG_SECURITY
        )
        if self.on is not None:
            handlers = (self.on,) if isinstance(self.on, On) else self.on
            if not isinstance(handlers, c.Sequence) or not all(
                isinstance(h, On) for h in handlers
            ):
                _fail(self, "on", f"must be an On or a list of them, got {self.on!r}")
            for handler in handlers:
                if handler.event not in TRANSFER_EVENTS:
                    _fail(
                        self,
                        "on",
                        "the only events a transfer takes are 'ring' and 'connect',"
                        f" got {handler.event!r}",
                    )
            _set(self, "on", tuple(handlers))


@dataclass(frozen=True, slots=True, repr=False)
class Call(Verb):
    """Start an outbound call or text (only when no call is active).

    :param to: a destination or a list of them.
    :param from\\_: caller id (for SMS, a number of the account).
    :param network: ``"PSTN"``, ``"SIP"``, ``"SMS"``...
    :param channel: ``"VOICE"`` or ``"TEXT"``.
    :param answer_on_media: treat early media as answered.
    :param allow_signals: signal names that interrupt it.
    :param headers: SIP headers.
    :param name: label of the action in the result.
    :param required: only go on if this completes (default true).
    :param timeout: seconds to wait for an answer (default 30).
    :param machine_detection: ``True``, an introduction string or a
        :class:`MachineDetection`.
    :param voice: the default voice of the call.
    :param callback_url: CDR webhook at the end of the call.
    :param prompt_log_security: ``"none"`` or ``"suppress"``.
    :param label: appears in the CDR.
    """

    tropo_key: t.ClassVar[str] = "call"

    to: str | c.Sequence[str]
    _: KW_ONLY
    from_: str | None = None
    network: str | None = None
    channel: str | None = None
    answer_on_media: bool | None = None
    allow_signals: Signals | None = None
    headers: c.Mapping[str, str] | None = None
    name: str | None = None
    required: bool | None = None
    timeout: float | None = None
    machine_detection: bool | str | MachineDetection | None = None
    voice: str | None = None
    callback_url: str | None = None
    prompt_log_security: str | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        _destinations(self, "to")
        _one_of(self, "channel", self.channel, CHANNELS)
        _signals(self)
        _headers(self)
        _timeouts(self, "timeout")
        _machine_detection(self)
        _one_of(
            self, "prompt_log_security", self.prompt_log_security, PROMPT_LOG_SECURITY
        )


@dataclass(frozen=True, slots=True, repr=False)
class Message(Verb):
    """Start a call or text, say something, and hang up, in one step.

    :param say: what to say or send: a string, a :class:`Say` or a list.
    :param to: a destination or a list of them (SMS: only the first receives it).
    :param answer_on_media: treat early media as answered.
    :param channel: ``"VOICE"`` or ``"TEXT"``.
    :param from\\_: caller id.
    :param name: label of the action in the result.
    :param network: ``"SMS"``, ``"MMS"``, ``"PSTN"``...
    :param required: only go on if this completes (default true).
    :param timeout: seconds to wait for an answer (default 30).
    :param voice: the TTS voice.
    :param prompt_log_security: ``"none"`` or ``"suppress"``.
    :param headers: SIP headers.
    """

    tropo_key: t.ClassVar[str] = "message"

    say: Say | str | c.Sequence[Say | str]
    to: str | c.Sequence[str]
    _: KW_ONLY
    answer_on_media: bool | None = None
    channel: str | None = None
    from_: str | None = None
    name: str | None = None
    network: str | None = None
    required: bool | None = None
    timeout: float | None = None
    voice: str | None = None
    prompt_log_security: str | None = None
    headers: c.Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        _says(self, "say", required=True)
        _destinations(self, "to")
        _one_of(self, "channel", self.channel, CHANNELS)
        _timeouts(self, "timeout")
        _headers(self)
        _one_of(
            self, "prompt_log_security", self.prompt_log_security, PROMPT_LOG_SECURITY
        )


def _join_prompt(owner: t.Any, field: str) -> None:
    value = getattr(owner, field)
    if isinstance(value, str):
        _set(owner, field, Prompt(value))
    elif value is not None and not isinstance(value, (bool, Prompt)):
        _fail(owner, field, f"must be a bool, a string or a Prompt, got {value!r}")


@dataclass(frozen=True, slots=True, repr=False)
class Conference(Verb):
    """Put the caller in a conference room.

    :param id: the room id.
    :param name: label of the action in the result.
    :param allow_signals: signal names that interrupt it.
    :param interdigit_timeout: seconds.
    :param mute: join muted.
    :param play_tones: pass DTMF into the room.
    :param required: only go on if this completes (default true).
    :param terminator: the key that leaves the room.
    :param join_prompt: ``True``, a string or a :class:`Prompt` played on join.
    :param leave_prompt: ``True``, a string or a :class:`Prompt` played on leave.
    :param prompt_log_security: ``"none"`` or ``"suppress"``.
    """

    tropo_key: t.ClassVar[str] = "conference"

    id: str
    _: KW_ONLY
    name: str | None = None
    allow_signals: Signals | None = None
    interdigit_timeout: float | None = None
    mute: bool | None = None
    play_tones: bool | None = None
    required: bool | None = None
    terminator: str | None = None
    join_prompt: bool | str | Prompt | None = None
    leave_prompt: bool | str | Prompt | None = None
    prompt_log_security: str | None = None

    def __post_init__(self) -> None:
        _required_str(self, "id")
        _signals(self)
        _timeouts(self, "interdigit_timeout")
        _join_prompt(self, "join_prompt")
        _join_prompt(self, "leave_prompt")
        _one_of(
            self, "prompt_log_security", self.prompt_log_security, PROMPT_LOG_SECURITY
        )


@dataclass(frozen=True, slots=True, repr=False)
class Redirect(Verb):
    """Deflect an unanswered call elsewhere (SIP); use :class:`Transfer` once
    the call is answered.

    :param to: the destination, usually a SIP URI.
    :param name: label of the action in the result.
    :param required: only go on if this completes (default true).
    """

    tropo_key: t.ClassVar[str] = "redirect"

    to: str
    _: KW_ONLY
    name: str | None = None
    required: bool | None = None

    def __post_init__(self) -> None:
        _required_str(self, "to")


@dataclass(frozen=True, slots=True, repr=False)
class Wait(Verb):
    """Pause.

    :param milliseconds: how long, in milliseconds.
    :param allow_signals: signal names that end the wait early.
    """

    tropo_key: t.ClassVar[str] = "wait"

    milliseconds: int
    _: KW_ONLY
    allow_signals: Signals | None = None

    def __post_init__(self) -> None:
        _at_least(self, "milliseconds", self.milliseconds, 0, integer=True)
        _signals(self)


@dataclass(frozen=True, slots=True, repr=False)
class StartRecording(Verb):
    """Record the whole call until :class:`StopRecording`.

    :param url: upload destination(s): a URL string, an :class:`UploadTarget`
        or a list of them.
    :param async_upload: upload in the background.
    :param format: ``"audio/wav"``, ``"audio/mp3"`` or ``"audio/au"``.
    :param method: ``"POST"`` or ``"PUT"``.
    :param username: user name for the upload.
    :param password: password for the upload.
    :param transcription_id: echoed with the transcription.
    :param transcription_email_format: ``"plain"`` or ``"encoded"``.
    :param transcription_language: for example ``"en-us"``.
    :param transcription_out_uri: ``mailto:`` or HTTP URL for the transcription.
    """

    tropo_key: t.ClassVar[str] = "startRecording"

    url: str | UploadTarget | c.Sequence[UploadTarget | str]
    _: KW_ONLY
    async_upload: bool | None = None
    format: str | None = None
    method: str | None = None
    username: str | None = None
    password: str | None = None
    transcription_id: str | None = None
    transcription_email_format: str | None = None
    transcription_language: str | None = None
    transcription_out_uri: str | None = None

    def __post_init__(self) -> None:
        _upload_url(self)
        _one_of(self, "format", self.format, FORMATS)
        _one_of(self, "method", self.method, METHODS)
        _one_of(
            self,
            "transcription_email_format",
            self.transcription_email_format,
            EMAIL_FORMATS,
        )


@dataclass(frozen=True, slots=True, repr=False)
class Answer(Verb):
    """Answer the call, optionally with SIP headers.

    :param headers: SIP headers, name to value.
    """

    tropo_key: t.ClassVar[str] = "answer"

    headers: c.Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        _headers(self)


@dataclass(frozen=True, slots=True, repr=False)
class GeneralLogSecurity(Verb):
    """Turn logging of everything that follows off (``"suppress"``) or back
    on (``"none"``); it lasts across documents until changed.

    :param state: ``"suppress"`` or ``"none"``.
    """

    tropo_key: t.ClassVar[str] = "generalLogSecurity"

    state: str

    def __post_init__(self) -> None:
        _one_of(self, "state", self.state, LOG_STATES)


@dataclass(frozen=True, slots=True, repr=False)
class Hangup(Verb):
    """End the call."""

    tropo_key: t.ClassVar[str] = "hangup"


@dataclass(frozen=True, slots=True, repr=False)
class Reject(Verb):
    """Refuse an incoming call before answering it."""

    tropo_key: t.ClassVar[str] = "reject"


@dataclass(frozen=True, slots=True, repr=False)
class StopRecording(Verb):
    """Stop the recording started by :class:`StartRecording`."""

    tropo_key: t.ClassVar[str] = "stopRecording"


#: Every top-level verb class, by its wire key.
VERBS: dict[str, type[Verb]] = {
    cls.tropo_key: cls
    for cls in (
        Answer,
        Ask,
        Call,
        Conference,
        GeneralLogSecurity,
        Hangup,
        Message,
        On,
        Record,
        Redirect,
        Reject,
        Say,
        StartRecording,
        StopRecording,
        Transfer,
        Wait,
    )
}


def _refuse_setattr(self: object, name: str, value: object) -> t.NoReturn:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_delattr(self: object, name: str) -> t.NoReturn:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _seal() -> None:
    """Make every assignment to a verb or nested object raise
    :class:`~dataclasses.FrozenInstanceError`.

    ``dataclass(frozen=True, slots=True)`` builds its ``__setattr__`` around the
    class as it was before slots were added (CPython gh-105936), so on the
    Python versions this package supports, setting a name that is not a field
    (any name on ``Hangup``) raised ``TypeError: super(type, obj)`` instead.

    Also gives each class the faster ``__init__`` of :mod:`flask_tropo._init`.
    """
    nested = (Choices, Transcription, UploadTarget, MachineDetection, Prompt)
    for cls in (*VERBS.values(), *nested):
        type.__setattr__(cls, "__setattr__", _refuse_setattr)
        type.__setattr__(cls, "__delattr__", _refuse_delattr)
        fast_init(cls)


_seal()
