"""Loaders and dumpers compiled from the marshmallow schemas, for the request
path.

The schemas of :mod:`flask_tropo.schemas.payloads` and
:mod:`flask_tropo.schemas.verbs` stay the single declared mapping between the
wire and the dataclasses. At import, each schema's fields are walked once
(attribute name, ``data_key``, field class, ``allow_none``, ``required``,
nested schema) and turned into generated code, so a request runs
straight-line Python instead of marshmallow's generic machinery. Nothing is
built per request.

Loading is all or nothing (the loaders are compiled by
:mod:`flask_tropo.schemas._load`). The fast loader accepts only what it can
vouch for (exact ``str``, ``int`` and ``bool`` values, plain ``dict`` and
``list`` containers, the shapes the platform sends) and returns exactly what
marshmallow would return: the steps of the schemas' ``post_load`` hook are
generated from its declarations. For anything else it gives up, and
marshmallow loads the document again: it then returns its own result or
raises, worded as always. A bad payload therefore costs a second load, which
only bad payloads pay.

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
import json.scanner
import keyword
import typing as t

from marshmallow import Schema
from marshmallow import fields
from marshmallow.decorators import POST_DUMP
from marshmallow.decorators import PRE_DUMP

from .. import verbs as v
from ..payloads import Result
from ..payloads import Session
from . import payloads as _payloads
from . import verbs as _verbs
from ._codegen import SOURCES
from ._codegen import _Source
from ._load import loader

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

_Dumper = c.Callable[[t.Any], t.Any]


# -- JSON ---------------------------------------------------------------------

#: The C scanner of :mod:`json`, set up as :func:`json.loads` sets it up:
#: ``_scan(text, index)`` gives the value there and the index after it.
_scan: c.Callable[[str, int], tuple[t.Any, int]] = json.scanner.make_scanner(
    t.cast(t.Any, json.JSONDecoder())
)

# What decoded a document: nothing (it was given as a mapping), json or
# orjson; the index of its loader in _SESSION and _RESULT.
_MAPPING, _JSON, _ORJSON = range(3)


def _decode(data: t.Any) -> tuple[t.Any, int]:
    """Decode a request body as :meth:`.Session.parse` does; with orjson when
    it is installed and accepts the text. Also tells what decoded it:
    ``_MAPPING`` (nothing: ``data`` is not text), ``_JSON`` or ``_ORJSON``.
    Internal.

    Without orjson, a body that is one JSON value from its first character to
    its last is read by the scanner of :func:`json.loads`, without the checks
    and regular expressions around it; any other body (whitespace around the
    value, a BOM, bad JSON) is decoded the long way.

    :raise InvalidPayload: undecodable, worded as by the marshmallow path.
    """
    cls = type(data)
    if cls is bytes or cls is str:
        if _orjson is not None:
            try:
                return _orjson.loads(data), _ORJSON
            except _orjson.JSONDecodeError:
                pass
        else:
            try:
                text = data.decode() if cls is bytes else data
                document, end = _scan(text, 0)
                if end == len(text):
                    return document, _JSON
            except Exception:  # StopIteration, ValueError, RecursionError
                pass
        return _payloads._decode(data), _JSON
    return _payloads._decode(data), _MAPPING


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


def _envelope_loaders(
    envelope: Schema, pick: str
) -> tuple[c.Callable[[t.Any], t.Any], ...]:
    """The loaders of an envelope's body, by what decoded the document.

    Internal.
    """
    return (
        loader(envelope, guard=False, pick=pick),
        loader(envelope, guard=False, owned=True, pick=pick),
        loader(envelope, guard=True, owned=True, pick=pick),
    )


_SESSION = _envelope_loaders(_payloads._session_envelope, "session")
_RESULT = _envelope_loaders(_payloads._result_envelope, "result")


def load_session(data: c.Mapping[str, t.Any] | str | bytes) -> Session:
    """Load a session document; the fast twin of
    :func:`flask_tropo.schemas.load_session`, with the same result or the same
    :exc:`~flask_tropo.InvalidPayload`.

    :param data: the document as a mapping, or its JSON text as ``str`` or
        UTF-8 ``bytes``.
    :raise InvalidPayload: the document cannot be loaded.
    """
    document, source = _decode(data)
    try:
        session: Session = _SESSION[source](document)
        return session
    except Exception:  # GiveUp, or what a field raised: marshmallow decides
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
    document, source = _decode(data)
    try:
        result: Result = _RESULT[source](document)
        return result
    except Exception:  # GiveUp, or what a field raised: marshmallow decides
        pass
    return _payloads.load_result(data)


# -- dumpers ------------------------------------------------------------------

_dumpers: dict[Schema, _Dumper] = {}


def _dumper(schema: Schema) -> _Dumper:
    """The compiled dump of one object of ``schema``, built once. Internal."""
    found = _dumpers.get(schema)
    if found is None:
        found = _dumpers[schema] = _compile_dumper(schema)
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
