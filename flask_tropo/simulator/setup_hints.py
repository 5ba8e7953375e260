"""Why a path of a Flask app is not a Tropo route: what the tools say when a
call starts nowhere (the simulator's ``404``, ``flask tropo routes`` with
nothing to list, ``flask tropo call`` on a result route).

:meta private:
"""

from __future__ import annotations

import typing as t

from ..extension import never_initialized
from .apps import tropo_routes

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Flask

__all__ = ["missing_routes", "not_a_session_route"]


def _elsewhere(app: Flask, path: str | None) -> list[str]:
    """The rules (``path`` only, when given) of Tropo objects that hold
    handlers but were never initialized (on ``app`` or any other)."""
    return [
        rule
        for tropo in never_initialized()
        for rule, _, _ in tropo.blueprint.tropo_routes
        if path is None or rule == path
    ]


def missing_routes(app: Flask, path: str | None = None) -> str | None:
    """What is missing when ``app`` has no Tropo route at all, or ``None``
    when nothing says (it has routes, or it is not a flask-tropo app).

    :param app: the Flask app.
    :param path: the path a call was started on, if any: only a ``Tropo()``
        that holds it is named.
    """
    if tropo_routes(app):
        return None
    elsewhere = list(dict.fromkeys(_elsewhere(app, path)))
    held = ", ".join(elsewhere[:5]) + (", ..." if len(elsewhere) > 5 else "")
    if "tropo" not in app.extensions:
        if not elsewhere:
            return None
        return (
            "The Tropo extension is not initialized on this app, and a Tropo()"
            f" holds {held}: call tropo.init_app(app) after the modules that"
            " define the handlers are imported."
        )
    if elsewhere:
        return (
            f"No Tropo routes are registered on this app, but a Tropo() that was"
            f" never initialized on it holds {held}: call init_app(app) on that"
            " object (Tropo(app) makes a new, empty one)."
        )
    return (
        "No Tropo routes are registered on this app: decorate handlers with"
        " @tropo.on_session(rule) before tropo.init_app(app), or register a"
        " TropoBlueprint."
    )


def not_a_session_route(app: Flask, path: str) -> str | None:
    """Why a call cannot start at ``path``, if it is a Tropo route of another
    kind; else ``None``."""
    try:
        endpoint, _ = app.url_map.bind("localhost").match(path, method="POST")
    except Exception:  # no route, or a redirect: the simulator reports it
        return None
    routes = tropo_routes(app)
    kinds = {route.endpoint: route.kind for route in routes}
    kind = kinds.get(str(endpoint))
    if kind is None or kind == "session":
        return None
    starts = ", ".join(r.rule for r in routes if r.kind == "session") or "none"
    return (
        f"{path} is a {kind} route ({endpoint}): the platform posts results to"
        f" it, calls start on a session route ({starts})."
    )
