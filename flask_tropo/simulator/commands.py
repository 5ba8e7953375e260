"""``flask tropo graph`` and ``flask tropo phone``: the explorer's drawing on
a terminal or in a file, and the phone page on 127.0.0.1.

.. code-block:: text

    $ flask --app acme tropo graph /voice --format html --output flow.html
    $ flask --app acme tropo phone --port 5050

``flask_tropo.cli`` adds both commands to the ``tropo`` group.
"""

from __future__ import annotations

import typing as t

import click
from flask.cli import ScriptInfo

from .apps import EndpointNames
from .apps import quiet
from .apps import simulator_for

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Flask

__all__ = ["graph_command", "phone_command"]

FORMATS = ("mermaid", "dot", "html")


def _app() -> Flask:
    """The app of the ``flask`` command, as Flask's CLI loaded it."""
    info = click.get_current_context().ensure_object(ScriptInfo)
    return info.load_app()


def _pairs(values: tuple[str, ...], option: str, what: str) -> dict[str, list[str]]:
    """``NAME=VALUE`` items, the values of each name in order."""
    found: dict[str, list[str]] = {}
    for item in values:
        name, equals, value = item.partition("=")
        if not equals or not name.strip() or not value.strip():
            raise click.BadParameter(
                f"{item!r} is not NAME=VALUE ({what}).", param_hint=f"'{option}'"
            )
        found.setdefault(name.strip(), []).append(value.strip())
    return found


@click.command("graph", short_help="Play every path of a call and draw the flow.")
@click.argument("rule")
@click.option(
    "--format",
    "format_",
    type=click.Choice(FORMATS),
    default="mermaid",
    show_default=True,
    help="Mermaid or DOT source, or a self-contained HTML page with the graph as SVG.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the drawing to this file instead of standard output.",
)
@click.option(
    "--input",
    "inputs",
    multiple=True,
    metavar="NAME=VALUE",
    help="A value for the open grammar of the ask named NAME; repeat it for"
    " more values or asks.",
)
@click.option(
    "--max-steps",
    type=click.IntRange(1),
    default=12,
    show_default=True,
    help="The most choices on one path.",
)
@click.option(
    "--max-paths",
    type=click.IntRange(1),
    default=500,
    show_default=True,
    help="The most paths played.",
)
@click.option(
    "--text",
    "first_text",
    metavar="MSG",
    default=None,
    help="Explore a text conversation with this first message instead of a call.",
)
@click.option(
    "--launch",
    "launch",
    multiple=True,
    metavar="NAME=VALUE",
    help="Explore a token launch with this parameter (repeat it for more)"
    " instead of a call.",
)
def graph_command(
    rule: str,
    format_: str,
    output: str | None,
    inputs: tuple[str, ...],
    max_steps: int,
    max_paths: int,
    first_text: str | None,
    launch: tuple[str, ...],
) -> None:
    """Play every path of a call to the session route RULE and draw the flow.

    The drawing goes to standard output (or --output), a summary to standard
    error. The exit status is 1 when a path fails, so CI can gate on it.
    """
    values = _pairs(inputs, "--input", "the ask's name, then the input")
    parameters = _pairs(launch, "--launch", "a launch parameter")
    if first_text is not None and parameters:
        raise click.UsageError("Give --text or --launch, not both.")
    app = _app()
    names = EndpointNames(app)
    if names(rule) not in {r.endpoint for r in names.routes if r.kind == "session"}:
        raise click.ClickException(
            f"{rule!r} is not a session route of this app ('flask tropo routes'"
            " lists them)."
        )
    with quiet(app):
        flow = simulator_for(app).explore(
            rule,
            inputs=values,
            max_steps=max_steps,
            max_paths=max_paths,
            text=first_text,
            launch={name: items[-1] for name, items in parameters.items()} or None,
        )
    drawing = {"mermaid": flow.to_mermaid, "dot": flow.to_dot, "html": flow.to_html}
    text = drawing[format_]()
    if output is None:
        click.echo(text, nl=False)
    else:
        with open(output, "w", encoding="utf-8") as file:
            file.write(text)
    click.echo(flow.summary(), err=True)
    if output is not None:
        click.echo(f"Wrote {output}.", err=True)
    if flow.failures:
        first = flow.failures[0]
        raise click.ClickException(
            f"{len(flow.failures)} path(s) fail; the first: {first}"
        )


@click.command("phone", short_help="Serve the phone page: play calls in a browser.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=5050,
    show_default=True,
    help="The port on 127.0.0.1.",
)
def phone_command(port: int) -> None:
    """Serve the phone page on 127.0.0.1: play calls against this app in a
    browser, through the offline simulator.

    The page is a small server of its own, never part of the app.
    """
    from .phone import serve

    app = _app()
    click.echo(f"The phone page: http://127.0.0.1:{port}/ (Ctrl+C to stop)")
    serve(app, port=port)
