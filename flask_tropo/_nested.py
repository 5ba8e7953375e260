"""What the verbs and their nested objects share (the checks run by
``__post_init__``, sealing, the ``repr``, the :class:`Verb` base), and the
nested objects themselves (:class:`Choices`, :class:`Prompt`...). Re-exported
by :mod:`flask_tropo.verbs`; internal.
"""

from __future__ import annotations

import collections.abc as c
import dataclasses
import difflib
import re
import typing as t
from dataclasses import KW_ONLY
from dataclasses import FrozenInstanceError
from dataclasses import dataclass

from . import _checks as check
from ._checks import UploadMethod

_T = t.TypeVar("_T", bound=type)
_M = t.TypeVar("_M", bound="_Model")

#: An upper-case letter that starts a word of a camelCase name.
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


class _Model:
    """Base of verbs and nested objects: names the option meant by an
    unknown keyword, checks the fields after the dataclass ``__init__``, and
    a ``repr`` of only the fields that are set, so ``Say('Hi')`` reads as
    written.
    """

    __slots__ = ()
    #: The field names, set by :func:`checked`.
    _field_names: t.ClassVar[frozenset[str]] = frozenset()
    #: Each field's ``(name, check, None allowed)``, set by :func:`checked`.
    _field_checks: t.ClassVar[tuple[tuple[str, check.Check, bool], ...]] = ()

    def __new__(cls: type[_M], *args: t.Any, **kwargs: t.Any) -> _M:
        # Before the dataclass __init__ refuses an unknown keyword, say what
        # to write instead (the old SDKs' camelCase, _from, _as): one set
        # comparison when keywords are given.
        if kwargs and not cls._field_names.issuperset(kwargs):
            raise TypeError(_unknown_keywords(cls, kwargs))
        return super().__new__(cls)

    def __post_init__(self) -> None:
        for name, fix, optional in self._field_checks:
            value = getattr(self, name)
            if value is None and optional:
                continue
            fixed = fix(self, name, value)
            if fixed is not value:
                # The documented way to set a field of a frozen dataclass.
                object.__setattr__(self, name, fixed)

    def __repr__(self) -> str:
        parts = []
        for field in dataclasses.fields(t.cast(t.Any, self)):
            value = getattr(self, field.name)
            if value is not field.default:  # a required field has none
                parts.append(
                    f"{field.name}={value!r}" if field.kw_only else repr(value)
                )
        return f"{type(self).__name__}({', '.join(parts)})"


class Verb(_Model):
    """Base class of the top-level verbs.

    ``tropo_key`` is the verb's key on the wire (``"say"``, ``"startRecording"``).
    """

    __slots__ = ()
    tropo_key: t.ClassVar[str]


def _unknown_keywords(cls: type[_Model], kwargs: c.Iterable[str]) -> str:
    """The message of the :exc:`TypeError` for keywords that name no field
    of ``cls``, with the name to write instead: ``minConfidence`` is
    ``min_confidence``, ``_from`` is ``from_``, a close spelling its field.
    """
    names = cls._field_names
    unknown = [key for key in kwargs if key not in names]
    fixes, strays = [], []
    for key in unknown:
        snake = _CAMEL.sub(r"_\1", key.strip("_")).lower()
        found = [n for n in (snake, f"{snake}_") if n in names]
        found = found or difflib.get_close_matches(snake, sorted(names), 1, 0.8)
        if found:
            fixes.append(f"{found[0]}= for {key}=")
        else:
            strays.append(key)
    parts = []
    if fixes:
        parts.append(
            f"write {', '.join(fixes)} (options are snake_case; the wire's"
            " camelCase keys are written for you)"
        )
    if strays:
        parts.append(
            f"{cls.__name__} has no option {', '.join(strays)}; it takes"
            f" {', '.join(sorted(names))}"
        )
    return (
        f"{cls.__name__}() got unexpected keyword argument"
        f"{'s' if len(unknown) > 1 else ''} {', '.join(repr(k) for k in unknown)}:"
        f" {'. '.join(parts)}."
    )


def _refuse_setattr(self: object, name: str, value: object) -> t.NoReturn:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_delattr(self: object, name: str) -> t.NoReturn:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def checked(**checks: check.Check) -> c.Callable[[_T], _T]:
    """Give each field of the class its check (the one named here, else the
    one of its annotation) and seal the class.

    Sealing makes every assignment raise
    :class:`~dataclasses.FrozenInstanceError`: ``dataclass(frozen=True,
    slots=True)`` builds its ``__setattr__`` around the class as it was
    before slots were added (CPython gh-105936), so setting a name that is
    not a field raised ``TypeError: super(type, obj)`` instead.
    """

    def decorate(cls: _T) -> _T:
        rows = []
        for field in dataclasses.fields(cls):
            fix = checks.get(field.name) or check.for_annotation(field.type)
            if fix is None:  # pragma: no cover - a mistake in this package
                raise TypeError(f"{cls.__name__}.{field.name} has no check")
            optional = field.default is None and fix not in check.ON_NONE
            rows.append((field.name, fix, optional))
        type.__setattr__(cls, "_field_checks", tuple(rows))
        type.__setattr__(cls, "_field_names", frozenset(row[0] for row in rows))
        type.__setattr__(cls, "__setattr__", _refuse_setattr)
        type.__setattr__(cls, "__delattr__", _refuse_delattr)
        return cls

    return decorate


@checked(mode=check.mode, terminator=check.dtmf_key)
@dataclass(frozen=True, slots=True, repr=False)
class Choices(_Model):
    """The ``choices`` of an :class:`~flask_tropo.verbs.Ask` (a grammar), or
    only the terminator key of a :class:`~flask_tropo.verbs.Record` or
    :class:`~flask_tropo.verbs.Transfer`.

    :param value: the grammar, for example ``"[4 DIGITS]"`` or
        ``"yes(yes,y,1), no(no,n,2)"``.
    :param mode: ``"dtmf"``, ``"speech"`` or ``"any"``, either case; stored
        lower case.
    :param terminator: the DTMF key that ends entry, for example ``"#"``.
    """

    value: str | None = None
    _: KW_ONLY
    mode: str | None = None
    terminator: str | None = None


# A transcription object also takes "omit" (tropo-webapi.md 1.3; PHP suite).
@checked(url=check.link, email_format=check.one_of("plain", "encoded", "omit"))
@dataclass(frozen=True, slots=True, repr=False)
class Transcription(_Model):
    """Where a :class:`~flask_tropo.verbs.Record` sends its transcription.

    :param url: ``mailto:`` address or HTTP URL, or a handler registered with
        ``on_transcription`` (rendered to its signed URL).
    :param id: an identifier echoed with the transcription.
    :param email_format: ``"plain"``, ``"encoded"`` or ``"omit"``.
    :param language: the language of the recording, for example ``"en-us"``.
    """

    url: str | c.Callable[..., t.Any]
    _: KW_ONLY
    id: str | None = None
    email_format: str | None = None
    language: str | None = None


@checked(url=check.link)
@dataclass(frozen=True, slots=True, repr=False)
class UploadTarget(_Model):
    """One destination of a recording, for :class:`~flask_tropo.verbs.Record`
    and :class:`~flask_tropo.verbs.StartRecording` ``url``.

    :param url: where the file is uploaded (form field ``filename``), or a
        handler registered with ``on_recording`` (rendered to its signed
        URL).
    :param method: ``"POST"``, ``"PUT"`` or ``"s3"``.
    """

    url: str | c.Callable[..., t.Any]
    _: KW_ONLY
    username: str | None = None
    password: str | None = None
    method: UploadMethod | None = None


@checked()
@dataclass(frozen=True, slots=True, repr=False)
class MachineDetection(_Model):
    """Answering-machine detection for :class:`~flask_tropo.verbs.Call` and
    :class:`~flask_tropo.verbs.Transfer`.

    ``machine_detection=True`` turns it on; this object adds an introduction
    played while detecting.

    :param introduction: text or audio URL played while detecting.
    """

    introduction: str | None = None
    _: KW_ONLY
    voice: str | None = None


@checked(value=check.non_empty)
@dataclass(frozen=True, slots=True, repr=False)
class Prompt(_Model):
    """A conference ``joinPrompt`` or ``leavePrompt`` with its own text.

    :param value: text or audio URL.
    """

    value: str
    _: KW_ONLY
    voice: str | None = None
