"""``flask tropo call``: through click's runner and through a subprocess."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import types
import typing as t
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import AppGroup
from flask.cli import ScriptInfo
from flask.cli import with_appcontext
from flask.testing import FlaskCliRunner
from sim_apps import ScriptedApp
from sim_apps import ask
from sim_apps import on
from sim_apps import say
from sim_apps import serving
from sim_apps import tropo
from tropo_dialect_apps import create_app

from flask_tropo.simulator.console import call_command
from flask_tropo.simulator.console import format_event
from flask_tropo.simulator.console import parse_input
from flask_tropo.simulator.line import Event

TESTS = Path(__file__).parent


@pytest.fixture
def runner() -> FlaskCliRunner:
    return create_app().test_cli_runner()


def test_script_plays_the_call(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["tropo", "call", "/php/index.php", "--script", "1, say:ring the bell,#"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "POST http://localhost/php/index.php [session] -> 200",
        "  say: Welcome to PHP Pizza.",
        "  [ask] choices pepperoni(pepperoni,1), cheese(cheese,2) mode=any"
        " attempts=3 name=pizza",
        "  ask: Say pepperoni or press 1, cheese or press 2.",
        "> press 1",
        "  on continue: Great choice.",
        "  (on continue: posts to http://localhost/php/order.php?uri=pizza)",
        "POST http://localhost/php/order.php?uri=pizza [result] -> 200",
        "  say: One pepperoni pizza.",
        "  [record] name=instructions",
        "  record: Record delivery instructions, then press pound.",
        "> say ring the bell",
        "> press #",
        "  [recording] " + result.output.split("[recording] ")[1].splitlines()[0],
        "  (on continue: posts to http://localhost/php/done.php)",
        "POST http://localhost/php/done.php [result] -> 200",
        "  say: Instructions of 3 seconds saved.",
        "  [hangup]",
        "Call ended: the app hung up.",
    ]


def test_stdin_lines_are_inputs(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["tropo", "call", "/php/index.php"], input="\nsay cheese\nhello there\n#\n"
    )
    assert result.exit_code == 0, result.output
    assert "> silence" in result.output
    assert "  ask: Are you still there?" in result.output
    assert "> say cheese" in result.output
    assert "One cheese pizza." in result.output
    assert "Call ended: the app hung up." in result.output


def test_end_of_input_hangs_up(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["tropo", "call", "/php/index.php"], input="")
    assert result.exit_code == 0, result.output
    assert "> hangup" in result.output
    assert "POST http://localhost/php/hangup.php [result] -> 200" in result.output
    assert result.output.endswith("Call ended: the caller hung up.\n")


def test_end_of_script_hangs_up_and_extra_items_are_reported(
    runner: FlaskCliRunner,
) -> None:
    result = runner.invoke(
        args=["tropo", "call", "/php/index.php", "--script", "silence"]
    )
    assert "(end of the script: hanging up)" in result.output
    assert result.exit_code == 0
    result = runner.invoke(
        args=[
            "tropo",
            "call",
            "/java/start",
            "--script",
            "1234#,5,6",
            "--transfer",
            "busy",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Transfer missed: BUSY." in result.output
    assert "(2 script item(s) not used: the call ended)" in result.output


def test_text_conversation() -> None:
    app = ScriptedApp(
        {
            "/sms": tropo(
                ask("[ANY]", prompt="not sent", name="q"),
                ask("yes,no", prompt="Sure?", attempts=2),
                on("continue", "/done"),
            ),
            "/done": tropo(say("Done"), {"hangup": None}),
        }
    )
    group = AppGroup("tropo")
    group.add_command(call_command)
    app.app.cli.add_command(group)
    result = app.app.test_cli_runner().invoke(
        args=[
            "tropo",
            "call",
            "/sms",
            "--text",
            "hi",
            "--from",
            "+1555",
            "--script",
            "42,say:yes",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "> initialText hi" in result.output
    assert "not sent" not in result.output
    assert "> say 42" in result.output  # keys are typed text on a text channel
    assert "  say: Done" in result.output
    assert app.posts[0][1]["session"]["from"]["id"] == "+1555"
    assert app.results[0]["actions"][1]["value"] == "yes"


def test_unknown_route_is_a_one_line_error(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["tropo", "call", "/nope"])
    assert result.exit_code == 1
    error = result.output.splitlines()[-1]
    assert error.startswith(
        "Error: POST http://localhost/nope -> 404: the app answered 404"
    )
    assert error.endswith("(no such route? 'flask tropo routes' lists them)")
    assert "Traceback" not in result.output


def test_bad_answer_is_a_one_line_error() -> None:
    app = ScriptedApp({"/voice": tropo({"sing": {}})})
    app.app.cli.add_command(call_command)
    result = app.app.test_cli_runner().invoke(args=["call", "/voice"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith(
        "Error: POST http://localhost/voice -> 200: invalid WebAPI document:"
    )


def test_bad_script_item_is_a_usage_error(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["tropo", "call", "/php/index.php", "--script", "1,say:,x"]
    )
    assert result.exit_code == 2
    assert "Invalid value for '--script': 'say:' is not an input" in result.output


def test_url_target_plays_over_http() -> None:
    with serving(create_app()) as base:
        result = CliRunner().invoke(
            call_command, [f"{base}/java/start?x=1", "--script", "1111#"]
        )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"POST {base}/java/start?x=1 [session] -> 200\n")
    assert "Transfer connected: SUCCESS." in result.output


def test_url_target_needs_a_host() -> None:
    result = CliRunner().invoke(call_command, ["http:///voice"])
    assert result.exit_code == 2
    assert "has no host" in result.output


def test_rule_target_needs_an_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FLASK_APP", raising=False)
    result = CliRunner().invoke(call_command, ["/voice"], obj=ScriptInfo())
    assert result.exit_code == 2
    assert "Could not locate a Flask application" in result.output


def test_inside_an_app_context() -> None:
    app = Flask(__name__)
    assert call_command.callback is not None
    command = click.Command(
        "call",
        params=call_command.params,
        callback=with_appcontext(call_command.callback),
    )
    app.cli.add_command(command)
    result = app.test_cli_runner().invoke(
        args=["call", "/x", "--from", "1", "--to", "2", "--text", "t", "--script", "1"]
    )
    assert result.exit_code == 1
    assert "404" in result.output


@pytest.mark.parametrize(
    ("line", "step"),
    [
        ("1234#\n", ("press", "1234#")),
        ("  *  ", ("press", "*")),
        ("", ("silence", "")),
        ("silence", ("silence", "")),
        ("HANGUP", ("hangup", "")),
        ("say 1234", ("speak", "1234")),
        ("say:yes please", ("speak", "yes please")),
        ("cheese please", ("speak", "cheese please")),
    ],
)
def test_parse_input(line: str, step: tuple[str, str]) -> None:
    assert parse_input(line) == step


def test_format_event() -> None:
    assert format_event(Event("verb", "say", "Hi")) is None
    assert format_event(Event("verb", "on", "continue")) is None
    assert format_event(Event("verb", "hangup")) == "  [hangup]"
    assert format_event(Event("input", "silence")) == "> silence"
    assert (
        format_event(Event("message", "message", "to 1: hi")) == "  [message] to 1: hi"
    )
    assert format_event(Event("note", "wait", "x")) == "  (wait: x)"


@pytest.mark.slow
def test_subprocess() -> None:
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    env.pop("FLASK_APP", None)
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "tropo_dialect_apps:create_app",
        "tropo",
        "call",
    ]
    done = subprocess.run(
        [*command, "/php/index.php", "--script", "2,silence"],
        cwd=TESTS,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "One cheese pizza." in done.stdout
    assert done.stdout.endswith("Call ended: the app hung up.\n")
    failed = subprocess.run(
        [*command, "/missing"],
        cwd=TESTS,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    assert failed.stderr.startswith("Error: POST http://localhost/missing -> 404")
    assert len(failed.stderr.strip().splitlines()) == 1
    interactive = subprocess.run(
        [*command, "/java/start"],
        cwd=TESTS,
        env=env,
        input="1234#\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert interactive.returncode == 0, interactive.stderr
    assert "Transfer connected: SUCCESS." in interactive.stdout


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_prompts(
    runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flask_tropo.simulator import console

    terminal = types.SimpleNamespace(stdin=_Terminal("say cheese\n#\n"))
    monkeypatch.setattr(console, "sys", terminal)
    result = runner.invoke(args=["tropo", "call", "/php/index.php"])
    assert result.exit_code == 0, result.output
    assert "(keys (1234#) press, 'say WORDS' or plain words speak" in result.output
    assert result.output.count("input> ") == 2


def test_next_tokens_are_shortened_unless_full_urls() -> None:
    event = Event(
        "post", "result", url="http://h/pin?tropo_token=abc.def.ghi", status=200
    )
    assert format_event(event) == "POST http://h/pin?tropo_token=... [result] -> 200"
    assert format_event(event, full_urls=True) == (
        "POST http://h/pin?tropo_token=abc.def.ghi [result] -> 200"
    )


def test_in_process_call_sends_the_apps_basic_auth() -> None:
    from flask_tropo import Tropo
    from flask_tropo.verbs import Say

    tropo = Tropo()

    @tropo.on_session("/voice")
    def voice(session: t.Any) -> Say:
        return Say("Authorized.")

    app = Flask(__name__)
    app.config.update(SECRET_KEY="k", TROPO_BASIC_AUTH=("tropo", "s3cret"))
    tropo.init_app(app)
    result = app.test_cli_runner().invoke(args=["tropo", "call", "/voice"], input="")
    assert result.exit_code == 0, result.output
    assert "say: Authorized." in result.output
