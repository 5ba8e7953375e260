"""Signed ``next`` URLs, and :data:`call_state`, the state of the current call.

``On(next=handler)`` renders the URL of the handler's route (``url_for``,
under ``TROPO_EXTERNAL_URL`` when it is set) with a signed token in the query
string, ``?tropo_token=...``: an itsdangerous token in the format of
:class:`~itsdangerous.url_safe.URLSafeTimedSerializer`, whose payload, the
JSON of ``[session id, endpoint, state]``, binds the call, the route and the
state; itsdangerous' timestamp binds the time. The state needs no
server-side store; it is signed, not encrypted. See :doc:`/state`.
"""

from __future__ import annotations

import collections.abc as c
import contextvars
import hashlib
import json
import typing as t
import zlib

from flask import request
from flask import url_for
from itsdangerous import BadData
from itsdangerous import SignatureExpired
from itsdangerous import TimestampSigner
from itsdangerous.encoding import base64_decode
from itsdangerous.encoding import base64_encode

from .exceptions import InvalidNextToken
from .exceptions import StateTooLarge
from .exceptions import TropoError

if t.TYPE_CHECKING:  # pragma: no cover
    from flask.config import Config

    from .extension import AppState

__all__ = ["NEXT_PARAM", "call_state"]

#: The query parameter that carries the signed token of a ``next`` URL.
NEXT_PARAM = "tropo_token"
_SALT = "flask-tropo.next"
#: JSON this long or longer is compressed when that is shorter; shorter JSON
#: (a step of a Twilio or jambonz call is a few hundred bytes) only when its
#: token would be above TROPO_MAX_STATE_BYTES (compressing
#: costs more than the rest of signing, and a short payload seldom gains).
_COMPRESS_FROM = 1024
#: The most bytes a compressed payload may inflate to: no state that fits a
#: URL is near it, and a small token cannot grow into megabytes of JSON.
_MAX_INFLATED = 64 * 1024
#: TROPO_NEXT_MAX_AGE = None: no limit, but itsdangerous still refuses
#: tokens dated ahead, which the skew then allows.
_FOREVER = 2**62


class ActiveCall:
    """The call the current Tropo request belongs to, set while a Tropo view
    runs: its session id and its state (restored from the token, or empty).
    Internal."""

    __slots__ = ("session_id", "state")

    def __init__(self, session_id: str, state: dict[str, t.Any]) -> None:
        self.session_id = session_id
        self.state = state


#: The call of the Tropo view that is running (a context variable, as Flask's
#: own contexts are).
CURRENT_CALL: contextvars.ContextVar[ActiveCall | None] = contextvars.ContextVar(
    "flask_tropo_call", default=None
)


def _current() -> dict[str, t.Any]:
    call = CURRENT_CALL.get()
    if call is None:
        raise RuntimeError(
            "call_state is only available while a Tropo handler runs, in a"
            " request to a route registered with on_session, on_result,"
            " on_hangup or on_error. To unit-test a handler that uses it, post"
            " to its route with the test client."
        )
    return call.state


class _CallStateProxy(c.MutableMapping[str, t.Any]):
    """The dict of the current call; see :data:`call_state`. Internal."""

    __slots__ = ()

    def __getitem__(self, key: str) -> t.Any:
        return _current()[key]

    def __setitem__(self, key: str, value: t.Any) -> None:
        if not isinstance(key, str):
            raise TropoError(
                "call_state keys must be strings (they travel as JSON object keys),"
                f" got {key!r} ({type(key).__name__})."
            )
        _current()[key] = value

    def __delitem__(self, key: str) -> None:
        del _current()[key]

    def __iter__(self) -> c.Iterator[str]:
        return iter(_current())

    def __len__(self) -> int:
        return len(_current())

    def __bool__(self) -> bool:
        # Empty rather than an error outside a Tropo request, so that logging
        # ("%r", call_state), debuggers and doc tools can look at it.
        call = CURRENT_CALL.get()
        return call is not None and bool(call.state)

    def __repr__(self) -> str:
        call = CURRENT_CALL.get()
        if call is None:
            return "<call_state (no Tropo request)>"
        return f"<call_state {call.state!r}>"


call_state: c.MutableMapping[str, t.Any] = _CallStateProxy()
"""The state of the current call, a dict-like proxy; see :doc:`/state`."""


class Tokens:
    """Signs and checks the ``next`` tokens of one app with one secret key.
    Internal.

    :param key: the secret key, or a list of keys (the last signs, any
        verifies), as itsdangerous takes them.
    """

    def __init__(self, key: t.Any) -> None:
        if not key:
            raise RuntimeError(
                "flask-tropo signs next URLs and needs a secret key: set"
                " TROPO_SECRET_KEY (or Flask's SECRET_KEY) in app.config."
            )
        self.key = key
        self.signer = TimestampSigner(key, salt=_SALT, digest_method=hashlib.sha256)

    def dumps(
        self,
        config: Config,
        session_id: str,
        endpoint: str,
        state: t.Any,
        step: dict[str, t.Any] | None = None,
    ) -> str:
        """Sign a token for ``endpoint`` carrying ``state``, and ``step``
        when it is given (emulated platforms, :meth:`loads_step`).

        :raise TropoError: a value in the state is not JSON-serializable.
        :raise StateTooLarge: the token is above ``TROPO_MAX_STATE_BYTES``.
        """
        payload = (
            [session_id, endpoint, state]
            if step is None
            else [session_id, endpoint, state, step]
        )
        try:
            try:
                data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
                raw = data.encode()
            except UnicodeEncodeError:
                # A lone surrogate (a "\ud800" escape in a posted document)
                # has no UTF-8 form; ASCII JSON escapes it again.
                raw = json.dumps(payload, separators=(",", ":")).encode()
        except (TypeError, ValueError, RecursionError) as exc:
            raise _not_json(state, exc) from exc
        limit = config["TROPO_MAX_STATE_BYTES"]
        token = self._sign(raw, len(raw) >= _COMPRESS_FROM)
        if limit is not None and len(token) > limit:
            token = self._sign(raw, True)
            if len(token) > limit:
                raise StateTooLarge(
                    f"call_state is too large for a next URL: its signed token is"
                    f" {len(token)} bytes, above the {limit} bytes allowed by"
                    " TROPO_MAX_STATE_BYTES. Keep ids in call_state and the data"
                    " in your database, or raise TROPO_MAX_STATE_BYTES."
                )
        return token

    def _sign(self, data: bytes, compress: bool) -> str:
        payload = base64_encode(data)
        if compress:
            packed = zlib.compress(data)
            if len(packed) < len(data) - 1:  # as URLSafeSerializer decides
                payload = b"." + base64_encode(packed)
        return self.signer.sign(payload).decode("ascii")

    def loads(
        self, config: Config, token: str | None, session_id: str, endpoint: str
    ) -> dict[str, t.Any]:
        """Check a token posted to ``endpoint`` and return its state.

        :raise InvalidNextToken: missing, tampered, expired, dated in the
            future, or issued for another session or route.
        """
        return self.loads_step(config, token, session_id, endpoint)[0]

    def loads_step(
        self, config: Config, token: str | None, session_id: str, endpoint: str
    ) -> tuple[dict[str, t.Any], dict[str, t.Any] | None]:
        """:meth:`loads`, and the step the token carries (``None`` for a
        token without one).

        :raise InvalidNextToken: as :meth:`loads`.
        """
        data = self._load(config, token, endpoint)
        if data[0] != session_id:
            raise InvalidNextToken(
                "The next token was issued for another call session."
            )
        return data[2], data[3] if len(data) == 4 else None

    def open(
        self, config: Config, token: str | None, endpoint: str
    ) -> tuple[str, dict[str, t.Any]]:
        """Check a token posted to ``endpoint`` and return the session id it
        was issued in and its state: what a recording upload, which names no
        session, carries.

        :raise InvalidNextToken: missing, tampered, expired, dated in the
            future, or issued for another route.
        """
        data = self._load(config, token, endpoint)
        return data[0], data[2]

    def _load(self, config: Config, token: str | None, endpoint: str) -> list[t.Any]:
        if not token:
            raise InvalidNextToken(
                f"The {NEXT_PARAM} query parameter is missing: result routes accept"
                " only the next URLs that flask-tropo rendered."
            )
        max_age = config["TROPO_NEXT_MAX_AGE"]
        try:
            try:
                payload = self.signer.unsign(token, max_age=max_age or _FOREVER)
            except SignatureExpired as exc:
                # Signed by this key, but too old, or dated ahead: itsdangerous
                # refuses a token dated even a second ahead, as a host whose
                # clock runs a little ahead of this one may date it.
                signed = exc.date_signed.timestamp() if exc.date_signed else 0
                ahead = signed - self.signer.get_timestamp()
                if ahead <= 0:
                    raise InvalidNextToken(
                        "The next token has expired: it is older than"
                        f" TROPO_NEXT_MAX_AGE ({max_age} seconds)."
                    ) from exc
                if ahead > config["TROPO_NEXT_MAX_SKEW"]:
                    raise InvalidNextToken(
                        "The next token is dated in the future, beyond"
                        f" TROPO_NEXT_MAX_SKEW ({config['TROPO_NEXT_MAX_SKEW']}"
                        " seconds)."
                    ) from exc
                payload = t.cast(bytes, exc.payload)
            data = _decode(payload)
        except (BadData, ValueError, zlib.error, UnicodeError, RecursionError) as exc:
            raise InvalidNextToken(
                "The next token is invalid: it was altered, or signed with another"
                " secret key."
            ) from exc
        if (
            type(data) is not list
            or not 3 <= len(data) <= 4
            or type(data[0]) is not str
            or type(data[2]) is not dict
            or type(data[-1]) is not dict
        ):
            raise InvalidNextToken("The next token is not a flask-tropo token.")
        if data[1] != endpoint:
            raise InvalidNextToken("The next token was issued for another route.")
        return data


def _not_json(state: t.Any, exc: Exception) -> TropoError:
    """Name the state key whose value cannot be written as JSON."""
    where = "call_state"
    for key, value in state.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError, RecursionError):
            where = f"call_state[{key!r}]"
            break
    return TropoError(
        f"{where} cannot ride in a next URL: {exc}. Store only JSON values"
        " (strings, numbers, booleans, None, and lists and dicts of them), for"
        " example an id instead of an object."
    )


def _decode(payload: bytes) -> t.Any:
    """The JSON value of a token's payload, inflating it (at most
    ``_MAX_INFLATED`` bytes) when it is compressed.

    :raise ValueError: not base64, too large once inflated, or not JSON.
    """
    if payload[:1] != b".":
        return json.loads(base64_decode(payload))
    inflater = zlib.decompressobj()
    data = inflater.decompress(base64_decode(payload[1:]), _MAX_INFLATED)
    if inflater.unconsumed_tail or not inflater.eof:
        raise ValueError("the compressed state is too large or truncated")
    return json.loads(data)


class Links:
    """The ``next_url`` of one render: resolves a handler to its route (in
    the blueprint registration that serves the request, else the first) and
    returns the route's URL with a signed token. Internal.

    :param state: the app's Tropo state (routes and tokens).
    :param call: the current call.
    :param blueprint: the dotted name of the blueprint serving the request.
    """

    def __init__(
        self, state: AppState, config: Config, call: ActiveCall, blueprint: str | None
    ) -> None:
        self.state = state
        self.config = config
        self.call = call
        self.blueprint = blueprint
        self.urls: dict[str, str] = {}

    def __call__(self, handler: c.Callable[..., t.Any]) -> str:
        endpoint = self.endpoint(handler)
        url = self.urls.get(endpoint)
        if url is None:
            url = self.urls[endpoint] = self.step_url(endpoint)
        return url

    def endpoint(self, handler: c.Callable[..., t.Any]) -> str:
        """The endpoint ``On(next=handler)`` names.

        :raise TropoError: ``handler`` is not a result route of the app.
        """
        return self.state.routes.resolve(handler, self.blueprint)

    def step_url(
        self, endpoint: str | None, step: dict[str, t.Any] | None = None
    ) -> str:
        """The URL of ``endpoint`` (``None``: the route serving the request)
        with a token of the call state and, for an emulated platform (Twilio,
        jambonz), the ``step`` it resumes with (JSON)."""
        endpoint = endpoint or request.endpoint or ""
        config = self.config
        token = self.state.tokens(config).dumps(
            config, self.call.session_id, endpoint, self.call.state, step
        )
        external = config["TROPO_EXTERNAL_URL"]
        # The platform resolves a relative next URL, but wants a full URL to
        # upload a recording to.
        absolute = not external and endpoint in self.state.routes.uploads
        path = url_for(endpoint, _external=absolute)
        if external and path.startswith("/"):
            path = external.rstrip("/") + path
        return f"{path}{'&' if '?' in path else '?'}{NEXT_PARAM}={token}"
