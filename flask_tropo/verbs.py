"""The WebAPI verbs as frozen, keyword-only dataclasses, each one element of
a ``{"tropo": [...]}`` document; :doc:`/verbs` has the conventions and
examples.

Options that many verbs share mean the same everywhere and are not repeated
on each class: ``name`` labels the verb's action in the result; ``required``
(default true) lets the call go on only if the verb completes;
``allow_signals`` names the signals that interrupt it (``""`` none); ``voice``
is the TTS voice of its prompts; ``prompt_log_security`` (``"none"`` or
``"suppress"``) keeps its prompts out of the logs; ``interdigit_timeout`` is
the seconds allowed between DTMF keys (default 5).

Of the verbs that place a call: ``to`` is a destination (``+1415...``,
``sip:...``) or a list of them; ``from_`` the caller id; ``headers`` SIP
headers; ``timeout`` the seconds to wait for an answer (default 30);
``channel`` ``"VOICE"`` or ``"TEXT"``; ``machine_detection`` ``True``, an
introduction string or a :class:`MachineDetection`; ``answer_on_media``
treats early media as answered; ``label`` and ``callback_url`` mark and report
the call in its CDR.

Of :class:`Record` and :class:`StartRecording`: ``url`` is where the file is
uploaded: a URL, a handler registered with ``on_recording`` (rendered to its
signed URL), an :class:`UploadTarget` or a list of them; ``format`` is
``"audio/wav"``, ``"audio/mp3"`` or ``"audio/au"``; ``method`` ``"POST"``,
``"PUT"`` or ``"s3"``; ``async_upload`` uploads in the background.
"""

from __future__ import annotations

import collections.abc as c
import typing as t
from dataclasses import KW_ONLY
from dataclasses import dataclass

from . import _checks as check
from ._checks import AudioFormat
from ._checks import Channel
from ._checks import LogSecurity
from ._checks import Seconds
from ._checks import Signals
from ._checks import UploadMethod
from ._nested import Choices
from ._nested import MachineDetection
from ._nested import Prompt
from ._nested import Transcription
from ._nested import UploadTarget
from ._nested import Verb
from ._nested import checked
from ._prompting import TERMINATOR
from ._prompting import UPLOAD_URL
from ._prompting import Ask
from ._prompting import On
from ._prompting import Record
from ._prompting import Say
from ._prompting import UploadTo

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


_MACHINE_DETECTION = check.wrapping(
    MachineDetection, "a bool, a string or a MachineDetection", also=(bool,)
)
_JOIN_PROMPT = check.wrapping(Prompt, "a bool, a string or a Prompt", also=(bool,))


@checked(
    to=check.destinations,
    choices=TERMINATOR,
    ring_repeat=check.number(0, whole=True),
    machine_detection=_MACHINE_DETECTION,
    on=check.transfer_ons(On),
)
@dataclass(frozen=True, slots=True, repr=False)
class Transfer(Verb):
    """Connect the caller to another party; the first to answer wins.

    :param choices: the key the caller presses to cancel: ``"#"`` or
        ``Choices(terminator="#")``.
    :param on: ``On("ring", say=...)`` and/or ``On("connect", ...)``, one or a
        list.
    :param play_tones: pass DTMF between the legs.
    :param ring_repeat: how many times the ring audio repeats.
    """

    tropo_key: t.ClassVar[str] = "transfer"

    to: str | c.Sequence[str]
    _: KW_ONLY
    from_: str | None = None
    answer_on_media: bool | None = None
    allow_signals: Signals | None = None
    choices: Choices | str | None = None
    headers: c.Mapping[str, str] | None = None
    interdigit_timeout: Seconds | None = None
    machine_detection: bool | str | MachineDetection | None = None
    name: str | None = None
    on: On | c.Sequence[On] | None = None
    play_tones: bool | None = None
    required: bool | None = None
    ring_repeat: int | None = None
    timeout: Seconds | None = None
    voice: str | None = None
    callback_url: str | None = None
    prompt_log_security: LogSecurity | None = None
    label: str | None = None


@checked(to=check.destinations, machine_detection=_MACHINE_DETECTION)
@dataclass(frozen=True, slots=True, repr=False)
class Call(Verb):
    """Start an outbound call or text (only when no call is active).

    :param from\\_: for SMS, a number of the account.
    :param network: ``"PSTN"``, ``"SIP"``, ``"SMS"``...
    """

    tropo_key: t.ClassVar[str] = "call"

    to: str | c.Sequence[str]
    _: KW_ONLY
    from_: str | None = None
    network: str | None = None
    channel: Channel | None = None
    answer_on_media: bool | None = None
    allow_signals: Signals | None = None
    headers: c.Mapping[str, str] | None = None
    name: str | None = None
    required: bool | None = None
    timeout: Seconds | None = None
    machine_detection: bool | str | MachineDetection | None = None
    voice: str | None = None
    callback_url: str | None = None
    prompt_log_security: LogSecurity | None = None
    label: str | None = None


@checked(say=check.prompts(Say), to=check.destinations)
@dataclass(frozen=True, slots=True, repr=False)
class Message(Verb):
    """Start a call or text, say something, and hang up, in one step.

    :param say: what to say or send: a string, a :class:`Say` or a list.
    :param to: for SMS, only the first receives it.
    :param network: ``"SMS"``, ``"MMS"``, ``"PSTN"``...
    """

    tropo_key: t.ClassVar[str] = "message"

    say: Say | str | c.Sequence[Say | str]
    to: str | c.Sequence[str]
    _: KW_ONLY
    answer_on_media: bool | None = None
    channel: Channel | None = None
    from_: str | None = None
    name: str | None = None
    network: str | None = None
    required: bool | None = None
    timeout: Seconds | None = None
    voice: str | None = None
    prompt_log_security: LogSecurity | None = None
    headers: c.Mapping[str, str] | None = None


@checked(
    id=check.non_empty,
    terminator=check.dtmf_key,
    join_prompt=_JOIN_PROMPT,
    leave_prompt=_JOIN_PROMPT,
)
@dataclass(frozen=True, slots=True, repr=False)
class Conference(Verb):
    """Put the caller in a conference room.

    :param id: the room id.
    :param mute: join muted.
    :param play_tones: pass DTMF into the room.
    :param terminator: the key that leaves the room.
    :param join_prompt: ``True``, a string or a :class:`Prompt` played on join.
    :param leave_prompt: ``True``, a string or a :class:`Prompt` played on leave.
    """

    tropo_key: t.ClassVar[str] = "conference"

    id: str
    _: KW_ONLY
    name: str | None = None
    allow_signals: Signals | None = None
    interdigit_timeout: Seconds | None = None
    mute: bool | None = None
    play_tones: bool | None = None
    required: bool | None = None
    terminator: str | None = None
    join_prompt: bool | str | Prompt | None = None
    leave_prompt: bool | str | Prompt | None = None
    prompt_log_security: LogSecurity | None = None


@checked(to=check.non_empty)
@dataclass(frozen=True, slots=True, repr=False)
class Redirect(Verb):
    """Deflect an unanswered call elsewhere (SIP); use :class:`Transfer` once
    the call is answered.

    :param to: the destination, usually a SIP URI.
    """

    tropo_key: t.ClassVar[str] = "redirect"

    to: str
    _: KW_ONLY
    name: str | None = None
    required: bool | None = None


@checked(milliseconds=check.number(0, whole=True))
@dataclass(frozen=True, slots=True, repr=False)
class Wait(Verb):
    """Pause for ``milliseconds``."""

    tropo_key: t.ClassVar[str] = "wait"

    milliseconds: int
    _: KW_ONLY
    allow_signals: Signals | None = None


@checked(
    url=UPLOAD_URL,
    transcription_email_format=check.one_of("plain", "encoded"),
    transcription_out_uri=check.next_target,
)
@dataclass(frozen=True, slots=True, repr=False)
class StartRecording(Verb):
    """Record the whole call until :class:`StopRecording`.

    :param transcription_id: echoed with the transcription.
    :param transcription_email_format: ``"plain"`` or ``"encoded"``.
    :param transcription_language: for example ``"en-us"``.
    :param transcription_out_uri: ``mailto:`` or HTTP URL for the
        transcription, or a handler registered with ``on_transcription``.
    """

    tropo_key: t.ClassVar[str] = "startRecording"

    url: UploadTo
    _: KW_ONLY
    async_upload: bool | None = None
    format: AudioFormat | None = None
    method: UploadMethod | None = None
    username: str | None = None
    password: str | None = None
    transcription_id: str | None = None
    transcription_email_format: str | None = None
    transcription_language: str | None = None
    transcription_out_uri: str | c.Callable[..., t.Any] | None = None


@checked()
@dataclass(frozen=True, slots=True, repr=False)
class Answer(Verb):
    """Answer the call, optionally with SIP headers."""

    tropo_key: t.ClassVar[str] = "answer"

    headers: c.Mapping[str, str] | None = None


@checked()
@dataclass(frozen=True, slots=True, repr=False)
class GeneralLogSecurity(Verb):
    """Turn logging of everything that follows off (``"suppress"``) or back
    on (``"none"``); it lasts across documents until changed.

    :param state: ``"suppress"`` or ``"none"``.
    """

    tropo_key: t.ClassVar[str] = "generalLogSecurity"

    state: LogSecurity


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
VERBS: dict[str, type[Verb]] = {cls.tropo_key: cls for cls in Verb.__subclasses__()}
