"""Tropo's semantics on a platform without them, run server-side: the base
class of the Twilio and jambonz platforms.

Writing a document walks its verbs up to the first that waits (``Ask``,
``Transfer``) and hands the platform's writer that verb with a URL whose
token carries the *step*: the waiting verb and the rest of the document as
WebAPI JSON (the one mapping of :mod:`flask_tropo.schemas`), the document's
``On`` handlers (event -> endpoint and ``say``), the actions so far and the
attempt. A document that runs out goes on to its ``continue`` handler
through a redirect; one without ``continue`` hangs up, as Tropo does.

Resuming reads what the caller did from the platform's request, matches it
with the simulator's grammar engine (:mod:`flask_tropo.simulator.grammar`),
and answers at once (a re-prompt while attempts remain, the rest of the
document) or picks the handler of the event: ``continue`` on success,
``incomplete`` (else ``continue``) after the last failed attempt.

Hangups and platform errors come without a token: the platform's status
callback to an ``on_hangup`` route, its fallback to an ``on_error`` route.

Step keys (short, they ride in URLs): ``w`` the waiting verb, ``r`` the
rest, ``o`` the handlers, ``a`` the actions, ``n`` the attempt, ``f`` the
last failure, ``k`` what to resume (``ask``, ``dial``, ``end``), ``s`` the
session's start (Unix seconds), ``q`` the results delivered, ``t`` a text
conversation whose first message was used.

:meta private:
"""

from __future__ import annotations

import collections.abc as c
import time
import typing as t

from flask import current_app

from .. import verbs as v
from ..document import parse_document
from ..document import render
from ..payloads import Action
from ..payloads import Result
from . import policy
from .base import Kind
from .base import NextUrl
from .base import Platform
from .base import Turn

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Request

    from ..continuation import Links

__all__ = ["EmulatedPlatform", "Entry", "Writer"]

_WAITS = (v.Ask, v.Transfer)


class Entry(t.NamedTuple):
    """What the caller did at a gather: ``press`` keys, ``speak`` words, or
    ``silence``; ``confidence`` 0 to 100 for speech."""

    kind: str
    value: str = ""
    confidence: int = 100


class Writer(t.Protocol):
    """Builds one document of a platform."""

    #: Whether the request is a text conversation.
    text: bool

    def say(self, say: v.Say, voice: str | None) -> None: ...
    def ask(self, ask: v.Ask, url: str, prompts: list[v.Say]) -> None: ...
    def text_ask(self, url: str) -> None: ...
    def dial(self, transfer: v.Transfer, url: str) -> None: ...
    def conference(self, conference: v.Conference) -> None: ...
    def message(self, message: v.Message) -> None: ...
    def pause(self, wait: v.Wait) -> None: ...
    def answer(self) -> None: ...
    def hangup(self) -> None: ...
    def reject(self) -> None: ...
    def redirect(self, url: str) -> None: ...
    def document(self) -> t.Any: ...


class EmulatedPlatform(Platform):
    """A platform whose documents have no ``on`` events, attempts or
    grammars: Tropo's are emulated with steps in the tokens. Subclasses
    read requests, make writers, and say what the caller did."""

    emulated = True

    # -- what subclasses provide -------------------------------------------------

    def writer(self, request: Request) -> Writer:
        """A writer of one document answering ``request``."""
        raise NotImplementedError

    def texting(self, request: Request) -> bool:
        """Whether ``request`` belongs to a text conversation."""
        raise NotImplementedError

    def entry(self, request: Request) -> Entry:
        """What the caller did at the gather the request answers."""
        raise NotImplementedError

    def dialled(self, request: Request) -> tuple[str, int]:
        """How a dial ended: ``answer``, ``busy``, ``no-answer`` or
        ``failed``, and its seconds."""
        raise NotImplementedError

    def ended(self, request: Request) -> int | None:
        """For a status callback: the call's seconds when it has ended, else
        ``None``."""
        raise NotImplementedError

    def error(self, request: Request) -> str:
        """For a fallback request: the platform's error."""
        raise NotImplementedError

    # -- writing -----------------------------------------------------------------

    def render(self, verbs: c.Sequence[v.Verb], next_url: NextUrl) -> t.Any:
        return self.write(verbs, t.cast("Links", next_url), None)

    def write(
        self, verbs: c.Sequence[v.Verb], links: Links, turn: Turn | None
    ) -> t.Any:
        from flask import request

        writer = self.writer(request)
        carry = turn.carry if turn is not None else {}
        if turn is not None and (turn.final or turn.answer == []):
            return writer.document()  # a notice: nothing to play
        base = {"s": carry.get("s") or int(time.time()), "q": carry.get("q", 0)}
        if carry.get("t"):
            base["t"] = 1
        handlers = carry["o"] if "o" in carry else self._handlers(verbs, links)
        actions: list[dict[str, t.Any]] = carry.get("a", [])
        attempt, failure = carry.get("n", 1), carry.get("f", "nomatch")
        body = [verb for verb in verbs if not isinstance(verb, v.On)]
        if turn is not None and turn.before:
            body[:0] = turn.before
        for index, verb in enumerate(body):
            policy.check(self.name, verb)
            if isinstance(verb, v.Hangup):
                writer.hangup()
                return writer.document()
            if isinstance(verb, v.Reject):
                writer.reject()
                return writer.document()
            if not isinstance(verb, _WAITS):
                self._simple(writer, verb)
                continue
            if writer.text and not isinstance(verb, v.Ask):
                raise policy.refuse(
                    type(verb).__name__,
                    None,
                    self.name,
                    "a text conversation has no call",
                )
            step = {
                **base,
                "k": "ask" if isinstance(verb, v.Ask) else "dial",
                "g": _essentials(verb),
                "w": _dump([verb], links)[0],
                "r": _dump(body[index + 1 :], links),
                "o": handlers,
                "a": actions,
                "n": attempt,
            }
            url = links.step_url(_target(handlers), step)
            if isinstance(verb, v.Transfer):
                for on in t.cast("tuple[v.On, ...]", verb.on or ()):
                    if on.event != "ring" or on.next or on.post or on.ask:
                        raise policy.refuse("Transfer", "on", self.name, _CONNECT)
                    for say in _says(on.say):
                        writer.say(say, verb.voice)
                writer.dial(verb, url)
            elif writer.text:
                if base.get("t"):
                    raise policy.refuse("Ask", None, self.name, _SECOND_TEXT)
                writer.text_ask(url)
            else:
                writer.ask(verb, url, _prompts(verb, attempt, failure))
            return writer.document()
        if _handler(handlers, "continue") is not None:
            step = {**base, "k": "end", "o": handlers, "a": actions}
            writer.redirect(links.step_url(_target(handlers), step))
        elif not writer.text:
            writer.hangup()
        return writer.document()

    def _simple(self, writer: Writer, verb: v.Verb) -> None:
        if isinstance(verb, v.Say):
            writer.say(verb, None)
        elif isinstance(verb, v.Wait):
            writer.pause(verb)
        elif isinstance(verb, v.Conference):
            if writer.text:
                raise policy.refuse("Conference", None, self.name, "a text has no call")
            writer.conference(verb)
        elif isinstance(verb, v.Message):
            if (verb.channel or "VOICE") != "TEXT":
                raise policy.refuse("Message", "channel", self.name, _VOICE_MESSAGE)
            writer.message(verb)
        elif isinstance(verb, v.Answer):
            writer.answer()
        # GeneralLogSecurity and StopRecording: nothing to write

    def _handlers(
        self, verbs: c.Sequence[v.Verb], links: Links
    ) -> dict[str, list[t.Any]]:
        """The document's ``On`` handlers (the first per event): event ->
        ``[endpoint or None, [say, ...]]``, the says as WebAPI JSON."""
        handlers: dict[str, list[t.Any]] = {}
        for on in verbs:
            if not isinstance(on, v.On) or on.event in handlers:
                continue
            policy.check(self.name, on)
            endpoint = None
            if isinstance(on.next, str):
                raise policy.refuse("On", "next", self.name, _STRING_NEXT)
            if on.next is not None:
                endpoint = links.endpoint(on.next)
            if on.event in ("hangup", "error"):
                # Reached through the status callback and the fallback URL,
                # never from a document: only the app-wide routes can be.
                view = current_app.view_functions.get(endpoint or "")
                kind = getattr(getattr(view, "tropo_route", None), "kind", None)
                if endpoint is not None and kind != on.event:
                    why = _NOTICE % (on.event, on.event)
                    raise policy.refuse("On", "next", self.name, why)
                continue
            if on.event not in ("continue", "incomplete"):
                continue  # a signal's handler: the platforms send no signals
            handlers[on.event] = [endpoint, _dump(_says(on.say), links)]
        return handlers

    # -- resuming ----------------------------------------------------------------

    def resume(
        self,
        kind: Kind,
        request: Request,
        result: Result,
        step: dict[str, t.Any] | None,
    ) -> Turn:
        if step is None:
            return self._notice(kind, request, result)
        base = {"s": step.get("s", 0), "q": step.get("q", 0)}
        if step.get("t") or (self.texting(request) and step.get("k") == "ask"):
            base["t"] = 1
        resumed = _Resumed(self, result, base, step.get("o", {}), step.get("a", []))
        what = step.get("k")
        if what == "end":
            return resumed.fire("continue")
        if what == "ask":
            return resumed.asked(step, self.entry(request))
        outcome, duration = self.dialled(request)
        name, to, optional = step["g"]
        resumed.act(
            name,
            disposition=_DIAL.get(outcome, "FAILED"),
            duration=duration,
            connected_duration=duration if outcome == "answer" else 0,
            called_id=to,
        )
        if outcome == "answer" or optional:
            return resumed.go_on(step)
        return resumed.fire("incomplete")

    def _notice(self, kind: Kind, request: Request, result: Result) -> Turn:
        """A request without a token: a status callback or a fallback."""
        if kind == "error":
            message = self.error(request)
            return Turn(self, _result(result, {}, [], error=message))
        seconds = self.ended(request) if kind == "hangup" else None
        if seconds is None:
            return Turn(self, result, answer=[])  # not over yet: nothing to do
        payload = _result(result, {}, [], state="DISCONNECTED", duration=seconds)
        return Turn(self, payload, final=True)


class _Resumed:
    """One continuation being decided."""

    def __init__(
        self,
        platform: EmulatedPlatform,
        result: Result,
        base: dict[str, t.Any],
        handlers: dict[str, list[t.Any]],
        actions: list[dict[str, t.Any]],
    ) -> None:
        self.platform = platform
        self.result = result
        self.base = base
        self.handlers = handlers
        self.actions = list(actions)

    def act(self, name: str | None, **fields: t.Any) -> None:
        self.actions.append({"name": name, **fields} if name else fields)

    def asked(self, step: dict[str, t.Any], entry: Entry) -> Turn:
        from ..simulator.grammar import parse_grammar

        grammar, mode, terminator, name, attempts, least, optional = step["g"]
        attempt = step.get("n", 1)
        failure = "timeout"
        if entry.kind != "silence":
            failure = "nomatch"
            try:
                found = parse_grammar(grammar).match(
                    entry.value,
                    dtmf=entry.kind == "press",
                    mode=mode,
                    terminator=terminator,
                )
            except ValueError:  # a key the grammar engine does not take
                found = None
            if found is not None and entry.confidence >= least:
                self.act(
                    name,
                    attempts=attempt,
                    disposition="SUCCESS",
                    confidence=min(entry.confidence, found.confidence),
                    interpretation=found.interpretation,
                    utterance=found.utterance,
                    value=found.value,
                    concept=found.concept,
                )
                return self.go_on(step)
        if attempt < attempts:
            again = parse_document({"tropo": [step["w"], *step.get("r", ())]})
            carry = self.carry(n=attempt + 1, f=failure)
            return Turn(self.platform, self.result, answer=again, carry=carry)
        self.act(
            name,
            attempts=attempt,
            disposition="TIMEOUT" if failure == "timeout" else "NOMATCH",
            confidence=0,
        )
        return self.go_on(step) if optional else self.fire("incomplete")

    def carry(self, **more: t.Any) -> dict[str, t.Any]:
        return {**self.base, "o": self.handlers, "a": self.actions, **more}

    def go_on(self, step: dict[str, t.Any]) -> Turn:
        """Run the rest of the document, or fire ``continue`` at its end."""
        if step.get("r"):
            rest = parse_document({"tropo": step["r"]})
            return Turn(self.platform, self.result, answer=rest, carry=self.carry())
        return self.fire("continue")

    def fire(self, event: str, before: tuple[v.Verb, ...] = ()) -> Turn:
        """Run the handler of ``event`` (``continue`` is the catch-all): its
        ``say`` plays first; with no ``next``, ``incomplete`` goes on to
        ``continue`` and ``continue`` hangs up."""
        found = _handler(self.handlers, event)
        if found is None:
            return Turn(self.platform, self.result, answer=[*before, v.Hangup()])
        fired, (endpoint, says) = found
        if says:
            before = (*before, *parse_document({"tropo": says}))
        if endpoint is not None:
            self.base["q"] += 1
            payload = _result(self.result, self.base, self.actions)
            return Turn(
                self.platform,
                payload,
                endpoint=endpoint,
                before=before,
                carry=self.base,
            )
        if fired == "continue":
            return Turn(self.platform, self.result, answer=[*before, v.Hangup()])
        return self.fire("continue", before)


def _handler(
    handlers: dict[str, list[t.Any]], event: str
) -> tuple[str, list[t.Any]] | None:
    if event in handlers:
        return event, handlers[event]
    if "continue" in handlers:
        return "continue", handlers["continue"]
    return None


def _target(handlers: dict[str, list[t.Any]]) -> str | None:
    """The route the document's URLs go to: its continue handler's, else its
    incomplete handler's, else the route that served it."""
    for event in ("continue", "incomplete"):
        if event in handlers and handlers[event][0]:
            return t.cast(str, handlers[event][0])
    return None


def _result(
    result: Result,
    base: dict[str, t.Any],
    actions: list[dict[str, t.Any]],
    *,
    state: str | None = None,
    duration: int | None = None,
    error: str | None = None,
) -> Result:
    """The Tropo result a handler gets; the actions carry the
    :class:`~flask_tropo.Action` field names."""
    if duration is None and base.get("s"):
        duration = max(0, int(time.time()) - base["s"])
    return Result(
        session_id=result.session_id,
        call_id=result.call_id,
        state=state or result.state or "ANSWERED",
        session_duration=duration,
        sequence=base.get("q") or None,
        complete=True,
        error=error,
        called_id=result.called_id,
        user_type=result.user_type,
        actions=tuple(Action(**action) for action in actions),
    )


def _dump(verbs: c.Sequence[v.Verb], links: Links) -> list[t.Any]:
    """Verbs as WebAPI JSON, to ride in a step."""
    if not verbs:
        return []
    elements: list[t.Any] = render(verbs, next_url=links)["tropo"]
    return elements


def _essentials(verb: v.Verb) -> list[t.Any]:
    """What resuming needs of the verb that waits, without reading it back:
    an ask's grammar, mode, terminator, name, attempts, least confidence and
    whether it is optional; a transfer's name, first number and whether it is
    optional."""
    if isinstance(verb, v.Ask):
        choices = t.cast(v.Choices, verb.choices)
        return [
            choices.value or "",
            choices.mode,
            choices.terminator,
            verb.name,
            verb.attempts or 1,
            verb.min_confidence or 0,
            verb.required is False,
        ]
    transfer = t.cast(v.Transfer, verb)
    to = transfer.to if isinstance(transfer.to, str) else transfer.to[0]
    return [transfer.name, to, transfer.required is False]


def _says(value: object) -> tuple[v.Say, ...]:
    return t.cast("tuple[v.Say, ...]", value or ())


def _prompts(ask: v.Ask, attempt: int, failure: str) -> list[v.Say]:
    """The prompts of an attempt: after a failed one, those whose event
    matches (``nomatch``, ``nomatch:N``, ``timeout``), then the plain ones."""
    says = _says(ask.say)
    plain = [say for say in says if say.event is None]
    if attempt == 1:
        return plain
    failed = attempt - 1
    wanted = {"timeout"} if failure == "timeout" else {"nomatch", f"nomatch:{failed}"}
    return [s for s in says if s.event and wanted & set(s.event.split())] + plain


_DIAL = {"answer": "SUCCESS", "busy": "BUSY", "no-answer": "TIMEOUT"}
_CONNECT = (
    "only On('ring', say=...) is emulated (played before dialling); a"
    " 'connect' whisper needs a route of its own on the called party"
)
_STRING_NEXT = (
    "a URL string receives the platform's own requests, not a Tropo result;"
    " give a handler registered with on_result"
)
_NOTICE = (
    "%s handlers are reached only through the platform's status callback or"
    " fallback URL, so next must be the app's route registered with on_%s"
)
_SECOND_TEXT = (
    "a text conversation answers only its first ask (with its first message);"
    " the next message starts a new session"
)
_VOICE_MESSAGE = (
    "only texts (channel='TEXT') can be sent from a document; a voice message"
    " needs the platform's REST API"
)
