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
from dataclasses import dataclass

from ._checks import ASR_LOG_SECURITY
from ._checks import CHANNELS
from ._checks import DESTINATIONS
from ._checks import EMAIL_FORMATS
from ._checks import EVENT
from ._checks import FORMATS
from ._checks import HEADERS
from ._checks import LOG_STATES
from ._checks import MASK_TEMPLATE
from ._checks import MEDIA
from ._checks import METHODS
from ._checks import MODES as MODES
from ._checks import NEXT
from ._checks import NON_EMPTY
from ._checks import PROMPT_LOG_SECURITY
from ._checks import SAY_AS
from ._checks import SIGNALS
from ._checks import TRANSCRIPTION_EMAIL_FORMATS as TRANSCRIPTION_EMAIL_FORMATS
from ._checks import TRANSFER_EVENTS
from ._checks import at_least
from ._checks import between
from ._checks import grammar_choices
from ._checks import one_of
from ._checks import prompt_order
from ._checks import prompts
from ._checks import terminator_choices
from ._checks import timeout_prompts
from ._checks import transcriptions
from ._checks import transfer_ons
from ._checks import upload_url
from ._checks import wrapping
from ._init import fast_new
from ._nested import Choices
from ._nested import MachineDetection
from ._nested import Prompt
from ._nested import Transcription
from ._nested import UploadTarget
from ._nested import _Model
from ._nested import checked

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


# -- the base -----------------------------------------------------------------


class Verb(_Model):
    """Base class of the top-level verbs.

    ``tropo_key`` is the verb's key on the wire (``"say"``, ``"startRecording"``).
    """

    __slots__ = ()
    tropo_key: t.ClassVar[str]


# The checks that several verbs share.
_SECONDS = at_least(0)
_ATTEMPTS = at_least(1, integer=True)
_CONFIDENCE = between(0, 100)
_SENSITIVITY = between(0, 1)
_PROMPT_LOG = one_of(PROMPT_LOG_SECURITY)
_MACHINE_DETECTION = wrapping(
    MachineDetection, "a bool, a string or a MachineDetection", also=(bool,)
)
_JOIN_PROMPT = wrapping(Prompt, "a bool, a string or a Prompt", also=(bool,))
_CHOICES = terminator_choices(Choices)
_UPLOAD_URL = upload_url(UploadTarget)


# -- verbs --------------------------------------------------------------------


@checked(
    value=NON_EMPTY,
    as_=one_of(SAY_AS),
    prompt_log_security=_PROMPT_LOG,
    allow_signals=SIGNALS,
    media=MEDIA,
    event=EVENT,
)
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


#: Say(value), for the prompts given as strings.
_new_say = fast_new(Say)


@checked(
    choices=grammar_choices(Choices, fast_new(Choices)),
    say=prompts(Say, _new_say, rule=prompt_order),
    attempts=_ATTEMPTS,
    min_confidence=_CONFIDENCE,
    sensitivity=_SENSITIVITY,
    interdigit_timeout=_SECONDS,
    speech_complete_timeout=_SECONDS,
    speech_incomplete_timeout=_SECONDS,
    timeout=_SECONDS,
    allow_signals=SIGNALS,
    prompt_log_security=_PROMPT_LOG,
    asr_log_security=one_of(ASR_LOG_SECURITY),
    mask_template=MASK_TEMPLATE,
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


@checked(
    event=NON_EMPTY,
    next=NEXT,
    say=prompts(Say, _new_say),
    ask=wrapping(Ask, "an Ask or a grammar string"),
)
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


@checked(
    url=_UPLOAD_URL,
    choices=_CHOICES,
    say=prompts(Say, _new_say, rule=timeout_prompts),
    attempts=_ATTEMPTS,
    min_confidence=_CONFIDENCE,
    sensitivity=_SENSITIVITY,
    max_silence=_SECONDS,
    max_time=_SECONDS,
    timeout=_SECONDS,
    interdigit_timeout=_SECONDS,
    format=one_of(FORMATS),
    method=one_of(METHODS),
    prompt_log_security=_PROMPT_LOG,
    allow_signals=SIGNALS,
    transcription=transcriptions(Transcription),
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


@checked(
    to=DESTINATIONS,
    allow_signals=SIGNALS,
    choices=_CHOICES,
    headers=HEADERS,
    interdigit_timeout=_SECONDS,
    timeout=_SECONDS,
    ring_repeat=at_least(0, integer=True),
    machine_detection=_MACHINE_DETECTION,
    prompt_log_security=_PROMPT_LOG,
    on=transfer_ons(On, TRANSFER_EVENTS),
)
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


@checked(
    to=DESTINATIONS,
    channel=one_of(CHANNELS),
    allow_signals=SIGNALS,
    headers=HEADERS,
    timeout=_SECONDS,
    machine_detection=_MACHINE_DETECTION,
    prompt_log_security=_PROMPT_LOG,
)
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


@checked(
    say=prompts(Say, _new_say, required=True),
    to=DESTINATIONS,
    channel=one_of(CHANNELS),
    timeout=_SECONDS,
    headers=HEADERS,
    prompt_log_security=_PROMPT_LOG,
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


@checked(
    id=NON_EMPTY,
    allow_signals=SIGNALS,
    interdigit_timeout=_SECONDS,
    join_prompt=_JOIN_PROMPT,
    leave_prompt=_JOIN_PROMPT,
    prompt_log_security=_PROMPT_LOG,
)
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


@checked(to=NON_EMPTY)
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


@checked(milliseconds=at_least(0, integer=True), allow_signals=SIGNALS)
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


@checked(
    url=_UPLOAD_URL,
    format=one_of(FORMATS),
    method=one_of(METHODS),
    transcription_email_format=one_of(EMAIL_FORMATS),
)
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


@checked(headers=HEADERS)
@dataclass(frozen=True, slots=True, repr=False)
class Answer(Verb):
    """Answer the call, optionally with SIP headers.

    :param headers: SIP headers, name to value.
    """

    tropo_key: t.ClassVar[str] = "answer"

    headers: c.Mapping[str, str] | None = None


@checked(state=one_of(LOG_STATES))
@dataclass(frozen=True, slots=True, repr=False)
class GeneralLogSecurity(Verb):
    """Turn logging of everything that follows off (``"suppress"``) or back
    on (``"none"``); it lasts across documents until changed.

    :param state: ``"suppress"`` or ``"none"``.
    """

    tropo_key: t.ClassVar[str] = "generalLogSecurity"

    state: str


@checked()
@dataclass(frozen=True, slots=True, repr=False)
class Hangup(Verb):
    """End the call."""

    tropo_key: t.ClassVar[str] = "hangup"


@checked()
@dataclass(frozen=True, slots=True, repr=False)
class Reject(Verb):
    """Refuse an incoming call before answering it."""

    tropo_key: t.ClassVar[str] = "reject"


@checked()
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
