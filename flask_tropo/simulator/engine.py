"""Tropo's semantics: one simulated call, played document by document.

A :class:`Call` posts the session document, runs the verbs of each document
the app answers, and stops whenever the caller must act (an ``ask`` or a
``record`` waits). The test then calls :meth:`Call.press`,
:meth:`Call.speak`, :meth:`Call.silence` or :meth:`Call.hangup`, and the call
runs on to the next wait or to its end. The state machine is a generator:
each wait is a ``yield`` that receives the caller's input. The waiting verbs
live in :mod:`.waits`, the others in :mod:`.telephony`.

:meta private:
"""

from __future__ import annotations

import collections.abc as c
import datetime as dt
import json
import typing as t
from dataclasses import dataclass
from urllib.parse import urljoin

from .. import verbs as v
from ..document import parse_document
from ..exceptions import InvalidDocument
from ..exceptions import SimulationError
from . import telephony
from . import waits
from . import wire
from .entries import Event
from .entries import EventKind
from .entries import Recording
from .entries import SentMessage
from .steps import DTMF
from .steps import Document
from .steps import Input
from .steps import Steps
from .steps import Waiting
from .steps import describe
from .steps import excerpt

if t.TYPE_CHECKING:  # pragma: no cover
    from .transport import Transport

__all__ = ["Call", "FarEnd", "MAX_DOCUMENTS"]

#: The most documents one call may fetch; past it the app is taken to loop.
MAX_DOCUMENTS = 1000
#: Verbs that answer an inbound call that is not answered yet.
ANSWERING = frozenset(
    {"answer", "say", "ask", "record", "transfer", "conference", "startRecording"}
)
#: Decides, dial by dial, what the far end of a ``transfer`` or ``call`` does.
FarEnd: t.TypeAlias = "c.Callable[[v.Transfer | v.Call], str]"


@dataclass(frozen=True, slots=True)
class _Next:
    url: str
    payload: dict[str, t.Any]


class Call:
    """One simulated call or text conversation.

    Made by :meth:`Simulator.dial <flask_tropo.testing.Simulator.dial>`,
    :meth:`~flask_tropo.testing.Simulator.text` or
    :meth:`~flask_tropo.testing.Simulator.launch`, which run it up to the
    first point where the caller must act. Each input method runs the call on
    to the next such point and returns the call, so inputs chain.

    .. code-block:: python

        call = sim.dial("/voice")
        assert call.heard == ["Enter your PIN"]
        assert isinstance(call.waiting, Ask)
        call.press("1234")
        assert call.results[-1]["result"]["actions"]["value"] == "1234"
        assert call.ended

    The semantics are listed in :mod:`flask_tropo.testing`.

    :param transport: how requests reach the app.
    :param url: the session URL.
    :param session: the session document to post.
    :param transfer: ``"answer"``, ``"busy"`` or ``"no-answer"``, or a
        callable that returns one of them for each ``Transfer`` or ``Call``.
    :param on_event: called with each :class:`~.entries.Event` as it happens.
    """

    def __init__(
        self,
        transport: Transport,
        url: str,
        session: dict[str, t.Any],
        *,
        transfer: str | FarEnd = "answer",
        on_event: c.Callable[[Event], object] | None = None,
    ) -> None:
        body = session["session"]
        #: The session document that started the call, as sent.
        self.session = session
        #: Every prompt played (or, on a text channel, every reply sent), in
        #: order.
        self.heard: list[str] = []
        #: Everything that happened, in order.
        self.events: list[Event] = []
        #: Every result document posted, as sent.
        self.results: list[dict[str, t.Any]] = []
        #: Texts and calls sent by ``message`` verbs.
        self.messages: list[SentMessage] = []
        #: What ``record`` and ``startRecording`` produced.
        self.recordings: list[Recording] = []
        #: The ``Ask`` or ``Record`` waiting for the caller, else ``None``.
        self.waiting: v.Ask | v.Record | None = None
        #: Whether the call is over.
        self.ended = False
        #: Why the call ended, once it has.
        self.end_reason: str | None = None
        self._transport = transport
        self._transfer = transfer
        self._on_event = on_event
        self._session_id: str = body["id"]
        self._call_id: str = body["callId"]
        self._started = _parse_timestamp(body.get("timestamp"))
        self._clock = 0.0
        self._sequence = 0
        self._documents = 0
        self._inbound = "parameters" not in body
        to = body.get("to") or {}
        self._channel: str | None = to.get("channel") if self._inbound else None
        self._called_id: str | None = to.get("id")
        self._answered = False
        self._pending_text: str | None = body.get("initialText")
        self._call_recording: tuple[float, v.StartRecording] | None = None
        self._runner = self._run(url, session)
        self._step(None)

    # -- public -----------------------------------------------------------------

    @property
    def session_id(self) -> str:
        """The session ``id``."""
        return self._session_id

    @property
    def call_id(self) -> str:
        """The session ``callId``."""
        return self._call_id

    @property
    def is_text(self) -> bool:
        """Whether this is a text conversation (channel ``TEXT``)."""
        return self._channel == "TEXT"

    @property
    def duration(self) -> int:
        """Whole seconds on the simulated clock (``sessionDuration``)."""
        return int(self._clock)

    def press(self, digits: str) -> Call:
        """Press DTMF keys as one entry (as if the caller then paused).

        :param digits: keys from ``0-9``, ``*`` and ``#``, for example
            ``"1234#"``.
        :raises RuntimeError: if the call has ended, or it is a text
            conversation.
        :raises ValueError: for a character that is not a key.
        """
        self._require_waiting("press keys")
        if self.is_text:
            raise RuntimeError(
                "This is a text conversation: there are no keys to press;"
                " use speak() or reply() to send a text."
            )
        keys = "".join(digits.split())
        if not keys or not set(keys) <= DTMF:
            raise ValueError(f"Expected DTMF keys 0-9, * or #, got {digits!r}.")
        return self._input(Input("press", keys))

    def speak(self, text: str) -> Call:
        """Say ``text``; on a text channel, send it as a reply.

        :param text: the words.
        :raises RuntimeError: if the call has ended.
        """
        self._require_waiting("speak")
        return self._input(Input("speak", text))

    def reply(self, text: str) -> Call:
        """Send a text reply; the same as :meth:`speak`.

        :param text: the message.
        :raises RuntimeError: if the call has ended.
        """
        return self.speak(text)

    def silence(self) -> Call:
        """Say nothing: the waiting ``ask`` times out, a ``record`` ends.

        :raises RuntimeError: if the call has ended.
        """
        self._require_waiting("stay silent")
        return self._input(Input("silence"))

    def hangup(self) -> Call:
        """Hang up: the document's ``hangup`` handler (else ``continue``)
        gets a result with state ``DISCONNECTED``, and the call is over
        whatever the app answers.

        :raises RuntimeError: if the call has already ended.
        """
        self._require_waiting("hang up")
        return self._input(Input("hangup"))

    def __repr__(self) -> str:
        state = f"ended: {self.end_reason}" if self.ended else "waiting"
        return f"<Call {self._session_id!r} {state}>"

    # -- driving the generator ----------------------------------------------------

    def _require_waiting(self, what: str) -> None:
        if self.ended or self.waiting is None:
            raise RuntimeError(
                f"Cannot {what}: the call has ended ({self.end_reason})."
            )

    def _input(self, entry: Input) -> Call:
        self._log("input", entry.kind, entry.value)
        self._step(entry)
        return self

    def _step(self, entry: Input | None) -> None:
        try:
            waiting = next(self._runner) if entry is None else self._runner.send(entry)
        except StopIteration:
            self.waiting = None
            self.ended = True
        except BaseException:
            self.waiting = None
            self.ended = True
            self.end_reason = self.end_reason or "error"
            raise
        else:
            self.waiting = waiting

    def _run(
        self, url: str, payload: dict[str, t.Any]
    ) -> c.Generator[Waiting, Input, None]:
        kind = "session"
        while True:
            if self._documents >= MAX_DOCUMENTS:
                raise SimulationError(
                    f"more than {MAX_DOCUMENTS} documents in one call; does the"
                    " app loop?",
                    url=url,
                )
            self._documents += 1
            verbs = self._fetch(url, payload, kind)
            following = yield from self._document(url, verbs)
            if following is None:
                return
            url, payload, kind = following.url, following.payload, "result"

    # -- the wire ---------------------------------------------------------------

    def _log(
        self,
        kind: EventKind,
        name: str,
        detail: str = "",
        *,
        url: str | None = None,
        status: int | None = None,
    ) -> None:
        event = Event(kind, name, detail, url, status)
        self.events.append(event)
        if self._on_event is not None:
            self._on_event(event)

    def _post(
        self, url: str, payload: dict[str, t.Any], kind: str
    ) -> tuple[int, bytes, str]:
        if kind == "result":
            self.results.append(payload)
        response = self._transport.post(url, payload)
        self._log("post", kind, url=url, status=response.status)
        return response.status, response.body, response.content_type

    def _fetch(self, url: str, payload: dict[str, t.Any], kind: str) -> list[v.Verb]:
        status, body, content_type = self._post(url, payload, kind)
        if status != 200:
            raise SimulationError(
                f"the app answered {status}, not 200 with a WebAPI document:"
                f" {excerpt(body, content_type)}",
                url=url,
                status=status,
            )
        try:
            data = json.loads(body.decode("utf-8"))
        except ValueError:
            raise SimulationError(
                f"the answer is not JSON ({content_type or 'no content type'}):"
                f" {excerpt(body, content_type)}",
                url=url,
                status=status,
            ) from None
        try:
            return parse_document(data)
        except InvalidDocument as exc:
            raise SimulationError(
                f"invalid WebAPI document: {exc}", url=url, status=status
            ) from exc

    def _post_final(self, doc: Document, url: str) -> None:
        """Post a ``DISCONNECTED`` result; the answer is not run."""
        self._log("event", "hangup", f"posts to {url}", url=url)
        status, body, content_type = self._post(
            url, self._result(doc, "DISCONNECTED"), "result"
        )
        if not 200 <= status < 300:
            raise SimulationError(
                f"the app answered {status} to the hangup result:"
                f" {excerpt(body, content_type)}",
                url=url,
                status=status,
            )

    def _result(self, doc: Document, state: str) -> dict[str, t.Any]:
        self._sequence += 1
        return wire.result_document(
            session_id=self._session_id,
            call_id=self._call_id,
            state=state,
            session_duration=self.duration,
            sequence=self._sequence,
            called_id=self._called_id,
            actions=doc.actions,
        )

    def _timestamp(self) -> str:
        return wire.iso_timestamp(self._started + dt.timedelta(seconds=self._clock))

    # -- documents and events -----------------------------------------------------

    def _document(
        self, url: str, verbs: list[v.Verb]
    ) -> c.Generator[Waiting, Input, _Next | None]:
        doc = Document(url)
        for verb in verbs:
            if isinstance(verb, v.On):
                doc.handlers.setdefault(verb.event, verb)
        for verb in verbs:
            self._log("verb", verb.tropo_key, describe(verb))
            if isinstance(verb, v.On):
                continue
            stop = yield from self._run_verb(doc, verb)
            if stop is not None:
                if stop.event is None:
                    self._end(stop.reason)
                    return None
                return self._fire(doc, stop.event, stop.state)
        return self._fire(doc, "continue")

    def _run_verb(self, doc: Document, verb: v.Verb) -> Steps:
        if isinstance(verb, v.Ask):
            return (yield from waits.ask(self, doc, verb))
        if isinstance(verb, v.Record):
            return (yield from waits.record(self, doc, verb))
        return telephony.run(self, doc, verb)

    def _fire(self, doc: Document, event: str, state: str = "ANSWERED") -> _Next | None:
        """Run the handler of ``event``: play its say, then post to its next
        or run ``continue``; with no handler at all, the call is hung up."""
        gone = state == "DISCONNECTED"
        handler = doc.handlers.get(event)
        if handler is None and event != "continue" and "continue" in doc.handlers:
            handler = doc.handlers["continue"]
            self._log("event", event, "no handler: falls through to continue")
        if handler is None:
            self._log("event", event, "no handler")
            self._hang_up(doc, None if gone else f"no handler for {event!r}")
            return None
        if handler.say and gone:
            self._log("note", "on", f"the say of {handler.event!r} is not played")
        elif handler.say:
            self._play(t.cast("tuple[v.Say, ...]", handler.say), f"on {handler.event}")
        if handler.next is not None:
            target = urljoin(doc.url, str(handler.next))
            if gone:
                self._post_final(doc, target)
                self._end("the caller hung up")
                return None
            self._log("event", handler.event, f"posts to {target}", url=target)
            return _Next(target, self._result(doc, state))
        if gone:
            self._log("event", handler.event, "no next")
            self._end("the caller hung up")
            return None
        if handler.event == "continue":
            self._log("event", "continue", "no next")
            self._hang_up(doc, "continue has no next")
            return None
        self._log("event", handler.event, "no next: runs continue")
        return self._fire(doc, "continue")

    def _hang_up(self, doc: Document, why: str | None) -> None:
        """End the call. ``why`` set: the document ran out and Tropo hangs up,
        firing the document's ``hangup`` handler; ``None``: the caller hung up
        and nothing handles it."""
        if why is None:
            self._end("the caller hung up")
            return
        handler = doc.handlers.get("hangup")
        if handler is not None and isinstance(handler.next, str):
            self._post_final(doc, urljoin(doc.url, handler.next))
        self._end(f"the document ran out ({why})")

    def _end(self, reason: str) -> None:
        self._stop_call_recording()
        self.end_reason = reason
        self._log("end", "call", reason)

    # -- helpers for the verbs ------------------------------------------------------

    def _far_end(self, verb: v.Transfer | v.Call) -> str:
        """What the far end of ``verb`` does, per the ``transfer`` option."""
        if isinstance(self._transfer, str):
            return self._transfer
        outcome = self._transfer(verb)
        if outcome not in ("answer", "busy", "no-answer"):
            raise ValueError(
                "the transfer callable must return 'answer', 'busy' or"
                f" 'no-answer', got {outcome!r}."
            )
        return outcome

    def _hear(self, text: str, source: str) -> None:
        self.heard.append(text)
        self._log("heard", source, text)

    def _play(self, says: c.Iterable[v.Say], source: str) -> None:
        for say in says:
            self._hear(say.value, source)

    def _need_call(self, doc: Document, verb: str) -> None:
        """Check there is a call for ``verb``; answer it if ``verb`` answers."""
        if self._channel is None:
            raise SimulationError(
                f"{verb}: there is no call yet; a launched session must place one"
                " with call first (or send texts with message)",
                url=doc.url,
                status=200,
            )
        if verb in ANSWERING and not self._answered:
            self._answered = True
            if verb != "answer":
                self._log("note", "answer", f"the call is answered by {verb}")

    def _stop_call_recording(self) -> None:
        """End the ``startRecording`` recording, if one runs."""
        if self._call_recording is None:
            return
        started, verb = self._call_recording
        self._call_recording = None
        recording = Recording(
            url=waits.recording_url(verb.format),
            duration=int(round(self._clock - started)),
            verb="startRecording",
            format=verb.format or "audio/wav",
            upload_urls=waits.upload_urls(verb.url),
        )
        self.recordings.append(recording)
        self._log("recording", "startRecording", recording.url)


def _parse_timestamp(value: object) -> dt.datetime:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    return dt.datetime.now(dt.timezone.utc)
