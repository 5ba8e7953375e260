"""What the compiled loaders and dumpers share: the generated source of a
function, and the exception a loader raises to hand over to marshmallow.

Internal; may change at any time.
"""

from __future__ import annotations

import collections.abc as c
import linecache
import typing as t

from marshmallow import missing

__all__ = ["SOURCES", "GiveUp", "_Source"]


class GiveUp(Exception):
    """The compiled loader cannot vouch for this input; marshmallow decides.

    Internal.
    """


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

    def ref(self, value: t.Any, hint: str = "") -> str:
        """The name under which the generated code sees ``value``; ``hint``
        makes it readable (``_set_id_9`` rather than ``_9``).
        """
        name = f"_{hint}_{len(self.namespace)}" if hint else f"_{len(self.namespace)}"
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
