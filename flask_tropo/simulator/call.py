"""Tropo's semantics: one simulated call, played document by document.

A :class:`Call` posts the session document, runs the verbs of each document
the app answers, and stops whenever the caller must act (an ``ask`` or a
``record`` waits). The test then calls :meth:`Call.press`,
:meth:`Call.speak`, :meth:`Call.silence` or :meth:`Call.hangup`, and the call
runs on to the next wait or to its end. The state machine is a generator:
each wait is a ``yield`` that receives the caller's input. The two verbs that
wait live here with it; the others are in :mod:`.telephony`.

:meta private:
"""

from __future__ import annotations

import collections.abc as c
import typing as t
from urllib.parse import urljoin

from .. import verbs as v
from ..exceptions import SimulationError
from . import telephony
from . import wire
from .grammar import DTMF_KEYS
from .grammar import GrammarError
from .grammar import parse_grammar
from .line import Document
from .line import Event
from .line import FarEnd
from .line import Input
from .line import Line
from .line import Recording
from .line import SentMessage
from .line import Stop
from .line import require_text
from .line import retry_prompts
from .line import says_of

__all__ = ["Call", "MAX_DOCUMENTS"]

#: The most documents one call may fetch; past it the app is taken to loop.
MAX_DOCUMENTS = 1000
#: Default ``ask`` ``timeout``, in seconds: how long silence lasts.
ASK_TIMEOUT = 30.0
#: Seconds each press or speak takes on the simulated clock; speaking into a
#: recording takes one second per word instead.
INPUT_SECONDS = 1.0
#: Default ``record`` ``maxTime`` and ``maxSilence``, in seconds.
RECORD_MAX_TIME = 30.0
RECORD_MAX_SILENCE = 5.0

#: A verb run that may wait: yields the waiting verb, receives the input,
#: returns how the document stops (``None``: go on).
_Steps: t.TypeAlias = "c.Generator[v.Ask | v.Record, Input, Stop | None]"
#: Where to post next, and the result to post; ``None`` when the call ends.
_Next: t.TypeAlias = "tuple[str, dict[str, t.Any]] | None"


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
    :param on_event: called with each :class:`~flask_tropo.testing.Event` as
        it happens.
    """

    def __init__(
        self,
        transport: wire.Transport,
        url: str,
        session: dict[str, t.Any],
        *,
        transfer: str | FarEnd = "answer",
        on_event: c.Callable[[Event], object] | None = None,
    ) -> None:
        body = session["session"]
        line = Line(body, transfer=transfer, on_event=on_event)
        #: The session document that started the call, as sent.
        self.session = session
        #: Every prompt played (or, on a text channel, every reply sent), in
        #: order.
        self.heard: list[str] = line.heard
        #: Everything that happened, in order.
        self.events: list[Event] = line.events
        #: Every result document posted, as sent.
        self.results: list[dict[str, t.Any]] = []
        #: Texts and calls sent by ``message`` verbs.
        self.messages: list[SentMessage] = line.messages
        #: What ``record`` and ``startRecording`` produced.
        self.recordings: list[Recording] = line.recordings
        #: The ``Ask`` or ``Record`` waiting for the caller, else ``None``.
        self.waiting: v.Ask | v.Record | None = None
        #: Whether the call is over.
        self.ended = False
        #: Why the call ended, once it has.
        self.end_reason: str | None = None
        self._line = line
        self._transport = line.transport = transport
        self._session_id: str = body["id"]
        self._call_id: str = body["callId"]
        self._sequence = 0
        self._runner = self._run(url, session)
        self._step(None)

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
        return self._line.channel == "TEXT"

    @property
    def duration(self) -> int:
        """Whole seconds on the simulated clock (``sessionDuration``)."""
        return int(self._line.clock)

    def press(self, digits: str) -> Call:
        """Press DTMF keys as one entry (as if the caller then paused).

        :param digits: keys from ``0-9``, ``*`` and ``#``, for example
            ``"1234#"``.
        :raises RuntimeError: if the call has ended, or it is a text
            conversation.
        :raises TypeError: the keys are not a string (``press(1)``).
        :raises ValueError: for a character that is not a key.
        """
        require_text("press", "keys", digits, " for example press('1'),")
        self._require_waiting("press keys")
        if self.is_text:
            raise RuntimeError(
                "This is a text conversation: there are no keys to press;"
                " use speak() or reply() to send a text."
            )
        keys = "".join(digits.split())
        if not keys or not set(keys) <= DTMF_KEYS:
            raise ValueError(f"Expected DTMF keys 0-9, * or #, got {digits!r}.")
        return self._input(Input("press", keys))

    def speak(self, text: str) -> Call:
        """Say ``text``; on a text channel, send it as a reply.

        :param text: the words.
        :raises RuntimeError: if the call has ended.
        """
        require_text("speak", "words", text)
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

    def platform_error(self, message: str = "The platform failed.") -> Call:
        """The platform reports an error while the caller is waiting (a
        recognizer or an upload that failed): the verb stops, and the
        document's ``error`` handler (else ``continue``) gets a result whose
        ``error`` is ``message``. The call goes on with what the app answers.

        :param message: the result's ``error``.
        :raises RuntimeError: if the call has ended.
        """
        self._require_waiting("report an error")
        return self._input(Input("error", message))

    def __repr__(self) -> str:
        state = f"ended: {self.end_reason}" if self.ended else "waiting"
        return f"<Call {self._session_id!r} {state}>"

    # -- driving the generator --------------------------------------------------

    def _require_waiting(self, what: str) -> None:
        if self.ended or self.waiting is None:
            raise RuntimeError(
                f"Cannot {what}: the call has ended ({self.end_reason})."
            )

    def _input(self, entry: Input) -> Call:
        self._line.log("input", entry.kind, entry.value)
        self._step(entry)
        return self

    def _step(self, entry: Input | None) -> None:
        self.waiting = None
        try:
            self.waiting = (
                next(self._runner) if entry is None else self._runner.send(entry)
            )
        except StopIteration:
            self.ended = True
        except BaseException:
            self.ended = True
            self.end_reason = self.end_reason or "error"
            raise

    def _run(
        self, url: str, payload: dict[str, t.Any]
    ) -> c.Generator[v.Ask | v.Record, Input, None]:
        kind = "session"
        for _ in range(MAX_DOCUMENTS):
            verbs = wire.read_document(self._post(url, payload, kind), url)
            following = yield from self._document(url, verbs)
            if following is None:
                return
            (url, payload), kind = following, "result"
        raise SimulationError(
            f"more than {MAX_DOCUMENTS} documents in one call; does the app loop?",
            url=url,
        )

    # -- documents and events ---------------------------------------------------

    def _post(self, url: str, payload: dict[str, t.Any], kind: str) -> wire.Response:
        if kind == "result":
            self.results.append(payload)
        answer = self._transport.post(url, payload)
        self._line.log("post", kind, url=url, status=answer.status)
        return answer

    def _result(self, doc: Document, state: str) -> dict[str, t.Any]:
        self._sequence += 1
        return wire.result_document(
            session_id=self._session_id,
            call_id=self._call_id,
            state=state,
            session_duration=self.duration,
            sequence=self._sequence,
            called_id=self._line.called_id,
            actions=doc.actions,
            error=doc.failure,
        )

    def _document(
        self, url: str, verbs: list[v.Verb]
    ) -> c.Generator[v.Ask | v.Record, Input, _Next]:
        doc = Document(url)
        self._line.document_url = url
        for verb in verbs:
            if isinstance(verb, v.On):
                doc.handlers.setdefault(verb.event, verb)
        for verb in verbs:
            self._line.log("verb", verb.tropo_key, telephony.describe(verb))
            if isinstance(verb, v.On):
                continue
            if isinstance(verb, v.Ask):
                stop = yield from self._ask(doc, verb)
            elif isinstance(verb, v.Record):
                stop = yield from self._record(doc, verb)
            else:
                stop = telephony.run(self._line, doc, verb)
            if stop is not None:
                if stop.event is None:
                    self._end(stop.reason)
                    return None
                return self._fire(doc, stop.event, stop.state)
        return self._fire(doc, "continue")

    def _fire(self, doc: Document, event: str, state: str = "ANSWERED") -> _Next:
        """Run the handler of ``event``: play its say, then post to its next
        or run ``continue``; with no handler at all, the call is hung up."""
        log = self._line.log
        gone = state == "DISCONNECTED"
        handler = doc.handlers.get(event)
        if handler is None and event != "continue" and "continue" in doc.handlers:
            handler = doc.handlers["continue"]
            log("event", event, "no handler: falls through to continue")
        if handler is None:
            log("event", event, "no handler")
            self._hang_up(doc, None if gone else f"no handler for {event!r}")
            return None
        if handler.say and gone:
            log("note", "on", f"the say of {handler.event!r} is not played")
        elif handler.say:
            self._line.play(says_of(handler.say), f"on {handler.event}")
        if handler.next is not None:
            target = urljoin(doc.url, str(handler.next))
            if gone:
                self._post_final(doc, target)
                self._end("the caller hung up")
                return None
            log("event", handler.event, f"posts to {target}", url=target)
            return target, self._result(doc, state)
        if gone:
            log("event", handler.event, "no next")
            self._end("the caller hung up")
            return None
        if handler.event == "continue":
            log("event", "continue", "no next")
            self._hang_up(doc, "continue has no next")
            return None
        log("event", handler.event, "no next: runs continue")
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

    def _post_final(self, doc: Document, url: str) -> None:
        """Post a ``DISCONNECTED`` result; the answer is not run."""
        self._line.log("event", "hangup", f"posts to {url}", url=url)
        answer = self._post(url, self._result(doc, "DISCONNECTED"), "result")
        if not 200 <= answer.status < 300:
            raise SimulationError(
                f"the app answered {answer.status} to the hangup result:"
                f" {wire.excerpt(answer.body, answer.content_type)}",
                url=url,
                status=answer.status,
            )

    def _end(self, reason: str) -> None:
        self._line.stop_call_recording()
        self.end_reason = reason
        self._line.log("end", "call", reason)

    # -- the verbs that wait ----------------------------------------------------

    def _ask(self, doc: Document, verb: v.Ask) -> _Steps:
        """Prompt, wait, match against the grammar; retry up to ``attempts``."""
        line = self._line
        line.need_call(doc, "ask")
        choices = t.cast(v.Choices, verb.choices)
        try:
            grammar = parse_grammar(choices.value or "")
        except GrammarError as exc:
            raise doc.error(f"ask: {exc}") from exc
        says = says_of(verb.say)
        plain = [say for say in says if say.event is None]
        attempts = verb.attempts or 1
        timeout = verb.timeout if verb.timeout is not None else ASK_TIMEOUT
        failure = "nomatch"
        for attempt in range(1, attempts + 1):
            if attempt == 1 and self.is_text and line.pending_text is not None:
                entry = Input("speak", line.pending_text)
                line.pending_text = None
                line.log("input", "initialText", entry.value)
            else:
                if attempt > 1:
                    line.play(retry_prompts(says, failure, attempt - 1), "ask")
                line.play(plain, "ask")
                entry = yield verb
            if entry.kind == "hangup":
                return Stop("hangup", "DISCONNECTED")
            if entry.kind == "error":
                doc.failure = entry.value
                return Stop("error")
            if entry.kind == "silence":
                line.clock += timeout
                failure = "timeout"
                continue
            line.clock += INPUT_SECONDS
            found = grammar.match(
                entry.value,
                dtmf=entry.kind == "press",
                mode=choices.mode,
                terminator=choices.terminator,
            )
            if found is None:
                failure = "nomatch"
                continue
            doc.act(
                verb.name,
                attempts=attempt,
                disposition="SUCCESS",
                confidence=found.confidence,
                interpretation=found.interpretation,
                utterance=found.utterance,
                value=found.value,
                concept=found.concept,
            )
            return None
        doc.act(
            verb.name,
            attempts=attempts,
            disposition="TIMEOUT" if failure == "timeout" else "NOMATCH",
            confidence=0,
        )
        return None if verb.required is False else Stop("incomplete")

    def _record(self, doc: Document, verb: v.Record) -> _Steps:
        """Prompt, then record until the terminator, silence or ``maxTime``."""
        line = self._line
        line.need_call(doc, "record")
        if self.is_text:
            raise doc.error("record: a text conversation cannot be recorded")
        line.play([say for say in says_of(verb.say) if say.event is None], "record")
        choices = t.cast("v.Choices | None", verb.choices)
        terminator = (choices.terminator if choices else None) or "#"
        max_time = verb.max_time if verb.max_time is not None else RECORD_MAX_TIME
        max_silence = (
            verb.max_silence if verb.max_silence is not None else RECORD_MAX_SILENCE
        )
        seconds = 0.0
        words: list[str] = []
        while seconds < max_time:
            entry = yield verb
            if entry.kind == "hangup":
                if seconds:
                    self._save(doc, verb, seconds, words)
                return Stop("hangup", "DISCONNECTED")
            if entry.kind == "error":
                doc.failure = entry.value
                return Stop("error")
            if entry.kind == "press":
                line.clock += INPUT_SECONDS
                if terminator in entry.value:
                    break
                line.log(
                    "note",
                    "record",
                    f"keys {entry.value!r} are recorded; the terminator is"
                    f" {terminator!r}",
                )
                continue
            if entry.kind == "silence":
                taken = min(max_silence, max_time - seconds)
            else:
                taken = min(float(max(1, len(entry.value.split()))), max_time - seconds)
                words.append(entry.value.strip())
            seconds += taken
            line.clock += taken
            if entry.kind == "silence":
                break
        self._save(doc, verb, seconds, words)
        return None

    def _save(
        self, doc: Document, verb: v.Record, seconds: float, words: list[str]
    ) -> None:
        recording = self._line.save_recording(
            verb, seconds, transcript=" ".join(words), name=verb.name
        )
        doc.act(
            verb.name,
            attempts=1,
            disposition="SUCCESS",
            duration=recording.duration,
            value=recording.url,
            uploadStatus="success",
        )
