"""The verbs that do not wait for the caller: say, transfer, call, message,
conference, wait, the recording and logging switches, and the verbs that end
a call. Each reads and changes the call's :class:`~.line.Line`.

:meta private:
"""

from __future__ import annotations

import collections.abc as c
import typing as t

from .. import verbs as v
from .line import Document
from .line import Line
from .line import SentMessage
from .line import Stop
from .line import says_of

__all__ = ["CONNECTED_SECONDS", "DIAL_TIMEOUT", "RING_SECONDS", "describe", "run"]

#: Seconds a transfer or outbound call rings before it is answered.
RING_SECONDS = 5
#: Seconds a transfer stays connected before the far end hangs up.
CONNECTED_SECONDS = 60
#: Default ``timeout`` of transfer and call, in seconds.
DIAL_TIMEOUT = 30.0


_Handler: t.TypeAlias = "c.Callable[[Line, Document, t.Any], Stop | None]"


def run(line: Line, doc: Document, verb: v.Verb) -> Stop | None:
    """Run one verb that does not wait; return how the document stops, or
    ``None`` to go on with the next verb.

    :param line: the call's line.
    :param doc: the document being run.
    :param verb: the verb.
    """
    return _HANDLERS[type(verb)](line, doc, verb)


def describe(verb: v.Verb) -> str:
    """A short summary of a verb for the event log."""
    if isinstance(verb, v.Say):
        return verb.value
    if isinstance(verb, v.On):
        parts = [verb.event]
        if isinstance(verb.next, str):
            parts.append(f"next={verb.next}")
        if verb.say:
            parts.append("say=" + " / ".join(s.value for s in says_of(verb.say)))
        return " ".join(parts)
    if isinstance(verb, v.Ask):
        choices = t.cast(v.Choices, verb.choices)
        parts = [f"choices {choices.value}"]
        for key in ("mode", "terminator"):
            if getattr(choices, key):
                parts.append(f"{key}={getattr(choices, key)}")
        if verb.attempts:
            parts.append(f"attempts={verb.attempts}")
        if verb.name:
            parts.append(f"name={verb.name}")
        return " ".join(parts)
    if isinstance(verb, (v.Transfer, v.Call, v.Message)):
        return "to " + (verb.to if isinstance(verb.to, str) else ", ".join(verb.to))
    if isinstance(verb, v.Redirect):
        return f"to {verb.to}"
    if isinstance(verb, v.Conference):
        return f"room {verb.id}"
    if isinstance(verb, v.Wait):
        return f"{verb.milliseconds} ms"
    if isinstance(verb, v.GeneralLogSecurity):
        return verb.state
    if isinstance(verb, v.Record) and verb.name:
        return f"name={verb.name}"
    return ""


def _first(to: str | c.Sequence[str]) -> str:
    return to if isinstance(to, str) else to[0]


def _say(line: Line, doc: Document, verb: v.Say) -> None:
    line.need_call(doc, "say")
    line.play([verb], "say")


def _dial(
    line: Line, doc: Document, verb: v.Transfer | v.Call, outcome: str
) -> tuple[dict[str, t.Any], bool]:
    """Dial the first ``to`` of ``verb``; the far end does ``outcome``."""
    started, timestamp, to = line.clock, line.timestamp(), _first(verb.to)
    if outcome == "answer":
        line.clock += RING_SECONDS
    elif outcome == "no-answer":
        line.clock += verb.timeout if verb.timeout is not None else DIAL_TIMEOUT
    action = doc.act(
        verb.name,
        timestamp=timestamp,
        duration=int(line.clock - started),
        connectedDuration=0,
        disposition={"answer": "SUCCESS", "busy": "BUSY"}.get(outcome, "TIMEOUT"),
        calledid=to,
    )
    if outcome == "answer" and verb.machine_detection:
        action["userType"] = "HUMAN"
    word = {"answer": "answered", "busy": "is busy", "no-answer": "did not answer"}
    line.log("note", verb.tropo_key, f"{to} {word[outcome]}")
    return action, outcome == "answer"


def _transfer(line: Line, doc: Document, verb: v.Transfer) -> Stop | None:
    line.need_call(doc, "transfer")
    handlers = t.cast("tuple[v.On, ...]", verb.on or ())
    outcome = line.far_end(verb)
    if outcome != "busy":
        for on in handlers:
            if on.event == "ring" and on.say:
                line.play(says_of(on.say), "ring")
    started = line.clock
    action, answered = _dial(line, doc, verb, outcome)
    if answered:
        for on in handlers:
            if on.event == "connect":
                _connect(line, on)
        line.clock += CONNECTED_SECONDS
        action["duration"] = int(line.clock - started)
        action["connectedDuration"] = CONNECTED_SECONDS
    if answered or verb.required is False:
        return None
    return Stop("incomplete")


def _connect(line: Line, on: v.On) -> None:
    parts = []
    if on.say:
        parts.append("say")
    if on.ask:
        parts.append("ask (taken as answered)")
    if on.post:
        parts.append(f"post to {on.post} (not sent)")
    if on.next:
        parts.append("next (not followed)")
    what = ", ".join(parts) or "nothing"
    line.log("note", "connect", f"for the called party: {what}")


def _call(line: Line, doc: Document, verb: v.Call) -> Stop | None:
    if line.channel is not None:
        raise doc.error(
            "call: a call is already active (call only starts a new one in a"
            " launched session); use transfer to connect the caller elsewhere"
        )
    _, answered = _dial(line, doc, verb, line.far_end(verb))
    line.called_id = _first(verb.to)
    if answered:
        line.channel = verb.channel or "VOICE"
        line.answered = True
        return None
    if verb.required is False:
        return None
    return Stop("incomplete", state="FAILED")


def _message(line: Line, doc: Document, verb: v.Message) -> None:
    says = says_of(verb.say)
    channel = verb.channel or "VOICE"
    media: list[str] = []
    for say in says:
        if isinstance(say.media, str):
            media.append(say.media)
        elif say.media:
            media.extend(say.media)
    values = tuple(say.value for say in says)
    message = SentMessage(
        to=_first(verb.to),
        text=" ".join(values),
        channel=channel,
        network=verb.network or ("SMS" if channel == "TEXT" else "PSTN"),
        from_=verb.from_,
        name=verb.name,
        says=values,
        media=tuple(media),
    )
    line.messages.append(message)
    line.log("message", "message", f"to {message.to} ({channel}): {message.text}")


def _conference(line: Line, doc: Document, verb: v.Conference) -> None:
    line.need_call(doc, "conference")
    line.log(
        "note",
        "conference",
        f"joined room {verb.id!r}; no one else is there, the caller leaves at once",
    )


def _wait(line: Line, doc: Document, verb: v.Wait) -> None:
    line.clock += verb.milliseconds / 1000


def _start_recording(line: Line, doc: Document, verb: v.StartRecording) -> None:
    line.need_call(doc, "startRecording")
    if line.call_recording is not None:
        line.log("note", "startRecording", "already recording")
        return
    line.call_recording = (line.clock, verb)


def _stop_recording(line: Line, doc: Document, verb: v.StopRecording) -> None:
    if line.call_recording is None:
        line.log("note", "stopRecording", "nothing is being recorded")
    line.stop_call_recording()


def _answer(line: Line, doc: Document, verb: v.Answer) -> None:
    answered = line.answered
    line.need_call(doc, "answer")
    if answered:
        line.log("note", "answer", "the call was already answered")


def _log_security(line: Line, doc: Document, verb: v.GeneralLogSecurity) -> None:
    line.log("note", "generalLogSecurity", f"logging {verb.state!r} from here on")


def _hangup(line: Line, doc: Document, verb: v.Hangup) -> Stop:
    return Stop(None, reason="the app hung up")


def _before_answer(line: Line, doc: Document, key: str) -> None:
    if not line.inbound:
        raise doc.error(f"{key}: a launched session has no incoming call to {key}")
    if line.answered:
        raise doc.error(
            f"{key}: the call is already answered; {key} only works before"
            " the call is answered (use hangup, or transfer)"
        )


def _reject(line: Line, doc: Document, verb: v.Reject) -> Stop:
    _before_answer(line, doc, "reject")
    return Stop(None, reason="the app rejected the call")


def _redirect(line: Line, doc: Document, verb: v.Redirect) -> Stop:
    _before_answer(line, doc, "redirect")
    return Stop(None, reason=f"the app redirected the call to {verb.to}")


_HANDLERS: dict[type[v.Verb], _Handler] = {
    v.Say: _say,
    v.Transfer: _transfer,
    v.Call: _call,
    v.Message: _message,
    v.Conference: _conference,
    v.Wait: _wait,
    v.StartRecording: _start_recording,
    v.StopRecording: _stop_recording,
    v.Answer: _answer,
    v.GeneralLogSecurity: _log_security,
    v.Hangup: _hangup,
    v.Reject: _reject,
    v.Redirect: _redirect,
}
