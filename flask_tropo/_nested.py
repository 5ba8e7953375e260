"""The nested objects of the verbs (:class:`Choices`, :class:`Prompt`...)
and what the verbs share with them: the ``repr``, the sealing and the checked
``__init__``. Re-exported by :mod:`flask_tropo.verbs`; internal.
"""

from __future__ import annotations

import collections.abc as c
import typing as t
from dataclasses import KW_ONLY
from dataclasses import MISSING
from dataclasses import FrozenInstanceError
from dataclasses import dataclass
from dataclasses import fields

from ._checks import DTMF_KEY
from ._checks import GRAMMAR
from ._checks import METHODS
from ._checks import MODE
from ._checks import NON_EMPTY
from ._checks import TRANSCRIPTION_EMAIL_FORMATS
from ._checks import Check
from ._checks import one_of
from ._init import fast_init

_T = t.TypeVar("_T", bound=type)


class _Model:
    """Shared ``repr`` of verbs and nested objects: only the fields that are
    set, so ``Say('Hi')`` reads as written.

    The checks of the fields are declared with :func:`checked`, which makes
    them the ``__post_init__`` (this one does nothing: it makes the
    dataclass ``__init__`` call the one of each class).
    """

    __slots__ = ()

    def __repr__(self) -> str:
        parts = []
        for field in fields(t.cast(t.Any, self)):
            if field.name == "_":
                continue
            value = getattr(self, field.name)
            if field.kw_only:
                if value is not field.default:
                    parts.append(f"{field.name}={value!r}")
            elif field.default is MISSING or value is not field.default:
                parts.append(repr(value))
        return f"{type(self).__name__}({', '.join(parts)})"

    def __post_init__(self) -> None:
        pass


def _refuse_setattr(self: object, name: str, value: object) -> t.NoReturn:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_delattr(self: object, name: str) -> t.NoReturn:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def checked(**checks: Check) -> c.Callable[[_T], _T]:
    """Seal a verb or nested object dataclass and give it the ``__init__``
    of :func:`~flask_tropo._init.fast_init` with ``checks``, the checks of
    its fields in the order they run.

    Sealing makes every assignment raise
    :class:`~dataclasses.FrozenInstanceError`:
    ``dataclass(frozen=True, slots=True)`` builds its ``__setattr__`` around
    the class as it was before slots were added (CPython gh-105936), so on
    the Python versions this package supports, setting a name that is not a
    field (any name on ``Hangup``) raised ``TypeError: super(type, obj)``
    instead.
    """

    def decorate(cls: _T) -> _T:
        type.__setattr__(cls, "__setattr__", _refuse_setattr)
        type.__setattr__(cls, "__delattr__", _refuse_delattr)
        return fast_init(cls, checks)

    return decorate


@checked(value=GRAMMAR, mode=MODE, terminator=DTMF_KEY)
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


@checked(url=NON_EMPTY, email_format=one_of(TRANSCRIPTION_EMAIL_FORMATS))
@dataclass(frozen=True, slots=True, repr=False)
class Transcription(_Model):
    """Where a :class:`~flask_tropo.verbs.Record` sends its transcription.

    :param url: ``mailto:`` address or HTTP URL.
    :param id: an identifier echoed with the transcription.
    :param email_format: ``"plain"``, ``"encoded"`` or ``"omit"``.
    :param language: the language of the recording, for example ``"en-us"``.
    """

    url: str
    _: KW_ONLY
    id: str | None = None
    email_format: str | None = None
    language: str | None = None


@checked(url=NON_EMPTY, method=one_of(METHODS))
@dataclass(frozen=True, slots=True, repr=False)
class UploadTarget(_Model):
    """One destination of a recording, for :class:`~flask_tropo.verbs.Record`
    and :class:`~flask_tropo.verbs.StartRecording` ``url``.

    :param url: where the file is uploaded (form field ``filename``).
    :param username: user name for the upload.
    :param password: password for the upload.
    :param method: ``"POST"`` or ``"PUT"``.
    """

    url: str
    _: KW_ONLY
    username: str | None = None
    password: str | None = None
    method: str | None = None


@checked()
@dataclass(frozen=True, slots=True, repr=False)
class MachineDetection(_Model):
    """Answering-machine detection for :class:`~flask_tropo.verbs.Call` and
    :class:`~flask_tropo.verbs.Transfer`.

    ``machine_detection=True`` turns it on; this object adds an introduction
    played while detecting.

    :param introduction: text or audio URL played while detecting.
    :param voice: the voice of the introduction.
    """

    introduction: str | None = None
    _: KW_ONLY
    voice: str | None = None


@checked(value=NON_EMPTY)
@dataclass(frozen=True, slots=True, repr=False)
class Prompt(_Model):
    """A conference ``joinPrompt`` or ``leavePrompt`` with its own text.

    :param value: text or audio URL.
    :param voice: the voice to speak it with.
    """

    value: str
    _: KW_ONLY
    voice: str | None = None
