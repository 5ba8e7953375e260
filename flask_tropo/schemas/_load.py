"""Loaders compiled from the marshmallow schemas, for the request path.

:func:`loader` walks a schema's fields once (``data_key``, attribute, field
class, ``allow_none``, ``required``, nested schema) and generates one
function for it: straight-line Python that reads each key with ``dict.get``,
checks its type, converts it and builds the loaded object. Nested schemas get
their own functions. Nothing is built per request.

A schema whose ``post_load`` hook is the payload schemas' own
(``_PayloadSchema._make``) has the hook's steps generated from their
declarations (``model``, ``fallbacks``, ``null_is_default``, ``tuples``), and
its frozen dataclass built directly: the fields are stored as plain
attributes of an unsealed twin (same layout, the ``object`` ``__setattr__``)
and the object is then switched to the dataclass. That is the object the
dataclass's ``__init__`` (:func:`~flask_tropo._init.fast_init`) builds,
without a dict, a hook call, keyword arguments or a descriptor call a field.
Any other schema has a dict built in declared order and its hooks called as
marshmallow calls them.

A loader accepts only what it can vouch for: exact ``str``, ``int`` and
``bool`` values, plain ``dict`` and ``list`` containers, the shapes the
platform sends. For anything else it raises :exc:`.GiveUp` (or lets a
field's own error through), and the caller has marshmallow load the document
again, which then returns its own result or raises, worded as always.

Internal; may change at any time.
"""

from __future__ import annotations

import collections.abc as c
import dataclasses
import datetime as dt
import keyword
import types
import typing as t

from marshmallow import EXCLUDE
from marshmallow import RAISE
from marshmallow import Schema
from marshmallow import fields
from marshmallow import missing
from marshmallow.decorators import POST_LOAD
from marshmallow.decorators import PRE_LOAD
from marshmallow.decorators import VALIDATES
from marshmallow.decorators import VALIDATES_SCHEMA

from ._codegen import GiveUp
from ._codegen import _Source
from .fields import Actions
from .fields import Headers
from .fields import Parameters
from .fields import UTCDateTime
from .payloads import _PayloadSchema

__all__ = ["GiveUp", "loader"]

Loader = c.Callable[[t.Any], t.Any]

#: orjson reads an integer literal outside the 64-bit range as a float, so
#: only floats at least this large may differ from what :mod:`json` reads.
_BIG = float(2**63)


class _Options(t.NamedTuple):
    """How a loader is compiled; see :func:`loader`. Internal."""

    unknown: str | None
    many: bool
    guard: bool
    owned: bool
    pick: str | None


#: Keyed by the schema itself (not its id, which a new schema could reuse).
_loaders: dict[tuple[Schema, _Options], Loader] = {}


def loader(
    schema: Schema,
    *,
    unknown: str | None = None,
    many: bool = False,
    guard: bool,
    owned: bool = False,
    pick: str | None = None,
) -> Loader:
    """The compiled load of one object of ``schema``, built once.

    :param schema: the schema.
    :param unknown: overrides the schema's option, as a ``Nested`` field does.
    :param many: what the ``post_load`` hooks are told (``True`` for the
        items of a list).
    :param guard: refuse floats of 64-bit magnitude wherever a value is kept
        as decoded (for documents decoded by orjson).
    :param owned: the document was just decoded from JSON by the caller: its
        object keys are strings, and its containers belong to no one else,
        so the loaded object may keep them rather than copies.
    :param pick: return this attribute of the loaded dict rather than the
        dict (for an envelope such as ``{"session": {...}}``).
    """
    options = _Options(unknown, many, guard, owned, pick)
    found = _loaders.get((schema, options))
    if found is None:
        found = _loaders[schema, options] = _compile(schema, options)
    return found


def _compile(schema: Schema, options: _Options) -> Loader:
    """Generate the loader of :func:`loader`, or fall back to marshmallow for
    a schema with hooks or options it does not mirror. Internal.
    """
    hooks = schema._hooks
    unknown = options.unknown or schema.unknown
    if (
        hooks[PRE_LOAD]
        or hooks[VALIDATES]
        or hooks[VALIDATES_SCHEMA]
        or unknown not in (EXCLUDE, RAISE)
        or schema.partial
        or any(m or kw.get("pass_original") for _, m, kw in hooks[POST_LOAD])
        or any("." in (f.attribute or n) for n, f in schema.load_fields.items())
    ):
        return _marshmallow_loader(schema, options)
    return _Compiler(schema, options._replace(unknown=unknown)).build()


def _marshmallow_loader(schema: Schema, options: _Options) -> Loader:
    """A schema the compiler does not handle: marshmallow loads it, one object
    at a time. Internal.
    """
    unknown = t.cast(t.Any, options.unknown)
    many, pick = options.many, options.pick

    def load(data: t.Any) -> t.Any:
        if many:
            loaded = schema.load([data], many=True, unknown=unknown)[0]
        else:
            loaded = schema.load(data, unknown=unknown)
        return loaded if pick is None else loaded[pick]

    return load


class _Slot(t.NamedTuple):
    """One field of the schema being compiled. Internal."""

    key: str  # the wire key
    attribute: str  # the key of the loaded dict
    field: fields.Field[t.Any]
    var: str  # its local variable in the generated code
    sentinel: bool  # an absent key reads as MISSING rather than None
    absent: bool  # the variable may still be MISSING once the field is read


class _Compiler:
    """Writes the loader of one schema. Internal."""

    def __init__(self, schema: Schema, options: _Options) -> None:
        self.schema = schema
        self.options = options
        self.model = _model(schema)
        name = f"load_{type(schema).__name__}"
        name += "_item" if options.many else ""
        name += f"_{options.pick}" if options.pick else ""
        name += "_owned" if options.owned else ""
        name += "_guarded" if options.guard else ""
        self.src = _Source(name)

    def build(self) -> Loader:
        src = self.src
        src.add(0, f"def {src.name}(data):")
        src.add(1, "if type(data) is not dict:")
        src.add(2, "raise GiveUp")
        src.add(1, "get = data.get")
        slots = self._slots()
        for slot in slots:
            self._read(slot)
        if self.options.unknown == RAISE:
            known = frozenset(slot.key for slot in slots)
            src.add(1, f"if not {src.ref(known, 'known')}.issuperset(data):")
            src.add(2, "raise GiveUp")
        if self.model is not None:
            self._make_model(slots, self.model)
        else:
            self._make_dict(slots)
        return src.build()

    # -- fields ---------------------------------------------------------------

    def _slots(self) -> list[_Slot]:
        slots = []
        model = self.model
        defaults = _defaults(model) if model is not None else {}
        # The declarations of _PayloadSchema._make, when it is the hook.
        payload = t.cast(_PayloadSchema, self.schema)
        for index, (name, field) in enumerate(self.schema.load_fields.items()):
            attribute = field.attribute or name
            if field.required:
                # None is refused like absence, unless None is allowed.
                sentinel = field.allow_none
            elif model is not None:
                # Absent and None end alike: None means the default, the
                # attribute is a legacy one, or the default is None (and not
                # made a tuple).
                sentinel = not (
                    field.allow_none
                    and field.load_default is missing
                    and attribute not in payload.fallbacks
                    and (
                        attribute in payload.null_is_default
                        or attribute in payload.fallbacks.values()
                        or (
                            defaults.get(attribute, _NO_DEFAULT) is None
                            and attribute not in payload.tuples
                        )
                    )
                )
            else:
                sentinel = True
            absent = sentinel and not field.required and field.load_default is missing
            key = field.data_key if field.data_key is not None else name
            slots.append(_Slot(key, attribute, field, f"v{index}", sentinel, absent))
        return slots

    def _read(self, slot: _Slot) -> None:
        """Read one field into its variable, checked and converted."""
        src, var, field = self.src, slot.var, slot.field
        if not slot.sentinel:
            src.add(1, f"{var} = get({slot.key!r})")
            self._convert(1, slot)
            return
        src.add(1, f"{var} = get({slot.key!r}, MISSING)")
        default = field.load_default
        if field.required or default is not missing:
            src.add(1, f"if {var} is MISSING:")
            if field.required:
                src.add(2, "raise GiveUp")
            else:
                call = "()" if callable(default) else ""
                src.add(2, f"{var} = {src.ref(default, 'default')}{call}")
            src.add(1, "else:")
        else:
            src.add(1, f"if {var} is not MISSING:")
        self._convert(2, slot)

    def _convert(self, depth: int, slot: _Slot) -> None:
        """Check and convert a value that was sent, ``None`` included."""
        field = slot.field
        cls = type(field)
        if field.validators or field.pre_load or field.post_load:
            # The field does more than convert: it decides, None included.
            self._sink(depth, slot)
            deserialize = self.src.ref(field.deserialize, "deserialize")
            call = f"{deserialize}({slot.var}, {slot.key!r}, data)"
            self.src.add(depth, f"{slot.var} = {call}")
        elif cls is fields.String:
            self._exact(depth, slot, "str")
        elif cls is fields.Integer:
            self._exact(depth, slot, "int")
        elif cls is fields.Boolean:
            self._exact(depth, slot, "bool")
        elif cls is fields.Raw:
            if not field.allow_none:
                self._test(depth, f"{slot.var} is None")
            self._sink(depth, slot)
        elif cls is fields.Nested:
            self._nested(self._open(depth, slot), slot, t.cast(fields.Nested, field))
        elif cls is Actions:
            self._actions(self._open(depth, slot), slot, t.cast(Actions, field))
        elif cls is Headers or cls is Parameters:
            self._string_map(self._open(depth, slot), slot)
        elif cls is UTCDateTime:
            self._timestamp(self._open(depth, slot), slot)
        else:  # any other field: its own _deserialize converts
            depth = self._open(depth, slot)
            self._sink(depth, slot)
            self._deserialize(depth, slot)

    def _test(self, depth: int, test: str) -> None:
        """Give up when ``test`` holds."""
        self.src.add(depth, f"if {test}:")
        self.src.add(depth + 1, "raise GiveUp")

    def _exact(self, depth: int, slot: _Slot, cls: str) -> None:
        """Exactly ``str``, ``int`` (not ``bool``) or ``bool``, or ``None``
        if allowed.
        """
        var = slot.var
        if cls == "bool":
            test = f"{var} is not True and {var} is not False"
        else:
            test = f"type({var}) is not {cls}"
        if slot.field.allow_none:
            test += f" and {var} is not None"
        self._test(depth, test)

    def _open(self, depth: int, slot: _Slot) -> int:
        """Handle ``None`` before a conversion: keep it if allowed, else give
        up. Return the depth of the conversion.
        """
        if slot.field.allow_none:
            self.src.add(depth, f"if {slot.var} is not None:")
            return depth + 1
        self._test(depth, f"{slot.var} is None")
        return depth

    def _sink(self, depth: int, slot: _Slot) -> None:
        """A value kept as decoded must not be one of orjson's big floats."""
        if self.options.guard:
            no_big_float = self.src.ref(_no_big_float, "no_big_float")
            self.src.add(depth, f"{no_big_float}({slot.var})")

    def _deserialize(self, depth: int, slot: _Slot) -> None:
        """The field's own ``_deserialize``, as marshmallow calls it."""
        convert = self.src.ref(slot.field._deserialize, "deserialize")
        self.src.add(depth, f"{slot.var} = {convert}({slot.var}, {slot.key!r}, data)")

    def _loader(self, schema: Schema, unknown: str | None, many: bool) -> str:
        """The name of a nested schema's loader."""
        options = self.options._replace(unknown=unknown, many=many, pick=None)
        load = loader(schema, **options._asdict())
        return self.src.ref(load, load.__name__)

    def _nested(self, depth: int, slot: _Slot, field: fields.Nested) -> None:
        src, var = self.src, slot.var
        if not (field.schema.many or field.many):
            one = self._loader(field.schema, field.unknown, False)
            src.add(depth, f"{var} = {one}({var})")
            return
        item = self._loader(field.schema, field.unknown, True)
        self._test(depth, f"type({var}) is not list")
        src.add(depth, f"{var} = list(map({item}, {var}))")

    def _actions(self, depth: int, slot: _Slot, field: Actions) -> None:
        """``{}`` is none, an object is one, a list several."""
        src, var = self.src, slot.var
        one = self._loader(field.schema, field.unknown, False)
        item = self._loader(field.schema, field.unknown, True)
        src.add(depth, f"if type({var}) is dict:")
        src.add(depth + 1, f"{var} = ({one}({var}),) if {var} else ()")
        src.add(depth, f"elif type({var}) is list:")
        src.add(depth + 1, f"{var} = tuple(map({item}, {var}))")
        src.add(depth, "else:")
        src.add(depth + 1, "raise GiveUp")

    def _string_map(self, depth: int, slot: _Slot) -> None:
        """``Headers`` and ``Parameters`` return an object of strings as a
        copy; ``str.join`` checks the strings in C. Any other value goes
        through the field. A decoded document's keys are strings already, and
        its object may be kept.
        """
        src, var, owned = self.src, slot.var, self.options.owned
        src.add(depth, f"if type({var}) is dict:")
        src.add(depth + 1, "try:")
        if not owned:
            src.add(depth + 2, f'"".join({var})')
        src.add(depth + 2, f'"".join({var}.values())')
        src.add(depth + 1, "except TypeError:")
        self._map_field(depth + 2, slot)
        if not owned:
            src.add(depth + 1, "else:")
            src.add(depth + 2, f"{var} = dict({var})")
        src.add(depth, "else:")
        self._map_field(depth + 1, slot)

    def _map_field(self, depth: int, slot: _Slot) -> None:
        if type(slot.field) is not Headers:  # Headers accepts strings only
            self._sink(depth, slot)
        self._deserialize(depth, slot)

    def _timestamp(self, depth: int, slot: _Slot) -> None:
        """``UTCDateTime``: the platform's ``...Z`` is read as the field reads
        it, and kept as is (the field's conversion to UTC would return it
        unchanged). Any other value gives up.
        """
        src, var = self.src, slot.var
        parse = src.ref(dt.datetime.fromisoformat, "fromisoformat")
        self._test(depth, f"type({var}) is not str or {var}[-1:] != 'Z'")
        src.add(depth, "try:")
        src.add(depth + 1, f"{var} = {parse}({var}[:-1] + '+00:00')")
        src.add(depth, "except ValueError:")
        src.add(depth + 1, "raise GiveUp from None")
        self._test(depth, f"{var}.tzinfo is not {src.ref(dt.timezone.utc, 'UTC')}")

    # -- the loaded object ------------------------------------------------------

    def _make_dict(self, slots: list[_Slot]) -> None:
        """Build the dict marshmallow builds and run the schema's hooks."""
        src, pick = self.src, self.options.pick
        post_load = self.schema._hooks[POST_LOAD]
        picked = [slot for slot in slots if slot.attribute == pick]
        if pick is not None and not post_load and picked and not picked[-1].absent:
            # Nothing else to build: the other fields are checked.
            src.add(1, f"return {picked[-1].var}")
            return
        src.add(1, "out = {}")
        for slot in slots:
            if slot.absent:
                src.add(1, f"if {slot.var} is not MISSING:")
                src.add(2, f"out[{slot.attribute!r}] = {slot.var}")
            else:
                src.add(1, f"out[{slot.attribute!r}] = {slot.var}")
        options = (
            f"many={self.options.many!r},"
            f" partial={src.ref(self.schema.partial, 'partial')},"
            f" unknown={self.options.unknown!r}"
        )
        for hook_name, _, _ in post_load:
            hook = src.ref(getattr(self.schema, hook_name), hook_name.strip("_"))
            src.add(1, f"out = {hook}(out, {options})")
        src.add(1, "return out" if pick is None else f"return out[{pick!r}]")

    def _make_model(self, slots: list[_Slot], model: type[t.Any]) -> None:
        """The steps of ``_PayloadSchema._make``, then the dataclass: the
        fields stored on its unsealed twin, which then becomes the dataclass.
        """
        src, schema = self.src, t.cast(_PayloadSchema, self.schema)
        by_attribute = {slot.attribute: slot for slot in slots}
        for attribute, legacy in schema.fallbacks.items():
            # A legacy value still MISSING leaves the attribute to its default.
            target, source = by_attribute[attribute], by_attribute[legacy]
            src.add(1, f"if {target.var} is MISSING and {source.var} is not None:")
            src.add(2, f"{target.var} = {source.var}")
        legacies = set(schema.fallbacks.values())
        values = []
        for field in dataclasses.fields(model):
            slot = by_attribute.get(field.name)
            if field.default_factory is not dataclasses.MISSING:
                factory = src.ref(field.default_factory, f"{field.name}_factory")
                default = f"{factory}()"
            else:
                default = src.ref(field.default, f"{field.name}_default")
            if slot is None or field.name in legacies:
                values.append(default)
                continue
            tests = [f"{slot.var} is MISSING"] if slot.absent else []
            if field.name in schema.null_is_default:
                tests.append(f"{slot.var} is None")
            if tests:
                src.add(1, f"if {' or '.join(tests)}:")
                src.add(2, f"{slot.var} = {default}")
                if field.name in schema.tuples:
                    src.add(1, "else:")
                    src.add(2, f"{slot.var} = tuple({slot.var})")
            elif field.name in schema.tuples:
                src.add(1, f"{slot.var} = tuple({slot.var})")
            values.append(slot.var)
        new = src.ref(object.__new__, "new")
        unsealed = src.ref(_unsealed(model), f"{model.__name__}_unsealed")
        src.add(1, f"obj = {new}({unsealed})")
        for field, value in zip(dataclasses.fields(model), values, strict=True):
            src.add(1, f"obj.{field.name} = {value}")
        src.add(1, f"obj.__class__ = {src.ref(model, model.__name__)}")
        src.add(1, "return obj")


_NO_DEFAULT = object()


def _defaults(model: type[t.Any]) -> dict[str, t.Any]:
    """The plain defaults of a dataclass's fields. Internal."""
    return {
        field.name: field.default
        for field in dataclasses.fields(model)
        if field.default is not dataclasses.MISSING
    }


_UNSEALED: dict[type[t.Any], type[t.Any]] = {}


def _unsealed(model: type[t.Any]) -> type[t.Any]:
    """The unsealed twin of a frozen, slotted dataclass: a subclass with no
    slots of its own and the ``object`` ``__setattr__`` and ``__delattr__``.
    Internal.

    A loader stores the fields as plain attributes of the twin (a
    specialised slot store each, against a descriptor call) and then switches
    the object to the dataclass, which has the same layout.
    """
    found = _UNSEALED.get(model)
    if found is None:
        found = _UNSEALED[model] = type(
            model.__name__,
            (model,),
            {
                "__slots__": (),
                # Both, or the type keeps the slow path of the frozen methods.
                "__setattr__": object.__setattr__,
                "__delattr__": object.__delattr__,
                "__module__": model.__module__,
                "__qualname__": f"{model.__qualname__}.<unsealed>",
            },
        )
    return found


def _model(schema: Schema) -> type[t.Any] | None:
    """The dataclass that the schema's only ``post_load`` hook builds, if that
    hook is ``_PayloadSchema._make`` and the compiler can take its steps over;
    else ``None``. Internal.

    The dataclass's ``__init__`` must be :func:`~flask_tropo._init.fast_init`'s
    (slots, each field stored through its descriptor) and there must be no
    ``__post_init__``, so that storing the fields directly is what the hook
    does; its unsealed twin (:func:`_unsealed`) must switch to it. The hook's
    declarations must name attributes of the schema, and every attribute it
    passes on must be a field of the dataclass.
    """
    post_load = schema._hooks[POST_LOAD]
    if len(post_load) != 1:
        return None
    if getattr(type(schema), post_load[0][0]) is not _PayloadSchema._make:
        return None
    payload = t.cast(_PayloadSchema, schema)
    model = getattr(payload, "model", None)
    if (
        not isinstance(model, type)
        or type(model) is not type
        or not dataclasses.is_dataclass(model)
        or not hasattr(model.__init__, "_dataclass_init")
        or hasattr(model, "__post_init__")
        or model.__new__ is not object.__new__
    ):
        return None
    names = [field.name for field in dataclasses.fields(model)]
    if not all(
        isinstance(model.__dict__.get(name), types.MemberDescriptorType)
        and name.isidentifier()
        and not keyword.iskeyword(name)
        for name in names
    ):
        return None
    attributes = [f.attribute or n for n, f in schema.load_fields.items()]
    fallbacks = payload.fallbacks
    legacies = set(fallbacks.values())
    declared = {*fallbacks, *legacies, *payload.null_is_default, *payload.tuples}
    if (
        len(set(attributes)) != len(attributes)
        or not declared <= set(attributes)
        or not set(attributes) - legacies <= set(names)
        or legacies & set(fallbacks)
    ):
        return None
    try:
        probe = object.__new__(_unsealed(model))
        probe.__class__ = model
    except TypeError:  # pragma: no cover - a layout the switch refuses
        return None
    return model


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
