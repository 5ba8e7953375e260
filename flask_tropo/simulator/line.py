"""One call's line: its state, shared by every verb, and what it records.

:class:`Line` is the state the verbs read and change (the simulated clock,
whether the call is answered, the channel, a running ``startRecording``) and
the call's record (:class:`Event`, :class:`SentMessage`, :class:`Recording`).
:class:`~flask_tropo.testing.Call` owns one and shows its record.

:meta private:
"""

from __future__ import annotations

import collections.abc as c
import datetime as dt
import typing as t
from dataclasses import dataclass
from dataclasses import field

from .. import verbs as v
from ..exceptions import SimulationError
from . import wire

__all__ = [
    "Document",
    "Event",
    "FarEnd",
    "Input",
    "Line",
    "Recording",
    "SentMessage",
    "Stop",
    "TRANSFER_OUTCOMES",
    "require_text",
    "retry_prompts",
    "says_of",
]

#: The kinds of :class:`Event`.
EventKind = t.Literal[
    "post", "verb", "heard", "input", "event", "message", "recording", "note", "end"
]
#: What the far end of a ``transfer`` or ``call`` does.
TRANSFER_OUTCOMES = ("answer", "busy", "no-answer")
#: Decides, dial by dial, what the far end of a ``transfer`` or ``call`` does:
#: a callable given the verb, or a mapping from the number dialled (numbers
#: not in it answer).
FarEnd: t.TypeAlias = "c.Callable[[v.Transfer | v.Call], str] | c.Mapping[str, str]"
#: Verbs that answer an inbound call that is not answered yet.
ANSWERING = frozenset(
    {"answer", "say", "ask", "record", "transfer", "conference", "startRecording"}
)


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of :attr:`Call.events <flask_tropo.testing.Call.events>`, in
    the order things happened.

    ========== ================================ ===============================
    ``kind``   ``name``                         ``detail``
    ========== ================================ ===============================
    post       ``"session"`` or ``"result"``    ``url`` and ``status`` are set
    verb       the verb's wire key (``"ask"``)  a short summary
    heard      where it came from (``"say"``,   the text played or sent
               ``"ask"``, ``"on continue"``...)
    input      ``"press"``, ``"speak"``,        what was entered
               ``"silence"``, ``"hangup"``,
               ``"initialText"``
    event      the event (``"continue"``...)    what it did: the URL it posts
                                                to, a fall-through, no handler
    message    ``"message"``                    the recipient and text
    recording  ``"record"`` or                  the recording's URL
               ``"startRecording"``
    note       the verb or topic                something the simulator did not
                                                model, or skipped
    end        ``"call"``                       why the call ended
    ========== ================================ ===============================
    """

    #: What happened; see the table above.
    kind: EventKind
    #: The verb, event, input or document it is about.
    name: str
    #: Human-readable detail.
    detail: str = ""
    #: The URL posted to (``post`` entries, and ``event`` entries with a
    #: ``next``).
    url: str | None = None
    #: The HTTP status the app answered (``post`` entries).
    status: int | None = None

    def __str__(self) -> str:
        if self.kind == "post":
            return f"POST {self.url} [{self.name}] -> {self.status}"
        text = f"{self.kind} {self.name}"
        return f"{text}: {self.detail}" if self.detail else text


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A text or call sent by a ``message`` verb (:attr:`Call.messages
    <flask_tropo.testing.Call.messages>`).

    Only the first destination receives it, as on the platform (SMS goes to
    the first number; for voice the first to answer wins).
    """

    #: The recipient: the first ``to`` of the verb.
    to: str
    #: The says' values joined with a space.
    text: str
    #: ``"VOICE"`` (the default) or ``"TEXT"``.
    channel: str
    #: The verb's ``network``, else ``"SMS"`` for text and ``"PSTN"`` for
    #: voice.
    network: str
    #: The caller id (``from``), if given.
    from_: str | None = None
    #: The verb's ``name``, if given.
    name: str | None = None
    #: Each say's value, in order.
    says: tuple[str, ...] = ()
    #: MMS attachments of the says, in order.
    media: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Recording:
    """A recording made by ``record`` or by ``startRecording`` /
    ``stopRecording`` (:attr:`Call.recordings
    <flask_tropo.testing.Call.recordings>`).

    Nothing is uploaded: :attr:`upload_urls` lists where the platform would
    have sent the file.
    """

    #: The platform's temporary copy, the ``value`` of the record action:
    #: ``http://simulator.invalid/recordings/<id>.wav``.
    url: str
    #: Whole seconds recorded.
    duration: int
    #: ``"record"`` or ``"startRecording"``.
    verb: str
    #: ``"audio/wav"``, ``"audio/mp3"`` or ``"audio/au"``.
    format: str = "audio/wav"
    #: The verb's upload targets, as written.
    upload_urls: tuple[str, ...] = ()
    #: The words spoken into it (``speak`` while recording), joined.
    transcript: str = ""
    #: The verb's ``name``, if given.
    name: str | None = None


class Input(t.NamedTuple):
    """What the caller did: ``press``, ``speak``, ``silence`` or ``hangup``;
    or ``error``, the platform's."""

    kind: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class Stop:
    """Stop running the document: fire ``event`` with ``state``, or end the
    call (posting nothing) when ``event`` is ``None``."""

    event: str | None
    state: str = "ANSWERED"
    reason: str = ""


@dataclass(slots=True)
class Document:
    """The document being run: where it came from, its ``on`` handlers (the
    first per event wins) and the actions its verbs produced so far."""

    url: str
    handlers: dict[str, v.On] = field(default_factory=dict)
    actions: list[dict[str, t.Any]] = field(default_factory=list)
    #: The platform error its result reports (:meth:`Call.platform_error`).
    failure: str | None = None

    def act(self, name: str | None, **fields: t.Any) -> dict[str, t.Any]:
        """Add an action (carrying ``name`` when the verb has one) to the
        document's result, and return it."""
        action = {} if name is None else {"name": name}
        action.update(fields)
        self.actions.append(action)
        return action

    def error(self, message: str) -> SimulationError:
        """The error for a verb of this document the platform cannot run."""
        return SimulationError(message, url=self.url, status=200)


def says_of(value: object) -> tuple[v.Say, ...]:
    """The normalized ``say`` of a verb (``None`` gives no prompts)."""
    return t.cast("tuple[v.Say, ...]", value or ())


class Line:
    """The state of one call that its verbs share, and its record.

    :param session: the body of the session document that started the call.
    :param transfer: what the far end of ``transfer`` and ``call`` does, or
        a callable that decides for each verb.
    :param on_event: called with each :class:`Event` as it happens.
    """

    def __init__(
        self,
        session: c.Mapping[str, t.Any],
        *,
        transfer: str | FarEnd,
        on_event: c.Callable[[Event], object] | None,
    ) -> None:
        self.transfer = transfer
        self.on_event = on_event
        self.heard: list[str] = []
        self.events: list[Event] = []
        self.messages: list[SentMessage] = []
        self.recordings: list[Recording] = []
        #: Seconds since the session started, on the simulated clock.
        self.clock = 0.0
        self.started = _parse_timestamp(session.get("timestamp"))
        #: A launched session has no incoming call until it places one.
        self.inbound = "parameters" not in session
        to = session.get("to") or {}
        #: ``"VOICE"`` or ``"TEXT"``; ``None`` while there is no call.
        self.channel: str | None = to.get("channel") if self.inbound else None
        self.called_id: str | None = to.get("id")
        self.answered = False
        #: The ``initialText`` not yet consumed by an ``ask``.
        self.pending_text: str | None = session.get("initialText")
        #: When the running ``startRecording`` began, and the verb.
        self.call_recording: tuple[float, v.StartRecording] | None = None
        #: How the call reaches the app (set by the call), for uploads.
        self.transport: wire.Transport | None = None
        #: The URL of the document being run.
        self.document_url = ""

    def log(
        self,
        kind: EventKind,
        name: str,
        detail: str = "",
        *,
        url: str | None = None,
        status: int | None = None,
    ) -> None:
        """Record an :class:`Event` and pass it to the listener."""
        event = Event(kind, name, detail, url, status)
        self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)

    def far_end(self, verb: v.Transfer | v.Call) -> str:
        """What the far end of ``verb`` does, per the ``transfer`` option."""
        if isinstance(self.transfer, str):
            return self.transfer
        if isinstance(self.transfer, c.Mapping):
            to = verb.to if isinstance(verb.to, str) else verb.to[0]
            return str(self.transfer.get(to, "answer"))
        outcome = self.transfer(verb)
        if outcome not in TRANSFER_OUTCOMES:
            raise ValueError(
                "the transfer callable must return 'answer', 'busy' or"
                f" 'no-answer', got {outcome!r}."
            )
        return outcome

    def play(self, says: c.Iterable[v.Say], source: str) -> None:
        """Play prompts (on a text channel: send them)."""
        for say in says:
            self.heard.append(say.value)
            self.log("heard", source, say.value)

    def timestamp(self) -> str:
        """The simulated time, as the platform writes it."""
        return wire.iso_timestamp(self.started + dt.timedelta(seconds=self.clock))

    def need_call(self, doc: Document, verb: str) -> None:
        """Check there is a call for ``verb``; answer it if ``verb`` answers."""
        if self.channel is None:
            raise doc.error(
                f"{verb}: there is no call yet; a launched session must place one"
                " with call first (or send texts with message)"
            )
        if verb in ANSWERING and not self.answered:
            self.answered = True
            if verb != "answer":
                self.log("note", "answer", f"the call is answered by {verb}")

    def save_recording(
        self,
        verb: v.Record | v.StartRecording,
        seconds: float,
        *,
        transcript: str = "",
        name: str | None = None,
    ) -> Recording:
        """Keep a recording of ``seconds`` made by ``verb``."""
        extension = (verb.format or "audio/wav").rpartition("/")[2]
        targets = verb.url if isinstance(verb.url, (list, tuple)) else [verb.url]
        recording = Recording(
            url=f"http://{wire.SIP_HOST}/recordings/{wire.new_id()}.{extension}",
            duration=int(round(seconds)),
            verb=verb.tropo_key,
            format=verb.format or "audio/wav",
            upload_urls=tuple(
                item if isinstance(item, str) else str(getattr(item, "url", item))
                for item in targets
            ),
            transcript=transcript,
            name=name,
        )
        self.recordings.append(recording)
        self.log("recording", verb.tropo_key, recording.url)
        if self.transport is not None:
            from .uploads import deliver

            deliver(self.transport, self, verb, recording)
        return recording

    def stop_call_recording(self) -> None:
        """End the ``startRecording`` recording, if one runs."""
        if self.call_recording is not None:
            started, verb = self.call_recording
            self.call_recording = None
            self.save_recording(verb, self.clock - started)


def _parse_timestamp(value: object) -> dt.datetime:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    return dt.datetime.now(dt.timezone.utc)


def require_text(method: str, what: str, value: object, example: str = "") -> None:
    """Refuse an input that is not a string (``press(1)``)."""
    if not isinstance(value, str):
        raise TypeError(
            f"{method}() takes the {what} as a string,{example} got {value!r}."
        )


def retry_prompts(says: c.Sequence[v.Say], failure: str, failed: int) -> list[v.Say]:
    """The event prompts that play after attempt number ``failed`` failed."""
    wanted = {"timeout"} if failure == "timeout" else {"nomatch", f"nomatch:{failed}"}
    return [say for say in says if say.event and wanted & set(say.event.split())]
