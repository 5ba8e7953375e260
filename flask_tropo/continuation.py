"""Signed ``next`` URLs, and :data:`call_state`, the state of the current call.

``On(next=handler)`` renders the URL of the handler's route with a signed token
in the query string, ``?tropo_token=...``. The token is made with
itsdangerous' :class:`~itsdangerous.url_safe.URLSafeTimedSerializer` (HMAC
SHA-256, key ``TROPO_SECRET_KEY`` or else ``SECRET_KEY``, a salt of its own)
and binds:

- the session id of the call;
- the endpoint of the route it was rendered for;
- the time it was issued (checked against ``TROPO_NEXT_MAX_AGE``);
- the call state, as compact JSON, zlib-compressed when that is shorter.

A result route refuses a missing, tampered, expired or foreign token with
``403``. The state needs no server-side store, so a call may hop between
workers and hosts. The token is signed, not encrypted: whoever sees the URL
(Tropo, proxy logs) can read the state, so keep secrets out of it.
"""

from __future__ import annotations

import collections.abc as c
import hashlib
import json
import time
import typing as t

from flask import g
from flask import request
from flask import url_for
from itsdangerous import BadData
from itsdangerous import URLSafeTimedSerializer

from .exceptions import InvalidNextToken
from .exceptions import StateTooLarge
from .exceptions import TropoError

if t.TYPE_CHECKING:  # pragma: no cover
    from flask.config import Config

    from .extension import _AppState
    from .payloads import Result

__all__ = ["NEXT_PARAM", "call_state"]

#: The query parameter that carries the signed token of a ``next`` URL.
NEXT_PARAM = "tropo_token"

_SALT = "flask-tropo.next"
_G_KEY = "_tropo_call"


class _Call:
    """The call the current Tropo request belongs to, stored on :data:`flask.g`.

    Internal; may change at any time.

    :meta private:
    """

    __slots__ = ("session_id", "state")

    def __init__(self, session_id: str, state: dict[str, t.Any]) -> None:
        self.session_id = session_id
        self.state = state


def _current_call() -> _Call:
    """The :class:`_Call` of the request, or a :exc:`RuntimeError`.

    :meta private:
    """
    try:
        call = g.get(_G_KEY)
    except RuntimeError:  # no app context at all
        call = None
    if call is None:
        raise RuntimeError(
            "call_state is only available while a Tropo handler runs, in a"
            " request to a route registered with on_session, on_result,"
            " on_hangup or on_error. To unit-test a handler that uses it, post"
            " to its route with the test client."
        )
    return t.cast(_Call, call)


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


class _Tokens:
    """Signs and checks ``next`` tokens for one app, caching the serializer
    for the current secret key.

    Internal; may change at any time.

    :meta private:
    """

    __slots__ = ("_cached",)

    def __init__(self) -> None:
        self._cached: tuple[str | bytes, URLSafeTimedSerializer] | None = None

    def _serializer(
        self, config: Config, *, ascii_only: bool = False
    ) -> URLSafeTimedSerializer:
        key = config["TROPO_SECRET_KEY"] or config["SECRET_KEY"]
        if not key:
            raise RuntimeError(
                "flask-tropo signs next URLs and needs a secret key: set"
                " TROPO_SECRET_KEY (or Flask's SECRET_KEY) in app.config."
            )
        if ascii_only:  # rare, see dumps(): not cached
            return _new_serializer(key, ascii_only=True)
        cached = self._cached
        if cached is not None and cached[0] == key:
            return cached[1]
        serializer = _new_serializer(key)
        self._cached = (key, serializer)
        return serializer

    def dumps(
        self, config: Config, session_id: str, endpoint: str, state: dict[str, t.Any]
    ) -> str:
        """Sign a token for ``endpoint`` carrying ``state``.

        :raise TropoError: a value in the state is not JSON-serializable.
        :raise StateTooLarge: the token is above ``TROPO_MAX_STATE_BYTES``.
        """
        serializer = self._serializer(config)
        payload = [session_id, endpoint, state]
        try:
            try:
                token = serializer.dumps(payload)
            except UnicodeEncodeError:
                # A lone surrogate (a "\ud800" escape in a posted document)
                # has no UTF-8 form; ASCII JSON escapes it again, and loads()
                # reads both forms.
                token = self._serializer(config, ascii_only=True).dumps(payload)
        except (TypeError, ValueError) as exc:
            raise _not_json(state, exc) from exc
        limit = config["TROPO_MAX_STATE_BYTES"]
        if limit is not None and len(token) > limit:
            raise StateTooLarge(
                f"call_state is too large for a next URL: its signed token is"
                f" {len(token)} bytes, above the {limit} bytes allowed by"
                " TROPO_MAX_STATE_BYTES. Keep ids in call_state and the data in"
                " your database, or raise TROPO_MAX_STATE_BYTES."
            )
        return token

    def loads(
        self, config: Config, token: str | None, session_id: str, endpoint: str
    ) -> dict[str, t.Any]:
        """Check a token posted to ``endpoint`` and return its state.

        :raise InvalidNextToken: missing, tampered, expired, or issued for
            another session or route.
        """
        if not token:
            raise InvalidNextToken(
                f"The {NEXT_PARAM} query parameter is missing: result routes accept"
                " only the next URLs that flask-tropo rendered."
            )
        max_age = config["TROPO_NEXT_MAX_AGE"]
        try:
            data, issued = self._serializer(config).loads(token, return_timestamp=True)
        except BadData as exc:
            raise InvalidNextToken(
                "The next token is invalid: it was altered, or signed with another"
                " secret key."
            ) from exc
        # The age is checked here: itsdangerous would also refuse a token
        # issued "in the future", by a host whose clock is a little ahead.
        if max_age is not None and int(time.time()) - int(issued.timestamp()) > max_age:
            raise InvalidNextToken(
                f"The next token has expired: it is older than TROPO_NEXT_MAX_AGE"
                f" ({max_age} seconds)."
            )
        if (
            not isinstance(data, list)
            or len(data) != 3
            or not isinstance(data[2], dict)
        ):
            raise InvalidNextToken("The next token is not a flask-tropo token.")
        if data[0] != session_id:
            raise InvalidNextToken(
                "The next token was issued for another call session."
            )
        if data[1] != endpoint:
            raise InvalidNextToken("The next token was issued for another route.")
        return data[2]

    def restore(
        self, config: Config, result: Result, endpoint: str
    ) -> dict[str, t.Any]:
        """The call state of the token posted with ``result``; an empty state
        for a bad token when ``TROPO_VERIFY_NEXT`` is off.

        :raise InvalidNextToken: see :meth:`loads`.
        """
        token = request.args.get(NEXT_PARAM)
        try:
            return self.loads(config, token, result.session_id, endpoint)
        except InvalidNextToken:
            if config["TROPO_VERIFY_NEXT"]:
                raise
            return {}


def _new_serializer(
    key: str | bytes, *, ascii_only: bool = False
) -> URLSafeTimedSerializer:
    """The token serializer for ``key``; ``ascii_only`` writes ASCII JSON.

    :meta private:
    """
    return URLSafeTimedSerializer(
        key,
        salt=_SALT,
        serializer_kwargs={"ensure_ascii": True} if ascii_only else None,
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def _not_json(state: dict[str, t.Any], exc: Exception) -> TropoError:
    """Name the state key whose value cannot be written as JSON.

    :meta private:
    """
    where = "call_state"
    for key, value in state.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            where = f"call_state[{key!r}]"
            break
    return TropoError(
        f"{where} cannot ride in a next URL: {exc}. Store only JSON values"
        " (strings, numbers, booleans, None, and lists and dicts of them), for"
        " example an id instead of an object."
    )


class _Linker:
    """The ``next_url`` callable of one render: resolves a handler to its
    route and returns the route's URL with a signed token.

    Internal; may change at any time.

    :meta private:
    """

    __slots__ = ("_app_state", "_config", "_call", "_blueprint", "_urls")

    def __init__(
        self, app_state: _AppState, config: Config, call: _Call, blueprint: str | None
    ) -> None:
        self._app_state = app_state
        self._config = config
        self._call = call
        self._blueprint = blueprint
        self._urls: dict[str, str] = {}

    def __call__(self, handler: c.Callable[..., t.Any]) -> str:
        endpoint = self._app_state.routes.resolve(handler, self._blueprint)
        url = self._urls.get(endpoint)
        if url is None:
            call = self._call
            token = self._app_state.tokens.dumps(
                self._config, call.session_id, endpoint, call.state
            )
            path = url_for(endpoint)
            external = self._config["TROPO_EXTERNAL_URL"]
            if external and path.startswith("/"):
                path = external.rstrip("/") + path
            separator = "&" if "?" in path else "?"
            url = self._urls[endpoint] = f"{path}{separator}{NEXT_PARAM}={token}"
        return url
