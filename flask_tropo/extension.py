"""The :class:`Tropo` extension object."""

from __future__ import annotations

import collections.abc as c
import typing as t
from weakref import WeakKeyDictionary

from flask import Flask
from flask import current_app
from flask import url_for

from ._view import tropo_view
from .blueprint import HandlerT
from .blueprint import TropoBlueprint
from .continuation import _Tokens
from .exceptions import TropoError
from .verbs import On
from .verbs import Verb

if t.TYPE_CHECKING:  # pragma: no cover
    from werkzeug.routing import MapAdapter

__all__ = ["Tropo"]

#: Every config key and its default, set with ``setdefault`` in ``init_app``.
_DEFAULTS: dict[str, t.Any] = {
    "TROPO_SECRET_KEY": None,
    "TROPO_VERIFY_NEXT": True,
    # Each document gets fresh tokens, so this bounds one step, not the call;
    # but one step can be a transfer or a conference that lasts hours.
    "TROPO_NEXT_MAX_AGE": 4 * 60 * 60,
    "TROPO_MAX_STATE_BYTES": 2048,
    "TROPO_EXTERNAL_URL": None,
    "TROPO_ERROR_MESSAGE": "Sorry, something went wrong. Please call again later.",
    "TROPO_ERROR_TRANSFER_TO": None,
    "TROPO_PROPAGATE_EXCEPTIONS": False,
    "TROPO_BASIC_AUTH": None,
    "TROPO_MAX_CONTENT_LENGTH": 64 * 1024,
}


class Tropo:
    """Answer Tropo WebAPI calls with Flask handlers.

    Handlers registered with the decorators of this object go on a default
    :class:`~flask_tropo.TropoBlueprint` named ``"tropo"`` (no URL prefix),
    which :meth:`init_app` registers. Import the modules that define them
    before calling :meth:`init_app`; for handlers defined later, or mounted
    under a prefix, use a :class:`~flask_tropo.TropoBlueprint`.

    .. code-block:: python

        tropo = Tropo()

        @tropo.on_session("/voice")
        def incoming(session):
            call_state["tries"] = 0
            return [Ask("[4 DIGITS]", say="Your PIN?"), On("continue", next=check)]

        @tropo.on_result("/check")
        def check(result):
            return [Say(f"You entered {result.value}"), Hangup()]

        def create_app():
            app = Flask(__name__)
            app.config["SECRET_KEY"] = "..."
            tropo.init_app(app)
            return app

    One instance serves any number of apps; ``app.extensions["tropo"]`` is
    this object.

    :param app: call :meth:`init_app` on this app now.
    :param add_cli: add the ``flask tropo`` command group in :meth:`init_app`.
    """

    def __init__(self, app: Flask | None = None, *, add_cli: bool = True) -> None:
        self._add_cli = add_cli
        #: The default blueprint that holds the routes of this object's
        #: decorators.
        self.blueprint = TropoBlueprint("tropo", __name__)
        self._states: WeakKeyDictionary[Flask, _AppState] = WeakKeyDictionary()
        if app is not None:
            self.init_app(app)

    def __repr__(self) -> str:
        count = len(self.blueprint._tropo_routes)
        return f"<Tropo {count} route{'' if count == 1 else 's'}>"

    def init_app(self, app: Flask) -> None:
        """Set up an app: set config defaults, register the default blueprint
        and add the ``flask tropo`` commands.

        Config keys, each set with :meth:`~dict.setdefault` and read at
        request time:

        - ``TROPO_SECRET_KEY`` (``None``): signs ``next`` URLs; ``None`` uses
          ``SECRET_KEY``.
        - ``TROPO_VERIFY_NEXT`` (``True``): refuse results without a valid
          token.
        - ``TROPO_NEXT_MAX_AGE`` (``14400``, 4 hours): seconds a ``next`` token
          stays valid; each document gets fresh tokens, but one step may be a
          transfer or conference that lasts hours. ``None`` for no limit.
        - ``TROPO_MAX_STATE_BYTES`` (``2048``): largest token, in bytes.
        - ``TROPO_EXTERNAL_URL`` (``None``): public base URL, such as
          ``"https://ivr.example.com"``; makes ``next`` URLs absolute.
        - ``TROPO_ERROR_MESSAGE`` (``"Sorry, something went wrong. Please call
          again later."``): what the caller hears when a handler fails.
        - ``TROPO_ERROR_TRANSFER_TO`` (``None``): transfer there after the
          message instead of hanging up.
        - ``TROPO_PROPAGATE_EXCEPTIONS`` (``False``): let handler exceptions
          propagate, as they always do when ``app.testing`` is set.
        - ``TROPO_BASIC_AUTH`` (``None``): ``(user, password)`` required on
          Tropo routes.
        - ``TROPO_MAX_CONTENT_LENGTH`` (``65536``): largest request body on
          Tropo routes, in bytes.

        :param app: the app.
        :raise RuntimeError: this app already has a ``Tropo`` extension.
        """
        if "tropo" in app.extensions:
            raise RuntimeError(
                "A 'Tropo' instance is already registered on this app. Import and"
                " use that instance (app.extensions['tropo']) instead of calling"
                " init_app() again, and add more handlers with a TropoBlueprint."
            )
        for key, value in _DEFAULTS.items():
            app.config.setdefault(key, value)
        app.extensions["tropo"] = self
        self._states[app] = _AppState()
        app.register_blueprint(self.blueprint)
        if self._add_cli:
            from .cli import cli

            app.cli.add_command(cli)

    # -- decorators of the default blueprint ------------------------------------

    def on_session(
        self, rule: str, **options: t.Any
    ) -> c.Callable[[HandlerT], HandlerT]:
        """Register a session handler on the default blueprint; see
        :meth:`TropoBlueprint.on_session <flask_tropo.TropoBlueprint.on_session>`.

        .. code-block:: python

            @tropo.on_session("/voice")
            def incoming(session):
                return [Say("Hello"), Hangup()]

        :param rule: the URL rule.
        :param options: passed to :meth:`~flask.Blueprint.add_url_rule`.
        """
        return self.blueprint.on_session(rule, **options)

    def on_result(
        self, rule: str, **options: t.Any
    ) -> c.Callable[[HandlerT], HandlerT]:
        """Register a result handler on the default blueprint; see
        :meth:`TropoBlueprint.on_result <flask_tropo.TropoBlueprint.on_result>`.

        .. code-block:: python

            @tropo.on_result("/pin")
            def check_pin(result):
                return [Say(f"You entered {result.value}"), Hangup()]

        :param rule: the URL rule.
        :param options: passed to :meth:`~flask.Blueprint.add_url_rule`.
        """
        return self.blueprint.on_result(rule, **options)

    def on_hangup(
        self, rule: str, **options: t.Any
    ) -> c.Callable[[HandlerT], HandlerT]:
        """Register the app-wide hangup handler on the default blueprint; see
        :meth:`TropoBlueprint.on_hangup <flask_tropo.TropoBlueprint.on_hangup>`.

        .. code-block:: python

            @tropo.on_hangup("/hangup")
            def hung_up(result):
                return Hangup()

        :param rule: the URL rule.
        :param options: passed to :meth:`~flask.Blueprint.add_url_rule`.
        """
        return self.blueprint.on_hangup(rule, **options)

    def on_error(self, rule: str, **options: t.Any) -> c.Callable[[HandlerT], HandlerT]:
        """Register the app-wide error handler on the default blueprint; see
        :meth:`TropoBlueprint.on_error <flask_tropo.TropoBlueprint.on_error>`.

        .. code-block:: python

            @tropo.on_error("/error")
            def platform_error(result):
                return [Say("Sorry."), Hangup()]

        :param rule: the URL rule.
        :param options: passed to :meth:`~flask.Blueprint.add_url_rule`.
        """
        return self.blueprint.on_error(rule, **options)

    def add_session_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: c.Callable[..., t.Any] | None = None,
        **options: t.Any,
    ) -> None:
        """The twin of :meth:`on_session`.

        :param rule: the URL rule.
        :param endpoint: the endpoint name; default the handler's ``__name__``.
        :param view_func: the handler.
        :param options: passed to :meth:`~flask.Blueprint.add_url_rule`.
        """
        self.blueprint.add_session_rule(rule, endpoint, view_func, **options)

    def add_result_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: c.Callable[..., t.Any] | None = None,
        **options: t.Any,
    ) -> None:
        """The twin of :meth:`on_result`.

        :param rule: the URL rule.
        :param endpoint: the endpoint name; default the handler's ``__name__``.
        :param view_func: the handler.
        :param options: passed to :meth:`~flask.Blueprint.add_url_rule`.
        """
        self.blueprint.add_result_rule(rule, endpoint, view_func, **options)

    def add_hangup_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: c.Callable[..., t.Any] | None = None,
        **options: t.Any,
    ) -> None:
        """The twin of :meth:`on_hangup`.

        :param rule: the URL rule.
        :param endpoint: the endpoint name; default the handler's ``__name__``.
        :param view_func: the handler.
        :param options: passed to :meth:`~flask.Blueprint.add_url_rule`.
        """
        self.blueprint.add_hangup_rule(rule, endpoint, view_func, **options)

    def add_error_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: c.Callable[..., t.Any] | None = None,
        **options: t.Any,
    ) -> None:
        """The twin of :meth:`on_error`.

        :param rule: the URL rule.
        :param endpoint: the endpoint name; default the handler's ``__name__``.
        :param view_func: the handler.
        :param options: passed to :meth:`~flask.Blueprint.add_url_rule`.
        """
        self.blueprint.add_error_rule(rule, endpoint, view_func, **options)


# -- per-app state -------------------------------------------------------------


class _AppState:
    """What the extension keeps per app: the route index and the token signer.

    Internal; may change at any time.

    :meta private:
    """

    __slots__ = ("routes", "tokens")

    def __init__(self) -> None:
        self.routes = _RouteIndex()
        self.tokens = _Tokens()


class _RouteIndex:
    """Which endpoints serve which handler, built from ``app.view_functions``
    and rebuilt when routes are added; also caches, per blueprint, the default
    ``On`` verbs, and the URLs of result routes.

    Internal; may change at any time.

    :meta private:
    """

    __slots__ = ("size", "_tables", "_ons", "_links")

    def __init__(self) -> None:
        #: How many view functions the app had when the tables were built.
        self.size = -1
        self._tables: tuple[
            dict[c.Callable[..., t.Any], tuple[str, ...]],
            dict[tuple[str | None, str], On],
        ] = ({}, {})
        self._ons: dict[str | None, tuple[On, ...]] = {}
        self._links: dict[tuple[t.Any, ...], str] = {}

    def refresh(self, app: Flask) -> None:
        """Rebuild the tables if the app has new view functions."""
        views = app.view_functions
        if len(views) == self.size:
            return
        targets: dict[c.Callable[..., t.Any], list[str]] = {}
        defaults: dict[tuple[str | None, str], On] = {}
        for endpoint, view_function in list(views.items()):
            view = tropo_view(view_function)
            if view is None or view.kind == "session":
                continue
            targets.setdefault(view.handler, []).append(endpoint)
            if view.kind in ("hangup", "error"):
                on = On(view.kind, next=view.handler)
                defaults.setdefault((endpoint.rpartition(".")[0], view.kind), on)
                defaults.setdefault((None, view.kind), on)
        self._tables = ({h: tuple(e) for h, e in targets.items()}, defaults)
        self._ons = {}
        self._links = {}
        self.size = len(views)

    def add_defaults(self, verbs: list[Verb], blueprint: str | None) -> None:
        """Append ``On(event, next=handler)`` for the default hangup and error
        handlers (the blueprint's own, else the app's first) to ``verbs``
        unless it has a top-level ``On`` for that event."""
        ons = self._ons.get(blueprint)
        if ons is None:
            defaults = self._tables[1]
            found = (
                defaults.get((blueprint, event)) or defaults.get((None, event))
                for event in ("hangup", "error")
            )
            ons = self._ons[blueprint] = tuple(on for on in found if on is not None)
        for on in ons:
            event = on.event
            if not any(isinstance(v, On) and v.event == event for v in verbs):
                verbs.append(on)

    def resolve(self, handler: c.Callable[..., t.Any], blueprint: str | None) -> str:
        """The endpoint of a result handler, preferring the current blueprint."""
        endpoints = self._tables[0].get(handler)
        if not endpoints:
            raise TropoError(_not_a_target(handler))
        if len(endpoints) > 1:
            for endpoint in endpoints:
                if endpoint.rpartition(".")[0] == blueprint:
                    return endpoint
        return endpoints[0]

    def link(
        self,
        app: Flask,
        adapter: MapAdapter | None,
        endpoint: str,
        external: str | None,
    ) -> str:
        """The URL of ``endpoint`` up to its token: ``url_for(endpoint)``,
        under ``external`` (``TROPO_EXTERNAL_URL``) if set, then ``?`` or
        ``&``.

        Cached per endpoint, external URL and what the request's URL adapter
        builds from (script name, subdomain, server name, scheme), unless
        ``url_defaults`` functions apply to the endpoint; at most
        :data:`_LINKS` entries.
        """
        key = None
        if adapter is not None:
            key = (
                endpoint,
                external,
                adapter.script_name,
                adapter.subdomain,
                adapter.server_name,
                adapter.url_scheme,
            )
            base = self._links.get(key)
            if base is not None:
                return base
        path = url_for(endpoint)
        if external and path.startswith("/"):
            path = external.rstrip("/") + path
        base = f"{path}{'&' if '?' in path else '?'}"
        if key is not None and _fixed_url(app, endpoint):
            links = self._links
            if len(links) >= _LINKS:
                links.clear()
            links[key] = base
        return base


#: The most URLs :meth:`_RouteIndex.link` keeps (the server name comes from
#: the request's Host header).
_LINKS = 256


def _fixed_url(app: Flask, endpoint: str) -> bool:
    """Whether ``url_for(endpoint)`` depends only on the URL adapter: no
    ``url_defaults`` function applies to the endpoint, and ``url_for`` is
    Flask's own.

    :meta private:
    """
    if type(app).url_for is not Flask.url_for:
        return False
    functions = app.url_default_functions
    if not functions:
        return True
    names: list[str | None] = [None]
    blueprint = endpoint.rpartition(".")[0]
    while blueprint:
        names.append(blueprint)
        blueprint = blueprint.rpartition(".")[0]
    return not any(functions.get(name) for name in names)


def _not_a_target(handler: c.Callable[..., t.Any]) -> str:
    name = getattr(handler, "__qualname__", None) or repr(handler)
    views = current_app.view_functions.values()
    routes = (tropo_view(v) for v in views)
    if any(r is not None and r.handler == handler for r in routes):
        return (
            f"On(next={name}): {name} is a session handler, but Tropo posts a"
            " result document to a next URL. Register the target with on_result."
        )
    return (
        f"On(next={name}): {name} is not a Tropo result route of this app."
        " Decorate it with @tropo.on_result(rule) (or on_hangup / on_error, on"
        " the Tropo extension or a TropoBlueprint registered on this app)."
    )
