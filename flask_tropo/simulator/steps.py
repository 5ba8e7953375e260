"""Shared pieces of the simulator's state machine.

:meta private:
"""

from __future__ import annotations

import collections.abc as c
import re
import typing as t
from dataclasses import dataclass
from dataclasses import field

from .. import verbs as v

__all__ = [
    "DTMF",
    "Document",
    "Input",
    "Steps",
    "Stop",
    "Waiting",
    "describe",
    "excerpt",
    "named",
    "says_of",
]

#: The DTMF keys.
DTMF = frozenset("0123456789*#")
_TAG = re.compile(r"<[^>]*>")


class Input(t.NamedTuple):
    """What the caller did: ``press``, ``speak``, ``silence`` or ``hangup``."""

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


#: The verbs a call can wait on.
Waiting: t.TypeAlias = "v.Ask | v.Record"
#: A verb run that may wait: yields the waiting verb, receives the input,
#: returns how the document stops (``None``: go on).
Steps: t.TypeAlias = "c.Generator[Waiting, Input, Stop | None]"


def named(name: str | None) -> dict[str, t.Any]:
    """A new action, carrying ``name`` when the verb has one."""
    return {} if name is None else {"name": name}


def says_of(value: object) -> tuple[v.Say, ...]:
    """The normalized ``say`` of a verb (``None`` gives no prompts)."""
    return t.cast("tuple[v.Say, ...]", value or ())


def excerpt(body: bytes, content_type: str = "", size: int = 200) -> str:
    """The start of a body on one line, tags removed from HTML."""
    text = body.decode("utf-8", "replace")
    if "html" in content_type:
        text = _TAG.sub(" ", text)
    text = " ".join(text.split())
    if not text:
        return "(empty body)"
    return repr(text if len(text) <= size else f"{text[:size]}...")


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
