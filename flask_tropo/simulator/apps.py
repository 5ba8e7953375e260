"""What the tools (``flask tropo routes``, ``graph`` and ``phone``, the
explorer) need to know of a Flask app: its Tropo routes, the endpoint that
serves a URL, and a simulator that plays it as it is configured.

The Tropo routes are found in :func:`tropo_routes` only.

:meta private:
"""

from __future__ import annotations

import collections.abc as c
import contextlib
import typing as t
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException

from ..views import tropo_route
from .simulator import Simulator

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Flask

__all__ = ["EndpointNames", "Route", "quiet", "simulator_for", "tropo_routes"]


class Route(t.NamedTuple):
    """One Tropo route."""

    #: The URL rule, ``"/ivr/voice"``.
    rule: str
    #: ``"session"``, ``"result"``, ``"hangup"`` or ``"error"``.
    kind: str
    #: The endpoint, ``"ivr.incoming_call"``.
    endpoint: str


def tropo_routes(app: Flask) -> list[Route]:
    """Every Tropo route of ``app``, in its URL map's order; plain routes are
    left out.

    :param app: the Flask app.
    """
    views = app.view_functions
    return [
        Route(rule.rule, route.kind, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if (route := tropo_route(views.get(rule.endpoint))) is not None
    ]


class EndpointNames:
    """Names where a URL goes: the endpoint of a Tropo route of ``app``,
    else the URL's path (an app out of process, a plain route, a catch-all
    route that serves many paths).

    :param app: the Flask app, or ``None`` for an app out of process.
    """

    def __init__(self, app: Flask | None) -> None:
        #: The app's Tropo routes.
        self.routes = tropo_routes(app) if app is not None else []
        self._tropo = {route.endpoint for route in self.routes}
        self._adapter = app.url_map.bind("localhost") if app is not None else None
        self._names: dict[str, str] = {}

    def __call__(self, url: str) -> str:
        path = urlsplit(url).path or "/"
        name = self._names.get(path)
        if name is None:
            name = self._names[path] = self._match(path)
        return name

    def _match(self, path: str) -> str:
        if self._adapter is None:
            return path
        try:
            endpoint, _ = self._adapter.match(path, method="POST")
        except HTTPException:
            return path
        return str(endpoint) if endpoint in self._tropo else path


def simulator_for(app: Flask) -> Simulator:
    """A simulator for ``app`` in process, with the app's own Basic auth
    credentials when it requires them, as the platform would send them.

    :param app: the Flask app.
    """
    auth = app.config.get("TROPO_BASIC_AUTH")
    return Simulator(app, auth=tuple(auth) if auth else None)


@contextlib.contextmanager
def quiet(app: Flask) -> c.Iterator[None]:
    """Keep the app's log of each failing handler (with its traceback) out of
    a tool's output while it explores: the tool reports each failure.

    :param app: the Flask app.
    """
    disabled = app.logger.disabled
    app.logger.disabled = True
    try:
        yield
    finally:
        app.logger.disabled = disabled
