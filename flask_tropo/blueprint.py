"""The :class:`TropoBlueprint` and the view that runs a Tropo handler.

A request to a Tropo route is checked (Basic auth, body size), its payload
loaded (a :class:`~flask_tropo.Session` or :class:`~flask_tropo.Result`), a
result's ``next`` token verified, a signal sent, the handler called through
``current_app.ensure_sync``, and its verbs rendered with the app's default
``hangup``/``error`` handlers and signed ``next`` URLs. Refusals are JSON
errors from the blueprint's own error handler; a failing handler gets the
caller an apology instead of a ``500``.
"""

from __future__ import annotations

import collections.abc as c
import hmac
import typing as t

from flask import Blueprint
from flask import current_app
from flask import g
from flask import request
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.exceptions import Unauthorized
from werkzeug.wrappers import Response

from . import signals
from .continuation import _G_KEY
from .continuation import NEXT_PARAM
from .continuation import _Call
from .continuation import _Linker
from .document import render
from .exceptions import HandlerReturnError
from .exceptions import InvalidNextToken
from .exceptions import InvalidPayload
from .payloads import Result
from .payloads import Session
from .verbs import Hangup
from .verbs import Say
from .verbs import Transfer
from .verbs import Verb

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Flask
    from flask.config import Config

    from .extension import Tropo
    from .extension import _AppState

__all__ = ["TropoBlueprint", "HandlerT"]

#: A Tropo handler: takes a :class:`~flask_tropo.Session` or
#: :class:`~flask_tropo.Result` (plus any URL variables as keyword arguments),
#: returns verbs or a response; may be ``async def``.
HandlerT = t.TypeVar("HandlerT", bound=c.Callable[..., t.Any])

#: The kinds of Tropo routes.
Kind = t.Literal["session", "result", "hangup", "error"]

# GET is registered too, so that a GET is answered with the JSON 405 of the
# blueprint's error handler instead of the app's own 405 page.
_METHODS = ["GET", "POST"]
_ERROR_KEYS = {401: "authorization", 405: "method", 413: "body"}


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
    """

    def __init__(self, name: str, import_name: str, **kwargs: t.Any) -> None:
        super().__init__(name, import_name, **kwargs)
        # (rule, endpoint, kind) of each Tropo route, in order.
        self._tropo_routes: list[tuple[str, str, Kind]] = []
        self.register_error_handler(HTTPException, _error_response)

    # -- decorators ------------------------------------------------------------

    def on_session(
        self, rule: str, **options: t.Any
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
        return self._decorator("session", "on_session", rule, options)

    def on_result(
        self, rule: str, **options: t.Any
    ) -> c.Callable[[HandlerT], HandlerT]:
        """Register the handler of a result document, the target of
        ``On(event, next=handler)``. The request must carry the signed token
        of its ``next`` URL; :data:`~flask_tropo.call_state` holds what the
        previous handler left in it. The function is returned unchanged.

        .. code-block:: python

            @bp.on_result("/pin")
            def check_pin(result):
                return [Say(f"You entered {result.value}"), Hangup()]

        :param rule: the URL rule.
        :param options: passed to :meth:`~flask.Blueprint.add_url_rule`.
        """
        return self._decorator("result", "on_result", rule, options)

    def on_hangup(
        self, rule: str, **options: t.Any
    ) -> c.Callable[[HandlerT], HandlerT]:
        """Register a default handler of the ``hangup`` event: a result
        route added as ``On("hangup", next=handler)`` to every document without
        a top-level ``On("hangup")`` (Tropo forgets handlers at each document).
        A blueprint's documents use its own; others the first one registered
        on the app. The function is returned unchanged.

        .. code-block:: python

            @bp.on_hangup("/hangup")
            def hung_up(result):
                return Hangup()

        :param rule: the URL rule.
        :param options: passed to :meth:`~flask.Blueprint.add_url_rule`.
        """
        return self._decorator("hangup", "on_hangup", rule, options)

    def on_error(self, rule: str, **options: t.Any) -> c.Callable[[HandlerT], HandlerT]:
        """Register a default handler of the ``error`` event (a platform
        error), added to documents like :meth:`on_hangup`. The function is
        returned unchanged.

        .. code-block:: python

            @bp.on_error("/error")
            def platform_error(result):
                return [Say("Sorry, please call again."), Hangup()]

        :param rule: the URL rule.
        :param options: passed to :meth:`~flask.Blueprint.add_url_rule`.
        """
        return self._decorator("error", "on_error", rule, options)

    # -- add_* twins -----------------------------------------------------------

    def add_session_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: c.Callable[..., t.Any] | None = None,
        **options: t.Any,
    ) -> None:
        """The twin of :meth:`on_session`, like :meth:`~flask.Blueprint.add_url_rule`.

        :param rule: the URL rule.
        :param endpoint: default ``view_func.__name__``.
        :param view_func: the handler.
        :param options: passed to :meth:`~flask.Blueprint.add_url_rule`.
        """
        self._add_tropo_rule(
            "session", "add_session_rule", rule, endpoint, view_func, options
        )

    def add_result_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: c.Callable[..., t.Any] | None = None,
        **options: t.Any,
    ) -> None:
        """The twin of :meth:`on_result`, like :meth:`~flask.Blueprint.add_url_rule`.

        :param rule: the URL rule.
        :param endpoint: default ``view_func.__name__``.
        :param view_func: the handler.
        :param options: passed to :meth:`~flask.Blueprint.add_url_rule`.
        """
        self._add_tropo_rule(
            "result", "add_result_rule", rule, endpoint, view_func, options
        )

    def add_hangup_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: c.Callable[..., t.Any] | None = None,
        **options: t.Any,
    ) -> None:
        """The twin of :meth:`on_hangup`, like :meth:`~flask.Blueprint.add_url_rule`.

        :param rule: the URL rule.
        :param endpoint: default ``view_func.__name__``.
        :param view_func: the handler.
        :param options: passed to :meth:`~flask.Blueprint.add_url_rule`.
        """
        self._add_tropo_rule(
            "hangup", "add_hangup_rule", rule, endpoint, view_func, options
        )

    def add_error_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: c.Callable[..., t.Any] | None = None,
        **options: t.Any,
    ) -> None:
        """The twin of :meth:`on_error`, like :meth:`~flask.Blueprint.add_url_rule`.

        :param rule: the URL rule.
        :param endpoint: default ``view_func.__name__``.
        :param view_func: the handler.
        :param options: passed to :meth:`~flask.Blueprint.add_url_rule`.
        """
        self._add_tropo_rule(
            "error", "add_error_rule", rule, endpoint, view_func, options
        )

    # -- internals -------------------------------------------------------------

    def _decorator(
        self, kind: Kind, name: str, rule: str, options: dict[str, t.Any]
    ) -> c.Callable[[HandlerT], HandlerT]:
        _no_methods(name, options)

        def decorator(f: HandlerT) -> HandlerT:
            endpoint = options.pop("endpoint", None)
            self._add_tropo_rule(kind, name, rule, endpoint, f, options)
            return f

        return decorator

    def _add_tropo_rule(
        self,
        kind: Kind,
        name: str,
        rule: str,
        endpoint: str | None,
        view_func: c.Callable[..., t.Any] | None,
        options: dict[str, t.Any],
    ) -> None:
        _no_methods(name, options)
        if view_func is None or not callable(view_func):
            raise TypeError(f"{name}() needs the handler function as view_func.")
        if endpoint is None:
            endpoint = view_func.__name__
        if self._got_registered_once:
            raise RuntimeError(
                f"Cannot add the Tropo route {rule!r} ({endpoint}): the blueprint"
                f" {self.name!r} is already registered on an app, and routes added"
                " now would never be served. Import the modules that define"
                " handlers before calling init_app() or register_blueprint(), or"
                " put these handlers on a TropoBlueprint and register it after"
                " defining them."
            )
        self.add_url_rule(
            rule, endpoint, _TropoView(kind, view_func), methods=_METHODS, **options
        )
        self._tropo_routes.append((rule, endpoint, kind))


def _no_methods(name: str, options: c.Mapping[str, t.Any]) -> None:
    if "methods" in options:
        raise TypeError(
            f"{name}() takes no 'methods': Tropo always POSTs, so Tropo routes"
            " accept only POST. Use route() for other methods."
        )


def _app_state(app: Flask) -> _AppState:
    tropo: Tropo | None = app.extensions.get("tropo")
    if tropo is None:
        raise RuntimeError(
            "The Tropo extension is not initialized on this app: did you forget"
            " to call Tropo().init_app(app)? TropoBlueprint routes need it."
        )
    return tropo._states[app]


# -- the view ------------------------------------------------------------------


class _TropoView:
    """The view function registered for one Tropo route.

    Internal; may change at any time.

    :meta private:
    """

    __slots__ = ("kind", "handler")

    def __init__(self, kind: Kind, handler: c.Callable[..., t.Any]) -> None:
        #: ``"session"``, ``"result"``, ``"hangup"`` or ``"error"``.
        self.kind = kind
        #: The user's handler.
        self.handler = handler

    def __repr__(self) -> str:
        return f"<Tropo {self.kind} view of {self.handler!r}>"

    def __call__(self, **view_args: t.Any) -> Response:
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        state = _app_state(app)
        config = app.config
        if request.method != "POST":
            raise MethodNotAllowed(
                valid_methods=["POST"],
                description="Tropo routes accept only POST: Tropo posts its"
                " session and result documents.",
            )
        _check_auth(app, config)
        body = _read_body(app, config)
        endpoint = t.cast(str, request.endpoint)
        try:
            payload = (Session if self.kind == "session" else Result).parse(body)
        except InvalidPayload as exc:
            _reject(app, "invalid-payload", exc)
            raise
        kwargs: dict[str, t.Any]
        if isinstance(payload, Session):
            call = _Call(payload.id, {})
            signal, kwargs = signals.session_received, {"session": payload}
        else:
            try:
                restored = state.tokens.restore(config, payload, endpoint)
            except InvalidNextToken as exc:
                _reject(app, "invalid-token", exc)
                raise
            call = _Call(payload.session_id, restored)
            signal, kwargs = signals.result_received, {"result": payload}
        state.routes.refresh(app)
        setattr(g, _G_KEY, call)
        try:
            signal.send(app, _async_wrapper=app.ensure_sync, **kwargs)
            return self._respond(app, state, call, endpoint, payload, view_args)
        finally:
            g.pop(_G_KEY, None)

    def _respond(
        self,
        app: Flask,
        state: _AppState,
        call: _Call,
        endpoint: str,
        payload: Session | Result,
        view_args: dict[str, t.Any],
    ) -> Response:
        config = app.config
        try:
            rv = app.ensure_sync(self.handler)(payload, **view_args)
            if isinstance(rv, Response):
                return rv
            verbs, rest = _unpack(rv, endpoint)
            blueprint = request.blueprint
            state.routes.add_defaults(verbs, blueprint)
            document = render(verbs, next_url=_Linker(state, config, call, blueprint))
            response = app.make_response((document, *rest) if rest else document)
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
            signals.handler_failed.send(
                app, _async_wrapper=app.ensure_sync, exception=exc
            )
            document = render(_apology(config))
            response = app.make_response(document)
        signals.response_rendered.send(
            app, _async_wrapper=app.ensure_sync, document=document
        )
        return response


def _unpack(rv: t.Any, endpoint: str) -> tuple[list[Verb], tuple[t.Any, ...]]:
    """Split a handler's return value into its verbs and the status and
    headers of a ``(verbs, status[, headers])`` tuple.

    :meta private:
    """
    rest: tuple[t.Any, ...] = ()
    if isinstance(rv, tuple) and len(rv) in (2, 3) and not isinstance(rv[1], Verb):
        rv, rest = rv[0], rv[1:]
        if not isinstance(rest[0], (int, str, c.Mapping, Headers, list)):
            raise HandlerReturnError(
                f"The Tropo handler of endpoint {endpoint!r} returned a tuple with"
                f" a {type(rest[0]).__name__}; return (verbs, status),"
                " (verbs, headers) or (verbs, status, headers)."
            )
    if isinstance(rv, Verb):
        return [rv], rest
    if isinstance(rv, c.Iterable) and not isinstance(rv, (str, bytes, c.Mapping)):
        verbs = list(rv)
        for item in verbs:
            if not isinstance(item, Verb):
                raise HandlerReturnError(
                    f"The Tropo handler of endpoint {endpoint!r} returned a list"
                    f" holding a {type(item).__name__} ({item!r}); every item must"
                    " be a verb from flask_tropo.verbs."
                )
        return verbs, rest
    hint = " (did it forget to return?)" if rv is None else ""
    raise HandlerReturnError(
        f"The Tropo handler of endpoint {endpoint!r} returned {type(rv).__name__}"
        f"{hint}; return a verb, a list of verbs, a (verbs, status[, headers])"
        " tuple or a Response."
    )


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


def _check_auth(app: Flask, config: Config) -> None:
    expected = config["TROPO_BASIC_AUTH"]
    if expected is None:
        return
    user, password = expected
    auth = request.authorization
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


def _read_body(app: Flask, config: Config) -> bytes:
    limit = config["TROPO_MAX_CONTENT_LENGTH"]
    if limit is None:
        return request.get_data()
    length = request.content_length
    if length is None or length <= limit:
        # Also enforced while reading, for chunked bodies without a length;
        # werkzeug stops quietly at the limit, so read one byte more.
        request.max_content_length = limit + 1
        try:
            body = request.get_data()
        except RequestEntityTooLarge:
            pass
        else:
            if len(body) <= limit:  # the stream may have been read before
                return body
    exc = RequestEntityTooLarge(
        description=f"The request body is larger than the {limit} bytes allowed"
        " on Tropo routes (TROPO_MAX_CONTENT_LENGTH)."
    )
    _reject(app, "too-large", exc)
    raise exc


def _reject(app: Flask, reason: str, exc: HTTPException) -> None:
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

    Registered on each :class:`TropoBlueprint`, never on the app.

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
