"""The verb examples in docs/verbs.rst: each Python block renders to the JSON
block that follows it.
"""

from __future__ import annotations

import ast
import json
import re
import typing as t
from pathlib import Path

import pytest

from flask_tropo import verbs
from flask_tropo.document import parse_document
from flask_tropo.document import render

DOC = Path(__file__).parent.parent / "docs" / "verbs.rst"
_BLOCK = re.compile(r"^\.\. code-block:: (\w+)\n\n((?:    .*\n|\n)+)", re.M)


def _pairs() -> list[tuple[str, str]]:
    blocks = [
        (m.group(1), "\n".join(line[4:] for line in m.group(2).splitlines()))
        for m in _BLOCK.finditer(DOC.read_text())
    ]
    return [
        (code, expected)
        for (lang, code), (next_lang, expected) in zip(blocks, blocks[1:], strict=False)
        if lang == "python" and next_lang == "json"
    ]


def _evaluate(code: str) -> list[t.Any]:
    namespace: dict[str, t.Any] = {n: getattr(verbs, n) for n in verbs.__all__}
    body = ast.parse(code).body
    values = [
        eval(compile(ast.Expression(s.value), "<doc>", "eval"), namespace)
        for s in body
        if isinstance(s, ast.Expr)
    ]  # noqa: E501
    if len(values) == 1 and isinstance(values[0], list):
        return t.cast(list[t.Any], values[0])
    return values


def test_every_verb_has_an_example() -> None:
    shown = {
        next(iter(element))
        for _, expected in _pairs()
        for element in json.loads(expected)["tropo"]
    }
    assert shown == set(verbs.VERBS)


@pytest.mark.parametrize(("code", "expected"), _pairs())
def test_example_renders_as_documented(code: str, expected: str) -> None:
    document = render(_evaluate(code))
    assert document == json.loads(expected)
    assert render(parse_document(json.dumps(document))) == document
