"""Checks shared by the verb dataclasses of :mod:`flask_tropo.verbs`.

Each raises :exc:`~flask_tropo.exceptions.InvalidArgument` naming the verb and
the field. Internal; may change at any time.
"""

from __future__ import annotations

import collections.abc as c
import re
import typing as t

from .exceptions import InvalidArgument

if t.TYPE_CHECKING:  # pragma: no cover
    from .verbs import Say

MODES = ("dtmf", "speech", "any")
SAY_AS = ("DATE", "DIGITS", "NUMBER")
FORMATS = ("audio/wav", "audio/mp3", "audio/au")
METHODS = ("POST", "PUT", "s3")
CHANNELS = ("VOICE", "TEXT")
PROMPT_LOG_SECURITY = ("none", "suppress")
ASR_LOG_SECURITY = ("none", "suppress", "mask")
LOG_STATES = ("none", "suppress")
EMAIL_FORMATS = ("plain", "encoded")
#: A transcription object also takes "omit" (tropo-webapi.md 1.3; PHP suite).
TRANSCRIPTION_EMAIL_FORMATS = ("plain", "encoded", "omit")
TRANSFER_EVENTS = ("ring", "connect")
_ASK_EVENT = re.compile(r"^(timeout|nomatch|nomatch:[1-9][0-9]*)$")
_MASK = re.compile(r"^[DX-]+$")


def _fail(owner: t.Any, field: str, message: str) -> t.NoReturn:
    raise InvalidArgument(message, verb=type(owner).__name__, field=field)


def _set(owner: t.Any, field: str, value: object) -> None:
    object.__setattr__(owner, field, value)


def _one_of(
    owner: t.Any, field: str, value: str | None, allowed: tuple[str, ...]
) -> None:
    if value is not None and value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        _fail(owner, field, f"must be one of {choices}, got {value!r}")


def _at_least(
    owner: t.Any, field: str, value: float | None, low: float, integer: bool = False
) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(owner, field, f"must be a number, got {value!r}")
    if integer and not isinstance(value, int):
        _fail(owner, field, f"must be a whole number, got {value!r}")
    if value < low:
        _fail(owner, field, f"must be at least {low:g}, got {value!r}")


def _between(
    owner: t.Any, field: str, value: float | None, low: float, high: float
) -> None:
    _at_least(owner, field, value, low)
    if value is not None and value > high:
        _fail(owner, field, f"must be between {low:g} and {high:g}, got {value!r}")


def _timeouts(owner: t.Any, *fields: str) -> None:
    for field in fields:
        _at_least(owner, field, getattr(owner, field), 0)


def _signals(owner: t.Any) -> None:
    value = owner.allow_signals
    if value is None or isinstance(value, str):
        return
    if not isinstance(value, c.Sequence) or not all(isinstance(v, str) for v in value):
        _fail(owner, "allow_signals", f"must be a string or strings, got {value!r}")
    _set(owner, "allow_signals", tuple(value))


def _destinations(owner: t.Any, field: str) -> None:
    value = getattr(owner, field)
    if isinstance(value, str):
        if not value:
            _fail(owner, field, "must not be empty")
        return
    if (
        not isinstance(value, c.Sequence)
        or not value
        or not all(isinstance(v, str) and v for v in value)
    ):
        _fail(owner, field, f"must be a string or a list of strings, got {value!r}")
    _set(owner, field, tuple(value))


def _headers(owner: t.Any) -> None:
    value = owner.headers
    if value is None:
        return
    if not isinstance(value, c.Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        _fail(owner, "headers", f"must map header names to strings, got {value!r}")
    _set(owner, "headers", dict(value))


def _prompt_order(owner: t.Any, says: tuple[Say, ...] | None, field: str) -> None:
    """Event prompts must come before the prompts without an event."""
    if not says:
        return
    seen_plain = False
    for say in says:
        if say.event is None:
            seen_plain = True
        elif seen_plain:
            _fail(
                owner,
                field,
                f"the prompt for event {say.event!r} must come before the prompts"
                " without an event (Tropo plays them in order)",
            )


def _media(owner: t.Any) -> None:
    value = owner.media
    if value is None or isinstance(value, str):
        return
    if not isinstance(value, c.Sequence) or not all(isinstance(v, str) for v in value):
        _fail(owner, "media", f"must be a string or a list of strings, got {value!r}")
    _set(owner, "media", tuple(value))


def _required_str(owner: t.Any, field: str) -> None:
    value = getattr(owner, field)
    if not isinstance(value, str) or not value:
        _fail(owner, field, f"must be a non-empty string, got {value!r}")
