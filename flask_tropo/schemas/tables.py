"""The two fast paths of the schemas, derived once from them: loading the
session and result documents Tropo posts, and dumping the verbs.

A row of a table is a field's data key, attribute and kind, derived from the
field's public attributes (``data_key``, ``required``, ``allow_none``,
``validators``...) and the schema's own ``model`` and ``fold``, so the schemas
stay the one declared mapping. The load loop handles the plain cases itself
and calls the field's public ``deserialize`` (or ``convert``) for the others;
anything it does not take (a wrong type, a missing required key, ``null``
where it is not allowed) raises :exc:`Slow`, and the caller loads the document
with the schema, which decides and words the error. The dump loop leaves
``None`` out as the verb schemas' ``post_dump`` does, walks nested objects
through their own tables and writes the other fields by their public
``serialize``. ``tests/test_tables.py`` checks both paths against the
schemas. Internal.
"""

from __future__ import annotations

import collections.abc as c
import typing as t

from marshmallow import Schema
from marshmallow import fields
from marshmallow import missing

from .fields import Actions
from .fields import Headers
from .verb_fields import Next
from .verb_fields import Number
from .verb_fields import OneOrMany
from .verb_fields import StrictBool
from .verb_fields import StrOrList


class Slow(Exception):
    """The fast load path does not handle this input: load it with the
    schema."""


# The kinds of rows.
_PLAIN, _NESTED, _LIST_OF, _ACTIONS, _CONVERT, _FIELD = range(6)
_LIST, _MAP, _ONE, _MANY, _CALL = range(6, 11)
#: What a key absent from the data reads as.
_ABSENT = object()


def _load_row(name: str, field: fields.Field[t.Any]) -> tuple[t.Any, ...]:
    """``(key, attr, kind, arg, allow_none, required)``: for a plain field,
    ``arg`` is the one type its values have; for a converted one, what loads
    a value (the field's own ``deserialize`` unless it has ``convert``)."""
    kind: int = _CONVERT
    arg: t.Any = field.deserialize
    if isinstance(field, Actions):
        kind, arg = _ACTIONS, LoadTable(field.schema)
    elif field.validators:
        pass  # the field runs them
    elif type(field) is fields.String:
        kind, arg = _PLAIN, str
    elif type(field) is fields.Integer and field.strict:
        kind, arg = _PLAIN, int
    elif type(field) is fields.Boolean:
        kind, arg = _PLAIN, bool
    elif type(field) is fields.Raw:
        kind, arg = _PLAIN, None
    elif type(field) is fields.Nested:
        kind = _LIST_OF if field.many else _NESTED
        arg = LoadTable(field.schema)
    elif callable(getattr(field, "convert", None)):
        arg = t.cast(t.Any, field).convert
    # A default the schema would fill in is the schema's business.
    required = field.required or field.load_default is not missing
    return (field.data_key or name, field.attribute or name, kind, arg,
            field.allow_none, required)  # fmt: skip


class LoadTable:
    """How to load one payload schema's objects.

    :param schema: a payload schema (see :mod:`.payloads`), whose
        ``post_load`` builds ``schema.model`` from what its ``fold`` leaves.
    """

    def __init__(self, schema: Schema) -> None:
        self.model: c.Callable[..., t.Any] = t.cast(t.Any, schema).model
        self.fold: c.Callable[[dict[str, t.Any]], t.Any] = t.cast(t.Any, schema).fold
        self.rows = [
            _load_row(name, field)
            for name, field in schema.fields.items()
            if not field.dump_only
        ]

    def load(self, data: t.Any) -> t.Any:
        """The object the schema loads from ``data``, or :exc:`Slow`."""
        if type(data) is not dict:
            raise Slow
        out: dict[str, t.Any] = {}
        get = data.get
        for key, attr, kind, arg, allow_none, required in self.rows:
            value = get(key, _ABSENT)
            if kind == _PLAIN and (type(value) is arg or value is None and allow_none):
                out[attr] = value  # the usual case, at once
            elif value is _ABSENT:
                if required:
                    raise Slow
            elif value is None:
                if not allow_none:
                    raise Slow
                out[attr] = None
            elif kind == _PLAIN:
                if arg is not None:
                    raise Slow
                out[attr] = value
            elif kind == _NESTED:
                out[attr] = arg.load(value)
            elif kind == _ACTIONS:
                out[attr] = arg.load_actions(value)
            elif kind == _LIST_OF:
                if type(value) is not list:
                    raise Slow
                out[attr] = [arg.load(item) for item in value]
            else:
                try:
                    out[attr] = arg(value)
                except Exception:  # the schema decides, and words the error
                    raise Slow from None
        return self.model(**self.fold(out))

    def load_actions(self, value: t.Any) -> tuple[t.Any, ...]:
        """A result's ``actions`` as :class:`~.fields.Actions` loads them:
        ``{}`` none, an object one, a list several."""
        if type(value) is dict:
            return (self.load(value),) if value else ()
        if type(value) is list:
            return tuple([self.load(item) for item in value])
        raise Slow


class DumpTable:
    """How to dump one verb schema's objects (``None`` left out).

    :param schema: a verb schema (see :mod:`.verbs`).
    """

    def __init__(self, schema: Schema) -> None:
        self.rows: list[tuple[str, str, int, t.Any]] = []
        for name, field in schema.fields.items():
            if field.load_only:
                continue
            arg: t.Any = field
            if isinstance(field, (StrictBool, Number)) or (
                type(field) is fields.String and not field.validators
            ):
                kind = _PLAIN
            elif isinstance(field, Next):
                kind, arg = _CALL, field.resolve
            elif isinstance(field, StrOrList):
                kind = _LIST
            elif isinstance(field, Headers):
                kind = _MAP
            elif type(field) is fields.Nested:
                kind, arg = _ONE, DumpTable(field.schema)
            elif isinstance(field, OneOrMany):
                kind = _MANY
                arg = (DumpTable(field.schema_factory()), field.always_list)
            else:
                kind = _FIELD
            self.rows.append(
                (field.attribute or name, field.data_key or name, kind, arg)
            )

    def dump(self, obj: t.Any) -> dict[str, t.Any]:
        """The wire form of ``obj``, as the schema dumps it."""
        out: dict[str, t.Any] = {}
        for attr, key, kind, arg in self.rows:
            value = getattr(obj, attr)
            if value is None:
                continue
            if kind == _PLAIN:
                pass
            elif kind == _LIST:
                if not isinstance(value, str):
                    value = list(value)
            elif kind == _MAP:
                value = dict(value)
            elif kind == _ONE:
                value = arg.dump(value)
            elif kind == _MANY:
                table, always_list = arg
                many = value if type(value) is tuple else (value,)
                items = [table.dump(item) for item in many]
                value = items if always_list or len(items) != 1 else items[0]
            elif kind == _CALL:
                value = arg(value)
            else:
                value = arg.serialize(attr, obj)
                if value is None:
                    continue
            out[key] = value
        return out
