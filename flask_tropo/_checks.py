"""The checks of the verb fields, declared per class in :mod:`flask_tropo.verbs`
and compiled into its ``__init__`` by :func:`flask_tropo._init.fast_init`.

A :class:`Check` pairs the full check of a field, a function that raises
:exc:`~flask_tropo.exceptions.InvalidArgument` naming the verb and the field
or returns the value to store (a list made a tuple, a string wrapped), with
an inline expression for the common values, so that ``Say("Hi")`` runs no
call at all. Internal; may change at any time.
"""

from __future__ import annotations

import collections.abc as c
import dataclasses
import re
import typing as t

from .exceptions import InvalidArgument

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

#: ``fix(verb, field, value, *others)``: the value to store, or InvalidArgument.
Fix: t.TypeAlias = "c.Callable[..., t.Any]"


@dataclasses.dataclass(frozen=True)
class Check:
    """How one field is checked.

    :param fix: the full check, ``fix(verb, field, value, *others)`` with
        ``verb`` the class and ``others`` the values of the fields named by
        ``others``: returns the value to store or raises InvalidArgument.
    :param ok: a Python expression, true of values that ``fix`` stores as
        they are, so that they are stored without the call. In it, ``{v}``
        is the value and every other ``{name}`` an object of ``env``; the
        other fields can be read by name.
    :param fast: for the checks that wrap or convert, instead of ``ok``: an
        expression giving what ``fix`` gives, where ``{fix}`` is the call of
        ``fix``.
    :param env: the objects that ``ok`` or ``fast`` names.
    :param skip_none: ``None`` (the default of an option) is stored
        unchecked.
    :param others: the fields whose values ``fix`` also takes.
    """

    fix: Fix
    ok: str | None = None
    fast: str | None = None
    env: c.Mapping[str, t.Any] = dataclasses.field(default_factory=dict)
    skip_none: bool = True
    others: tuple[str, ...] = ()


def _fail(verb: type, field: str, message: str) -> t.NoReturn:
    raise InvalidArgument(message, verb=verb.__name__, field=field)


# -- strings --------------------------------------------------------------------


def _non_empty(verb: type, field: str, value: t.Any) -> t.Any:
    if not isinstance(value, str) or not value:
        _fail(verb, field, f"must be a non-empty string, got {value!r}")
    return value


#: A required non-empty string.
NON_EMPTY = Check(_non_empty, ok="type({v}) is str and {v}", skip_none=False)


def one_of(allowed: tuple[str, ...]) -> Check:
    """One of the ``allowed`` strings."""

    def fix(verb: type, field: str, value: t.Any) -> t.Any:
        if value not in allowed:
            choices = ", ".join(repr(a) for a in allowed)
            _fail(verb, field, f"must be one of {choices}, got {value!r}")
        return value

    return Check(fix, ok="{v} in {allowed}", env={"allowed": allowed})


def _grammar(verb: type, field: str, value: t.Any) -> t.Any:
    if not isinstance(value, str):
        _fail(verb, field, f"must be a grammar string, got {value!r}")
    return value


#: The grammar string of a Choices.
GRAMMAR = Check(_grammar, ok="type({v}) is str")


def _mode(verb: type, field: str, value: t.Any) -> t.Any:
    if isinstance(value, str):
        value = value.lower()
    if value not in MODES:
        choices = ", ".join(repr(a) for a in MODES)
        _fail(verb, field, f"must be one of {choices}, got {value!r}")
    return value


#: A Choices mode, either case; stored lower case.
MODE = Check(_mode, ok="type({v}) is str and {v} in {modes}", env={"modes": MODES})


def _dtmf_key(verb: type, field: str, value: t.Any) -> t.Any:
    if not isinstance(value, str) or len(value) != 1 or value not in "0123456789*#":
        _fail(verb, field, f"must be one DTMF key, got {value!r}")
    return value


#: One DTMF key.
DTMF_KEY = Check(_dtmf_key)


def _event(verb: type, field: str, value: t.Any) -> t.Any:
    parts = value.split() if isinstance(value, str) else []
    if not parts or not all(_ASK_EVENT.match(p) for p in parts):
        _fail(
            verb,
            field,
            "must be 'timeout', 'nomatch' or 'nomatch:N' (space separated"
            f" for several), got {value!r}",
        )
    return value


#: The event of a prompt: "timeout", "nomatch", "nomatch:N", space separated.
EVENT = Check(_event)


def _mask(verb: type, field: str, value: t.Any, asr_log_security: t.Any) -> t.Any:
    if value is not None and (not isinstance(value, str) or not _MASK.match(value)):
        _fail(verb, field, f"may hold only D, X and -, got {value!r}")
    if asr_log_security == "mask" and value is None:
        _fail(verb, field, "is required when asr_log_security is 'mask'")
    return value


#: An Ask mask template, required with ``asr_log_security="mask"``.
MASK_TEMPLATE = Check(
    _mask,
    ok="({v} is None and (asr_log_security is None"
    " or asr_log_security != 'mask'))"
    " or (type({v}) is str and {match}({v}))",
    env={"match": _MASK.match},
    skip_none=False,
    others=("asr_log_security",),
)


# -- numbers --------------------------------------------------------------------

#: The exact types of a number stored as is.
_NUMBER = "(type({v}) is int or type({v}) is float)"


def _number(verb: type, field: str, value: t.Any, low: float, integer: bool) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(verb, field, f"must be a number, got {value!r}")
    if integer and not isinstance(value, int):
        _fail(verb, field, f"must be a whole number, got {value!r}")
    if value < low:
        _fail(verb, field, f"must be at least {low:g}, got {value!r}")


def at_least(low: float, *, integer: bool = False) -> Check:
    """A number (a whole one with ``integer``), ``low`` or more."""

    def fix(verb: type, field: str, value: t.Any) -> t.Any:
        _number(verb, field, value, low, integer)
        return value

    kind = "type({v}) is int" if integer else _NUMBER
    return Check(fix, ok=f"{kind} and {{v}} >= {{low}}", env={"low": low})


def between(low: float, high: float) -> Check:
    """A number from ``low`` to ``high``."""

    def fix(verb: type, field: str, value: t.Any) -> t.Any:
        _number(verb, field, value, low, False)
        if value > high:
            _fail(verb, field, f"must be between {low:g} and {high:g}, got {value!r}")
        return value

    return Check(
        fix,
        ok=f"{_NUMBER} and {{low}} <= {{v}} <= {{high}}",
        env={"low": low, "high": high},
    )


# -- collections ----------------------------------------------------------------


def strings(what: str) -> Check:
    """A string, or a sequence of strings stored as a tuple; ``what`` names
    them in the message.
    """

    def fix(verb: type, field: str, value: t.Any) -> t.Any:
        if isinstance(value, str):
            return value
        if not isinstance(value, c.Sequence) or not all(
            isinstance(v, str) for v in value
        ):
            _fail(verb, field, f"must be {what}, got {value!r}")
        return tuple(value)

    return Check(fix, ok="type({v}) is str")


#: Signal names.
SIGNALS = strings("a string or strings")
#: MMS attachments.
MEDIA = strings("a string or a list of strings")


def _destinations(verb: type, field: str, value: t.Any) -> t.Any:
    if isinstance(value, str):
        if not value:
            _fail(verb, field, "must not be empty")
        return value
    if (
        not isinstance(value, c.Sequence)
        or not value
        or not all(isinstance(v, str) and v for v in value)
    ):
        _fail(verb, field, f"must be a string or a list of strings, got {value!r}")
    return tuple(value)


#: A required destination or several, stored as a tuple.
DESTINATIONS = Check(_destinations, ok="type({v}) is str and {v}", skip_none=False)


def _headers(verb: type, field: str, value: t.Any) -> t.Any:
    if not isinstance(value, c.Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        _fail(verb, field, f"must map header names to strings, got {value!r}")
    return dict(value)


#: SIP headers, copied to a dict.
HEADERS = Check(_headers)


# -- nested objects -------------------------------------------------------------


def wrapping(cls: type[t.Any], what: str, *, also: tuple[type, ...] = ()) -> Check:
    """A ``cls`` object, a string wrapped as ``cls(value)``, or an object of
    the ``also`` types; ``what`` names them in the message.
    """
    passing = (cls, *also)

    def fix(verb: type, field: str, value: t.Any) -> t.Any:
        if isinstance(value, str):
            return cls(value)
        if not isinstance(value, passing):
            _fail(verb, field, f"must be {what}, got {value!r}")
        return value

    return Check(fix, ok="type({v}) is {cls}", env={"cls": cls})


def grammar_choices(choices: type[t.Any], new: c.Callable[[str], t.Any]) -> Check:
    """The choices of an Ask: a ``choices`` object with a grammar value, or a
    grammar string wrapped by ``new``, the fast constructor of ``choices``.
    """

    def fix(verb: type, field: str, value: t.Any) -> t.Any:
        if isinstance(value, str):
            value = choices(value)
        elif not isinstance(value, choices):
            _fail(verb, field, f"must be a grammar string or Choices, got {value!r}")
        if not value.value:
            _fail(verb, field, "needs a grammar value, for example '[4 DIGITS]'")
        return value

    return Check(
        fix,
        fast="({v} if {v}.value else {fix}) if type({v}) is {choices}"
        " else {new}({v}) if type({v}) is str and {v} else {fix}",
        env={"choices": choices, "new": new},
        skip_none=False,
    )


def terminator_choices(choices: type[t.Any]) -> Check:
    """The terminator of a Record or Transfer: a key, or a ``choices`` object
    with only a terminator.
    """

    def fix(verb: type, field: str, value: t.Any) -> t.Any:
        if isinstance(value, str):
            return choices(terminator=value)
        if not isinstance(value, choices):
            _fail(verb, field, f"must be a terminator key or Choices, got {value!r}")
        if value.value is not None or value.mode is not None:
            _fail(
                verb,
                field,
                "carries only a terminator here, for example Choices(terminator='#')",
            )
        return value

    return Check(fix)


def prompts(
    say: type[t.Any],
    new: c.Callable[[str], t.Any],
    *,
    required: bool = False,
    rule: c.Callable[[type, str, tuple[t.Any, ...]], None] | None = None,
) -> Check:
    """Prompts, stored as a tuple of ``say`` objects: a string (wrapped by
    ``new``, the fast constructor of ``say``), a ``say`` or a list of either.
    ``rule`` checks the tuple further (a lone prompt without an event always
    passes it).
    """

    def fix(verb: type, field: str, value: t.Any) -> t.Any:
        if value is None:
            _fail(verb, field, "is required")
        if isinstance(value, str):
            return (say(value),)
        items = [value] if isinstance(value, say) else value
        if not isinstance(items, c.Sequence) or not items:
            _fail(
                verb, field, f"must be a string, a Say or a list of them, got {value!r}"
            )
        says = []
        for item in items:
            if isinstance(item, str):
                says.append(say(item))
            elif isinstance(item, say):
                says.append(item)
            else:
                _fail(verb, field, f"must hold strings or Say objects, got {item!r}")
        result = tuple(says)
        if rule is not None:
            rule(verb, field, result)
        return result

    return Check(
        fix,
        fast="({new}({v}),) if type({v}) is str"
        " else ({v},) if type({v}) is {say} and {v}.event is None else {fix}",
        env={"new": new, "say": say},
        skip_none=not required,
    )


def prompt_order(verb: type, field: str, says: tuple[t.Any, ...]) -> None:
    """Event prompts must come before the prompts without an event."""
    seen_plain = False
    for say in says:
        if say.event is None:
            seen_plain = True
        elif seen_plain:
            _fail(
                verb,
                field,
                f"the prompt for event {say.event!r} must come before the prompts"
                " without an event (Tropo plays them in order)",
            )


def timeout_prompts(verb: type, field: str, says: tuple[t.Any, ...]) -> None:
    """Record prompts take only the "timeout" event."""
    for say in says:
        if say.event is not None and say.event != "timeout":
            _fail(
                verb,
                field,
                f"the only event a record prompt takes is 'timeout', got {say.event!r}",
            )


def _next(verb: type, field: str, value: t.Any) -> t.Any:
    if not (isinstance(value, str) or callable(value)):
        _fail(verb, field, f"must be a URL or a handler, got {value!r}")
    return value


#: A ``next`` target: a URL or a handler.
NEXT = Check(_next, ok="type({v}) is str")


def transfer_ons(on: type[t.Any], events: tuple[str, ...]) -> Check:
    """The ``on`` of a Transfer: ``on`` objects for the ``events`` ("ring"
    and "connect"), stored as a tuple.
    """

    def fix(verb: type, field: str, value: t.Any) -> t.Any:
        handlers = (value,) if isinstance(value, on) else value
        if not isinstance(handlers, c.Sequence) or not all(
            isinstance(h, on) for h in handlers
        ):
            _fail(verb, field, f"must be an On or a list of them, got {value!r}")
        for handler in handlers:
            if handler.event not in events:
                _fail(
                    verb,
                    field,
                    "the only events a transfer takes are 'ring' and 'connect',"
                    f" got {handler.event!r}",
                )
        return tuple(handlers)

    return Check(fix)


def upload_url(target: type[t.Any]) -> Check:
    """A required upload URL, a ``target`` object, or a list of either (the
    strings wrapped, one element stored alone, several as a tuple).
    """

    def fix(verb: type, field: str, value: t.Any) -> t.Any:
        if isinstance(value, str):
            if not value:
                _fail(verb, field, "must not be empty")
            return value
        if isinstance(value, target):
            return value
        if (
            isinstance(value, c.Sequence)
            and value
            and all(isinstance(v, (str, target)) for v in value)
        ):
            targets = tuple(target(v) if isinstance(v, str) else v for v in value)
            return targets[0] if len(targets) == 1 else targets
        _fail(
            verb,
            field,
            f"must be a URL, an UploadTarget or a list of them, got {value!r}",
        )

    return Check(fix, ok="type({v}) is str and {v}", skip_none=False)


def transcriptions(transcription: type[t.Any]) -> Check:
    """A ``transcription`` object or a list of them (one stored alone)."""

    def fix(verb: type, field: str, value: t.Any) -> t.Any:
        if isinstance(value, transcription):
            return value
        if (
            not isinstance(value, c.Sequence)
            or not value
            or not all(isinstance(v, transcription) for v in value)
        ):
            _fail(
                verb,
                field,
                f"must be a Transcription or a list of them, got {value!r}",
            )
        return value[0] if len(value) == 1 else tuple(value)

    return Check(fix)
