"""The package stays on the public API of its dependencies: no private name of
werkzeug, Flask, itsdangerous, marshmallow, ``json`` or ``hmac``, no generated
source, and no import cycle between its modules at import time."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "flask_tropo"
MODULES = sorted(PACKAGE.rglob("*.py"))

#: What going around a dependency looks like in source.
FORBIDDEN = {
    "Flask's request context": r"\brequest_ctx\b|\bapp_ctx\b",
    "a proxy's private getter": r"_get_current_object\(",
    "werkzeug's request or response state": (
        r"\b_cached_data\b|\._list\b|\._status(_code)?\b|\[\"_status"
    ),
    "marshmallow's hooks or field internals": (
        r"\b_hooks\b|\._serialize\(|\._deserialize\("
    ),
    "the json module's C internals": (
        r"\bc_make_encoder\b|\bscan_once\b|\bencode_basestring"
    ),
    "hmac's pads": r"\btrans_(36|5C)\b",
    "Blueprint's private setup state": (
        r"_got_registered_once|\b_check_setup_finished\b"
    ),
    "generated source": r"\bexec\(|\blinecache\b|(?<![.\w])compile\(",
    "object creation or class switching around __init__": (
        r"object\.__new__\b|__class__\s*=[^=]"
    ),
}


@pytest.mark.parametrize("what", sorted(FORBIDDEN))
def test_no_private_names_of_dependencies(what: str) -> None:
    pattern = re.compile(FORBIDDEN[what])
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}"
        for path in MODULES
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert not found, f"{what}:\n" + "\n".join(found)


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULE_NAMES = {_module(path) for path in MODULES}


def _imports(path: Path) -> set[str]:
    """The package's modules that ``path`` imports when it is imported (not
    inside functions, not for type checking only)."""
    name = _module(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If):
                if "TYPE_CHECKING" not in ast.unparse(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = (
                    ".".join(base + ([node.module] if node.module else []))
                    if node.level
                    else node.module or ""
                )
                if module.startswith("flask_tropo"):
                    # "from . import verbs" imports the submodule, not the
                    # package's __init__ (which is already being imported).
                    subs = {f"{module}.{alias.name}" for alias in node.names}
                    known = subs & MODULE_NAMES
                    found.update(known or {module})
            elif isinstance(node, ast.Import):
                found.update(
                    a.name for a in node.names if a.name.startswith("flask_tropo")
                )

    visit(ast.parse(path.read_text()).body)
    return found


def test_no_import_cycle() -> None:
    modules = {_module(path): path for path in MODULES}
    graph = {
        name: {dep for dep in _imports(path) if dep in modules and dep != name}
        for name, path in modules.items()
    }

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for dep in graph[node]:
                if dep == start:
                    return [*trail, dep]
                if dep not in trail:
                    stack.append((dep, [*trail, dep]))
        return None

    cycles = [cycle for name in graph if (cycle := cycle_from(name))]
    assert not cycles, " -> ".join(cycles[0])


def test_no_module_over_500_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE.parent)): count
        for path in MODULES
        if (count := path.read_text().count("\n")) > 500
    }
    assert not long
