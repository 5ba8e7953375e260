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

The token is signed and checked here, with HMAC-SHA256 keyed once per secret
key with the key that itsdangerous derives (``TimestampSigner.derive_key``),
so that a request does not pay for building serializers and signers. The
tokens are those itsdangerous makes, byte for byte except that short JSON is
left uncompressed: a stock ``URLSafeTimedSerializer(key,
salt="flask-tropo.next", signer_kwargs={"digest_method": hashlib.sha256})``
reads them, and this module reads the tokens it makes
(``tests/test_tokens.py``).

A result route refuses a missing, tampered, expired or foreign token with
``403``. The state needs no server-side store, so a call may hop between
workers and hosts. The token is signed, not encrypted: whoever sees the URL
(Tropo, proxy logs) can read the state, so keep secrets out of it.
"""

from __future__ import annotations

import binascii
import collections.abc as c
import contextvars
import hashlib
import hmac
import json
import time
import typing as t
import zlib

from itsdangerous import BadData
from itsdangerous import BadPayload
from itsdangerous import BadSignature
from itsdangerous import BadTimeSignature
from itsdangerous import TimestampSigner
from itsdangerous.encoding import bytes_to_int
from itsdangerous.encoding import int_to_bytes

from .exceptions import InvalidNextToken
from .exceptions import StateTooLarge
from .exceptions import TropoError

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Flask
    from flask.config import Config
    from werkzeug.routing import MapAdapter

    from .extension import _AppState
    from .payloads import Result

__all__ = ["NEXT_PARAM", "call_state"]

#: The query parameter that carries the signed token of a ``next`` URL.
NEXT_PARAM = "tropo_token"

_SALT = "flask-tropo.next"
#: JSON this long or longer is zlib-compressed when that makes it shorter;
#: shorter JSON only when its token would be above TROPO_MAX_STATE_BYTES
#: (compressing costs more than the rest of signing, and a short payload
#: seldom gains).
_COMPRESS_FROM = 256


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


#: itsdangerous' ``_CompactJSON``: compact, UTF-8 where it can be.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
#: The same in ASCII, for a state with a lone surrogate (no UTF-8 form).
_ASCII_JSON = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))


_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")


def _b64(data: bytes) -> bytes:
    """itsdangerous' ``base64_encode``: URL-safe, without padding.

    :meta private:
    """
    return binascii.b2a_base64(data, newline=False).translate(_TO_URLSAFE).rstrip(b"=")


def _unb64(data: bytes) -> bytes:
    """itsdangerous' ``base64_decode`` of bytes: padded, then decoded as
    :func:`base64.urlsafe_b64decode` does (characters outside the alphabet
    are dropped).

    :raise binascii.Error: not base64 (a :exc:`ValueError`).
    :meta private:
    """
    return binascii.a2b_base64(
        (data + b"=" * (-len(data) % 4)).translate(_FROM_URLSAFE)
    )


class _HMAC:
    """HMAC-SHA256 (RFC 2104) with the key's inner and outer hashes computed
    once; each :meth:`digest` copies them. The same MAC as
    ``hmac.new(key, msg, hashlib.sha256).digest()``.

    :meta private:
    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:  # the block size of SHA-256
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(key.translate(hmac.trans_36))
        self._outer = hashlib.sha256(key.translate(hmac.trans_5C))

    def digest(self, msg: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(msg)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()


class _Signer:
    """Signs and reads tokens in the format of itsdangerous'
    :class:`~itsdangerous.url_safe.URLSafeTimedSerializer` with a SHA-256
    :class:`~itsdangerous.timed.TimestampSigner`, for one secret key (or list
    of keys: the last signs, any reads).

    itsdangerous derives the HMAC keys and reads the clock
    (``TimestampSigner.derive_key`` and ``get_timestamp``); the rest is done
    here, with HMACs keyed once.

    Internal; may change at any time.

    :meta private:
    """

    __slots__ = ("_stamper", "_macs", "_stamp")

    def __init__(self, key: t.Any) -> None:
        stamper = TimestampSigner(key, salt=_SALT, digest_method=hashlib.sha256)
        self._stamper = stamper
        # The signing key first (itsdangerous signs with the last key and
        # tries them all, last first, when reading).
        self._macs = tuple(
            _HMAC(stamper.derive_key(secret))
            for secret in reversed(stamper.secret_keys)
        )
        # The last timestamp and its encoding.
        self._stamp: tuple[int, bytes] = (-1, b"")

    def sign(self, data: bytes, compress: bool) -> str:
        """The token of the JSON ``data``, as
        ``URLSafeTimedSerializer.dumps`` makes it; ``compress``: try zlib.
        """
        if compress:
            compressed = zlib.compress(data)
            if len(compressed) < len(data) - 1:
                payload = b"." + _b64(compressed)
            else:
                payload = _b64(data)
        else:
            payload = _b64(data)
        now = self._stamper.get_timestamp()
        stamp = self._stamp
        if stamp[0] != now:
            stamp = self._stamp = (now, _b64(int_to_bytes(now)))
        value = payload + b"." + stamp[1]
        signature = _b64(self._macs[0].digest(value))
        return (value + b"." + signature).decode("ascii")

    def unsign(self, token: str) -> tuple[t.Any, int]:
        """The data of a token and when it was issued (a Unix time), checked
        as ``URLSafeTimedSerializer.loads`` checks it (no age limit).

        :raise BadData: the token is not valid.
        """
        signed = token.encode("utf-8")
        value, sep, signature = signed.rpartition(b".")
        if not sep:
            raise BadSignature("No b'.' found in value")
        try:
            given = _unb64(signature)
        except ValueError as exc:
            raise BadSignature("Signature does not match", payload=value) from exc
        for mac in self._macs:
            if hmac.compare_digest(given, mac.digest(value)):
                break
        else:
            raise BadSignature("Signature does not match", payload=value)
        payload, sep, stamp = value.rpartition(b".")
        if not sep:
            raise BadTimeSignature("timestamp missing", payload=value)
        try:
            issued = bytes_to_int(_unb64(stamp))
        except Exception as exc:
            raise BadTimeSignature("Malformed timestamp", payload=payload) from exc
        try:
            if payload[:1] == b".":
                data = zlib.decompress(_unb64(payload[1:]))
            else:
                data = _unb64(payload)
            return json.loads(data.decode("utf-8")), issued
        except Exception as exc:
            raise BadPayload("Could not load the payload", original_error=exc) from exc


class _Tokens:
    """Signs and checks ``next`` tokens for one app, caching the signer for
    the current secret key.

    Internal; may change at any time.

    :meta private:
    """

    __slots__ = ("_cached",)

    def __init__(self) -> None:
        self._cached: tuple[t.Any, _Signer] | None = None

    def _signer(self, config: Config) -> _Signer:
        key = config["TROPO_SECRET_KEY"] or config["SECRET_KEY"]
        if not key:
            raise RuntimeError(
                "flask-tropo signs next URLs and needs a secret key: set"
                " TROPO_SECRET_KEY (or Flask's SECRET_KEY) in app.config."
            )
        cached = self._cached
        if cached is not None and cached[0] == key:
            return cached[1]
        signer = _Signer(key)
        self._cached = (key, signer)
        return signer

    def dumps(
        self, config: Config, session_id: str, endpoint: str, state: dict[str, t.Any]
    ) -> str:
        """Sign a token for ``endpoint`` carrying ``state``.

        :raise TropoError: a value in the state is not JSON-serializable.
        :raise StateTooLarge: the token is above ``TROPO_MAX_STATE_BYTES``.
        """
        signer = self._signer(config)
        payload = [session_id, endpoint, state]
        try:
            try:
                data = _JSON.encode(payload).encode("utf-8")
            except UnicodeEncodeError:
                # A lone surrogate (a "\ud800" escape in a posted document)
                # has no UTF-8 form; ASCII JSON escapes it again, and loads()
                # reads both forms.
                data = _ASCII_JSON.encode(payload).encode("ascii")
        except (TypeError, ValueError) as exc:
            raise _not_json(state, exc) from exc
        limit = config["TROPO_MAX_STATE_BYTES"]
        long = len(data) >= _COMPRESS_FROM
        token = signer.sign(data, compress=long)
        if limit is not None and len(token) > limit:
            if not long:
                token = signer.sign(data, compress=True)
            if len(token) > limit:
                raise StateTooLarge(
                    f"call_state is too large for a next URL: its signed token is"
                    f" {len(token)} bytes, above the {limit} bytes allowed by"
                    " TROPO_MAX_STATE_BYTES. Keep ids in call_state and the data"
                    " in your database, or raise TROPO_MAX_STATE_BYTES."
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
            data, issued = self._signer(config).unsign(token)
        except BadData as exc:
            raise InvalidNextToken(
                "The next token is invalid: it was altered, or signed with another"
                " secret key."
            ) from exc
        # The age is checked here: itsdangerous would also refuse a token
        # issued "in the future", by a host whose clock is a little ahead.
        if max_age is not None and int(time.time()) - issued > max_age:
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
        self, config: Config, result: Result, endpoint: str, token: str | None
    ) -> dict[str, t.Any]:
        """The call state of ``token``, posted with ``result``; an empty state
        for a bad token when ``TROPO_VERIFY_NEXT`` is off.

        :raise InvalidNextToken: see :meth:`loads`.
        """
        try:
            return self.loads(config, token, result.session_id, endpoint)
        except InvalidNextToken:
            if config["TROPO_VERIFY_NEXT"]:
                raise
            return {}


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
