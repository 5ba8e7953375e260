"""The code in README.md and docs/quickstart.rst runs as written.

The ``python`` blocks of a page run in order in one fresh module namespace
(as if the page were one file), then every ``test_*`` function they define is
called. The quickstart's ``flask tropo call`` sample output is compared with
the real console output.
"""

from __future__ import annotations

import re
import shlex
import sys
import textwrap
import types
import typing as t
from pathlib import Path

import pytest
from flask import Flask

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
QUICKSTART = ROOT / "docs" / "quickstart.rst"
_MARKDOWN_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
_TOKEN = re.compile(r"(tropo_token=)[^\s&)\]]+")


def markdown_blocks(text: str) -> list[str]:
    """The ```` ```python ```` blocks of a Markdown page."""
    return _MARKDOWN_BLOCK.findall(text)


def rst_blocks(text: str, language: str) -> list[str]:
    """The ``.. code-block:: language`` blocks of a reST page, dedented."""
    lines = text.splitlines()
    blocks = []
    for number, line in enumerate(lines):
        if line.strip() != f".. code-block:: {language}":
            continue
        indent = len(line) - len(line.lstrip())
        body: list[str] = []
        for following in lines[number + 1 :]:
            stripped = following.strip()
            if stripped and len(following) - len(following.lstrip()) <= indent:
                break
            if not body and (not stripped or stripped.startswith(":")):
                continue  # options and the blank line before the code
            body.append(following)
        blocks.append(textwrap.dedent("\n".join(body)).strip() + "\n")
    return blocks


def run_page(
    blocks: list[str], name: str, page: Path, monkeypatch: pytest.MonkeyPatch
) -> types.ModuleType:
    """Run ``blocks`` in one new module named ``name``, then its tests."""
    assert blocks, f"no python blocks in {page.name}"
    module = types.ModuleType(name)
    module.__file__ = str(page.parent / f"{name}.py")
    monkeypatch.setitem(sys.modules, name, module)
    for number, block in enumerate(blocks, 1):
        code = compile(block, f"{page.name}, python block {number}", "exec")
        exec(code, module.__dict__)
    for key, value in list(vars(module).items()):
        if key.startswith("test_") and callable(value):
            value()
    return module


def test_markdown_blocks_are_found() -> None:
    text = "```python\na = 1\n```\n\n```sh\nls\n```\n```python\nb = 2\n```\n"
    assert markdown_blocks(text) == ["a = 1\n", "b = 2\n"]


def test_rst_blocks_are_found() -> None:
    text = (
        "Intro\n\n.. code-block:: python\n    :caption: x\n\n    a = 1\n\n"
        "    if a:\n        b = 2\n\nAfter.\n\n.. code-block:: text\n\n    $ ls\n"
    )
    assert rst_blocks(text, "python") == ["a = 1\n\nif a:\n    b = 2\n"]
    assert rst_blocks(text, "text") == ["$ ls\n"]


def test_readme(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = markdown_blocks(README.read_text(encoding="utf-8"))
    module = run_page(blocks, "readme_example", README, monkeypatch)
    assert isinstance(module.app, Flask)


def test_quickstart(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = rst_blocks(QUICKSTART.read_text(encoding="utf-8"), "python")
    module = run_page(blocks, "ivr", QUICKSTART, monkeypatch)
    assert isinstance(module.app, Flask)
    tests = [key for key in vars(module) if key.startswith("test_")]
    assert len(tests) >= 2


def test_quickstart_console_output(monkeypatch: pytest.MonkeyPatch) -> None:
    text = QUICKSTART.read_text(encoding="utf-8")
    module = run_page(rst_blocks(text, "python"), "ivr", QUICKSTART, monkeypatch)
    [sample] = [
        block
        for block in rst_blocks(text, "text")
        if block.startswith("$ flask --app ivr tropo call")
    ]
    command, *expected = sample.splitlines()
    words = shlex.split(command)
    args = words[words.index("tropo") :]
    app: t.Any = module.app
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    printed = _TOKEN.sub(r"\1...", result.output).splitlines()
    assert printed == expected
