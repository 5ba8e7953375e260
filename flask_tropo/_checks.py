"""The checks of the verb fields, run from ``__post_init__`` by the classes
:func:`flask_tropo._nested.checked` seals. Internal.

A check is called as ``check(obj, field, value)`` with the object being built
and returns the value to store (a list made a tuple, a string wrapped in its
object), or raises :exc:`InvalidArgument` naming the class and the field. A
field with a simple annotation (``str | None``, ``Seconds | None``...) is
checked by the annotation (:func:`for_annotation`); the others name their
check in :func:`checked`.
"""

from __future__ import annotations

import collections.abc as c
import difflib
import math
import re
import typing as t

from .exceptions import InvalidArgument

#: ``check(obj, field, value) -> value to store``.
Check: t.TypeAlias = "c.Callable[[t.Any, str, t.Any], t.Any]"

MODES = ("dtmf", "speech", "any")
#: The events Tropo sends to ``on`` handlers: of any document, and of a
#: transfer's own ``on`` (tropo-webapi.md 2.2).
EVENTS = ("continue", "incomplete", "error", "hangup", "ring", "connect")

# The types of the options whose values the wire reference lists; a field
# annotated with one (``timeout: Seconds | None``) is checked by it.
Seconds: t.TypeAlias = float  # 0 or more
Signals: t.TypeAlias = "str | c.Sequence[str]"
LogSecurity: t.TypeAlias = t.Literal["none", "suppress"]
AsrLogSecurity: t.TypeAlias = t.Literal["none", "suppress", "mask"]
SayAs: t.TypeAlias = t.Literal["DATE", "DIGITS", "NUMBER"]
AudioFormat: t.TypeAlias = t.Literal["audio/wav", "audio/mp3", "audio/au"]
UploadMethod: t.TypeAlias = t.Literal["POST", "PUT", "s3"]
Channel: t.TypeAlias = t.Literal["VOICE", "TEXT"]
_ASK_EVENT = re.compile(r"^(timeout|nomatch|nomatch:[1-9][0-9]*)$")
_MASK = re.compile(r"^[DX-]+$")


def fail(obj: t.Any, field: str, message: str) -> t.NoReturn:
    """Raise :exc:`InvalidArgument` for ``field`` of ``obj``'s class."""
    raise InvalidArgument(message, verb=type(obj).__name__, field=field)


def rule(test: c.Callable[[t.Any], object], message: str) -> Check:
    """A check that ``test(value)`` is true, else fails with ``message``."""

    def check(obj: t.Any, field: str, value: t.Any) -> t.Any:
        if not test(value):
            fail(obj, field, f"{message}, got {value!r}")
        return value

    return check


def string(obj: t.Any, field: str, value: t.Any) -> t.Any:
    """Any string."""
    if not isinstance(value, str):
        fail(obj, field, f"must be a string, got {value!r}")
    return value


def boolean(obj: t.Any, field: str, value: t.Any) -> t.Any:
    """``True`` or ``False``, not a string or a number that reads as one."""
    if not isinstance(value, bool):
        fail(obj, field, f"use True or False, got {value!r}")
    return value


def non_empty(obj: t.Any, field: str, value: t.Any) -> t.Any:
    """A non-empty string."""
    if not isinstance(value, str) or not value:
        fail(obj, field, f"must be a non-empty string, got {value!r}")
    return value


def one_of(*allowed: str) -> Check:
    """One of the ``allowed`` strings."""
    choices = ", ".join(map(repr, allowed))
    return rule(allowed.__contains__, f"must be one of {choices}")  # no lambda frame


dtmf_key = rule(
    lambda v: isinstance(v, str) and len(v) == 1 and v in "0123456789*#",
    "must be one DTMF key",
)
#: The event of a prompt: "timeout", "nomatch", "nomatch:N", space separated.
event = rule(
    lambda v: (
        isinstance(v, str) and v.split() and all(map(_ASK_EVENT.match, v.split()))
    ),
    "must be 'timeout', 'nomatch' or 'nomatch:N' (space separated for several)",
)
#: A ``next`` target: a URL or a handler.
next_target = rule(
    lambda v: isinstance(v, str) or callable(v), "must be a URL or a handler"
)
#: A non-empty URL, or a handler of a recording or transcription route.
link = rule(
    lambda v: isinstance(v, str) and v or callable(v), "must be a URL or a handler"
)
_MODE = one_of(*MODES)


def headers(obj: t.Any, field: str, value: t.Any) -> t.Any:
    """SIP headers, names to string values, copied to a dict."""
    if not isinstance(value, c.Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        fail(obj, field, f"must map header names to strings, got {value!r}")
    return dict(value)


def mode(obj: t.Any, field: str, value: t.Any) -> t.Any:
    """A Choices mode in either case, stored lower case."""
    if value in MODES:
        return value
    return _MODE(obj, field, value.lower() if isinstance(value, str) else value)


def on_event(obj: t.Any, field: str, value: t.Any) -> t.Any:
    """An event Tropo sends (:data:`EVENTS`), or with ``signal=True`` a
    signal name that is none of them."""
    if type(value) is str and value in EVENTS and obj.signal is not True:
        return value  # the usual answer, at once
    non_empty(obj, field, value)
    if obj.signal is True:
        if value in EVENTS:
            fail(obj, field, f"{value!r} is one of Tropo's events: drop signal=True")
        return value
    close = difflib.get_close_matches(value, EVENTS, 1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    fail(
        obj,
        field,
        f"Tropo sends no event {value!r}{hint}: use 'continue', 'incomplete',"
        " 'error' or 'hangup' ('ring' or 'connect' in a Transfer); for a signal"
        f" named in allow_signals, write On({value!r}, signal=True)",
    )


def flag(obj: t.Any, field: str, value: t.Any) -> t.Any:
    """A flag the wire does not carry: ``True``, or ``False`` stored as
    ``None`` (so a verb equals itself read back)."""
    boolean(obj, field, value)
    return True if value else None


def mask_template(obj: t.Any, field: str, value: t.Any) -> t.Any:
    """An Ask mask template: only D, X and -; required with ``"mask"``."""
    if value is None:
        if obj.asr_log_security == "mask":
            fail(obj, field, "is required when asr_log_security is 'mask'")
    elif not isinstance(value, str) or not _MASK.match(value):
        fail(obj, field, f"may hold only D, X and -, got {value!r}")
    return value


def number(low: float, high: float = math.inf, *, whole: bool = False) -> Check:
    """A finite number (a whole one with ``whole``) from ``low`` to ``high``."""

    def check(obj: t.Any, field: str, value: t.Any) -> t.Any:
        if type(value) is int and low <= value <= high:  # the usual answer, at once
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            fail(obj, field, f"must be a number, got {value!r}")
        if whole and not isinstance(value, int):
            fail(obj, field, f"must be a whole number, got {value!r}")
        if value != value or value in (math.inf, -math.inf):
            fail(obj, field, f"must be a finite number, got {value!r}")
        if high == math.inf and value < low:
            fail(obj, field, f"must be at least {low:g}, got {value!r}")
        if not low <= value <= high:
            fail(obj, field, f"must be between {low:g} and {high:g}, got {value!r}")
        return value

    return check


def strings(obj: t.Any, field: str, value: t.Any) -> t.Any:
    """A string, or a sequence of strings stored as a tuple."""
    if isinstance(value, str):
        return value
    if not isinstance(value, c.Sequence) or not all(isinstance(v, str) for v in value):
        fail(obj, field, f"must be a string or a list of strings, got {value!r}")
    return tuple(value)


def destinations(obj: t.Any, field: str, value: t.Any) -> t.Any:
    """A required destination or several, stored as a tuple."""
    if isinstance(value, str) and value:
        return value
    if (
        isinstance(value, str)
        or not isinstance(value, c.Sequence)
        or not value
        or not all(isinstance(v, str) and v for v in value)
    ):
        fail(obj, field, f"must be a non-empty string or list of them, got {value!r}")
    return tuple(value)


def wrapping(cls: type[t.Any], what: str, *, also: tuple[type, ...] = ()) -> Check:
    """A ``cls`` object, a string wrapped as ``cls(value)``, or an object of
    the ``also`` types; ``what`` names them in the message.
    """

    def check(obj: t.Any, field: str, value: t.Any) -> t.Any:
        if isinstance(value, str):
            return cls(value)
        if not isinstance(value, (cls, *also)):
            fail(obj, field, f"must be {what}, got {value!r}")
        return value

    return check


def grammar(choices: type[t.Any]) -> Check:
    """The choices of an Ask: a grammar string or a ``choices`` object with a
    grammar value.
    """

    def check(obj: t.Any, field: str, value: t.Any) -> t.Any:
        if isinstance(value, str):
            value = choices(value)
        elif not isinstance(value, choices):
            fail(obj, field, f"must be a grammar string or Choices, got {value!r}")
        if not value.value:
            fail(obj, field, "needs a grammar value, for example '[4 DIGITS]'")
        return value

    return check


def terminator(choices: type[t.Any]) -> Check:
    """The terminator of a Record or Transfer: a key, or a ``choices``
    object with only a terminator.
    """

    def check(obj: t.Any, field: str, value: t.Any) -> t.Any:
        if isinstance(value, str):
            return choices(terminator=value)
        if not isinstance(value, choices):
            fail(obj, field, f"must be a terminator key or Choices, got {value!r}")
        if value.value is not None or value.mode is not None:
            fail(
                obj,
                field,
                "carries only a terminator here, for example Choices(terminator='#')",
            )
        return value

    return check


#: A rule on a tuple of prompts: ``rule(obj, field, says)``.
PromptRule: t.TypeAlias = "c.Callable[[t.Any, str, tuple[t.Any, ...]], None]"


def prompts(say: type[t.Any], rule: PromptRule | None = None) -> Check:
    """Prompts, stored as a tuple of ``say`` objects: a string, a ``say`` or
    a list of either; ``rule`` checks the tuple further.
    """

    def check(obj: t.Any, field: str, value: t.Any) -> t.Any:
        if type(value) is str and value:  # the usual answer, at once
            return (say(value),)
        items = [value] if isinstance(value, (str, say)) else value
        if not isinstance(items, c.Sequence) or not items:
            fail(
                obj, field, f"must be a string, a Say or a list of them, got {value!r}"
            )
        says = []
        for item in items:
            if not isinstance(item, (str, say)):
                fail(obj, field, f"must hold strings or Say objects, got {item!r}")
            says.append(say(item) if isinstance(item, str) else item)
        if rule is not None:
            rule(obj, field, tuple(says))
        return tuple(says)

    return check


def prompt_order(obj: t.Any, field: str, says: tuple[t.Any, ...]) -> None:
    """Event prompts must come before the prompts without an event."""
    plain = False
    for say in says:
        if say.event is None:
            plain = True
        elif plain:
            fail(
                obj,
                field,
                f"the prompt for event {say.event!r} must come before the prompts"
                " without an event (Tropo plays them in order)",
            )


def timeout_prompts(obj: t.Any, field: str, says: tuple[t.Any, ...]) -> None:
    """Record prompts take only the "timeout" event."""
    for say in says:
        if say.event is not None and say.event != "timeout":
            fail(
                obj,
                field,
                f"the only event a record prompt takes is 'timeout', got {say.event!r}",
            )


def transfer_ons(on: type[t.Any]) -> Check:
    """The ``on`` of a Transfer: ``on`` objects for "ring" and "connect",
    stored as a tuple.
    """

    def check(obj: t.Any, field: str, value: t.Any) -> t.Any:
        handlers = (value,) if isinstance(value, on) else value
        if not isinstance(handlers, c.Sequence) or not all(
            isinstance(h, on) for h in handlers
        ):
            fail(obj, field, f"must be an On or a list of them, got {value!r}")
        for handler in handlers:
            if handler.event not in ("ring", "connect"):
                fail(
                    obj,
                    field,
                    "the only events a transfer takes are 'ring' and 'connect',"
                    f" got {handler.event!r}",
                )
        return tuple(handlers)

    return check


def upload_url(target: type[t.Any]) -> Check:
    """A required upload URL or handler, a ``target`` object, or a list of
    them (the URLs and handlers wrapped; one element stored alone, several as
    a tuple).
    """

    def one(value: t.Any) -> bool:
        return isinstance(value, target) or isinstance(value, str) and value != ""

    def check(obj: t.Any, field: str, value: t.Any) -> t.Any:
        if one(value) or callable(value):  # callable: a recording route's handler
            return value
        if (
            not isinstance(value, str)
            and isinstance(value, c.Sequence)
            and value
            and all(one(v) or callable(v) for v in value)
        ):
            targets = tuple(v if isinstance(v, target) else target(v) for v in value)
            return targets[0] if len(targets) == 1 else targets
        fail(
            obj,
            field,
            "must be a URL, a handler, an UploadTarget or a list of them, got"
            f" {value!r}",
        )

    return check


def one_or_more(cls: type[t.Any], what: str) -> Check:
    """A ``cls`` object or a list of them (one stored alone, several as a
    tuple).
    """

    def check(obj: t.Any, field: str, value: t.Any) -> t.Any:
        if isinstance(value, cls):
            return value
        if (
            not isinstance(value, c.Sequence)
            or not value
            or not all(isinstance(v, cls) for v in value)
        ):
            fail(obj, field, f"must be {what} or a list of them, got {value!r}")
        return value[0] if len(value) == 1 else tuple(value)

    return check


#: The checks that also run when the field is left at ``None``.
ON_NONE: frozenset[Check] = frozenset({mask_template})


#: The check of each simple annotation, as written in this package's modules
#: (``from __future__ import annotations`` keeps them as text), ``| None``
#: aside.
_BY_ANNOTATION: dict[str, Check] = {
    "str": string,
    "bool": boolean,
    "c.Mapping[str, str]": headers,
    "Signals": strings,
    "Seconds": number(0),
    "LogSecurity": one_of(*t.get_args(LogSecurity)),
    "AsrLogSecurity": one_of(*t.get_args(AsrLogSecurity)),
    "SayAs": one_of(*t.get_args(SayAs)),
    "AudioFormat": one_of(*t.get_args(AudioFormat)),
    "UploadMethod": one_of(*t.get_args(UploadMethod)),
    "Channel": one_of(*t.get_args(Channel)),
}


def for_annotation(annotation: object) -> Check | None:
    """The check of a field annotated ``annotation``, if it is a simple one."""
    if not isinstance(annotation, str):
        return None
    return _BY_ANNOTATION.get(annotation.removesuffix(" | None"))
