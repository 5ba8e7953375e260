"""JSON writers compiled from the verb schemas, for the response body.

A Tropo route answers ``json.dumps(render(verbs))`` as Flask's JSON provider
writes it. Building that dict and then encoding it walks the document twice;
the writers here write the JSON text in one pass, straight from the verb
objects, and give the same bytes as the provider: compact separators, keys
sorted or in declared order, ASCII or not, as the provider is set.

Each writer is compiled once per verb schema and style (``sort_keys``,
``ensure_ascii``) from the same field table as the compiled dict dumpers of
:mod:`flask_tropo.schemas.compiled`: strings go through the C string encoder
of :mod:`json`, whole numbers and booleans are written directly, nested
objects by their own writer; any other value is converted as the dict dumper
converts it and written by the provider's encoder (``encode``), ``default``
included. A verb of a class without a writer is dumped to a dict and encoded.

Internal; may change at any time.
"""

from __future__ import annotations

import collections.abc as c
import json
import json.encoder
import keyword
import typing as t

from marshmallow import Schema
from marshmallow import fields

from .. import verbs as v
from . import verbs as _verbs
from ._codegen import _Source
from .compiled import _VERB_DUMPERS
from .compiled import _dump_empty
from .compiled import _dumper
from .compiled import dump_verb

__all__ = ["Style", "write_document"]

#: ``(sort_keys, ensure_ascii)``.
Style = tuple[bool, bool]
#: Writes one object as JSON text, given the provider's ``encode``.
Writer = c.Callable[[t.Any, c.Callable[[t.Any], str]], str]

_INF = float("inf")
#: The field classes written inline, without a nested writer.
_PLAIN = (
    fields.String,
    _verbs._Next,
    _verbs._StrictBool,
    _verbs._Number,
    _verbs._StrOrList,
    _verbs._Headers,
)


def _string_encoder(ensure_ascii: bool) -> c.Callable[[str], str]:
    if ensure_ascii:
        return json.encoder.encode_basestring_ascii
    return json.encoder.encode_basestring


class _Writers:
    """The writers of one style, compiled on first use. Internal."""

    def __init__(self, style: Style) -> None:
        self.style = style
        self.by_schema: dict[Schema, Writer] = {}
        #: Per verb class: the text up to its payload (``{"say":``) and the
        #: writer of the payload.
        self.by_verb: dict[type[t.Any], tuple[str, Writer]] = {}

    def schema(self, schema: Schema) -> Writer:
        found = self.by_schema.get(schema)
        if found is None:
            found = self.by_schema[schema] = self._compile(schema)
        return found

    def verb(self, cls: type[t.Any]) -> tuple[str, Writer] | None:
        found = self.by_verb.get(cls)
        if found is None:
            write = self._verb(cls)
            if write is not None:
                prefix = "{" + json.dumps(cls.tropo_key) + ":"
                found = self.by_verb[cls] = (prefix, write)
        return found

    def _verb(self, cls: type[t.Any]) -> Writer | None:
        dump = _VERB_DUMPERS.get(cls)
        if dump is None:
            return None
        if dump is _dump_empty:
            return _null
        schema = _verbs.VERB_SCHEMAS.get(cls)
        if schema is None or dump is not _dumper(schema):  # a bare string
            return lambda verb, encode: encode(dump(verb))
        return self.schema(schema)

    def _compile(self, schema: Schema) -> Writer:
        """One schema's writer: the fields the dict dumper writes, in the
        same way, as JSON text."""
        dict_dumper = _dumper(schema)
        model = getattr(schema, "model", None)
        if model is None or dict_dumper == schema.dump:
            return lambda obj, encode: encode(dict_dumper(obj))
        sort_keys, ensure_ascii = self.style
        name = f"write_{type(schema).__name__}_{int(sort_keys)}{int(ensure_ascii)}"
        src = _Source(name)
        string = src.ref(_string_encoder(ensure_ascii))
        src.namespace.update({"_INF": _INF, "_repr": repr})
        src.add(0, f"def {name}(obj, encode):")
        src.add(1, f"if type(obj) is not {src.ref(model)}:")
        src.add(2, f"return encode({src.ref(dict_dumper)}(obj))")
        src.add(1, "out = []")
        items = [
            (f.data_key if f.data_key is not None else attr_name, attr_name, f)
            for attr_name, f in schema.dump_fields.items()
        ]
        if sort_keys:
            items.sort(key=lambda item: item[0])
        for key, attr_name, field in items:
            prefix = json.dumps(key, ensure_ascii=ensure_ascii) + ":"
            attribute = field.attribute or attr_name
            if attribute.isidentifier() and not keyword.iskeyword(attribute):
                get = f"obj.{attribute}"
            else:
                get = f"getattr(obj, {attribute!r})"
            self._field(src, schema, field, attr_name, get, prefix, string)
        src.add(1, "return '{' + ','.join(out) + '}'")
        return t.cast(Writer, src.build())

    def _field(
        self,
        src: _Source,
        schema: Schema,
        field: fields.Field[t.Any],
        attr_name: str,
        get: str,
        prefix: str,
        string: str,
    ) -> None:
        """Write the code of one field, as the dict dumper converts it."""
        cls = type(field)
        key = repr(prefix)
        write = self._nested(field)
        if write is None and cls not in _PLAIN:
            # Any other field: its own serialize, None included.
            serialize = src.ref(field.serialize)
            accessor = src.ref(schema.get_attribute)
            src.add(1, f"v = {serialize}({attr_name!r}, obj, accessor={accessor})")
            src.add(1, "if v is not None:")
            src.add(2, f"out.append({key} + encode(v))")
            return
        src.add(1, f"v = {get}")
        if cls is fields.String or cls is _verbs._Next:
            src.add(1, "if v is not None:")
            src.add(2, "if type(v) is not str:")
            src.add(3, f"v = {src.ref(field._serialize)}(v, {attr_name!r}, obj)")
            src.add(3, "if v is not None:")
            src.add(4, f"out.append({key} + encode(v))")
            src.add(2, "else:")
            src.add(3, f"out.append({key} + {string}(v))")
            return
        if cls in (_verbs._StrictBool, _verbs._Number):  # written as given
            src.add(1, "if v is not None:")
            self._scalar(src, 2, key)
            return
        if cls is _verbs._StrOrList:
            src.add(1, "if v is not None:")
            src.add(2, "if type(v) is str:")
            src.add(3, f"out.append({key} + {string}(v))")
            src.add(2, "elif isinstance(v, str):")
            src.add(3, f"out.append({key} + encode(v))")
            src.add(2, "else:")
            src.add(3, f"out.append({key} + encode(list(v)))")
            return
        if cls is _verbs._Headers:
            src.add(1, "if v is not None:")
            src.add(2, f"out.append({key} + encode(dict(v)))")
            return
        src.add(1, "if v is not None:")
        src.add(2, f"out.append({key} + {src.ref(write)}(v, encode))")

    def _scalar(self, src: _Source, depth: int, key: str) -> None:
        src.add(depth, "cls = type(v)")
        src.add(depth, "if cls is int:")
        src.add(depth + 1, f"out.append({key} + _repr(v))")
        src.add(depth, "elif cls is bool:")
        src.add(depth + 1, f"out.append({key} + ('true' if v else 'false'))")
        src.add(depth, "elif cls is float and -_INF < v < _INF:")
        src.add(depth + 1, f"out.append({key} + _repr(v))")
        src.add(depth, "else:")
        src.add(depth + 1, f"out.append({key} + encode(v))")

    def _nested(self, field: fields.Field[t.Any]) -> Writer | None:
        """The writer of a field holding objects, or ``None`` for a field
        that is not one."""
        cls = type(field)
        if cls is fields.Nested:
            nested = t.cast(fields.Nested, field)
            if nested.schema.many or nested.many:
                return None
            return self.schema(nested.schema)
        if cls is _verbs._OneOrMany:
            return self._one_or_many(t.cast(_verbs._OneOrMany, field))
        if cls is _verbs._FlagOrObject:
            return self._flag_or_object(t.cast(_verbs._FlagOrObject, field))
        if cls is _verbs._UploadUrl:
            return self._upload_url()
        return None

    def _one_or_many(self, field: _verbs._OneOrMany) -> Writer:
        write = self.schema(field._schema())
        always_list = field.always_list

        def convert(value: t.Any, encode: c.Callable[[t.Any], str]) -> str:
            if isinstance(value, tuple):
                if len(value) == 1 and not always_list:
                    return write(value[0], encode)
                return "[" + ",".join([write(item, encode) for item in value]) + "]"
            written = write(value, encode)
            return "[" + written + "]" if always_list else written

        return convert

    def _flag_or_object(self, field: _verbs._FlagOrObject) -> Writer:
        write = self.schema(field._schema())

        def convert(value: t.Any, encode: c.Callable[[t.Any], str]) -> str:
            if isinstance(value, bool):
                return "true" if value else "false"
            return write(value, encode)

        return convert

    def _upload_url(self) -> Writer:
        write = self.schema(_verbs.UPLOAD_TARGET)
        string = _string_encoder(self.style[1])

        def convert(value: t.Any, encode: c.Callable[[t.Any], str]) -> str:
            if isinstance(value, str):
                return encode(value) if type(value) is not str else string(value)
            if isinstance(value, tuple):
                return "[" + ",".join([write(item, encode) for item in value]) + "]"
            return write(value, encode)

        return convert


_STYLES: dict[Style, _Writers] = {}


def _writers(style: Style) -> _Writers:
    found = _STYLES.get(style)
    if found is None:
        found = _STYLES[style] = _Writers(style)
    return found


def write_document(
    verbs: c.Iterable[v.Verb],
    style: Style,
    encode: c.Callable[[t.Any], str],
) -> str:
    """Write ``render(verbs)`` as JSON text with compact separators, as
    ``encode`` (a :class:`json.JSONEncoder`'s ``encode`` set for ``style``)
    would write it. A callable ``next`` is resolved as :func:`render` resolves
    it: run this inside :class:`~flask_tropo.schemas.verbs.next_url_resolver`
    or with the resolver set.

    :param verbs: verbs, already checked to be verbs.
    :param style: ``(sort_keys, ensure_ascii)`` of the encoder.
    :param encode: writes any other value, as the provider does.
    """
    writers = _STYLES.get(style) or _writers(style)
    by_verb = writers.by_verb
    out = []
    for verb in verbs:
        cls = type(verb)
        found = by_verb.get(cls) or writers.verb(cls)
        if found is None:
            out.append('{"' + verb.tropo_key + '":' + encode(dump_verb(verb)) + "}")
        else:
            out.append(found[0] + found[1](verb, encode) + "}")
    return '{"tropo":[' + ",".join(out) + "]}"


def _null(verb: t.Any, encode: c.Callable[[t.Any], str]) -> str:
    """The payload of a verb without options (``hangup``, ``reject``...)."""
    return "null"
