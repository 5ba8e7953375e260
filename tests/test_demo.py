"""``python -m example_app.demo``: the scripted tour and the interactive call."""

from __future__ import annotations

import collections.abc as c
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from example_app import demo

ROOT = Path(__file__).parent.parent


def lines(*typed: str) -> c.Callable[[str], str]:
    """A ``read_line`` that answers ``typed`` in turn, then end of input."""
    answers = iter(typed)

    def read_line(prompt: str) -> str:
        print(prompt, end="")
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    return read_line


@pytest.mark.slow
def test_tour_in_a_subprocess() -> None:
    process = subprocess.run(
        [sys.executable, "-m", "example_app.demo"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 0, process.stderr
    assert process.stderr == ""
    out = process.stdout
    for number, scene in enumerate(demo.TOUR, 1):
        assert f"{number}. {scene.title}\n" in out
    for expected in (
        "POST http://localhost/ivr/voice [session] -> 200\n",
        "  [ask] choices sales(sales, 1), support(support, agent, 2),",
        "> say account\n",
        "> press 100001\n",
        "POST http://localhost/ivr/pin?tropo_token=... [result] -> 200\n",
        "  say: Your balance is $1,234.56.\n",
        "  ring: Your call is important to us. Please hold.\n",
        "  (on hangup: posts to http://localhost/ivr/hangup?tropo_token=...)\n",
        "  on incomplete: Sorry, all our agents are busy.\n",
        "  [recording] http://simulator.invalid/recordings/",
        "  ask: Sorry, I did not hear anything.\n",
        "(a text arrives: 'BALANCE 100001 1234')\n",
        "  say: Account 100001: your balance is $1,234.56.\n",
        "  [call] to +14155550101\n",
        "  say: This is Acme reminding you of your appointment on Tuesday at 3 PM.\n",
        "Voicemails in the database:\n  +14155550100  8 s  http://simulator.invalid/",
        "Call log, oldest first:\n",
    ):
        assert expected in out
    # The tour's first call again on Twilio and on jambonz, over their wire.
    for number, platform in enumerate(demo.PLATFORMS, len(demo.TOUR) + 1):
        assert f"{number}. The same call on {platform.capitalize()}\n" in out
        assert f"POST http://localhost/{platform}/ivr/voice [session] -> 200\n" in out
        assert f"POST http://localhost/{platform}/ivr/hangup [status] -> 200\n" in out
    assert "  [gather] input=dtmf speech" in out
    assert "  [gather] input=['digits', 'speech']" in out
    assert out.count("Call ended:") == len(demo.TOUR) + len(demo.PLATFORMS)
    # Tokens are shortened: no line carries a signed token.
    assert "tropo_token=..." in out
    assert re.search(r"tropo_token=(?!\.\.\.)", out) is None


def test_tour_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.main(["--tour"]) == 0
    out = capsys.readouterr().out
    # The tour's first call again on Twilio and on jambonz, over their wire.
    for number, platform in enumerate(demo.PLATFORMS, len(demo.TOUR) + 1):
        assert f"{number}. The same call on {platform.capitalize()}\n" in out
        assert f"POST http://localhost/{platform}/ivr/voice [session] -> 200\n" in out
        assert f"POST http://localhost/{platform}/ivr/hangup [status] -> 200\n" in out
    assert "  [gather] input=dtmf speech" in out
    assert "  [gather] input=['digits', 'speech']" in out
    assert out.count("Call ended:") == len(demo.TOUR) + len(demo.PLATFORMS)
    assert "  voicemail       +14155550100  8 s" in out


def test_interactive_call(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = demo.demo_app(str(tmp_path))
    demo.interactive(app, read_line=lines("3", "100002", "2468", "q"))
    out = capsys.readouterr().out
    assert "Sample accounts: 100001 (PIN 1234)" in out
    assert "Type keys (1, 100001, #) to press them" in out
    assert "you> " in out
    assert "  say: Hello Grace.\n" in out
    assert "  say: Your balance is $25.00.\n" in out
    assert "Enter to call again, q to quit> " in out
    assert out.count("POST http://localhost/ivr/voice [session]") == 1


def test_interactive_silence_hangup_and_another_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = demo.demo_app(str(tmp_path))
    demo.interactive(
        app, transfer="busy", read_line=lines("", "q", "", "2", "hello", "#")
    )
    out = capsys.readouterr().out
    assert "> silence\n" in out
    assert "> hangup\n" in out
    assert out.count("POST http://localhost/ivr/voice [session]") == 2
    assert "  say: Thank you, we will call you back soon. Goodbye.\n" in out
    # End of input at the last prompt quits.
    assert out.rstrip().endswith("Enter to call again, q to quit>")


class Terminal(io.StringIO):
    """Standard input that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_main_is_interactive_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal("sales\nq\n"))
    assert demo.main(["--transfer", "busy"]) == 0
    out = capsys.readouterr().out
    assert "Sample accounts:" in out
    assert "> say sales\n" in out
    assert "1. Account balance" not in out


def test_main_plays_the_tour_when_stdin_is_not_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert demo.main([]) == 0
    assert "1. Account balance" in capsys.readouterr().out
