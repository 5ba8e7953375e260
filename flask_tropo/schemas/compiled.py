"""Loaders and dumpers compiled from the marshmallow schemas, for the request
path.

The schemas of :mod:`flask_tropo.schemas.payloads` and
:mod:`flask_tropo.schemas.verbs` stay the single declared mapping between the
wire and the dataclasses. At import, this module walks each schema's fields
once (attribute name, ``data_key``, field class, ``allow_none``,
``required``, nested schema) and turns every field into a small converter, so
a request runs straight-line Python instead of marshmallow's generic
machinery. Nothing is built per request.

Loading is all or nothing. The fast loader accepts only what it can vouch for
(exact ``str``, ``int`` and ``bool`` values, plain ``dict`` and ``list``
containers, the shapes the platform sends) and returns exactly what
marshmallow would return, through the schemas' own ``post_load`` hooks. For
anything else it gives up, and marshmallow loads the document again: it then
returns its own result or raises, worded as always. A bad payload therefore
costs a second load, which only bad payloads pay.

Dumping mirrors the custom fields of :mod:`flask_tropo.schemas.verbs` with
the nested schemas replaced by their compiled dumpers; a value of a type the
compiled dumper does not expect goes through the field's own ``_serialize``
(or the schema's ``dump``), so the output is the same dict, key order
included. A callable ``next`` is resolved by the field itself, with the
resolver :func:`~flask_tropo.schemas.verbs.next_url_resolver` set.

JSON text is decoded with :mod:`orjson` when it is installed (the ``speed``
extra), else with :mod:`json`. Where the two could disagree (orjson refuses
``NaN``, lone surrogates and a BOM, and reads integers beyond 64 bits as
floats), :mod:`json` decides.
"""

from __future__ import annotations

import collections.abc as c
import importlib
import json
import keyword
import linecache
import typing as t

from marshmallow import EXCLUDE
from marshmallow import RAISE
from marshmallow import Schema
from marshmallow import fields
from marshmallow import missing
from marshmallow.decorators import POST_DUMP
from marshmallow.decorators import POST_LOAD
from marshmallow.decorators import PRE_DUMP
from marshmallow.decorators import PRE_LOAD
from marshmallow.decorators import VALIDATES
from marshmallow.decorators import VALIDATES_SCHEMA

from .. import verbs as v
from ..payloads import Result
from ..payloads import Session
from . import payloads as _payloads
from . import verbs as _verbs
from .fields import Actions
from .fields import Headers

__all__ = [
    "HAVE_ORJSON",
    "SOURCES",
    "dump_verb",
    "dumps",
    "load_result",
    "load_session",
]

try:
    _orjson: t.Any = importlib.import_module("orjson")
except ImportError:  # pragma: no cover - depends on the environment
    _orjson = None

#: Whether :mod:`orjson` is used to decode and encode JSON.
HAVE_ORJSON: bool = _orjson is not None


class GiveUp(Exception):
    """The compiled loader cannot vouch for this input; marshmallow decides.

    Internal.
    """


_Loader = c.Callable[[t.Any], t.Any]
_Dumper = c.Callable[[t.Any], t.Any]


class _Source:
    """The Python source of one compiled function and the objects it refers
    to. Internal.

    The source is registered with :mod:`linecache`, so tracebacks through a
    compiled function show its lines; :data:`SOURCES` keeps it for reading.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines: list[str] = []
        self.namespace: dict[str, t.Any] = {"GiveUp": GiveUp, "MISSING": missing}

    def ref(self, value: t.Any) -> str:
        """The name under which the generated code sees ``value``."""
        name = f"_{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def add(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def build(self) -> c.Callable[[t.Any], t.Any]:
        text = "\n".join(self.lines) + "\n"
        filename = f"<flask_tropo.schemas.compiled {self.name}>"
        exec(compile(text, filename, "exec"), self.namespace)
        linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
        SOURCES[self.name] = text
        return t.cast(c.Callable[[t.Any], t.Any], self.namespace[self.name])


#: The generated source of every compiled function, by function name.
SOURCES: dict[str, str] = {}


# -- loaders ------------------------------------------------------------------

# Field kinds of a loader.
_L_STR = "str"  # exactly str
_L_INT = "int"  # exactly int (bool is not)
_L_BOOL = "bool"  # exactly True or False
_L_RAW = "raw"  # anything, as given
_L_CALL = "call"  # a converter(value, data); None handled by the loader
_L_NESTED = "nested"  # a compiled loader(value) of a nested schema
_L_FIELD = "field"  # field.deserialize(value, key, data), None included


def _plain(field: fields.Field[t.Any]) -> bool:
    """Whether the field does nothing beyond its ``_deserialize``: no
    validators, no field-level pre- or post-load functions. Internal.
    """
    return not (field.validators or field.pre_load or field.post_load)


#: orjson reads an integer literal outside the 64-bit range as a float, so
#: only floats at least this large may differ from what :mod:`json` reads.
_BIG = float(2**63)


def _no_big_float(value: t.Any) -> None:
    """Give up on a float of 64-bit magnitude anywhere in ``value``. Internal.

    orjson reads integers beyond 64 bits as floats where :mod:`json` keeps
    them exact, so wherever a loaded value is kept as decoded (``Raw``, custom
    fields), such a float from orjson must be read again by :mod:`json`. Other
    floats are read alike by both: correctly rounded.
    """
    cls = type(value)
    if cls is float:
        if not -_BIG < value < _BIG:
            raise GiveUp
    elif cls is dict:
        for item in value.values():
            _no_big_float(item)
    elif cls is list:
        for item in value:
            _no_big_float(item)


#: Converters that check every type themselves: no float slips through.
_CHECKS_TYPES = (Actions, fields.Nested, Headers)

_loaders: dict[tuple[int, str | None, bool, bool], _Loader] = {}


def _loader(
    schema: Schema, *, unknown: str | None = None, many: bool = False, guard: bool
) -> _Loader:
    """The compiled load of one object of ``schema``, built once.

    ``unknown`` overrides the schema's (as a ``Nested`` field does); ``many``
    is what the ``post_load`` hooks are told (``True`` for the items of a
    list); ``guard`` refuses big floats where values are kept as decoded
    (documents decoded by orjson). The loader raises :exc:`GiveUp` for
    anything it does not vouch for. Internal.
    """
    key = (id(schema), unknown, many, guard)
    found = _loaders.get(key)
    if found is None:
        found = _loaders[key] = _compile_loader(schema, unknown, many, guard)
    return found


def _load_converter(
    field: fields.Field[t.Any], key: str, guard: bool
) -> tuple[str, t.Any]:
    """The kind of a field and its converter, if any. Internal."""
    cls = type(field)
    if not _plain(field):
        deserialize = field.deserialize
        return _L_FIELD, lambda value, data: deserialize(value, key, data)
    if cls is fields.String:
        return _L_STR, None
    if cls is fields.Integer:
        return _L_INT, None
    if cls is fields.Boolean:
        return _L_BOOL, None
    if cls is fields.Raw:
        return _L_RAW, None
    if cls is Actions:
        return _L_CALL, _load_actions(t.cast(Actions, field), guard)
    if cls is fields.Nested:
        nested = t.cast(fields.Nested, field)
        if not (nested.schema.many or nested.many):
            return _L_NESTED, _loader(
                nested.schema, unknown=nested.unknown, guard=guard
            )
        return _L_CALL, _load_many(nested, guard)
    if cls is Headers:
        return _L_CALL, _load_headers(t.cast(Headers, field), key)
    # Any other field: its own _deserialize converts.
    convert = field._deserialize
    return _L_CALL, lambda value, data: convert(value, key, data)


def _compile_loader(
    schema: Schema, unknown: str | None, many: bool, guard: bool
) -> _Loader:
    """Generate the loader of :func:`_loader`, or fall back to marshmallow for
    a schema with hooks or options it does not mirror. Internal.
    """
    hooks = schema._hooks
    unknown = unknown or schema.unknown
    post_load = hooks[POST_LOAD]
    if (
        hooks[PRE_LOAD]
        or hooks[VALIDATES]
        or hooks[VALIDATES_SCHEMA]
        or unknown not in (EXCLUDE, RAISE)
        or schema.partial
        or any(m or kw.get("pass_original") for _, m, kw in post_load)
        or any("." in (f.attribute or n) for n, f in schema.load_fields.items())
    ):
        return _marshmallow_loader(schema, unknown, many)
    name = f"load_{type(schema).__name__}" + ("_item" if many else "")
    name += "_guarded" if guard else ""
    src = _Source(name)
    src.add(0, f"def {name}(data):")
    src.add(1, "if type(data) is not dict:")
    src.add(2, "raise GiveUp")
    src.add(1, "get = data.get")
    src.add(1, "out = {}")
    no_float = src.ref(_no_big_float)
    known: set[str] = set()
    for attr_name, field in schema.load_fields.items():
        key = field.data_key if field.data_key is not None else attr_name
        known.add(key)
        attribute = field.attribute or attr_name
        kind, conv = _load_converter(field, key, guard)
        src.add(1, f"v = get({key!r}, MISSING)")
        default = field.load_default
        if field.required or default is not missing:
            src.add(1, "if v is MISSING:")
            if field.required:
                src.add(2, "raise GiveUp")
            else:
                call = "()" if callable(default) else ""
                src.add(2, f"out[{attribute!r}] = {src.ref(default)}{call}")
            src.add(1, "else:")
        else:
            src.add(1, "if v is not MISSING:")
        # orjson's big floats must not reach a value kept as decoded
        sink = guard and (
            kind in (_L_RAW, _L_FIELD)
            or (kind == _L_CALL and type(field) not in _CHECKS_TYPES)
        )
        allow_none = field.allow_none
        if kind in (_L_STR, _L_INT):
            test = f"type(v) is not {kind}"
            if allow_none:
                test = f"v is not None and {test}"
            src.add(2, f"if {test}:")
            src.add(3, "raise GiveUp")
        elif kind == _L_BOOL:
            test = "v is not True and v is not False"
            if allow_none:
                test = f"v is not None and {test}"
            src.add(2, f"if {test}:")
            src.add(3, "raise GiveUp")
        elif kind == _L_RAW:
            if not allow_none:
                src.add(2, "if v is None:")
                src.add(3, "raise GiveUp")
            if sink:
                src.add(2, f"{no_float}(v)")
        elif kind == _L_NESTED:
            if allow_none:
                src.add(2, "if v is not None:")
                src.add(3, f"v = {src.ref(conv)}(v)")
            else:
                src.add(2, f"v = {src.ref(conv)}(v)")
        elif kind == _L_CALL:
            depth = 3
            if allow_none:
                src.add(2, "if v is not None:")
            else:
                src.add(2, "if v is None:")
                src.add(3, "raise GiveUp")
                depth = 2
            if sink:
                src.add(depth, f"{no_float}(v)")
            src.add(depth, f"v = {src.ref(conv)}(v, data)")
        else:  # _L_FIELD
            if sink:
                src.add(2, f"{no_float}(v)")
            src.add(2, f"v = {src.ref(conv)}(v, data)")
        src.add(2, f"out[{attribute!r}] = v")
    if unknown == RAISE:
        src.add(1, f"if not {src.ref(frozenset(known))}.issuperset(data):")
        src.add(2, "raise GiveUp")
    options = f"many={many!r}, partial={src.ref(schema.partial)}, unknown={unknown!r}"
    for hook_name, _, _ in post_load:
        src.add(1, f"out = {src.ref(getattr(schema, hook_name))}(out, {options})")
    src.add(1, "return out")
    return src.build()


def _marshmallow_loader(schema: Schema, unknown: str | None, many: bool) -> _Loader:
    """A schema the compiler does not handle: marshmallow loads it, one object
    at a time. Internal.
    """

    option = t.cast(t.Any, unknown)

    def load(data: t.Any) -> t.Any:
        if many:
            return schema.load([data], many=True, unknown=option)[0]
        return schema.load(data, unknown=option)

    return load


def _load_many(field: fields.Nested, guard: bool) -> c.Callable[[t.Any, t.Any], t.Any]:
    """A ``Nested`` field with ``many``: a list of objects. Internal."""
    load_item = _loader(field.schema, unknown=field.unknown, many=True, guard=guard)

    def load(value: t.Any, data: t.Any) -> t.Any:
        if type(value) is not list:
            raise GiveUp
        return [load_item(item) for item in value]

    return load


def _load_actions(field: Actions, guard: bool) -> c.Callable[[t.Any, t.Any], t.Any]:
    """:class:`~flask_tropo.schemas.fields.Actions`: ``{}`` is none, an object
    is one, a list several. Internal.
    """
    load_one = _loader(field.schema, unknown=field.unknown, guard=guard)
    load_item = _loader(field.schema, unknown=field.unknown, many=True, guard=guard)

    def load(value: t.Any, data: t.Any) -> t.Any:
        cls = type(value)
        if cls is dict:
            return (load_one(value),) if value else ()
        if cls is list:
            return tuple([load_item(item) for item in value])
        raise GiveUp

    return load


def _load_headers(field: Headers, key: str) -> c.Callable[[t.Any, t.Any], t.Any]:
    """:class:`~flask_tropo.schemas.fields.Headers`: the object form is checked
    in C (``str.join`` refuses anything but strings, as the field does); the
    legacy list form goes through the field. Internal.
    """
    from_list = field._deserialize

    def load(value: t.Any, data: t.Any) -> t.Any:
        if type(value) is dict:
            try:
                "".join(value)
                "".join(value.values())
            except TypeError:
                raise GiveUp from None
            return dict(value)
        if type(value) is list:
            return from_list(value, key, data)
        raise GiveUp

    return load


# -- JSON ---------------------------------------------------------------------


def _decode(data: t.Any) -> tuple[t.Any, bool]:
    """Decode a request body as :meth:`.Session.parse` does; with orjson when
    it is installed and accepts the text. Also tells whether orjson decoded
    it. Internal.

    :raise InvalidPayload: undecodable, worded as by the marshmallow path.
    """
    if _orjson is not None:
        cls = type(data)
        if cls is bytes or cls is str:
            try:
                return _orjson.loads(data), True
            except _orjson.JSONDecodeError:
                pass
    return _payloads._decode(data), False


def dumps(document: t.Any) -> bytes:
    """Encode a rendered document as compact UTF-8 JSON: with orjson when it is
    installed and can (it cannot write integers beyond 64 bits), else with
    :func:`json.dumps` (ASCII, compact separators).

    orjson writes ``NaN`` and infinities as ``null``; :mod:`json` writes the
    non-standard ``NaN`` and ``Infinity``.

    :param document: what :func:`~flask_tropo.render` returned.
    """
    if _orjson is not None:
        try:
            return t.cast(bytes, _orjson.dumps(document))
        except TypeError:
            pass
    return json.dumps(document, separators=(",", ":")).encode()


# -- payloads -----------------------------------------------------------------

_SESSION = _loader(_payloads._session_envelope, guard=False)
_SESSION_GUARDED = _loader(_payloads._session_envelope, guard=True)
_RESULT = _loader(_payloads._result_envelope, guard=False)
_RESULT_GUARDED = _loader(_payloads._result_envelope, guard=True)


def load_session(data: c.Mapping[str, t.Any] | str | bytes) -> Session:
    """Load a session document; the fast twin of
    :func:`flask_tropo.schemas.load_session`, with the same result or the same
    :exc:`~flask_tropo.InvalidPayload`.

    :param data: the document as a mapping, or its JSON text as ``str`` or
        UTF-8 ``bytes``.
    :raise InvalidPayload: the document cannot be loaded.
    """
    document, guarded = _decode(data)
    try:
        loaded = (_SESSION_GUARDED if guarded else _SESSION)(document)
        session: Session = loaded["session"]
        return session
    except Exception:  # GiveUp, or what a hook raised: marshmallow decides
        pass
    return _payloads.load_session(data)


def load_result(data: c.Mapping[str, t.Any] | str | bytes) -> Result:
    """Load a result document; the fast twin of
    :func:`flask_tropo.schemas.load_result`, with the same result or the same
    :exc:`~flask_tropo.InvalidPayload`.

    :param data: the document as a mapping, or its JSON text as ``str`` or
        UTF-8 ``bytes``.
    :raise InvalidPayload: the document cannot be loaded.
    """
    document, guarded = _decode(data)
    try:
        loaded = (_RESULT_GUARDED if guarded else _RESULT)(document)
        result: Result = loaded["result"]
        return result
    except Exception:  # GiveUp, or what a hook raised: marshmallow decides
        pass
    return _payloads.load_result(data)


# -- dumpers ------------------------------------------------------------------

_dumpers: dict[int, _Dumper] = {}


def _dumper(schema: Schema) -> _Dumper:
    """The compiled dump of one object of ``schema``, built once. Internal."""
    found = _dumpers.get(id(schema))
    if found is None:
        found = _dumpers[id(schema)] = _compile_dumper(schema)
    return found


def _one_or_many(field: _verbs._OneOrMany) -> c.Callable[[t.Any], t.Any]:
    dump = _dumper(field._schema())
    always_list = field.always_list

    def convert(value: t.Any) -> t.Any:
        if isinstance(value, tuple):
            items = [dump(item) for item in value]
            return items[0] if len(items) == 1 and not always_list else items
        dumped = dump(value)
        return [dumped] if always_list else dumped

    return convert


def _flag_or_object(field: _verbs._FlagOrObject) -> c.Callable[[t.Any], t.Any]:
    dump = _dumper(field._schema())

    def convert(value: t.Any) -> t.Any:
        return value if isinstance(value, bool) else dump(value)

    return convert


def _upload_url() -> c.Callable[[t.Any], t.Any]:
    dump = _dumper(_verbs.UPLOAD_TARGET)

    def convert(value: t.Any) -> t.Any:
        if isinstance(value, str):
            return value
        if isinstance(value, tuple):
            return [dump(item) for item in value]
        return dump(value)

    return convert


def _compile_dumper(schema: Schema) -> _Dumper:
    """Compile the dump of one verb schema: its fields in declared order,
    ``None`` left out (the schemas' ``_drop_none``). Internal.
    """
    hooks = schema._hooks
    drop_none = _verbs._WireSchema._drop_none
    model = getattr(schema, "model", None)
    post_dump = [
        getattr(type(schema), name) is drop_none and not m
        for name, m, _ in hooks[POST_DUMP]
    ]
    if (
        model is None
        or hooks[PRE_DUMP]
        or post_dump != [True]
        or any("." in (f.attribute or n) for n, f in schema.dump_fields.items())
    ):
        return schema.dump
    name = f"dump_{type(schema).__name__}"
    src = _Source(name)
    src.add(0, f"def {name}(obj):")
    src.add(1, f"if type(obj) is not {src.ref(model)}:")
    src.add(2, f"return {src.ref(schema.dump)}(obj)")
    src.add(1, "out = {}")
    for attr_name, field in schema.dump_fields.items():
        key = field.data_key if field.data_key is not None else attr_name
        attribute = field.attribute or attr_name
        cls = type(field)
        if attribute.isidentifier() and not keyword.iskeyword(attribute):
            get = f"obj.{attribute}"
        else:
            get = f"getattr(obj, {attribute!r})"
        if cls is fields.String:
            src.add(1, f"v = {get}")
            src.add(1, "if v is not None:")
            src.add(2, "if type(v) is not str:")
            src.add(3, f"v = {src.ref(field._serialize)}(v, {attr_name!r}, obj)")
            src.add(2, f"out[{key!r}] = v")
            continue
        if cls in (_verbs._StrictBool, _verbs._Number):  # written as given
            src.add(1, f"v = {get}")
            src.add(1, "if v is not None:")
            src.add(2, f"out[{key!r}] = v")
            continue
        if cls is _verbs._StrOrList:
            src.add(1, f"v = {get}")
            src.add(1, "if v is not None:")
            src.add(2, "if not isinstance(v, str):")
            src.add(3, "v = list(v)")
            src.add(2, f"out[{key!r}] = v")
            continue
        if cls is _verbs._Headers:
            src.add(1, f"v = {get}")
            src.add(1, "if v is not None:")
            src.add(2, f"out[{key!r}] = dict(v)")
            continue
        if cls is _verbs._Next:  # a handler is resolved by the field
            src.add(1, f"v = {get}")
            src.add(1, "if v is not None:")
            src.add(2, "if type(v) is not str:")
            src.add(3, f"v = {src.ref(field._serialize)}(v, {attr_name!r}, obj)")
            src.add(2, "if v is not None:")
            src.add(3, f"out[{key!r}] = v")
            continue
        convert: c.Callable[[t.Any], t.Any] | None = None
        if cls is fields.Nested:
            nested = t.cast(fields.Nested, field)
            if not (nested.schema.many or nested.many):
                convert = _dumper(nested.schema)
        elif cls is _verbs._OneOrMany:
            convert = _one_or_many(t.cast(_verbs._OneOrMany, field))
        elif cls is _verbs._FlagOrObject:
            convert = _flag_or_object(t.cast(_verbs._FlagOrObject, field))
        elif cls is _verbs._UploadUrl:
            convert = _upload_url()
        if convert is not None:
            src.add(1, f"v = {get}")
            src.add(1, "if v is not None:")
            src.add(2, f"v = {src.ref(convert)}(v)")
            src.add(2, "if v is not None:")
            src.add(3, f"out[{key!r}] = v")
            continue
        # Any other field: its own serialize, None included.
        serialize = field.serialize
        accessor = src.ref(schema.get_attribute)
        src.add(1, f"v = {src.ref(serialize)}({attr_name!r}, obj, accessor={accessor})")
        src.add(1, "if v is not None:")
        src.add(2, f"out[{key!r}] = v")
    src.add(1, "return out")
    return src.build()


def _dump_empty(verb: t.Any) -> None:
    return None


def _dump_state(verb: t.Any) -> t.Any:
    return verb.state


#: The compiled dumper of each verb class, by exact type.
_VERB_DUMPERS: dict[type[t.Any], _Dumper] = {
    cls: _dumper(schema) for cls, schema in _verbs.VERB_SCHEMAS.items()
}
_VERB_DUMPERS.update(
    {
        v.Hangup: _dump_empty,
        v.Reject: _dump_empty,
        v.StopRecording: _dump_empty,
        v.GeneralLogSecurity: _dump_state,
    }
)


def dump_verb(verb: v.Verb) -> t.Any:
    """Write one verb's wire payload; the fast twin of
    :func:`flask_tropo.schemas.verbs.dump_verb`, with the same result.

    :param verb: the verb to write.
    :raises TypeError: for anything that is not a WebAPI verb.
    """
    dump = _VERB_DUMPERS.get(type(verb))
    if dump is None:
        return _verbs.dump_verb(verb)
    return dump(verb)
