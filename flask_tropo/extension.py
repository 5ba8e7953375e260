"""The :class:`Tropo` extension object."""

from __future__ import annotations

import collections.abc as c
import functools
import inspect
import typing as t
from weakref import WeakKeyDictionary
from weakref import WeakSet

from flask import Flask
from flask import current_app

from .blueprint import TropoBlueprint
from .config_checks import check_config
from .continuation import Tokens
from .exceptions import TropoError
from .verbs import On
from .verbs import Verb
from .views import platforms_of
from .views import tropo_route

if t.TYPE_CHECKING:  # pragma: no cover
    from flask.config import Config

__all__ = ["Tropo"]

P = t.ParamSpec("P")
R = t.TypeVar("R")

#: Every config key and its default, set with ``setdefault`` in ``init_app``.
_DEFAULTS: dict[str, t.Any] = {
    "TROPO_SECRET_KEY": None,
    "TROPO_VERIFY_NEXT": True,
    # Each document gets fresh tokens, so this bounds one step, not the call;
    # but one step can be a transfer or a conference that lasts hours.
    "TROPO_NEXT_MAX_AGE": 4 * 60 * 60,
    "TROPO_NEXT_MAX_SKEW": 60,
    "TROPO_MAX_STATE_BYTES": 2048,
    "TROPO_EXTERNAL_URL": None,
    "TROPO_ERROR_MESSAGE": "Sorry, something went wrong. Please call again later.",
    "TROPO_ERROR_TRANSFER_TO": None,
    "TROPO_PROPAGATE_EXCEPTIONS": False,
    "TROPO_BASIC_AUTH": None,
    "TROPO_MAX_CONTENT_LENGTH": 64 * 1024,
    "TROPO_MAX_RECORDING_BYTES": 10 * 1024 * 1024,
    # Platforms (docs/platforms.rst): the signatures of Twilio and jambonz.
    "TROPO_TWILIO_AUTH_TOKEN": None,
    "TROPO_JAMBONZ_WEBHOOK_SECRET": None,
}

#: Every Tropo object, so that the tools can name handlers registered on one
#: that was never initialized (``flask tropo routes``, the simulator's 404).
_INSTANCES: WeakSet[Tropo] = WeakSet()


def never_initialized() -> list[Tropo]:
    """The Tropo objects whose :meth:`~Tropo.init_app` never ran. Internal."""
    return [tropo for tropo in list(_INSTANCES) if not tropo._states]


def _on_blueprint(
    method: c.Callable[t.Concatenate[TropoBlueprint, P], R],
) -> c.Callable[t.Concatenate[Tropo, P], R]:
    """A method of :class:`Tropo` that calls ``method`` on its default
    blueprint; documented as ``method`` is."""

    @functools.wraps(method)
    def on_blueprint(self: Tropo, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return method(self.blueprint, *args, **kwargs)

    name = method.__name__
    on_blueprint.__qualname__ = f"Tropo.{name}"
    on_blueprint.__doc__ = (
        f":meth:`TropoBlueprint.{name} <flask_tropo.TropoBlueprint.{name}>` on"
        f" the default blueprint:\n\n{inspect.cleandoc(method.__doc__ or '')}"
    )
    return on_blueprint


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
    :param platform: the platform the default blueprint's routes answer
        (see :class:`~flask_tropo.TropoBlueprint`).
    """

    def __init__(
        self, app: Flask | None = None, *, add_cli: bool = True, platform: str = "tropo"
    ) -> None:
        self._add_cli = add_cli
        #: The default blueprint that holds the routes of this object's
        #: decorators.
        self.blueprint = TropoBlueprint("tropo", __name__, platform=platform)
        self._states: WeakKeyDictionary[Flask, AppState] = WeakKeyDictionary()
        _INSTANCES.add(self)
        if app is not None:
            self.init_app(app)

    def __repr__(self) -> str:
        count = len(self.blueprint.tropo_routes)
        return f"<Tropo {count} route{'' if count == 1 else 's'}>"

    def init_app(self, app: Flask) -> None:
        """Set up an app: set config defaults, check the configuration,
        register the default blueprint and add the ``flask tropo`` commands.

        Every ``TROPO_*`` key is set with :meth:`~dict.setdefault` (see
        :doc:`/config` for each, and for the checks): ``TROPO_SECRET_KEY``,
        ``TROPO_VERIFY_NEXT``, ``TROPO_NEXT_MAX_AGE``, ``TROPO_NEXT_MAX_SKEW``,
        ``TROPO_MAX_STATE_BYTES``, ``TROPO_EXTERNAL_URL``,
        ``TROPO_ERROR_MESSAGE``, ``TROPO_ERROR_TRANSFER_TO``,
        ``TROPO_PROPAGATE_EXCEPTIONS``, ``TROPO_BASIC_AUTH``,
        ``TROPO_MAX_CONTENT_LENGTH``, ``TROPO_MAX_RECORDING_BYTES``,
        ``TROPO_TWILIO_AUTH_TOKEN`` and ``TROPO_JAMBONZ_WEBHOOK_SECRET``. A
        weak or missing secret key is logged as a warning outside debug and
        testing.

        :raise RuntimeError: this app already has a ``Tropo`` extension.
        :raise ValueError: a configuration value that cannot work, saying what
            to set.
        """
        if "tropo" in app.extensions:
            raise RuntimeError(
                "A 'Tropo' instance is already registered on this app. Import and"
                " use that instance (app.extensions['tropo']) instead of calling"
                " init_app() again, and add more handlers with a TropoBlueprint."
            )
        for key, value in _DEFAULTS.items():
            app.config.setdefault(key, value)
        check_config(app)
        app.extensions["tropo"] = self
        self._states[app] = AppState(app)
        app.register_blueprint(self.blueprint)
        if self._add_cli:
            from .cli import cli

            app.cli.add_command(cli)

    def state_of(self, app: Flask) -> AppState:
        """The extension's state for ``app``.

        :meta private:
        """
        return self._states[app]

    # -- the routes of the default blueprint --------------------------------------

    on_session = _on_blueprint(TropoBlueprint.on_session)
    on_result = _on_blueprint(TropoBlueprint.on_result)
    on_hangup = _on_blueprint(TropoBlueprint.on_hangup)
    on_error = _on_blueprint(TropoBlueprint.on_error)
    on_recording = _on_blueprint(TropoBlueprint.on_recording)
    on_transcription = _on_blueprint(TropoBlueprint.on_transcription)
    add_session_rule = _on_blueprint(TropoBlueprint.add_session_rule)
    add_result_rule = _on_blueprint(TropoBlueprint.add_result_rule)
    add_hangup_rule = _on_blueprint(TropoBlueprint.add_hangup_rule)
    add_error_rule = _on_blueprint(TropoBlueprint.add_error_rule)
    add_recording_rule = _on_blueprint(TropoBlueprint.add_recording_rule)
    add_transcription_rule = _on_blueprint(TropoBlueprint.add_transcription_rule)


# -- per-app state -----------------------------------------------------------------


class AppState:
    """What the extension keeps per app: the route index, the platform of
    each Tropo blueprint and the token signer of the current secret key.
    Internal.
    """

    def __init__(self, app: Flask) -> None:
        self.routes = Routes()
        self.platforms = platforms_of(app)
        self._tokens: Tokens | None = None

    def tokens(self, config: Config) -> Tokens:
        """The signer of ``next`` tokens for the configured secret key, built
        once per key.

        :raise RuntimeError: no key is configured.
        """
        key = config["TROPO_SECRET_KEY"] or config["SECRET_KEY"]
        tokens = self._tokens
        if tokens is None or tokens.key != key:
            tokens = self._tokens = Tokens(list(key) if isinstance(key, list) else key)
        return tokens


class Routes:
    """Which endpoints serve which handler, and the default ``On`` handlers
    of each blueprint; built from ``app.view_functions``, again whenever
    routes were added. Internal.
    """

    def __init__(self) -> None:
        self.size = -1
        self.targets: dict[c.Callable[..., t.Any], tuple[str, ...]] = {}
        self.defaults: dict[tuple[str | None, str], On] = {}
        #: The endpoints of recording and transcription receivers.
        self.uploads: frozenset[str] = frozenset()

    def refresh(self, app: Flask) -> None:
        """Rebuild the tables if the app has new view functions."""
        views = app.view_functions
        if len(views) == self.size:
            return
        targets: dict[c.Callable[..., t.Any], list[str]] = {}
        defaults: dict[tuple[str | None, str], On] = {}
        uploads = set()
        for endpoint, view in list(views.items()):
            route = tropo_route(view)
            if route is None or route.kind == "session":
                continue
            targets.setdefault(route.handler, []).append(endpoint)
            if route.kind in ("recording", "transcription"):
                uploads.add(endpoint)
            if route.kind in ("hangup", "error"):
                on = On(route.kind, next=route.handler)
                defaults.setdefault((endpoint.rpartition(".")[0], route.kind), on)
                defaults.setdefault((None, route.kind), on)
        self.targets = {h: tuple(e) for h, e in targets.items()}
        self.defaults = defaults
        self.uploads = frozenset(uploads)
        self.size = len(views)

    def add_defaults(
        self, app: Flask, verbs: list[Verb], blueprint: str | None
    ) -> None:
        """Append ``On(event, next=handler)`` for the default hangup and error
        handlers (the blueprint's own, else the app's first) to ``verbs``
        unless it has a top-level ``On`` for that event."""
        self.refresh(app)
        if not self.defaults:
            return
        for event in ("hangup", "error"):
            on = self.defaults.get((blueprint, event)) or self.defaults.get(
                (None, event)
            )
            if on is not None and not any(
                isinstance(v, On) and v.event == event for v in verbs
            ):
                verbs.append(on)

    def resolve(self, handler: c.Callable[..., t.Any], blueprint: str | None) -> str:
        """The endpoint of a result handler, preferring the current blueprint."""
        endpoints = self.targets.get(handler)
        if not endpoints:
            raise TropoError(_not_a_target(handler))
        for endpoint in endpoints:
            if endpoint.rpartition(".")[0] == blueprint:
                return endpoint
        return endpoints[0]


def _not_a_target(handler: c.Callable[..., t.Any]) -> str:
    name = getattr(handler, "__qualname__", None) or repr(handler)
    routes = (tropo_route(v) for v in current_app.view_functions.values())
    if any(r is not None and r.handler == handler for r in routes):
        return (
            f"On(next={name}): {name} is a session handler, but the platform posts"
            " a result to a next URL. Register the target with on_result."
        )
    return (
        f"On(next={name}): {name} is not a Tropo result route of this app."
        " Decorate it with @tropo.on_result(rule) (or on_hangup / on_error; for"
        " url= of a recording, on_recording / on_transcription; on the Tropo"
        " extension or a TropoBlueprint registered on this app)."
    )
