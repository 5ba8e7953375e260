"""The :class:`TropoBlueprint`, the blueprint that Tropo handlers are
registered on; the view of their routes is in :mod:`flask_tropo.views`."""

from __future__ import annotations

import collections.abc as c
import typing as t

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from .platforms import get_platform
from .receivers import serve_upload
from .views import RouteKind
from .views import error_response
from .views import make_view
from .views import platforms_of

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Flask
    from flask.sansio.app import App
    from flask.sansio.blueprints import BlueprintSetupState

__all__ = ["TropoBlueprint", "Handler", "HandlerT"]

#: A Tropo handler: takes a :class:`~flask_tropo.Session` or
#: :class:`~flask_tropo.Result` (plus any URL variables as keyword arguments),
#: returns verbs or a response; may be ``async def``.
Handler = c.Callable[..., t.Any]
HandlerT = t.TypeVar("HandlerT", bound=Handler)

# GET is registered too, so that a GET is answered with the JSON 405 of the
# blueprint's error handler instead of the app's own 405 page.
_METHODS = ["GET", "POST"]
#: A recording comes as the verb's ``method``: POST or PUT.
_UPLOAD_METHODS = ["GET", "POST", "PUT"]


class TropoBlueprint(Blueprint):
    """A :class:`flask.Blueprint` for Tropo handlers; takes the same
    arguments.

    Register it like any other: URL prefixes, nesting, several blueprints per
    app and apps mounted under a ``SCRIPT_NAME`` all work. The app needs the
    :class:`~flask_tropo.Tropo` extension, initialized before or after.
    Errors on its routes are JSON ``{"code", "status", "errors"}`` from its own
    error handler, which plain routes added to it share.

    .. code-block:: python

        ivr = TropoBlueprint("ivr", __name__)

        @ivr.on_session("/voice")
        def incoming(session):
            return [Ask("[4 DIGITS]", say="Your PIN?"), On("continue", next=check)]

        @ivr.on_result("/check")
        def check(result):
            return [Say(f"You entered {result.value}"), Hangup()]

        app.register_blueprint(ivr, url_prefix="/ivr")

    The platform its routes answer, ``"tropo"``, ``"twilio"`` (needs the
    ``flask-tropo[twilio]`` extra) or ``"jambonz"``, is chosen per
    registration, ``app.register_blueprint(ivr, name="ivr_tw",
    platform="twilio")``, else here (see :doc:`/platforms`); another name is
    a :exc:`ValueError`.

    :param platform: the platform of registrations that name none.
    """

    def __init__(
        self, name: str, import_name: str, *, platform: str = "tropo", **kwargs: t.Any
    ) -> None:
        get_platform(platform)
        super().__init__(name, import_name, **kwargs)
        #: The platform of registrations that name none.
        self.platform = platform
        # (rule, endpoint, kind) of each Tropo route, in order.
        self.tropo_routes: list[tuple[str, str, RouteKind]] = []
        self._registered = False
        self.register_error_handler(HTTPException, error_response)
        self.record(self._register_platform)

    def register(self, app: App, options: dict[str, t.Any]) -> None:
        """Register on ``app``; see :meth:`flask.Flask.register_blueprint`."""
        self._registered = True
        super().register(app, options)

    def _register_platform(self, state: BlueprintSetupState) -> None:
        name = ".".join(filter(None, (state.name_prefix, state.name)))
        platform = get_platform(state.options.get("platform", self.platform))
        app = t.cast("Flask", state.app)
        platform.register(app)
        platforms_of(app)[name] = platform

    # -- decorators ------------------------------------------------------------

    def on_session(
        self, /, rule: str, **options: t.Any
    ) -> c.Callable[[HandlerT], HandlerT]:
        """Register the handler of the session document Tropo posts when a
        call or text conversation starts; :data:`~flask_tropo.call_state` starts
        empty. The function is returned unchanged.

        .. code-block:: python

            @bp.on_session("/voice")
            def incoming(session):
                return [Say(f"Hello {session.from_.id}"), Hangup()]

        :param rule: the URL rule, as for :meth:`~flask.Blueprint.route`.
        :param options: passed to :meth:`~flask.Blueprint.add_url_rule`
            (``endpoint``, ``defaults``...), but not ``methods``: Tropo always
            POSTs.
        """
        return self._decorator("session", rule, options)

    def on_result(
        self, /, rule: str, **options: t.Any
    ) -> c.Callable[[HandlerT], HandlerT]:
        """Register the handler of a result document, the target of
        ``On(event, next=handler)``; :data:`~flask_tropo.call_state` holds what
        the previous handler left in it.

        .. code-block:: python

            @bp.on_result("/pin")
            def check_pin(result):
                return [Say(f"You entered {result.value}"), Hangup()]
        """
        return self._decorator("result", rule, options)

    def on_hangup(
        self, /, rule: str, **options: t.Any
    ) -> c.Callable[[HandlerT], HandlerT]:
        """Register a default handler of the ``hangup`` event, added as
        ``On("hangup", next=handler)`` to every document without one (Tropo
        forgets handlers at each document): the blueprint's own, else the
        app's first.

        .. code-block:: python

            @bp.on_hangup("/hangup")
            def hung_up(result):
                return Hangup()
        """
        return self._decorator("hangup", rule, options)

    def on_error(
        self, /, rule: str, **options: t.Any
    ) -> c.Callable[[HandlerT], HandlerT]:
        """Register a default handler of the ``error`` event (a platform
        error), added to documents like :meth:`on_hangup`.

        .. code-block:: python

            @bp.on_error("/error")
            def platform_error(result):
                return [Say("Sorry, please call again."), Hangup()]
        """
        return self._decorator("error", rule, options)

    def on_recording(
        self, /, rule: str, **options: t.Any
    ) -> c.Callable[[HandlerT], HandlerT]:
        """Register the receiver of the recording the platform uploads to
        the signed URL of ``Record(url=handler)`` or
        ``StartRecording(url=handler)``. The handler gets a
        :class:`~flask_tropo.Recording` with :data:`~flask_tropo.call_state`
        restored, and returns nothing (``204``) or a response; see
        :doc:`/handlers` for what the route refuses.

        .. code-block:: python

            @bp.on_recording("/voicemail")
            def voicemail_saved(recording):
                recording.save(folder / f"{recording.session_id}.wav")
        """
        return self._decorator("recording", rule, options)

    def on_transcription(
        self, /, rule: str, **options: t.Any
    ) -> c.Callable[[HandlerT], HandlerT]:
        """Register the receiver of the text the platform posts for
        ``Transcription(url=handler)`` (or ``StartRecording``'s
        ``transcription_out_uri=handler``), as :meth:`on_recording`; the
        handler gets a :class:`~flask_tropo.TranscriptionResult`.

        .. code-block:: python

            @bp.on_transcription("/voicemail-text")
            def voicemail_text(transcription):
                save_text(transcription.session_id, transcription.text)
        """
        return self._decorator("transcription", rule, options)

    # -- add_* twins, as add_url_rule is the twin of route -------------------------

    def add_session_rule(
        self,
        /,
        rule: str,
        endpoint: str | None = None,
        view_func: Handler | None = None,
        **options: t.Any,
    ) -> None:
        """The twin of :meth:`on_session`, as ``add_url_rule`` is of ``route``:
        ``endpoint`` defaults to ``view_func.__name__``."""
        self._add_tropo_rule("session", rule, endpoint, view_func, options)

    def add_result_rule(
        self,
        /,
        rule: str,
        endpoint: str | None = None,
        view_func: Handler | None = None,
        **options: t.Any,
    ) -> None:
        """The twin of :meth:`on_result`."""
        self._add_tropo_rule("result", rule, endpoint, view_func, options)

    def add_hangup_rule(
        self,
        /,
        rule: str,
        endpoint: str | None = None,
        view_func: Handler | None = None,
        **options: t.Any,
    ) -> None:
        """The twin of :meth:`on_hangup`."""
        self._add_tropo_rule("hangup", rule, endpoint, view_func, options)

    def add_error_rule(
        self,
        /,
        rule: str,
        endpoint: str | None = None,
        view_func: Handler | None = None,
        **options: t.Any,
    ) -> None:
        """The twin of :meth:`on_error`."""
        self._add_tropo_rule("error", rule, endpoint, view_func, options)

    def add_recording_rule(
        self,
        /,
        rule: str,
        endpoint: str | None = None,
        view_func: Handler | None = None,
        **options: t.Any,
    ) -> None:
        """The twin of :meth:`on_recording`."""
        self._add_tropo_rule("recording", rule, endpoint, view_func, options)

    def add_transcription_rule(
        self,
        /,
        rule: str,
        endpoint: str | None = None,
        view_func: Handler | None = None,
        **options: t.Any,
    ) -> None:
        """The twin of :meth:`on_transcription`."""
        self._add_tropo_rule("transcription", rule, endpoint, view_func, options)

    # -- internals -------------------------------------------------------------

    def _decorator(
        self, kind: RouteKind, rule: str, options: dict[str, t.Any]
    ) -> c.Callable[[HandlerT], HandlerT]:
        name = f"on_{kind}"
        _no_methods(name, options)

        def decorator(f: HandlerT) -> HandlerT:
            endpoint = options.pop("endpoint", None)
            self._add_tropo_rule(kind, rule, endpoint, f, options, name)
            return f

        return decorator

    def _add_tropo_rule(
        self,
        kind: RouteKind,
        rule: str,
        endpoint: str | None,
        view_func: Handler | None,
        options: dict[str, t.Any],
        name: str | None = None,
    ) -> None:
        name = name or f"add_{kind}_rule"
        _no_methods(name, options)
        if view_func is None or not callable(view_func):
            raise TypeError(f"{name}() needs the handler function as view_func.")
        if endpoint is None:
            endpoint = view_func.__name__
        if self._registered:
            raise RuntimeError(
                f"Cannot add the Tropo route {rule!r} ({endpoint}): the blueprint"
                f" {self.name!r} is already registered on an app, and routes added"
                " now would never be served. Import the modules that define"
                " handlers before calling init_app() or register_blueprint(), or"
                " put these handlers on a TropoBlueprint and register it after"
                " defining them."
            )
        if kind in ("recording", "transcription"):
            view, methods = make_view(kind, view_func, serve_upload), _UPLOAD_METHODS
        else:
            view, methods = make_view(kind, view_func), _METHODS
        self.add_url_rule(rule, endpoint, view, methods=methods, **options)
        self.tropo_routes.append((rule, endpoint, kind))


def _no_methods(name: str, options: c.Mapping[str, t.Any]) -> None:
    if "methods" in options:
        raise TypeError(
            f"{name}() takes no 'methods': Tropo always POSTs, so Tropo routes"
            " accept only POST. Use route() for other methods."
        )
