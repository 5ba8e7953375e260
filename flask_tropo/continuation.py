"""Signed ``next`` URLs, and :data:`call_state`, the state of the current call.

``On(next=handler)`` renders the URL of the handler's route with a signed token
in the query string, ``?tropo_token=...``. The token has the
format of itsdangerous' :class:`~itsdangerous.url_safe.URLSafeTimedSerializer`
(HMAC SHA-256, key ``TROPO_SECRET_KEY`` or else ``SECRET_KEY``, a salt of its
own; ``payload.timestamp.signature``, URL-safe base64) and binds:

- the session id of the call;
- the endpoint of the route it was rendered for;
- the time it was issued (checked against ``TROPO_NEXT_MAX_AGE``);
- the call state, as compact JSON, zlib-compressed when that is shorter; JSON
  under ``_COMPRESS_FROM`` bytes is tried only when the token would otherwise
  be above ``TROPO_MAX_STATE_BYTES``.

The tokens are signed and checked in :mod:`flask_tropo._tokens`, without
building itsdangerous serializers per request: a stock serializer reads the
tokens made there, and they are made as it makes them, except that short JSON
is left uncompressed (``tests/test_tokens.py``).

A result route refuses a missing, tampered, expired or foreign token with
``403``. The state needs no server-side store, so a call may hop between
workers and hosts. The token is signed, not encrypted: whoever sees the URL
(Tropo, proxy logs) can read the state, so keep secrets out of it.
"""

from __future__ import annotations

import collections.abc as c
import contextvars
import typing as t

from ._tokens import _HMAC as _HMAC
from ._tokens import _SALT as _SALT
from ._tokens import NEXT_PARAM as NEXT_PARAM
from ._tokens import _Signer as _Signer
from ._tokens import _Tokens as _Tokens
from .exceptions import TropoError

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Flask
    from flask.config import Config
    from werkzeug.routing import MapAdapter

    from .extension import _AppState

__all__ = ["NEXT_PARAM", "call_state"]


class _Call:
    """The call the current Tropo request belongs to, set in :data:`_CALL`
    while a Tropo view runs.

    Internal; may change at any time.

    :meta private:
    """

    __slots__ = ("session_id", "state")

    def __init__(self, session_id: str, state: dict[str, t.Any]) -> None:
        self.session_id = session_id
        self.state = state


#: The call of the Tropo view that is running, if any (a context variable, as
#: Flask's own request and app contexts are).
_CALL: contextvars.ContextVar[_Call | None] = contextvars.ContextVar(
    "flask_tropo_call", default=None
)


def _current_call() -> _Call:
    """The :class:`_Call` of the request, or a :exc:`RuntimeError`.

    :meta private:
    """
    call = _CALL.get()
    if call is None:
        raise RuntimeError(
            "call_state is only available while a Tropo handler runs, in a"
            " request to a route registered with on_session, on_result,"
            " on_hangup or on_error. To unit-test a handler that uses it, post"
            " to its route with the test client."
        )
    return call


class _CallStateProxy(c.MutableMapping[str, t.Any]):
    """The dict of the current call; see :data:`call_state`.

    Internal; use the :data:`call_state` instance.

    :meta private:
    """

    __slots__ = ()

    def __getitem__(self, key: str) -> t.Any:
        return _current_call().state[key]

    def __setitem__(self, key: str, value: t.Any) -> None:
        if not isinstance(key, str):
            raise TropoError(
                f"call_state keys must be strings (they travel as JSON object keys),"
                f" got {key!r} ({type(key).__name__})."
            )
        _current_call().state[key] = value

    def __delitem__(self, key: str) -> None:
        del _current_call().state[key]

    def __iter__(self) -> c.Iterator[str]:
        return iter(_current_call().state)

    def __len__(self) -> int:
        return len(_current_call().state)

    def __bool__(self) -> bool:
        # Outside a Tropo request the proxy is empty rather than an error, so
        # that logging ("%r", call_state), debuggers and doc tools can look at
        # it; every other use still raises.
        call = _CALL.get()
        return call is not None and bool(call.state)

    def __contains__(self, key: object) -> bool:
        return key in _current_call().state

    def get(self, key: str, default: t.Any = None) -> t.Any:
        return _current_call().state.get(key, default)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, c.Mapping):
            return _current_call().state == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        try:
            return f"<call_state {_current_call().state!r}>"
        except RuntimeError:
            return "<call_state (no Tropo request)>"


call_state: c.MutableMapping[str, t.Any] = _CallStateProxy()
"""The state of the current call, a dict-like proxy.

Empty in a session handler; in a result handler, what the previous handler
left in it. Whatever a handler leaves in it rides, signed, in every ``next``
URL its document renders, so it survives any number of steps, workers and
hosts without a server-side store.

.. code-block:: python

    from flask_tropo import call_state

    @tropo.on_session("/voice")
    def incoming(session):
        call_state["tries"] = 0
        return [Ask("[4 DIGITS]", say="Your PIN?"), On("continue", next=check)]

    @tropo.on_result("/check")
    def check(result):
        call_state["tries"] += 1
        ...

Keys are strings and values must be JSON-serializable (strings, numbers,
booleans, ``None``, lists and dicts of them); tuples come back as lists.
Anything else is a :exc:`~flask_tropo.TropoError` when the document renders.
A token above ``TROPO_MAX_STATE_BYTES`` is a
:exc:`~flask_tropo.exceptions.StateTooLarge`: keep ids in the state and the
data in your database. Outside a Tropo request, using it is a
:exc:`RuntimeError`.
"""


class _Linker:
    """The ``next_url`` callable of one render: resolves a handler to its
    route and returns the route's URL with a signed token.

    Internal; may change at any time.

    :meta private:
    """

    __slots__ = (
        "_app",
        "_app_state",
        "_config",
        "_call",
        "_blueprint",
        "_adapter",
        "_urls",
    )

    def __init__(
        self,
        app: Flask,
        app_state: _AppState,
        config: Config,
        call: _Call,
        blueprint: str | None,
        adapter: MapAdapter | None,
    ) -> None:
        self._app = app
        self._app_state = app_state
        self._config = config
        self._call = call
        self._blueprint = blueprint
        self._adapter = adapter
        self._urls: dict[str, str] = {}

    def __call__(self, handler: c.Callable[..., t.Any]) -> str:
        routes = self._app_state.routes
        endpoint = routes.resolve(handler, self._blueprint)
        url = self._urls.get(endpoint)
        if url is None:
            call = self._call
            token = self._app_state.tokens.dumps(
                self._config, call.session_id, endpoint, call.state
            )
            base = routes.link(
                self._app, self._adapter, endpoint, self._config["TROPO_EXTERNAL_URL"]
            )
            url = self._urls[endpoint] = f"{base}{NEXT_PARAM}={token}"
        return url
