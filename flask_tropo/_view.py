"""The view that runs a Tropo handler: the request pipeline of every route
registered on a :class:`~flask_tropo.TropoBlueprint`.

A request to a Tropo route is checked (method, Basic auth, body size), its
payload loaded (a :class:`~flask_tropo.Session` or
:class:`~flask_tropo.Result`), a result's ``next`` token verified, a signal
sent, the handler called (through ``app.ensure_sync`` when that is needed),
and its verbs written with the app's default ``hangup``/``error`` handlers
and signed ``next`` URLs, as the app's JSON provider writes them
(:mod:`flask_tropo._response`). Refusals are JSON errors from the
blueprint's own error handler; a failing handler gets the caller an apology
instead of a ``500``.

The request path reads Flask's request context once per request, keeps the
extension's state of the app it served last, and sends a signal only when it
has receivers.

Internal; may change at any time.
"""

from __future__ import annotations

import collections.abc as c
import hmac
import itertools
import typing as t
import weakref
from inspect import iscoroutinefunction
from urllib.parse import parse_qsl

from flask import Flask
from flask import current_app
from flask.globals import request_ctx
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.exceptions import Unauthorized
from werkzeug.wrappers import Response

from . import signals
from ._body import read_body
from ._response import _document_response
from ._response import _json_response
from .continuation import _CALL
from .continuation import NEXT_PARAM
from .continuation import _Call
from .continuation import _Linker
from .document import render
from .exceptions import HandlerReturnError
from .exceptions import InvalidNextToken
from .exceptions import InvalidPayload
from .payloads import Result
from .payloads import Session
from .schemas.compiled import load_result
from .schemas.compiled import load_session
from .verbs import Hangup
from .verbs import Say
from .verbs import Transfer
from .verbs import Verb

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Request
    from flask.config import Config

    from .extension import Tropo
    from .extension import _AppState

#: The kinds of Tropo routes.
Kind = t.Literal["session", "result", "hangup", "error"]

_ERROR_KEYS = {401: "authorization", 405: "method", 413: "body"}
_ENSURE_SYNC = Flask.ensure_sync
#: ``Verb`` for ever: ``all(map(isinstance, items, _VERB))`` checks a list in C.
_VERB = itertools.repeat(Verb)


def _app_state(app: Flask) -> _AppState:
    tropo: Tropo | None = app.extensions.get("tropo")
    if tropo is None:
        raise RuntimeError(
            "The Tropo extension is not initialized on this app: did you forget"
            " to call Tropo().init_app(app)? TropoBlueprint routes need it."
        )
    return tropo._states[app]


class _TropoView:
    """One Tropo route: its bound :meth:`dispatch` is the view function
    registered with Flask (:func:`tropo_view` finds this object back). A bound
    method of a plain function, unlike a callable object, tells Flask's
    ``ensure_sync`` at once that it is no coroutine function.

    Internal; may change at any time.

    :meta private:
    """

    __slots__ = ("kind", "handler", "coroutine", "_last")

    def __init__(self, kind: Kind, handler: c.Callable[..., t.Any]) -> None:
        #: ``"session"``, ``"result"``, ``"hangup"`` or ``"error"``.
        self.kind = kind
        #: The user's handler.
        self.handler = handler
        #: Whether ``app.ensure_sync`` must wrap the handler: Flask's own
        #: wraps coroutine functions only, so the check runs once, here.
        self.coroutine = iscoroutinefunction(handler)
        self._last: tuple[weakref.ref[Flask], _AppState] | None = None

    def __repr__(self) -> str:
        return f"<Tropo {self.kind} view of {self.handler!r}>"

    def dispatch(self, **view_args: t.Any) -> Response:
        """Serve one request to the route."""
        ctx = request_ctx._get_current_object()  # type: ignore[attr-defined]
        app: Flask = ctx.app
        # The state of the app this view served last, else looked up.
        last = self._last
        if last is not None and last[0]() is app:
            state = last[1]
        else:
            state = _app_state(app)
            self._last = (weakref.ref(app), state)
        config = app.config
        req: Request = ctx.request
        if req.method != "POST":
            raise MethodNotAllowed(
                valid_methods=["POST"],
                description="Tropo routes accept only POST: Tropo posts its"
                " session and result documents.",
            )
        if config["TROPO_BASIC_AUTH"] is not None:
            _check_auth(app, config, req)
        body = _read_body(app, config, req)
        endpoint: str = req.endpoint  # type: ignore[assignment]
        session = self.kind == "session"
        try:
            # Session.parse and Result.parse, without their two extra calls.
            payload = load_session(body) if session else load_result(body)
        except InvalidPayload as exc:
            _reject(app, "invalid-payload", exc)
            raise
        if session:
            call = _Call(payload.id, {})  # type: ignore[union-attr]
            signal = signals.session_received
        else:
            try:
                restored = state.tokens.restore(
                    config,
                    payload,  # type: ignore[arg-type]
                    endpoint,
                    _next_token(req),
                )
            except InvalidNextToken as exc:
                _reject(app, "invalid-token", exc)
                raise
            call = _Call(payload.session_id, restored)  # type: ignore[union-attr]
            signal = signals.result_received
        routes = state.routes
        if len(app.view_functions) != routes.size:
            routes.refresh(app)
        token = _CALL.set(call)
        try:
            if signal.receivers:
                kwargs = {"session" if session else "result": payload}
                signal.send(app, _async_wrapper=app.ensure_sync, **kwargs)
            return self._respond(app, state, call, endpoint, payload, view_args, ctx)
        finally:
            _CALL.reset(token)

    def _respond(
        self,
        app: Flask,
        state: _AppState,
        call: _Call,
        endpoint: str,
        payload: Session | Result,
        view_args: dict[str, t.Any],
        ctx: t.Any,
    ) -> Response:
        config = app.config
        document: dict[str, t.Any] | None = None
        try:
            handler = self.handler
            if self.coroutine or type(app).ensure_sync is not _ENSURE_SYNC:
                handler = app.ensure_sync(handler)
            rv = handler(payload, **view_args)
            rest: tuple[t.Any, ...] = ()
            if type(rv) is list and all(map(isinstance, rv, _VERB)):
                verbs = rv[:]  # the usual answer; defaults are appended below
            elif isinstance(rv, Response):
                return rv
            else:
                verbs, rest = _unpack(rv, endpoint)
            # Request.blueprint, from the endpoint at hand.
            blueprint = endpoint.rpartition(".")[0] if "." in endpoint else None
            state.routes.add_defaults(verbs, blueprint)
            linker = _Linker(app, state, config, call, blueprint, ctx.url_adapter)
            response, document = _document_response(app, verbs, linker)
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
            if signals.handler_failed.receivers:
                signals.handler_failed.send(
                    app, _async_wrapper=app.ensure_sync, exception=exc
                )
            document = render(_apology(config))
            response = _json_response(app, document)
        # The document is built whenever the signal has receivers.
        if document is not None and signals.response_rendered.receivers:
            signals.response_rendered.send(
                app, _async_wrapper=app.ensure_sync, document=document
            )
        return response


_TOKEN_PREFIX = f"{NEXT_PARAM}="


def _next_token(req: Request) -> str | None:
    """``req.args.get(NEXT_PARAM)``; a query string that is only the token, as
    flask-tropo writes it, is read without parsing it.

    :meta private:
    """
    query: str = req.environ.get("QUERY_STRING", "")
    if (
        query.startswith(_TOKEN_PREFIX)
        and query.isascii()
        and "&" not in query
        and "%" not in query
        and "+" not in query
    ):
        return query[len(_TOKEN_PREFIX) :]
    try:
        return req.args.get(NEXT_PARAM)
    except UnicodeDecodeError:  # raw bytes that are not UTF-8: werkzeug gives up
        for key, value in parse_qsl(query, keep_blank_values=True):
            if key == NEXT_PARAM:
                return value  # not a token flask-tropo wrote: refused as invalid
        return None


def tropo_view(view: t.Any) -> _TropoView | None:
    """The :class:`_TropoView` of a registered view function, or ``None`` for
    a view that is not a Tropo route.

    :meta private:
    """
    route = getattr(view, "__self__", None)
    return route if type(route) is _TropoView else None


def _unpack(rv: t.Any, endpoint: str) -> tuple[list[Verb], tuple[t.Any, ...]]:
    """Split a handler's return value into its verbs and the status and
    headers of a ``(verbs, status[, headers])`` tuple.

    :meta private:
    """
    rest: tuple[t.Any, ...] = ()
    if type(rv) is not list:  # a list, the usual answer, skips these checks
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


def _apology(config: Config) -> list[Verb]:
    say = Say(config["TROPO_ERROR_MESSAGE"])
    to = config["TROPO_ERROR_TRANSFER_TO"]
    return [say, Transfer(to) if to else Hangup()]


# -- request checks ------------------------------------------------------------


class _BasicAuthRequired(Unauthorized):
    """A 401 that asks for Basic credentials, ``realm="tropo"`` quoted.

    :meta private:
    """

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
    _reject(app, "unauthorized", exc)
    raise exc


def _same(given: str | None, expected: t.Any) -> bool:
    return hmac.compare_digest((given or "").encode(), str(expected).encode())


def _read_body(app: Flask, config: Config, req: Request) -> bytes:
    limit = config["TROPO_MAX_CONTENT_LENGTH"]
    if limit is None:
        return req.get_data()
    # werkzeug refuses a Content-Length above the limit before reading, and
    # stops quietly at the limit a body without one (chunked): one byte more
    # tells the two apart.
    req.max_content_length = limit + 1
    body = read_body(req, limit)
    if body is not None and len(body) <= limit:  # it may have been read before
        return body
    exc = RequestEntityTooLarge(
        description=f"The request body is larger than the {limit} bytes allowed"
        " on Tropo routes (TROPO_MAX_CONTENT_LENGTH)."
    )
    _reject(app, "too-large", exc)
    raise exc


def _reject(app: Flask, reason: str, exc: HTTPException) -> None:
    if signals.payload_rejected.receivers:
        signals.payload_rejected.send(
            app, _async_wrapper=app.ensure_sync, reason=reason, errors=_errors(exc)
        )


# -- errors --------------------------------------------------------------------


def _errors(exc: HTTPException) -> dict[str, t.Any]:
    """The ``errors`` member of the JSON error body.

    :meta private:
    """
    if isinstance(exc, InvalidPayload):
        return exc.messages
    if isinstance(exc, InvalidNextToken):
        return {NEXT_PARAM: [exc.reason]}
    key = _ERROR_KEYS.get(exc.code or 0, "request")
    return {key: [exc.description or exc.name]}


def _error_response(exc: HTTPException) -> Response | HTTPException:
    """Answer an HTTP error on a Tropo route as
    ``{"code": ..., "status": ..., "errors": {...}}``.

    Registered on each :class:`~flask_tropo.TropoBlueprint`, never on the
    app.

    :meta private:
    """
    if exc.code is None:
        return exc
    body = {"code": exc.code, "status": exc.name, "errors": _errors(exc)}
    response = t.cast(Response, current_app.json.response(body))
    response.status_code = exc.code
    for key, value in exc.get_headers():
        if key.lower() != "content-type":
            response.headers.add(key, value)
    return response
