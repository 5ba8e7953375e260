"""The view of every Tropo route: the request path, one step after another.

.. code-block:: text

    view (make_view): the app and the request, looked up once
    -> _serve: POST, Basic auth, body size (_check_auth, _read_body)
    -> platform.verify(request), platform.read(kind, request): a Session/Result
    -> result routes: the next token (_restore), call_state restored;
       Twilio, jambonz: with its step, platform.resume() (_resume): a Turn
    -> session_received / result_received (_received)
    -> _respond: handler(payload), the user's verbs (Route.run, _unpack)
    -> default On handlers; next=handler -> signed URLs (continuation.Links)
    -> platform.render(verbs) -> platform.response(document) -> response_rendered

Refusals are JSON errors from each :class:`~flask_tropo.TropoBlueprint`'s own
error handler (:func:`error_response`), after ``payload_rejected``
(:func:`_reject`); a failing handler gets the caller an apology instead of a
``500``. Uploads (recordings) take :mod:`flask_tropo.receivers` instead of
``_serve``. Internal; may change at any time.
"""

from __future__ import annotations

import collections.abc as c
import hmac
import typing as t
from inspect import iscoroutinefunction
from weakref import WeakKeyDictionary

from flask import Flask
from flask import current_app
from flask import request
from werkzeug.datastructures import Headers
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.exceptions import Unauthorized
from werkzeug.wrappers import Response

from . import signals
from .continuation import CURRENT_CALL
from .continuation import NEXT_PARAM
from .continuation import ActiveCall
from .continuation import Links
from .continuation import Tokens
from .exceptions import HandlerReturnError
from .exceptions import InvalidNextToken
from .exceptions import InvalidPayload
from .exceptions import InvalidSignature
from .payloads import Result
from .platforms import PLATFORMS
from .platforms import Kind
from .platforms import Platform
from .platforms import Turn
from .verbs import Hangup
from .verbs import Say
from .verbs import Transfer
from .verbs import Verb

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Request
    from flask.config import Config

    from .extension import AppState
    from .payloads import Session

__all__ = ["Route", "RouteKind", "make_view", "tropo_route", "error_response"]

#: What the platform uploads for a verb (a recording, its transcription),
#: not a step of the call (:mod:`flask_tropo.receivers`).
UploadKind = t.Literal["recording", "transcription"]
#: Every kind of Tropo route.
RouteKind: t.TypeAlias = "Kind | UploadKind"
#: Serves the requests of a route: app, request, route, URL variables.
Serve = c.Callable[[Flask, "Request", "Route", dict[str, t.Any]], Response]
T = t.TypeVar("T")
E = t.TypeVar("E", bound=HTTPException)

#: The platform of each registered Tropo blueprint, by app and registered name.
_PLATFORMS: WeakKeyDictionary[Flask, dict[str | None, Platform]] = WeakKeyDictionary()
TROPO = PLATFORMS["tropo"]
_ERROR_KEYS = {401: "authorization", 405: "method", 413: "body"}
_BODY_TOO_LARGE = (
    "The request body is larger than the {} bytes allowed on Tropo routes"
    " (TROPO_MAX_CONTENT_LENGTH)."
)


class Route:
    """What a Tropo view serves: the kind of route (``"session"``,
    ``"result"``, ``"hangup"``, ``"error"``, ``"recording"`` or
    ``"transcription"``) and the function the decorator was given."""

    __slots__ = ("kind", "handler", "coroutine")

    def __init__(self, kind: RouteKind, handler: c.Callable[..., t.Any]) -> None:
        self.kind: RouteKind = kind
        self.handler = handler
        self.coroutine = iscoroutinefunction(handler)

    def __repr__(self) -> str:
        return f"<Route {self.kind} {getattr(self.handler, '__name__', self.handler)}>"

    def run(self, app: Flask, payload: t.Any, view_args: dict[str, t.Any]) -> t.Any:
        """Call the handler, through ``app.ensure_sync`` when it needs it."""
        handler = self.handler
        # Flask's own ensure_sync wraps only coroutine functions; a subclass
        # may wrap more, so it is called then.
        if self.coroutine or type(app).ensure_sync is not Flask.ensure_sync:
            handler = app.ensure_sync(handler)
        return handler(payload, **view_args)


def make_view(
    kind: RouteKind, handler: c.Callable[..., t.Any], serve: Serve | None = None
) -> c.Callable[..., Response]:
    """The view function registered for a Tropo route. It carries its
    :class:`Route` as ``tropo_route``, as Flask's class-based views carry
    ``view_class``.

    :param serve: serves the route's requests; the request path of call steps
        by default (uploads have their own, :mod:`flask_tropo.receivers`).
    """
    route = Route(kind, handler)
    serve = serve or _serve

    def view(**view_args: t.Any) -> Response:
        # The app and the request themselves, looked up once rather than
        # through their proxies at every step: signals need the app as their
        # sender (blinker matches senders by identity), and a bound method of
        # the proxied app knows it; werkzeug keeps each request in its environ.
        app: Flask = current_app.ensure_sync.__self__  # type: ignore[attr-defined]
        return serve(
            app, request.environ.get("werkzeug.request", request), route, view_args
        )

    view.tropo_route = route  # type: ignore[attr-defined]
    view.__name__ = getattr(handler, "__name__", "tropo_view")
    view.__doc__ = handler.__doc__
    return view


def tropo_route(view: t.Any) -> Route | None:
    """The :class:`Route` of a view function, or ``None`` for a view that
    is not a Tropo route."""
    route = getattr(view, "tropo_route", None)
    return route if isinstance(route, Route) else None


def platforms_of(app: Flask) -> dict[str | None, Platform]:
    """The platform of each Tropo blueprint registered on ``app``, by its
    dotted name (filled in as they are registered)."""
    return _PLATFORMS.setdefault(app, {})


def _app_state(app: Flask) -> AppState:
    tropo = app.extensions.get("tropo")
    if tropo is None:
        raise RuntimeError(
            "The Tropo extension is not initialized on this app: did you forget"
            " to call Tropo().init_app(app)? TropoBlueprint routes need it."
        )
    state: AppState = tropo.state_of(app)
    return state


# -- the request path ---------------------------------------------------------------


def _serve(
    app: Flask, req: Request, route: Route, view_args: dict[str, t.Any]
) -> Response:
    state, config = _app_state(app), app.config
    if req.method != "POST":
        raise MethodNotAllowed(
            valid_methods=["POST"],
            description="Tropo routes accept only POST: the platform posts its"
            " session and result documents.",
        )
    if config["TROPO_BASIC_AUTH"] is not None:
        _check_auth(app, config, req)
    _read_body(app, config, req)
    platform = state.platforms.get(req.blueprint) or TROPO
    try:
        platform.verify(req)
    except InvalidSignature as exc:
        _reject(app, "invalid-signature", exc)
        raise
    try:
        payload: t.Any = platform.read(route.kind, req)  # type: ignore[arg-type]
    except InvalidPayload as exc:
        _reject(app, "invalid-payload", exc)
        raise
    renderer: Platform | Turn = platform
    quiet = False  # the platform answers by itself: no handler, no signal
    # An emulated platform (Twilio, jambonz) runs Tropo's semantics
    # server-side: its tokens carry a step, a session may continue a call,
    # and its hangup and error routes take status callbacks without a token.
    emulated = platform.emulated
    if route.kind == "session" and not (emulated and NEXT_PARAM in req.args):
        call = ActiveCall(payload.id, {})
    else:
        restored: dict[str, t.Any] = {}
        step = None
        if not emulated or NEXT_PARAM in req.args or route.kind == "result":
            restored, step = _restore(app, state, config, req, payload.session_id)
        call = ActiveCall(payload.session_id, restored)
        if emulated:
            turn, route = _resume(app, platform, route, req, payload, step)
            renderer, payload, quiet = turn, turn.payload, turn.answer is not None
    token = CURRENT_CALL.set(call)
    try:
        if not quiet:
            _received(app, payload)
        return _respond(app, state, renderer, route, call, payload, view_args, req)
    finally:
        CURRENT_CALL.reset(token)


def _restore(
    app: Flask, state: AppState, config: Config, req: Request, session_id: str
) -> tuple[dict[str, t.Any], dict[str, t.Any] | None]:
    """The call state and the step carried by the request's ``next`` token."""
    try:
        return _tokens(app, state, config).loads_step(
            config, req.args.get(NEXT_PARAM), session_id, req.endpoint or ""
        )
    except InvalidNextToken as exc:
        if not config["TROPO_VERIFY_NEXT"]:
            return {}, None
        _reject(app, "invalid-token", exc)
        raise


def _tokens(app: Flask, state: AppState, config: Config) -> Tokens:
    """The app's token signer; without a key, a ``403`` that the log explains
    (the app's fault, but not a 500)."""
    try:
        return state.tokens(config)
    except RuntimeError as missing:
        app.logger.error("A request was refused with 403: %s", missing)
        raise InvalidNextToken(
            "This app has no secret key to check next tokens with."
        ) from None


def _resume(
    app: Flask,
    platform: Platform,
    route: Route,
    req: Request,
    payload: Result,
    step: dict[str, t.Any] | None,
) -> tuple[Turn, Route]:
    """The turn of an emulated platform and the route whose handler runs it:
    the route's own, another of the document's, or the turn's own answer."""
    turn = platform.resume(route.kind, req, payload, step)  # type: ignore[arg-type]
    if turn.answer is not None:
        answer = turn.answer
        return turn, Route("result", lambda result, **kwargs: answer)
    if turn.endpoint is None:
        return turn, route
    target = tropo_route(app.view_functions.get(turn.endpoint))
    if target is None:  # pragma: no cover - steps name Tropo routes
        raise InvalidNextToken("The next token names no Tropo route.")
    return turn, target


def _received(app: Flask, payload: Session | Result) -> None:
    if isinstance(payload, Result):
        if signals.result_received.receivers:
            signals.result_received.send(
                app, _async_wrapper=app.ensure_sync, result=payload
            )
    elif signals.session_received.receivers:
        signals.session_received.send(
            app, _async_wrapper=app.ensure_sync, session=payload
        )


def _respond(
    app: Flask,
    state: AppState,
    platform: Platform | Turn,
    route: Route,
    call: ActiveCall,
    payload: Session | Result,
    view_args: dict[str, t.Any],
    req: Request,
) -> Response:
    config = app.config
    endpoint: str = req.endpoint  # type: ignore[assignment]
    try:
        rv = route.run(app, payload, view_args)
        if isinstance(rv, Response):
            return rv
        verbs, rest = _unpack(rv, endpoint)
        blueprint = req.blueprint
        state.routes.add_defaults(app, verbs, blueprint)
        document = platform.render(verbs, Links(state, config, call, blueprint))
        response = platform.response(document)
        if rest:
            response = app.make_response((response, *rest))
    except HTTPException:
        raise
    except Exception as exc:
        if app.testing or config["TROPO_PROPAGATE_EXCEPTIONS"]:
            raise
        app.logger.exception(
            "Tropo handler %r failed in session %s; the caller hears"
            " TROPO_ERROR_MESSAGE.",
            endpoint,
            call.session_id,
        )
        signals.handler_failed.send(app, _async_wrapper=app.ensure_sync, exception=exc)
        document = platform.render(_apology(config, payload), _no_links)
        response = platform.response(document)
    if signals.response_rendered.receivers:
        signals.response_rendered.send(
            app, _async_wrapper=app.ensure_sync, document=document
        )
    return response


def _unpack(rv: t.Any, endpoint: str) -> tuple[list[Verb], tuple[t.Any, ...]]:
    """Split a handler's return value into its verbs and the status and
    headers of a ``(verbs, status[, headers])`` tuple."""
    rest: tuple[t.Any, ...] = ()
    if isinstance(rv, tuple) and len(rv) in (2, 3) and not isinstance(rv[1], Verb):
        rv, rest = rv[0], rv[1:]
        if not isinstance(rest[0], (int, str, c.Mapping, Headers, list)):
            raise HandlerReturnError(
                f"The Tropo handler of endpoint {endpoint!r} returned a tuple"
                f" with a {type(rest[0]).__name__}; return (verbs, status),"
                " (verbs, headers) or (verbs, status, headers)."
            )
    if isinstance(rv, Verb):
        return [rv], rest
    if not isinstance(rv, c.Iterable) or isinstance(rv, (str, bytes, c.Mapping)):
        hint = " (did it forget to return?)" if rv is None else ""
        raise HandlerReturnError(
            f"The Tropo handler of endpoint {endpoint!r} returned"
            f" {type(rv).__name__}{hint}; return a verb, a list of verbs, a"
            " (verbs, status[, headers]) tuple or a Response."
        )
    verbs = list(rv)
    for item in verbs:
        if not isinstance(item, Verb):
            raise HandlerReturnError(
                f"The Tropo handler of endpoint {endpoint!r} returned a list"
                f" holding a {type(item).__name__} ({item!r}); every item must"
                " be a verb from flask_tropo.verbs."
            )
    return verbs, rest


def _apology(config: Config, payload: Session | Result) -> list[Verb]:
    if getattr(payload, "is_launched", False):
        # A token-launched session has no call yet to say anything on.
        return [Hangup()]
    say = Say(config["TROPO_ERROR_MESSAGE"])
    to = config["TROPO_ERROR_TRANSFER_TO"]
    return [say, Transfer(to) if to else Hangup()]


def _no_links(handler: c.Callable[..., t.Any]) -> str:  # pragma: no cover
    raise AssertionError("the apology has no next")


# -- request checks -----------------------------------------------------------------


class _BasicAuthRequired(Unauthorized):
    """A 401 that asks for Basic credentials, ``realm="tropo"`` quoted."""

    def get_headers(self, *args: t.Any, **kwargs: t.Any) -> list[tuple[str, str]]:
        headers = super().get_headers(*args, **kwargs)
        return [*headers, ("WWW-Authenticate", 'Basic realm="tropo"')]


def _check_auth(app: Flask, config: Config, req: Request) -> None:
    user, password = config["TROPO_BASIC_AUTH"]
    auth = req.authorization
    if auth is not None and auth.type == "basic":
        # Both compared in constant time, and always both.
        user_ok = _same(auth.username, user)
        if _same(auth.password, password) and user_ok:
            return
    exc = _BasicAuthRequired(
        "Tropo routes need HTTP Basic credentials (TROPO_BASIC_AUTH)."
    )
    raise _reject(app, "unauthorized", exc)


def _same(given: str | None, expected: t.Any) -> bool:
    return hmac.compare_digest((given or "").encode(), str(expected).encode())


def _read_body(app: Flask, config: Config, req: Request) -> None:
    """Read the body (werkzeug keeps it for the platform), at most
    ``TROPO_MAX_CONTENT_LENGTH`` bytes."""
    limit = config["TROPO_MAX_CONTENT_LENGTH"]
    # werkzeug refuses a Content-Length above the limit before reading, but
    # stops quietly at the limit a body without one (chunked): one byte more
    # tells a body of exactly the limit from a longer one.
    req.max_content_length = None if limit is None else limit + 1
    _read_limited(app, req.get_data, len, limit, _BODY_TOO_LARGE)


def _read_limited(
    app: Flask,
    read: c.Callable[[], T],
    size: c.Callable[[T], int],
    limit: int | None,
    too_large: str,
) -> T | None:
    """``read()`` the body, with the request's ``max_content_length`` set.
    Above ``limit`` bytes (werkzeug's refusal, or ``size`` of what was read),
    a 413 saying ``too_large.format(limit)``; a body the server cannot read,
    a 400. Without a limit, werkzeug's own refusal (form limits) is ``None``.
    """
    try:
        value = read()
    except RequestEntityTooLarge:
        if limit is None:  # werkzeug's own limits on forms
            return None
    except HTTPException:  # werkzeug's ClientDisconnected, a 400
        raise
    except Exception as error:
        # The server's own error for a body it cannot read (a malformed
        # chunked body under gunicorn): the caller's fault, not a 500.
        exc = BadRequest(description=f"The request body could not be read: {error}.")
        raise _reject(app, "unreadable-body", exc) from error
    else:
        if limit is None or size(value) <= limit:
            return value
    description = too_large.format(limit)
    raise _reject(app, "too-large", RequestEntityTooLarge(description=description))


def _reject(app: Flask, reason: str, exc: E) -> E:
    """Send ``payload_rejected`` for ``exc`` and return it, to be raised."""
    if signals.payload_rejected.receivers:
        signals.payload_rejected.send(
            app, _async_wrapper=app.ensure_sync, reason=reason, errors=_errors(exc)
        )
    return exc


# -- errors -------------------------------------------------------------------------


def _errors(exc: HTTPException) -> dict[str, t.Any]:
    """The ``errors`` member of the JSON error body."""
    if isinstance(exc, InvalidPayload):
        return exc.messages
    if isinstance(exc, InvalidNextToken):
        return {NEXT_PARAM: [exc.reason]}
    if isinstance(exc, InvalidSignature):
        return {exc.header: [exc.reason]}
    key = _ERROR_KEYS.get(exc.code or 0, "request")
    return {key: [exc.description or exc.name]}


def error_response(exc: HTTPException) -> Response | HTTPException:
    """Answer an HTTP error on a Tropo route as
    ``{"code": ..., "status": ..., "errors": {...}}``; registered on each
    :class:`~flask_tropo.TropoBlueprint`, never on the app."""
    if exc.code is None:
        return exc
    body = {"code": exc.code, "status": exc.name, "errors": _errors(exc)}
    response = t.cast(Response, current_app.json.response(body))
    response.status_code = exc.code
    for key, value in exc.get_headers():
        if key.lower() != "content-type":
            response.headers.add(key, value)
    return response
