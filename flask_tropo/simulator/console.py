"""``flask tropo call``: play a call through the simulator in a terminal.

.. code-block:: text

    $ flask --app acme tropo call /voice --script 1234,say:yes
    $ flask tropo call http://127.0.0.1:8000/index.php --text "balance"

The command is :data:`call_command`; ``flask_tropo.cli`` adds it to the
``tropo`` group.
"""

from __future__ import annotations

import functools
import re
import sys
import typing as t
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

import click
from flask import Flask
from flask import current_app
from flask import has_app_context
from flask.cli import ScriptInfo

from ..exceptions import TropoError
from . import wire
from .grammar import DTMF_KEYS as DTMF
from .setup_hints import not_a_session_route
from .simulator import TRANSFER_OUTCOMES
from .simulator import Simulator

if t.TYPE_CHECKING:  # pragma: no cover
    from .call import Call
    from .line import Event

__all__ = ["call_command", "format_event", "parse_input"]

#: One input: ``("press", keys)``, ``("speak", words)``, ``("silence", "")``
#: or ``("hangup", "")``.
Step = tuple[str, str]

_HELP_INPUT = (
    "keys (1234#) press, 'say WORDS' or plain words speak, an empty line is"
    " silence, 'hangup' or end of input hangs up"
)


def parse_input(line: str) -> Step:
    """Read one line typed at the prompt.

    :param line: digits, ``*`` and ``#`` press; ``say WORDS``, ``say:WORDS``
        or other words speak; an empty line is silence; ``silence`` and
        ``hangup`` are what they say.
    """
    text = line.strip()
    lowered = text.lower()
    if not text or lowered == "silence":
        return ("silence", "")
    if lowered == "hangup":
        return ("hangup", "")
    if lowered.startswith(("say:", "say ")):
        return ("speak", text[4:].strip())
    if set(text.replace(" ", "")) <= DTMF:
        return ("press", text)
    return ("speak", text)


def _parse_script(value: str) -> list[Step]:
    steps: list[Step] = []
    for raw in value.split(","):
        item = raw.strip()
        if item.lower() in ("silence", "hangup"):
            steps.append((item.lower(), ""))
        elif item.lower().startswith("say:") and item[4:].strip():
            steps.append(("speak", item[4:].strip()))
        elif item and set(item) <= DTMF:
            steps.append(("press", item))
        else:
            raise click.BadParameter(
                f"{item!r} is not an input: use keys (0-9, *, #), say:WORDS,"
                " silence or hangup, separated by commas.",
                param_hint="'--script'",
            )
    return steps


_TOKEN = re.compile(r"(tropo_token=)[^\s&)\]]+")
#: The password of credentials written in a URL (``//user:password@``).
_PASSWORD = re.compile(r"(//[^/\s:@]*:)[^/\s@]*@")


def format_event(event: Event, *, full_urls: bool = False) -> str | None:
    """One line of the conversation for an event, or ``None`` to skip it.

    The signed ``tropo_token`` of ``next`` URLs is shown as ``tropo_token=...``
    unless ``full_urls`` is true; the password of credentials written in a URL
    (``TROPO_EXTERNAL_URL = "https://tropo:s3cret@..."``) always as ``***``.

    :param event: an entry of :attr:`Call.events
        <flask_tropo.testing.Call.events>`.
    :param full_urls: show the tokens in full.
    """
    line = _format_event(event)
    if line is None:
        return line
    line = _PASSWORD.sub(r"\1***@", line)
    return line if full_urls else _TOKEN.sub(r"\1...", line)


def _format_event(event: Event) -> str | None:
    if event.kind == "post":
        return f"POST {event.url} [{event.name}] -> {event.status}"
    if event.kind == "heard":
        return f"  {event.name}: {event.detail}"
    if event.kind == "verb":
        if event.name in ("say", "on"):
            return None
        return f"  [{event.name}] {event.detail}".rstrip()
    if event.kind == "input":
        word = {"press": "press", "speak": "say"}.get(event.name, event.name)
        return f"> {word} {event.detail}".rstrip()
    if event.kind == "event":
        return f"  (on {event.name}: {event.detail})"
    if event.kind in ("message", "recording"):
        return f"  [{event.kind}] {event.detail}"
    if event.kind == "end":
        return f"Call ended: {event.detail}."
    if (
        event.kind == "note"
        and event.name == "answer"
        and "answered by" in event.detail
    ):
        return None
    return f"  ({event.name}: {event.detail})"


def _echo_event(event: Event, *, full_urls: bool = False) -> None:
    line = format_event(event, full_urls=full_urls)
    if line is not None:
        click.echo(line)


def _app_target() -> Flask:
    if has_app_context():
        # the proxy is a WSGI app itself; the call runs inside this context
        return current_app
    return click.get_current_context().ensure_object(ScriptInfo).load_app()


def _split_url(value: str) -> tuple[str, str]:
    parts = urlsplit(value)
    if not parts.netloc:
        raise click.BadParameter(f"{value!r} has no host.", param_hint="RULE_OR_URL")
    base = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    rule = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return base, rule


def _read_step(call: Call) -> Step:
    if sys.stdin.isatty():
        what = "reply" if call.is_text else "input"
        click.echo(f"{what}> ", nl=False)
    line = sys.stdin.readline()
    if line == "":
        return ("hangup", "")
    return parse_input(line)


def _apply(call: Call, step: Step) -> None:
    kind, value = step
    if kind == "press" and call.is_text:
        kind = "speak"
    if kind == "press":
        call.press(value)
    elif kind == "speak":
        call.speak(value)
    elif kind == "silence":
        call.silence()
    else:
        call.hangup()


def _play(
    simulator: Simulator,
    rule: str,
    *,
    from_: str,
    to: str,
    text: str | None,
    script: list[Step] | None,
) -> None:
    if text is not None:
        call = simulator.text(rule, text, from_=from_, to=to)
    else:
        call = simulator.dial(rule, from_=from_, to=to)
    interactive = script is None
    if interactive and not call.ended and sys.stdin.isatty():
        click.echo(f"({_HELP_INPUT})")
    queue = list(script or ())
    while not call.ended:
        if interactive:
            step = _read_step(call)
        elif queue:
            step = queue.pop(0)
        else:
            click.echo("(end of the script: hanging up)")
            step = ("hangup", "")
        _apply(call, step)
    if queue:
        click.echo(f"({len(queue)} script item(s) not used: the call ended)")


@click.command("call")
@click.argument("target", metavar="RULE_OR_URL")
@click.option(
    "--from",
    "from_",
    default=wire.DEFAULT_FROM,
    show_default=True,
    metavar="N",
    help="The caller.",
)
@click.option(
    "--to",
    default=wire.DEFAULT_TO,
    show_default=True,
    metavar="N",
    help="The number dialled.",
)
@click.option(
    "--text",
    metavar="MSG",
    default=None,
    help="Start a text conversation with this first message instead of a call.",
)
@click.option(
    "--transfer",
    type=click.Choice(TRANSFER_OUTCOMES),
    default="answer",
    show_default=True,
    help="What the far end of transfer and call does.",
)
@click.option(
    "--script",
    metavar="ITEMS",
    default=None,
    help="Inputs, comma-separated: keys (1234, #, *) press, say:WORDS speaks,"
    " silence, hangup. Without it, inputs are read from stdin.",
)
@click.option(
    "--platform",
    type=click.Choice(("tropo", "twilio", "jambonz")),
    default="tropo",
    show_default=True,
    help="Whose wire to play: Tropo's WebAPI, Twilio's webhooks and TwiML, or"
    " jambonz's webhooks and verbs.",
)
@click.option(
    "--full-urls",
    is_flag=True,
    default=False,
    help="Show the signed tropo_token of next URLs in full.",
)
def call_command(
    target: str,
    from_: str,
    to: str,
    text: str | None,
    transfer: str,
    script: str | None,
    platform: str,
    full_urls: bool,
) -> None:
    """Play a call through the offline Tropo simulator.

    RULE_OR_URL is a session route of this app (``/voice``), played in
    process, or the URL of a running WebAPI app in any language
    (``http://127.0.0.1:8000/voice``), played over HTTP. The conversation is
    printed as it happens: what is said and asked, what is posted, the
    status. With ``--platform twilio`` or ``jambonz`` the call is played
    over that platform's wire (the route must be registered for it).
    """
    steps = _parse_script(script) if script is not None else None
    echo = functools.partial(_echo_event, full_urls=full_urls)
    if target.startswith(("http://", "https://")):
        base, rule = _split_url(target)
        simulator = Simulator(base, transfer=transfer, on_event=echo, platform=platform)
    else:
        app = _app_target()
        # in process, play the platform as configured: with the app's own
        # Basic auth credentials, when it requires them
        auth = getattr(app, "config", {}).get("TROPO_BASIC_AUTH")
        simulator = Simulator(
            app,
            transfer=transfer,
            on_event=echo,
            auth=tuple(auth) if auth else None,
            platform=platform,
        )
        rule = target
        wrong = not_a_session_route(app, urlsplit(rule).path)
        if wrong is not None:
            raise click.ClickException(wrong)
    try:
        _play(simulator, rule, from_=from_, to=to, text=text, script=steps)
    except TropoError as exc:
        message = _PASSWORD.sub(r"\1***@", " ".join(str(exc).split()))
        if getattr(exc, "status", None) == 404 and "init_app" not in message:
            message += " (no such route? 'flask tropo routes' lists them)"
        raise click.ClickException(message) from exc
