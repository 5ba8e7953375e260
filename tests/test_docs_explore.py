"""The docs of exploring run as written: the "Every path at once" section of
docs/testing.rst and the ``flask tropo graph`` section of docs/cli.rst.

In the testing page's section, ``# menu.py`` is written to a module, the other
``python`` blocks run in order in one namespace, and a ``text`` block right
after a ``python`` block is what that block prints. ``# conftest.py`` and
``# test_*.py`` blocks run with pytest (pytester). ``$ flask ... tropo graph``
blocks are run with the app's CLI runner and compared with the real output.
"""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import sys
import textwrap
import typing as t
from pathlib import Path

import pytest

from example_app import create_app
from flask_tropo.testing import Simulator

ROOT = Path(__file__).parent.parent
#: Blocks that are files of their own, not statements to run in turn.
FILES = ("# menu.py", "# conftest", "# test_")
TESTING = ROOT / "docs" / "testing.rst"
CLI = ROOT / "docs" / "cli.rst"


def section(page: Path | str, title: str) -> str:
    """The text of the section ``title`` of a reST page (a path or its text),
    up to the next section of the same level."""
    text = page.read_text(encoding="utf-8") if isinstance(page, Path) else page
    lines = text.splitlines()
    start = lines.index(title)
    rule = lines[start + 1][0]
    for end in range(start + 2, len(lines) - 1):
        underline = lines[end + 1]
        if underline and set(underline) == {rule} and len(underline) >= len(lines[end]):
            return "\n".join(lines[start:end])
    return "\n".join(lines[start:])


def blocks(text: str) -> list[tuple[str, str]]:
    """The ``(language, code)`` of each ``.. code-block::``, in order."""
    lines = text.splitlines()
    found = []
    for number, line in enumerate(lines):
        if not line.strip().startswith(".. code-block:: "):
            continue
        language = line.split("::")[1].strip()
        indent = len(line) - len(line.lstrip())
        body: list[str] = []
        for following in lines[number + 1 :]:
            stripped = following.strip()
            if stripped and len(following) - len(following.lstrip()) <= indent:
                break
            if not body and (not stripped or stripped.startswith(":")):
                continue
            body.append(following)
        found.append((language, textwrap.dedent("\n".join(body)).strip() + "\n"))
    return found


def run_command(app: t.Any, command: str) -> tuple[int, list[str]]:
    words = shlex.split(command.removeprefix("$ "))
    result = app.test_cli_runner().invoke(args=words[words.index("tropo") :])
    return result.exit_code, result.output.splitlines()


@pytest.fixture
def menu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> t.Any:
    """``menu.py`` from the page, importable, in a scratch directory."""
    [code] = [
        c
        for _, c in blocks(section(TESTING, "Every path at once"))
        if c.startswith("# menu.py")
    ]
    (tmp_path / "menu.py").write_text(code, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "menu", raising=False)
    monkeypatch.chdir(tmp_path)
    import menu

    return menu


def test_the_section_runs_and_prints_what_it_shows(menu: t.Any) -> None:
    found = blocks(section(TESTING, "Every path at once"))
    namespace: dict[str, t.Any] = {"__name__": "explore_docs"}
    compared = 0
    for index, (language, code) in enumerate(found):
        if language != "python" or code.startswith(
            ("# menu.py", "# conftest", "# test_")
        ):
            continue
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, f"testing.rst, block {index + 1}", "exec"), namespace)
        following = found[index + 1] if index + 1 < len(found) else None
        if following and following[0] == "text" and not following[1].startswith("$"):
            assert printed.getvalue().rstrip("\n") == following[1].rstrip("\n")
            compared += 1
    assert compared == 2


def test_the_gate_catches_the_bug(menu: t.Any, pytester: pytest.Pytester) -> None:
    found = blocks(section(TESTING, "Every path at once"))
    files = {
        code.splitlines()[0].removeprefix("# ").removesuffix(".py"): code
        for language, code in found
        if language == "python"
        and code.startswith(("# menu.py", "# conftest", "# test_"))
    }
    assert set(files) == {"menu", "conftest", "test_flows"}
    pytester.makeconftest(files.pop("conftest"))
    pytester.makepyfile(**files)
    pytester.syspathinsert()
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*FAILED tropo.chosen after press 2: KeyError: '+14155550100'*"]
    )


def test_the_graph_command_prints_what_the_page_shows(menu: t.Any) -> None:
    [sample] = [
        code
        for language, code in blocks(section(TESTING, "Every path at once"))
        if language == "text" and code.startswith("$ flask --app menu tropo graph")
    ]
    command, *expected = sample.splitlines()
    code, printed = run_command(menu.app, command)
    assert code == 1
    assert printed == expected
    explored = Simulator(menu.app).explore("/voice")
    assert Path("flow.html").read_text(encoding="utf-8") == explored.to_html()


def test_the_cli_page_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    [sample] = [
        code
        for language, code in blocks(section(CLI, "``flask tropo graph``"))
        if language == "text" and code.startswith("$ flask")
    ]
    command, *expected = sample.splitlines()
    monkeypatch.chdir(tmp_path)
    app = create_app(
        {
            "SECRET_KEY": "docs test secret key",
            "EXAMPLE_DATABASE": os.fspath(tmp_path / "example.sqlite3"),
            "EXAMPLE_RECORDINGS": os.fspath(tmp_path / "recordings"),
        }
    )
    code, printed = run_command(app, command)
    assert code == 0
    assert printed == expected
    assert (
        (tmp_path / "flow.html")
        .read_text(encoding="utf-8")
        .startswith("<!doctype html>")
    )


def test_sections_and_blocks_are_found() -> None:
    text = (
        "Title\n=====\n\nA\n-\n\n.. code-block:: python\n\n    x = 1\n\n"
        ".. code-block:: text\n    :caption: out\n\n    1\n\nB\n-\n\nb\n"
    )
    assert blocks(section(text, "A")) == [("python", "x = 1\n"), ("text", "1\n")]
    assert section(text, "B") == "B\n-\n\nb"
