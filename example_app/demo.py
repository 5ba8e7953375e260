"""Play calls through the support line with the offline Tropo simulator.

.. code-block:: text

    $ python -m example_app.demo                       # you are the caller
    $ python -m example_app.demo --tour                # every flow, scripted
    $ python -m example_app.demo --transfer no-answer  # agents never answer

The tour ends with its first call played again on Twilio and on jambonz:
the same handlers, over those platforms' webhooks and documents.

The app runs in this process with a temporary database; nothing goes over
the network. Each line of the conversation is printed as it happens: what
the line says and asks (with the grammar of the ask), what the caller does,
and each document posted with the app's status. When standard input is not
a terminal, the tour is played.
"""

from __future__ import annotations

import argparse
import collections.abc as c
import dataclasses
import os
import secrets
import sys
import tempfile
import typing as t
from dataclasses import dataclass
from dataclasses import field

from flask import Flask

from flask_tropo.simulator.console import format_event
from flask_tropo.simulator.console import parse_input
from flask_tropo.testing import Call
from flask_tropo.testing import Event
from flask_tropo.testing import Simulator

from . import create_app
from . import db

__all__ = [
    "PLATFORMS",
    "Scene",
    "TOUR",
    "demo_app",
    "interactive",
    "main",
    "play",
    "tour",
]

_HELP = (
    "Type keys (1, 100001, #) to press them, words to speak them, an empty"
    " line for silence, q to hang up."
)


@dataclass(frozen=True)
class Scene:
    """One call of the tour."""

    #: The heading printed before the call.
    title: str
    #: ``"dial"``, ``"text"`` or ``"launch"``.
    kind: t.Literal["dial", "text", "launch"]
    #: The session route.
    rule: str
    #: What the caller does, one line each as typed at the prompt: keys
    #: press, words speak, ``""`` is silence, ``"hangup"`` hangs up.
    inputs: tuple[str, ...] = ()
    #: How the agent's phone behaves: ``"answer"``, ``"busy"``,
    #: ``"no-answer"``.
    transfer: str = "answer"
    #: The first message of a text conversation.
    text: str = ""
    #: The launch parameters of a token launch.
    parameters: c.Mapping[str, str] = field(default_factory=dict)


#: The platforms the tour's first call is played on too.
PLATFORMS = ("twilio", "jambonz")

#: The scripted tour: every flow of the line once.
TOUR = (
    Scene(
        "Account balance by speech and keypad, with a wrong PIN first",
        "dial",
        "/ivr/voice",
        inputs=("account", "100001", "9999", "100001", "1234"),
    ),
    Scene(
        "Support: an agent answers",
        "dial",
        "/ivr/voice",
        inputs=("2",),
    ),
    Scene(
        "Support: nobody answers, the caller leaves a voicemail",
        "dial",
        "/ivr/voice",
        inputs=("support", "Hi, this is Ada, please call me back", "#"),
        transfer="no-answer",
    ),
    Scene(
        "The menu gives up after three misses",
        "dial",
        "/ivr/voice",
        inputs=("pizza", "", "7"),
    ),
    Scene("A text message", "text", "/ivr/sms", text="BALANCE 100001 1234"),
    Scene(
        "A reminder call, launched with a token",
        "launch",
        "/ivr/remind",
        parameters={"to": "+14155550101", "appointment": "Tuesday at 3 PM"},
    ),
)


def demo_app(folder: str) -> Flask:
    """The support line's app with its database and recordings in ``folder``.

    :param folder: a scratch folder.
    """
    return create_app(
        {
            "SECRET_KEY": secrets.token_hex(16),
            "EXAMPLE_DATABASE": os.path.join(folder, "demo.sqlite3"),
            "EXAMPLE_RECORDINGS": os.path.join(folder, "recordings"),
            # Show a bug as a traceback rather than as the caller's apology.
            "TROPO_PROPAGATE_EXCEPTIONS": True,
        }
    )


def show(event: Event) -> None:
    """Print one line of the conversation (``next`` tokens shortened).

    :param event: an event of the call.
    """
    line = format_event(event)
    if line is not None:
        print(line, flush=True)


def act(call: Call, line: str) -> None:
    """Do what ``line`` says, as typed at the prompt.

    :param call: the call.
    :param line: keys press, words speak, an empty line is silence,
        ``hangup`` (or ``q``) hangs up.
    """
    if line.strip().lower() in ("q", "quit"):
        line = "hangup"
    kind, value = parse_input(line)
    if kind == "press":
        call.press(value)
    elif kind == "speak":
        call.speak(value)
    elif kind == "silence":
        call.silence()
    else:
        call.hangup()


def play(simulator: Simulator, scene: Scene) -> Call:
    """Play one scene of the tour.

    :param simulator: a simulator of the app, printing with :func:`show`.
    :param scene: the scene.
    """
    simulator.transfer = scene.transfer
    if scene.kind == "text":
        print(f"(a text arrives: {scene.text!r})")
        call = simulator.text(scene.rule, scene.text)
    elif scene.kind == "launch":
        print(f"(a session is launched with {dict(scene.parameters)})")
        call = simulator.launch(scene.rule, **scene.parameters)
    else:
        call = simulator.dial(scene.rule)
    for line in scene.inputs:
        if call.ended:
            break
        act(call, line)
    if not call.ended:
        act(call, "hangup")
    return call


def tour(app: Flask) -> None:
    """Play :data:`TOUR`, then its first call on Twilio and on jambonz (the
    same handlers over those platforms' wire), and print what the database
    holds afterwards.

    :param app: the support line's app.
    """
    simulator = Simulator(app, on_event=show)
    for number, scene in enumerate(TOUR, 1):
        heading = f"{number}. {scene.title}"
        print(f"\n{heading}\n{'=' * len(heading)}")
        play(simulator, scene)
    for number, platform in enumerate(PLATFORMS, len(TOUR) + 1):
        scene = dataclasses.replace(TOUR[0], rule=f"/{platform}/ivr/voice")
        heading = f"{number}. The same call on {platform.capitalize()}"
        print(f"\n{heading}\n{'=' * len(heading)}")
        play(Simulator(app, on_event=show, platform=platform), scene)
    print()
    show_database(app)


def interactive(
    app: Flask,
    *,
    transfer: str = "answer",
    read_line: c.Callable[[str], str] = input,
) -> None:
    """Dial ``/ivr/voice`` and let the user be the caller; offer another
    call when one ends.

    :param app: the support line's app.
    :param transfer: how the agent's phone behaves.
    :param read_line: reads a line after printing a prompt; end of input
        (:exc:`EOFError`) hangs up and quits.
    """
    accounts = ", ".join(f"{a.number} (PIN {a.pin})" for a in db.SAMPLE_ACCOUNTS)
    print(f"Sample accounts: {accounts}.\n{_HELP}\n")
    simulator = Simulator(app, transfer=transfer, on_event=show)
    while True:
        call = simulator.dial("/ivr/voice")
        while not call.ended:
            try:
                line = read_line("you> ")
            except EOFError:
                line = "hangup"
            act(call, line)
        print()
        show_database(app)
        try:
            again = read_line("\nEnter to call again, q to quit> ")
        except EOFError:
            return
        if again.strip().lower() in ("q", "quit", "n", "no"):
            return


def show_database(app: Flask) -> None:
    """Print the voicemails and the call log.

    :param app: the support line's app.
    """
    with app.app_context():
        voicemails = db.voicemails()
        calls = db.recent_calls(limit=100)
    print("Voicemails in the database:")
    for row in voicemails:
        print(f"  {row['caller']}  {row['duration']} s  {row['recording_url']}")
    if not voicemails:
        print("  (none)")
    print("Call log, oldest first:")
    for row in reversed(calls):
        line = f"  {row['session_id'][:8]}  {row['event']:<15} {row['party']:<13}"
        print(f"{line} {row['detail']}".rstrip())


def main(argv: c.Sequence[str] | None = None) -> int:
    """Run the demo.

    :param argv: the command line arguments, without the program name.
    """
    parser = argparse.ArgumentParser(
        prog="python -m example_app.demo",
        description="Play calls through the example support line, offline.",
    )
    parser.add_argument(
        "--tour",
        action="store_true",
        help="play the scripted tour even on a terminal",
    )
    parser.add_argument(
        "--transfer",
        choices=("answer", "busy", "no-answer"),
        default="answer",
        help="how the agent's phone behaves in an interactive call",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="example_app-") as folder:
        app = demo_app(folder)
        if args.tour or not sys.stdin.isatty():
            tour(app)
        else:
            interactive(app, transfer=args.transfer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
