"""marshmallow fields for the wire shapes of the verbs that the stock fields
cannot express: strict booleans, numbers written as given, one-or-many
objects, ``next`` targets resolved while rendering. Internal.
"""

from __future__ import annotations

import collections.abc as c
import contextvars
import typing as t

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields

from ..exceptions import TropoError

#: The resolver of callable ``next`` targets for the render in progress
#: (a handler in, its URL out); set by :func:`flask_tropo.render`.
NEXT_URL: contextvars.ContextVar[c.Callable[[c.Callable[..., t.Any]], str] | None] = (
    contextvars.ContextVar("flask_tropo_next_url", default=None)
)


class StrictBool(fields.Field[bool]):
    """A JSON boolean, nothing else (no ``"true"`` strings, no ``1``)."""

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kw: t.Any
    ) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Not a boolean (true or false).")
        return value


class Number(fields.Field[float]):
    """A JSON number written as given: ``5`` stays ``5``, ``0.5`` stays ``0.5``.

    :param integer: whole numbers only (``3.0`` is read as ``3``).
    """

    def __init__(self, *, integer: bool = False, **kw: t.Any) -> None:
        super().__init__(**kw)
        self.integer = integer

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kw: t.Any
    ) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError("Not a number.")
        if self.integer and not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise ValidationError("Not a whole number.")
        return value


class StrOrList(fields.Field[t.Any]):
    """A string or a list of strings (``to``, ``allowSignals``, ``media``)."""

    def _serialize(
        self, value: t.Any, attr: str | None, obj: t.Any, **kw: t.Any
    ) -> t.Any:
        if value is None or isinstance(value, str):
            return value
        return list(value)

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kw: t.Any
    ) -> t.Any:
        if isinstance(value, str):
            return value
        if isinstance(value, list) and all(isinstance(i, str) for i in value):
            return tuple(value)
        raise ValidationError("Not a string or a list of strings.")


class _Nesting(fields.Field[t.Any]):
    """A field of objects of another schema.

    :param schema: returns that schema (the schemas refer to each other, so
        it is called when needed).
    """

    def __init__(self, schema: c.Callable[[], Schema], **kw: t.Any) -> None:
        super().__init__(**kw)
        self.schema_factory = schema


class OneOrMany(_Nesting):
    """Objects of one schema given as one object or a list of them.

    Dumps one as an object and several as a list (``say``), or always as a
    list with ``always_list`` (``Transfer.on``). Loads an object, a list, or
    with ``wrap_str`` a bare string (``"say": "Hi"``); a tuple, or the object
    alone with ``collapse`` when there is one.
    """

    def __init__(
        self,
        schema: c.Callable[[], Schema],
        *,
        always_list: bool = False,
        wrap_str: str | None = None,
        collapse: bool = False,
        **kw: t.Any,
    ) -> None:
        super().__init__(schema, **kw)
        self.always_list = always_list
        self.wrap_str = wrap_str
        self.collapse = collapse

    def _serialize(
        self, value: t.Any, attr: str | None, obj: t.Any, **kw: t.Any
    ) -> t.Any:
        if value is None:
            return None
        many = value if isinstance(value, tuple) else (value,)
        items = [self.schema_factory().dump(item) for item in many]
        return items if self.always_list or len(items) != 1 else items[0]

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kw: t.Any
    ) -> t.Any:
        if isinstance(value, str) and self.wrap_str:
            value = {self.wrap_str: value}
        schema = self.schema_factory()
        if isinstance(value, dict):
            loaded = schema.load(value)
            return loaded if self.collapse else (loaded,)
        if not isinstance(value, list) or not value:
            raise ValidationError("Not an object or a non-empty list of objects.")
        errors: dict[int, t.Any] = {}
        items = []
        for index, item in enumerate(value):
            if isinstance(item, str) and self.wrap_str:
                item = {self.wrap_str: item}
            if not isinstance(item, dict):
                errors[index] = ["Not an object."]
                continue
            try:
                items.append(schema.load(item))
            except ValidationError as exc:
                errors[index] = exc.messages
        if errors:
            raise ValidationError(errors)
        if self.collapse and len(items) == 1:
            return items[0]
        return tuple(items)


class FlagOrObject(_Nesting):
    """``true``/``false`` or an object (``machineDetection``, ``joinPrompt``)."""

    def _serialize(
        self, value: t.Any, attr: str | None, obj: t.Any, **kw: t.Any
    ) -> t.Any:
        if value is None or isinstance(value, bool):
            return value
        return self.schema_factory().dump(value)

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kw: t.Any
    ) -> t.Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, dict):
            return self.schema_factory().load(value)
        raise ValidationError("Not a boolean or an object.")


class UploadUrl(_Nesting):
    """``url`` of record and startRecording: a string, an upload target
    object or a list (one object stored alone).
    """

    def _serialize(
        self, value: t.Any, attr: str | None, obj: t.Any, **kw: t.Any
    ) -> t.Any:
        if value is None or isinstance(value, str):
            return value
        schema = self.schema_factory()
        if isinstance(value, tuple):
            return [schema.dump(target) for target in value]
        if callable(value):  # a recording route's handler
            return Next.resolve(value)
        return schema.dump(value)

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kw: t.Any
    ) -> t.Any:
        if isinstance(value, str):
            return value
        schema = self.schema_factory()
        if isinstance(value, dict):
            return schema.load(value)
        if (
            isinstance(value, list)
            and value
            and all(isinstance(i, dict) for i in value)
        ):
            targets = tuple(schema.load(i) for i in value)
            return targets[0] if len(targets) == 1 else targets
        raise ValidationError("Not a URL, an object or a list of objects.")


class Next(fields.Field[t.Any]):
    """A URL the platform posts to: ``next`` of an ``on``, the ``url`` of an
    upload target or a transcription. A string as it is, or a handler
    resolved while rendering by the function in :data:`NEXT_URL`.
    """

    def _serialize(
        self, value: t.Any, attr: str | None, obj: t.Any, **kw: t.Any
    ) -> t.Any:
        return None if value is None else self.resolve(value)

    @staticmethod
    def resolve(value: t.Any) -> str:
        """The URL of a target (not ``None``): a string as it is, a handler
        through :data:`NEXT_URL`; what :mod:`.tables` calls."""
        if isinstance(value, str):
            return value
        resolver = NEXT_URL.get()
        if resolver is None:
            name = getattr(value, "__name__", repr(value))
            raise TropoError(
                f"The handler {name} needs a URL: render inside a Tropo route (the"
                " extension resolves handlers), or pass render(..., next_url=...)."
            )
        return resolver(value)

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kw: t.Any
    ) -> t.Any:
        if not isinstance(value, str):
            raise ValidationError("Not a URL string.")
        return value
