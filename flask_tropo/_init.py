"""A faster ``__init__`` for the frozen, slotted dataclasses of the verbs and
payloads.

The ``__init__`` that :func:`dataclasses.dataclass` writes for a frozen class
stores each field with ``object.__setattr__(self, name, value)``, which looks
the name up on the class every time: about 90 ns a field, 2 µs for the 20
fields of an ``Ask``. The one written here takes the same parameters (names,
order, kinds, defaults, annotations) and stores each field once.

Without checks (the payloads), it stores each field through its slot
descriptor, bound once, at about half the cost, then calls ``__post_init__``
as the dataclass one does.

With checks (the verbs; see :mod:`flask_tropo._checks`), it first runs the
check of each field inline on its parameter: an option left at ``None``
costs one test, a common value (a string, an int) a type test, and only the
rest calls the full check. Then it stores the values. A class of three
fields or more stores them through its unsealed twin, a subclass without
slots of its own that keeps the ``object`` ``__setattr__``: the object is
made of the twin, its fields are assigned as plain attributes, and it is made
of the class again, which costs less than a descriptor call a field. The
checks also make the ``__post_init__`` of the class (so that the dataclass
``__init__`` and dataclass subclasses check the same), and a fast
constructor, :func:`fast_new`, for the strings that verbs wrap.

Internal; may change at any time.
"""

from __future__ import annotations

import collections.abc as c
import dataclasses
import inspect
import linecache
import math
import typing as t

if t.TYPE_CHECKING:  # pragma: no cover
    from ._checks import Check

__all__ = ["fast_init", "fast_new"]

_T = t.TypeVar("_T", bound=type)

#: From this many fields on, a checked class stores through its unsealed twin
#: (switching the class there and back costs about three descriptor calls).
_TWIN_FROM = 3

_set_class = object.__dict__["__class__"].__set__

#: The fast constructor of each checked class that has one.
_FAST_NEW: dict[type, c.Callable[..., t.Any]] = {}


def fast_new(cls: type[t.Any]) -> c.Callable[..., t.Any]:
    """The fast constructor of ``cls``: its positional fields as parameters,
    the others left at their defaults, checked as ``cls(...)`` checks them.
    """
    return _FAST_NEW[cls]


def _literal(value: object) -> str | None:
    """The source of ``value`` if it is a simple constant, else ``None``."""
    if value is None or type(value) in (bool, int, str):
        return repr(value)
    if type(value) is float and math.isfinite(value):
        return repr(value)
    if type(value) is tuple and all(_literal(v) is not None for v in value):
        return repr(value)
    return None


class _Source:
    """The namespace and lines of the generated functions of one class."""

    def __init__(self, cls: type, parameters: c.Mapping[str, inspect.Parameter]):
        self.cls = cls
        self.fields = dataclasses.fields(cls)
        self.parameters = parameters
        self.namespace: dict[str, t.Any] = {"_cls": cls}
        self.lines: list[str] = []

    def ref(self, name: str, value: object) -> str:
        """The source for ``value``: a literal, or ``name`` bound to it."""
        literal = _literal(value)
        if literal is not None:
            return literal
        self.namespace[name] = value
        return name

    def default(self, index: int) -> str | None:
        """The source of the default of field ``index``: the object of the
        dataclass ``__init__`` (the field's default, or the marker of a
        default factory).
        """
        default = self.parameters[self.fields[index].name].default
        if default is inspect.Parameter.empty:
            return None
        if default is None or default is True or default is False:
            return repr(default)  # the same object; the signature reads as written
        self.namespace[f"_default_{index}"] = default
        return f"_default_{index}"

    def params(self, fields: c.Sequence[dataclasses.Field[t.Any]]) -> list[str]:
        positional: list[str] = []
        keyword: list[str] = []
        for field in fields:
            default = self.default(self.fields.index(field))
            param = field.name if default is None else f"{field.name}={default}"
            (keyword if field.kw_only else positional).append(param)
        return [*positional, *(["*", *keyword] if keyword else [])]

    def factories(self, indent: str) -> None:
        for index, field in enumerate(self.fields):
            if field.default_factory is not dataclasses.MISSING:
                factory = self.ref(f"_factory_{index}", field.default_factory)
                self.lines.append(f"{indent}if {field.name} is {self.default(index)}:")
                self.lines.append(f"{indent}    {field.name} = {factory}()")

    def checks(
        self,
        checks: c.Mapping[str, Check],
        verb: str,
        indent: str,
        skip: c.Container[str] = (),
    ) -> None:
        """Each check on the local of its field, in the order given, but for
        the fields in ``skip``.
        """
        for number, (name, check) in enumerate(checks.items()):
            if name in skip:
                continue
            refs = {
                key: self.ref(f"_{key}_{number}", value)
                for key, value in check.env.items()
            }
            fix = self.ref(f"_fix_{number}", check.fix)
            args = ", ".join([verb, repr(name), name, *check.others])
            call = f"{fix}({args})"
            tests = [f"{name} is not None"] if check.skip_none else []
            if check.ok is not None:
                tests.append(f"not ({check.ok.format(v=name, **refs)})")
                expr = call
            elif check.fast is not None:
                expr = check.fast.format(v=name, fix=call, **refs)
            else:
                expr = call
            if tests:
                self.lines.append(f"{indent}if {' and '.join(tests)}:")
                self.lines.append(f"{indent}    {name} = {expr}")
            else:
                self.lines.append(f"{indent}{name} = {expr}")

    def store(self, target: str, indent: str) -> None:
        """Store the locals in the fields of ``target``, through the slot
        descriptors.
        """
        for index, field in enumerate(self.fields):
            setter = self.ref(f"_set_{index}", self.cls.__dict__[field.name].__set__)
            self.lines.append(f"{indent}{setter}({target}, {field.name})")

    def store_unsealed(self, target: str, indent: str) -> None:
        """Store the locals in the fields of ``target``, of the class, through
        its unsealed twin.
        """
        self.lines.append(f"{indent}_set_class({target}, _twin)")
        self.assign(target, indent)

    def assign(self, target: str, indent: str) -> None:
        """Store the locals in the fields of ``target``, of the unsealed
        twin, then make it of the class.
        """
        for field in self.fields:
            self.lines.append(f"{indent}{target}.{field.name} = {field.name}")
        self.lines.append(f"{indent}{target}.__class__ = _cls")

    def define(self, name: str, params: c.Sequence[str]) -> None:
        """Start the function ``name``, ending the one before."""
        if self.lines:
            self.end()
            self.lines.append("")
        self.lines.append(f"def {name}({', '.join(params)}):")

    def end(self) -> None:
        if not self.lines[-1].startswith(" "):
            self.lines.append("    pass")

    def compile(self) -> dict[str, t.Any]:
        """Run the source; register it for tracebacks; return the namespace."""
        self.end()
        source = "\n".join(self.lines) + "\n"
        filename = f"<flask_tropo __init__ of {self.cls.__name__}>"
        exec(compile(source, filename, "exec"), self.namespace)
        # Tracebacks through it show its lines.
        linecache.cache[filename] = (
            len(source),
            None,
            source.splitlines(True),
            filename,
        )
        return self.namespace


def _twin(cls: type) -> type:
    """The unsealed twin of ``cls``: same layout, plain ``__setattr__``, and
    an ``__init__`` that does nothing (``_twin()`` is a blank object).
    """
    return type(
        cls.__name__,
        (cls,),
        {
            "__slots__": (),
            "__init__": object.__init__,
            "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__,
            "__module__": cls.__module__,
            "__qualname__": f"{cls.__qualname__}.<unsealed>",
        },
    )


def fast_init(cls: _T, checks: c.Mapping[str, Check] | None = None) -> _T:
    """Replace the dataclass ``__init__`` of ``cls`` (frozen, with slots) by
    one that stores each field once; return ``cls``. The replaced function
    stays reachable as ``cls.__init__._dataclass_init``, and the checks as
    ``cls.__init__._checks`` (for the tests).

    :param checks: the check of each field that has one, in the order they
        run. Given, they also become ``cls.__post_init__`` (which the class
        must not define), and the class gets a :func:`fast_new` constructor
        when every keyword-only field has a default.
    :raise TypeError: ``cls`` is not a slotted dataclass, or its
        ``__init__`` parameters are not exactly its fields (``init=False``
        fields, ``InitVar`` pseudo-fields), or a check names no field.
    """
    original = cls.__dict__.get("__init__")
    if (
        original is None
        or not dataclasses.is_dataclass(cls)
        or "__slots__" not in cls.__dict__
    ):
        raise TypeError(f"{cls.__name__} is not a slotted dataclass.")
    all_fields = dataclasses.fields(cls)
    names = [f.name for f in all_fields]
    parameters = inspect.signature(original).parameters
    if list(parameters) != ["self", *names]:
        raise TypeError(
            f"{cls.__name__}: every field, and nothing else, must be an"
            " __init__ parameter."
        )
    if checks is not None and not set(checks) <= set(names):
        raise TypeError(
            f"{cls.__name__}: no field {sorted(set(checks) - set(names))} to check."
        )
    if checks is not None and "__post_init__" in cls.__dict__:
        raise TypeError(f"{cls.__name__}: checks and a __post_init__, not both.")
    src = _Source(cls, parameters)
    src.define("__init__", ["self", *src.params(all_fields)])
    src.factories("    ")
    if checks is None:
        src.store("self", "    ")
        if hasattr(cls, "__post_init__"):
            src.lines.append("    self.__post_init__()")
    else:
        _compile_checks(src, checks)
    namespace = src.compile()
    init = namespace["__init__"]
    _describe(init, cls, "__init__", dict(original.__annotations__))
    init._dataclass_init = original
    init._checks = checks
    type.__setattr__(cls, "__init__", init)
    if checks is not None:
        if checks:
            post_init = namespace["__post_init__"]
            _describe(post_init, cls, "__post_init__", {"return": "None"})
            type.__setattr__(cls, "__post_init__", post_init)
        if "_new" in namespace:
            _describe(namespace["_new"], cls, "_new", {})
            _FAST_NEW[cls] = namespace["_new"]
    return cls


def _compile_checks(src: _Source, checks: c.Mapping[str, Check]) -> None:
    """The rest of ``__init__``, then ``__post_init__`` and ``_new``, with
    ``checks``.
    """
    fields = src.fields
    twin = len(fields) >= _TWIN_FROM
    if twin:
        src.namespace.update(_twin=_twin(src.cls), _set_class=_set_class)
    src.checks(checks, "type(self)", "    ")
    if twin:
        src.lines.append("    if type(self) is _cls:")
        src.store_unsealed("self", "        ")
        src.lines.append("    else:")
        src.store("self", "        ")
    else:
        src.store("self", "    ")
    if checks:
        src.define("__post_init__", ["self"])
        src.lines.extend(f"    {f.name} = self.{f.name}" for f in fields)
        src.checks(checks, "type(self)", "    ")
        for index, field in enumerate(fields):
            if field.name in checks:
                setter = src.ref(f"_set_{index}", src.cls.__dict__[field.name].__set__)
                src.lines.append(f"    {setter}(self, {field.name})")
    keyword = [f for f in fields if f.kw_only]
    defaults = {f.name: src.default(fields.index(f)) for f in keyword}
    if None in defaults.values():
        return
    src.namespace["_object_new"] = object.__new__
    src.define("_new", src.params([f for f in fields if not f.kw_only]))
    for name, default in defaults.items():
        src.lines.append(f"    {name} = {default}")
    src.factories("    ")
    # The keyword-only fields left at None need no check.
    unset = [
        name
        for name, check in checks.items()
        if check.skip_none and defaults.get(name) == "None"
    ]
    src.checks(checks, "_cls", "    ", skip=unset)
    if twin:
        src.lines.append("    self = _twin()")
        src.assign("self", "    ")
    else:
        src.lines.append("    self = _object_new(_cls)")
        src.store("self", "    ")
    src.lines.append("    return self")


def _describe(
    function: t.Any, cls: type, name: str, annotations: dict[str, t.Any]
) -> None:
    """Name ``function`` as the method ``name`` of ``cls``."""
    function.__qualname__ = f"{cls.__qualname__}.{name}"
    function.__module__ = cls.__module__
    function.__annotations__ = annotations
