"""The verbs that wait for the caller: ``ask`` and ``record``.

Each is a generator: it yields the verb while it waits and receives the
caller's :class:`~.steps.Input`.

:meta private:
"""

from __future__ import annotations

import collections.abc as c
import typing as t

from .. import verbs as v
from ..exceptions import SimulationError
from . import wire
from .entries import Recording
from .grammar import GrammarError
from .grammar import parse_grammar
from .steps import Document
from .steps import Input
from .steps import Steps
from .steps import Stop
from .steps import named
from .steps import says_of

if t.TYPE_CHECKING:  # pragma: no cover
    from .engine import Call

__all__ = ["ASK_TIMEOUT", "INPUT_SECONDS", "ask", "record", "recording_url"]

#: Default ``ask`` ``timeout``, in seconds: how long silence lasts.
ASK_TIMEOUT = 30.0
#: Seconds each press or speak takes on the simulated clock; speaking into a
#: recording takes one second per word instead.
INPUT_SECONDS = 1.0
#: Default ``record`` ``maxTime`` and ``maxSilence``, in seconds.
RECORD_MAX_TIME = 30.0
RECORD_MAX_SILENCE = 5.0


def ask(call: Call, doc: Document, verb: v.Ask) -> Steps:
    """Prompt, wait, match against the grammar; retry up to ``attempts``.

    :param call: the call.
    :param doc: the document being run.
    :param verb: the ask.
    """
    call._need_call(doc, "ask")
    choices = t.cast(v.Choices, verb.choices)
    try:
        grammar = parse_grammar(choices.value or "")
    except GrammarError as exc:
        raise SimulationError(f"ask: {exc}", url=doc.url, status=200) from exc
    says = says_of(verb.say)
    plain = [say for say in says if say.event is None]
    attempts = verb.attempts or 1
    timeout = verb.timeout if verb.timeout is not None else ASK_TIMEOUT
    failure = "nomatch"
    for attempt in range(1, attempts + 1):
        if attempt == 1 and call.is_text and call._pending_text is not None:
            entry = Input("speak", call._pending_text)
            call._pending_text = None
            call._log("input", "initialText", entry.value)
        else:
            if attempt > 1:
                call._play(_retry_prompts(says, failure, attempt - 1), "ask")
            call._play(plain, "ask")
            entry = yield verb
        if entry.kind == "hangup":
            return Stop("hangup", "DISCONNECTED")
        if entry.kind == "silence":
            call._clock += timeout
            failure = "timeout"
            continue
        call._clock += INPUT_SECONDS
        found = grammar.match(
            entry.value,
            dtmf=entry.kind == "press",
            mode=choices.mode,
            terminator=choices.terminator,
        )
        if found is None:
            failure = "nomatch"
            continue
        action = named(verb.name)
        action.update(
            attempts=attempt,
            disposition="SUCCESS",
            confidence=found.confidence,
            interpretation=found.interpretation,
            utterance=found.utterance,
            value=found.value,
            concept=found.concept,
        )
        doc.actions.append(action)
        return None
    action = named(verb.name)
    action.update(
        attempts=attempts,
        disposition="TIMEOUT" if failure == "timeout" else "NOMATCH",
        confidence=0,
    )
    doc.actions.append(action)
    return None if verb.required is False else Stop("incomplete")


def _retry_prompts(says: c.Sequence[v.Say], failure: str, failed: int) -> list[v.Say]:
    """The event prompts that play after attempt number ``failed`` failed."""
    wanted = {"timeout"} if failure == "timeout" else {"nomatch", f"nomatch:{failed}"}
    return [say for say in says if say.event and wanted & set(say.event.split())]


def record(call: Call, doc: Document, verb: v.Record) -> Steps:
    """Prompt, then record until the terminator, silence or ``maxTime``.

    :param call: the call.
    :param doc: the document being run.
    :param verb: the record.
    """
    call._need_call(doc, "record")
    if call.is_text:
        raise SimulationError(
            "record: a text conversation cannot be recorded", url=doc.url, status=200
        )
    call._play([say for say in says_of(verb.say) if say.event is None], "record")
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
                _save(call, doc, verb, seconds, words)
            return Stop("hangup", "DISCONNECTED")
        if entry.kind == "silence":
            taken = min(max_silence, max_time - seconds)
        elif entry.kind == "press":
            call._clock += INPUT_SECONDS
            if terminator in entry.value:
                break
            call._log(
                "note",
                "record",
                f"keys {entry.value!r} are recorded; the terminator is {terminator!r}",
            )
            continue
        else:
            taken = min(float(max(1, len(entry.value.split()))), max_time - seconds)
            words.append(entry.value.strip())
        seconds += taken
        call._clock += taken
        if entry.kind == "silence":
            break
    _save(call, doc, verb, seconds, words)
    return None


def _save(
    call: Call, doc: Document, verb: v.Record, seconds: float, words: list[str]
) -> None:
    recording = Recording(
        url=recording_url(verb.format),
        duration=int(round(seconds)),
        verb="record",
        format=verb.format or "audio/wav",
        upload_urls=upload_urls(verb.url),
        transcript=" ".join(words),
        name=verb.name,
    )
    call.recordings.append(recording)
    call._log("recording", "record", recording.url)
    action = named(verb.name)
    action.update(
        attempts=1,
        disposition="SUCCESS",
        duration=recording.duration,
        value=recording.url,
        uploadStatus="success",
    )
    doc.actions.append(action)


def recording_url(media_type: str | None) -> str:
    """A fresh URL of the platform's temporary copy of a recording.

    :param media_type: the verb's ``format``; gives the file extension.
    """
    extension = (media_type or "audio/wav").rpartition("/")[2]
    return f"http://{wire.SIP_HOST}/recordings/{wire.new_id()}.{extension}"


def upload_urls(value: object) -> tuple[str, ...]:
    """The upload URLs of a ``url`` field (a string, a target, or several).

    :param value: the verb's ``url``.
    """
    items = value if isinstance(value, (list, tuple)) else [value]
    return tuple(
        item if isinstance(item, str) else str(getattr(item, "url", item))
        for item in items
    )
