"""``flask tropo graph``: the drawing on stdout or in a file, the summary on
stderr, exit 1 when a path fails."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from explore_apps import make_app
from explore_apps import menu_app
from explore_apps import pin_blueprint
from flask import Flask

from flask_tropo.testing import Simulator


def invoke(app: Flask, *args: str) -> tuple[int, str, str]:
    result = app.test_cli_runner().invoke(args=["tropo", "graph", *args])
    return result.exit_code, result.stdout, result.stderr


def test_failing_menu_draws_and_exits_1() -> None:
    app = menu_app()
    code, out, err = invoke(app, "/voice")
    assert code == 1
    assert out == Simulator(app).explore("/voice").to_mermaid()
    lines = err.splitlines()
    assert lines[0].startswith("Explored /voice: ")
    assert lines[1].startswith("FAILED menu.choice after press 3: ZeroDivisionError:")
    assert lines[2] == "Unreached: menu.survey"
    assert lines[-1].startswith("Error: ")
    assert "path(s) fail; the first: menu.choice after press 3" in lines[-1]
    assert "Traceback" not in err


def test_outside_testing_mode_the_log_stays_quiet() -> None:
    app = menu_app(TESTING=False)
    code, _, err = invoke(app, "/voice", "--format", "dot")
    assert code == 1
    assert "Traceback" not in err and "failed in session" not in err
    assert app.logger.disabled is False


@pytest.mark.parametrize("form", ["mermaid", "dot", "html"])
def test_output_file(tmp_path: Path, form: str) -> None:
    app = make_app(pin_blueprint())
    target = tmp_path / f"flow.{form}"
    code, out, err = invoke(app, "/pin", "--format", form, "--output", str(target))
    assert code == 0, err
    assert out == ""
    flow = Simulator(app).explore("/pin")
    drawn = {"mermaid": flow.to_mermaid, "dot": flow.to_dot, "html": flow.to_html}
    assert target.read_text(encoding="utf-8") == drawn[form]()
    assert err.splitlines()[-1] == f"Wrote {target}."


def test_inputs_reach_the_open_grammar() -> None:
    app = make_app(pin_blueprint())
    code, out, err = invoke(
        app, "/pin", "--input", "pin=1234", "--input", "pin=0000", "--max-steps", "3"
    )
    assert code == 0, err
    flow = Simulator(app).explore("/pin", inputs={"pin": ["1234", "0000"]}, max_steps=3)
    assert out == flow.to_mermaid()
    assert err.startswith(f"Explored /pin: {len(flow.paths)} paths")


def test_max_paths_is_reported() -> None:
    code, _, err = invoke(menu_app(), "/voice", "--max-paths", "2")
    assert code == 0  # the two paths played do not fail
    assert "Stopped at max_paths: some paths were not played." in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/voice", "--input", "pin"], "'pin' is not NAME=VALUE"),
        (["/voice", "--input", "=1"], "'=1' is not NAME=VALUE"),
        (["/voice", "--format", "png"], "'png' is not one of"),
        (["/voice", "--max-steps", "0"], "--max-steps"),
    ],
)
def test_usage_errors(args: list[str], message: str) -> None:
    code, _, err = invoke(menu_app(), *args)
    assert code == 2
    assert message in err


@pytest.mark.parametrize("rule", ["/nowhere", "/choice"])
def test_not_a_session_route(rule: str) -> None:
    code, out, err = invoke(menu_app(), rule)
    assert code == 1
    assert out == ""
    assert err == (
        f"Error: {rule!r} is not a session route of this app ('flask tropo routes'"
        " lists them).\n"
    )


@pytest.mark.slow
def test_the_flask_command(tmp_path: Path) -> None:
    (tmp_path / "menuapp.py").write_text(
        textwrap.dedent(
            """
            import sys
            sys.path.insert(0, {tests!r})
            from explore_apps import menu_app
            app = menu_app(TESTING=False)
            """
        ).format(tests=str(Path(__file__).parent)),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "menuapp", "tropo", "graph", "/voice"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout.startswith("flowchart TD\n")
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1].startswith("Error: ")


def test_launch_and_text(tmp_path: Path) -> None:
    from example_app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "graph tests secret key",
            "EXAMPLE_DATABASE": str(tmp_path / "x.sqlite3"),
            "EXAMPLE_RECORDINGS": str(tmp_path / "recordings"),
        }
    )
    code, out, err = invoke(
        app, "/ivr/remind", "--launch", "to=+14155550101", "--launch", "message=Hi"
    )
    assert code == 0, err
    assert '-->|"incomplete"|' in out
    assert err.startswith("Explored /ivr/remind: 3 paths, 2 endpoints reached")
    code, out, err = invoke(app, "/ivr/sms", "--text", "HOURS")
    assert code == 0, err
    assert err.startswith("Explored /ivr/sms: 1 path, 1 endpoint reached")
    code, _, err = invoke(app, "/ivr/sms", "--text", "HOURS", "--launch", "to=1")
    assert code == 2
    assert "Give --text or --launch, not both." in err
    code, _, err = invoke(app, "/ivr/remind", "--launch", "to")
    assert code == 2
    assert "'to' is not NAME=VALUE (a launch parameter)" in err
