"""The verbs that do not wait for the caller: say, transfer, call, message,
conference, wait, the recording and logging switches, and the verbs that end
a call.

:meta private:
"""

from __future__ import annotations

import collections.abc as c
import typing as t

from .. import verbs as v
from ..exceptions import SimulationError
from .entries import SentMessage
from .steps import Document
from .steps import Stop
from .steps import named
from .steps import says_of

if t.TYPE_CHECKING:  # pragma: no cover
    from .engine import Call

__all__ = ["CONNECTED_SECONDS", "DIAL_TIMEOUT", "RING_SECONDS", "run"]

#: Seconds a transfer or outbound call rings before it is answered.
RING_SECONDS = 5
#: Seconds a transfer stays connected before the far end hangs up.
CONNECTED_SECONDS = 60
#: Default ``timeout`` of transfer and call, in seconds.
DIAL_TIMEOUT = 30.0


_Handler: t.TypeAlias = "c.Callable[[Call, Document, t.Any], Stop | None]"


def run(call: Call, doc: Document, verb: v.Verb) -> Stop | None:
    """Run one verb that does not wait; return how the document stops, or
    ``None`` to go on with the next verb.

    :param call: the call.
    :param doc: the document being run.
    :param verb: the verb.
    """
    return _HANDLERS[type(verb)](call, doc, verb)


def _first(to: str | c.Sequence[str]) -> str:
    return to if isinstance(to, str) else to[0]


def _say(call: Call, doc: Document, verb: v.Say) -> None:
    call._need_call(doc, "say")
    call._hear(verb.value, "say")


def _dial(
    call: Call, verb: v.Transfer | v.Call, to: str, outcome: str
) -> tuple[dict[str, t.Any], bool]:
    """The far end's answer, ``outcome`` (per the ``transfer`` option)."""
    started = call._clock
    action = named(verb.name)
    action["timestamp"] = call._timestamp()
    if outcome == "answer":
        call._clock += RING_SECONDS
        disposition = "SUCCESS"
    elif outcome == "busy":
        disposition = "BUSY"
    else:
        call._clock += verb.timeout if verb.timeout is not None else DIAL_TIMEOUT
        disposition = "TIMEOUT"
    action.update(
        duration=int(call._clock - started),
        connectedDuration=0,
        disposition=disposition,
        calledid=to,
    )
    if outcome == "answer" and verb.machine_detection:
        action["userType"] = "HUMAN"
    word = {"answer": "answered", "busy": "is busy", "no-answer": "did not answer"}
    call._log("note", verb.tropo_key, f"{to} {word[outcome]}")
    return action, outcome == "answer"


def _transfer(call: Call, doc: Document, verb: v.Transfer) -> Stop | None:
    call._need_call(doc, "transfer")
    to = _first(verb.to)
    handlers = t.cast("tuple[v.On, ...]", verb.on or ())
    outcome = call._far_end(verb)
    if outcome != "busy":
        for on in handlers:
            if on.event == "ring" and on.say:
                call._play(says_of(on.say), "ring")
    started = call._clock
    action, answered = _dial(call, verb, to, outcome)
    if answered:
        for on in handlers:
            if on.event == "connect":
                _connect(call, on)
        call._clock += CONNECTED_SECONDS
        action["duration"] = int(call._clock - started)
        action["connectedDuration"] = CONNECTED_SECONDS
    doc.actions.append(action)
    if answered or verb.required is False:
        return None
    return Stop("incomplete")


def _connect(call: Call, on: v.On) -> None:
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
    call._log("note", "connect", f"for the called party: {what}")


def _call(call: Call, doc: Document, verb: v.Call) -> Stop | None:
    if call._channel is not None:
        raise SimulationError(
            "call: a call is already active (call only starts a new one in a"
            " launched session); use transfer to connect the caller elsewhere",
            url=doc.url,
            status=200,
        )
    to = _first(verb.to)
    action, answered = _dial(call, verb, to, call._far_end(verb))
    call._called_id = to
    doc.actions.append(action)
    if answered:
        call._channel = verb.channel or "VOICE"
        call._answered = True
        return None
    if verb.required is False:
        return None
    return Stop("incomplete", state="FAILED")


def _message(call: Call, doc: Document, verb: v.Message) -> None:
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
    call.messages.append(message)
    call._log("message", "message", f"to {message.to} ({channel}): {message.text}")


def _conference(call: Call, doc: Document, verb: v.Conference) -> None:
    call._need_call(doc, "conference")
    call._log(
        "note",
        "conference",
        f"joined room {verb.id!r}; no one else is there, the caller leaves at once",
    )


def _wait(call: Call, doc: Document, verb: v.Wait) -> None:
    call._clock += verb.milliseconds / 1000


def _start_recording(call: Call, doc: Document, verb: v.StartRecording) -> None:
    call._need_call(doc, "startRecording")
    if call._call_recording is not None:
        call._log("note", "startRecording", "already recording")
        return
    call._call_recording = (call._clock, verb)


def _stop_recording(call: Call, doc: Document, verb: v.StopRecording) -> None:
    if call._call_recording is None:
        call._log("note", "stopRecording", "nothing is being recorded")
    call._stop_call_recording()


def _answer(call: Call, doc: Document, verb: v.Answer) -> None:
    answered = call._answered
    call._need_call(doc, "answer")
    if answered:
        call._log("note", "answer", "the call was already answered")


def _log_security(call: Call, doc: Document, verb: v.GeneralLogSecurity) -> None:
    call._log("note", "generalLogSecurity", f"logging {verb.state!r} from here on")


def _hangup(call: Call, doc: Document, verb: v.Hangup) -> Stop:
    return Stop(None, reason="the app hung up")


def _before_answer(call: Call, doc: Document, key: str) -> None:
    if not call._inbound:
        raise SimulationError(
            f"{key}: a launched session has no incoming call to {key}",
            url=doc.url,
            status=200,
        )
    if call._answered:
        raise SimulationError(
            f"{key}: the call is already answered; {key} only works before"
            " the call is answered (use hangup, or transfer)",
            url=doc.url,
            status=200,
        )


def _reject(call: Call, doc: Document, verb: v.Reject) -> Stop:
    _before_answer(call, doc, "reject")
    return Stop(None, reason="the app rejected the call")


def _redirect(call: Call, doc: Document, verb: v.Redirect) -> Stop:
    _before_answer(call, doc, "redirect")
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
