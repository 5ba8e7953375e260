"""The ``flask tropo`` command group, added to the app by ``init_app``
(``Tropo(add_cli=False)`` leaves it out); see :doc:`/cli`. Commands added
with ``@cli.command(...)`` run inside the app context.
"""

from __future__ import annotations

import click
from flask import Flask
from flask import current_app
from flask.cli import AppGroup

from .config_checks import deploy_report
from .simulator.apps import tropo_routes
from .simulator.commands import graph_command
from .simulator.commands import phone_command
from .simulator.console import call_command
from .simulator.setup_hints import missing_routes

__all__ = ["cli"]

#: The ``flask tropo`` group.
cli = AppGroup("tropo", help="Tropo WebAPI commands.")
cli.add_command(call_command)
cli.add_command(graph_command)
cli.add_command(phone_command)


@cli.command("check")
def check_command() -> None:
    """The deploy checklist: the secret key, debug mode, who may post to the
    Tropo routes, the external URL, the room for call state in a next URL.
    Exits 1 when an item needs fixing."""
    # The app itself, not its proxy: the platforms are kept by weak reference.
    app: Flask = current_app.ensure_sync.__self__  # type: ignore[attr-defined]
    rules = [route.rule for route in tropo_routes(app)]
    report = deploy_report(app, rules)
    for ok, what in report:
        click.echo(f"{'ok' if ok else 'FIX'}  {what}")
    problems = sum(not ok for ok, _ in report)
    if problems:
        raise click.ClickException(
            f"{problems} item{'s' if problems > 1 else ''} to fix before deploying."
        )


@cli.command("routes")
def routes_command() -> None:
    """List the Tropo routes: rule, kind and endpoint."""
    if "tropo" not in current_app.extensions:
        raise click.ClickException(
            "The Tropo extension is not initialized on this app: call"
            " Tropo().init_app(app)."
        )
    rows = [tuple(route) for route in tropo_routes(current_app)]
    if not rows:
        click.echo(missing_routes(current_app) or "No Tropo routes are registered.")
        return
    headers = ("Rule", "Kind", "Endpoint")
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(3)]
    for row in [headers, tuple("-" * w for w in widths), *rows]:
        line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        click.echo(line.rstrip())
