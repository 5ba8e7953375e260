"""The signed tokens of ``next`` URLs: signing and checking.

A token has the format of itsdangerous'
:class:`~itsdangerous.url_safe.URLSafeTimedSerializer` with a SHA-256
:class:`~itsdangerous.timed.TimestampSigner` and the salt ``_SALT``:
``payload.timestamp.signature``, each part URL-safe base64 without padding,
the payload being the compact JSON of ``[session id, endpoint, state]``,
zlib-compressed (and prefixed with ``.``) when that is shorter. JSON under
``_COMPRESS_FROM`` bytes is tried compressed only when the token would
otherwise be above ``TROPO_MAX_STATE_BYTES``.

Both ends run on every chained request, so the work itsdangerous redoes on
each call is done once here: the HMAC key is derived once per secret key
(``TimestampSigner.derive_key``) and its inner and outer SHA-256 states are
computed once and copied per call, the JSON encoder and scanner are built
once, and the timestamp is encoded once per second. A stock
``URLSafeTimedSerializer(key, salt="flask-tropo.next",
signer_kwargs={"digest_method": hashlib.sha256})`` reads the tokens made
here, and the tokens it makes are read here (``tests/test_tokens.py``).

Internal; may change at any time.
"""

from __future__ import annotations

import collections.abc as c
import hashlib
import hmac
import json
import json.encoder
import time
import typing as t
import zlib
from binascii import a2b_base64
from binascii import b2a_base64

from itsdangerous import BadData
from itsdangerous import BadPayload
from itsdangerous import BadSignature
from itsdangerous import BadTimeSignature
from itsdangerous import TimestampSigner
from itsdangerous.encoding import int_to_bytes

from .exceptions import InvalidNextToken
from .exceptions import StateTooLarge
from .exceptions import TropoError

if t.TYPE_CHECKING:  # pragma: no cover
    from flask.config import Config

    from .payloads import Result

#: The query parameter that carries the signed token of a ``next`` URL.
NEXT_PARAM = "tropo_token"

_SALT = "flask-tropo.next"
#: JSON this long or longer is zlib-compressed when that makes it shorter;
#: shorter JSON only when its token would be above TROPO_MAX_STATE_BYTES
#: (compressing costs more than the rest of signing, and a short payload
#: seldom gains).
_COMPRESS_FROM = 256

# -- JSON ---------------------------------------------------------------------

#: itsdangerous' ``_CompactJSON``: compact, UTF-8 where it can be.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
#: The same in ASCII, for a state with a lone surrogate (no UTF-8 form).
_ASCII_JSON = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))
#: A JSON string, as ``_JSON`` writes it.
_json_str: c.Callable[[str], str] = json.encoder.encode_basestring


def _make_chunks() -> c.Callable[[t.Any, int], c.Sequence[str]]:
    """The C encoder that ``_JSON.encode`` builds on every call, built once.

    It has no circular-reference check (that is a ``RecursionError`` here);
    :func:`_dump_json` then encodes again with ``_JSON``, for its error.

    :meta private:
    """
    make: t.Any = getattr(json.encoder, "c_make_encoder", None)
    probe = [_SALT, 1.5, {"é": [None, True]}]
    try:
        # The arguments JSONEncoder.iterencode passes: no markers, default,
        # string encoder, indent, separators, sort_keys, skipkeys, allow_nan.
        chunks = make(
            None, _JSON.default, _json_str, None, ":", ",", False, False, True
        )
        if "".join(chunks(probe, 0)) == _JSON.encode(probe):
            return t.cast("c.Callable[[t.Any, int], c.Sequence[str]]", chunks)
    except TypeError:  # pragma: no cover - no _json module, or a new signature
        pass
    return lambda value, level: (_JSON.encode(value),)  # pragma: no cover


_chunks = _make_chunks()
#: The scanner of :func:`json.loads`: ``(text, index) -> (value, end)``.
_scan: c.Callable[[str, int], tuple[t.Any, int]] = t.cast(
    t.Any,
    json.JSONDecoder(),  # typeshed does not list its scan_once
).scan_once


def _dump_json(session_id: str, endpoint: str, state: dict[str, t.Any]) -> bytes:
    """The payload of a token, as the stock encoder writes it (the slow path
    of :meth:`_Tokens.dumps`, for a state that is not JSON, circular, or
    with a lone surrogate).

    :raise TropoError: a value in the state is not JSON-serializable.
    :meta private:
    """
    payload = [session_id, endpoint, state]
    try:
        try:
            return _JSON.encode(payload).encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate (a "\ud800" escape in a posted document) has
            # no UTF-8 form; ASCII JSON escapes it again, and loads() reads
            # both forms.
            return _ASCII_JSON.encode(payload).encode("ascii")
    except (TypeError, ValueError) as exc:
        raise _not_json(state, exc) from exc


def _load_json(data: bytes) -> t.Any:
    """The value of a token's JSON, as itsdangerous reads it
    (``json.loads(data.decode("utf-8"))``).

    :raise ValueError: not UTF-8, or not JSON.
    :meta private:
    """
    text = data.decode("utf-8")
    try:
        value, end = _scan(text, 0)
        if end == len(text):
            return value
    except StopIteration:
        pass
    # Whitespace around the value, more than one value, or none: json.loads
    # decides.
    return json.loads(text)


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


# -- base64 and HMAC ----------------------------------------------------------

_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")
#: The padding of base64 data, by its length modulo 4.
_PADDING = (b"", b"===", b"==", b"=")


def _b64(data: bytes) -> bytes:
    """itsdangerous' ``base64_encode``: URL-safe, without padding.

    :meta private:
    """
    return b2a_base64(data, newline=False).translate(_TO_URLSAFE).rstrip(b"=")


def _unb64(data: bytes) -> bytes:
    """itsdangerous' ``base64_decode`` of bytes: padded, then decoded as
    :func:`base64.urlsafe_b64decode` does (characters outside the alphabet
    are dropped).

    :raise binascii.Error: not base64 (a :exc:`ValueError`).
    :meta private:
    """
    return a2b_base64((data + _PADDING[len(data) & 3]).translate(_FROM_URLSAFE))


class _HMAC:
    """HMAC-SHA256 (RFC 2104) with the key's inner and outer hashes computed
    once; each :meth:`digest` copies them. The same MAC as
    ``hmac.new(key, msg, hashlib.sha256).digest()``.

    :meta private:
    """

    __slots__ = ("inner", "outer")

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:  # the block size of SHA-256
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self.inner = hashlib.sha256(key.translate(hmac.trans_36))
        self.outer = hashlib.sha256(key.translate(hmac.trans_5C))

    def digest(self, msg: bytes) -> bytes:
        inner = self.inner.copy()
        inner.update(msg)
        outer = self.outer.copy()
        outer.update(inner.digest())
        return outer.digest()


# -- tokens -------------------------------------------------------------------


class _Signer:
    """Signs and reads tokens in the format of itsdangerous'
    :class:`~itsdangerous.url_safe.URLSafeTimedSerializer` with a SHA-256
    :class:`~itsdangerous.timed.TimestampSigner`, for one secret key (or list
    of keys: the last signs, any reads).

    itsdangerous derives the HMAC keys and reads the clock
    (``TimestampSigner.derive_key`` and ``get_timestamp``, so that patching
    its clock patches this one); the rest is done here.

    Internal; may change at any time.

    :meta private:
    """

    __slots__ = ("_stamper", "_macs", "_inner", "_outer", "_stamp")

    def __init__(self, key: t.Any) -> None:
        stamper = TimestampSigner(key, salt=_SALT, digest_method=hashlib.sha256)
        self._stamper = stamper
        # The signing key first (itsdangerous signs with the last key and
        # tries them all, last first, when reading).
        self._macs = tuple(
            _HMAC(stamper.derive_key(secret))
            for secret in reversed(stamper.secret_keys)
        )
        self._inner = self._macs[0].inner
        self._outer = self._macs[0].outer
        # The last timestamp and its encoding, after its dot.
        self._stamp: tuple[int, bytes] = (-1, b"")

    def sign(self, data: bytes, compress: bool = False) -> str:
        """The token of the JSON ``data``, as
        ``URLSafeTimedSerializer.dumps`` makes it; ``compress``: try zlib.
        """
        if compress:
            compressed = zlib.compress(data)
            if len(compressed) < len(data) - 1:
                data = b"." + b2a_base64(compressed, newline=False)
            else:
                data = b2a_base64(data, newline=False)
        else:
            data = b2a_base64(data, newline=False)
        now = self._stamper.get_timestamp()
        stamp = self._stamp
        if stamp[0] != now:
            stamp = self._stamp = (now, b"." + _b64(int_to_bytes(now)))
        # URL-safe and without padding in one pass; the timestamp already is.
        value = data.translate(_TO_URLSAFE, b"=") + stamp[1]
        inner = self._inner.copy()
        inner.update(value)
        outer = self._outer.copy()
        outer.update(inner.digest())
        signature = b2a_base64(outer.digest(), newline=False)
        return f"{value.decode()}.{signature.translate(_TO_URLSAFE, b'=').decode()}"

    def unsign(self, token: str) -> tuple[t.Any, int]:
        """The data of a token and when it was issued (a Unix time), checked
        as ``URLSafeTimedSerializer.loads`` checks it (no age limit).

        :raise BadData: the token is not valid.
        """
        value, sep, signature = token.encode().rpartition(b".")
        if not sep:
            raise BadSignature("No b'.' found in value")
        try:
            given = a2b_base64(
                (signature + _PADDING[len(signature) & 3]).translate(_FROM_URLSAFE)
            )
        except ValueError as exc:
            raise BadSignature("Signature does not match", payload=value) from exc
        for mac in self._macs:
            inner = mac.inner.copy()
            inner.update(value)
            outer = mac.outer.copy()
            outer.update(inner.digest())
            if hmac.compare_digest(given, outer.digest()):
                break
        else:
            raise BadSignature("Signature does not match", payload=value)
        payload, sep, stamp = value.rpartition(b".")
        if not sep:
            raise BadTimeSignature("timestamp missing", payload=value)
        try:
            issued = int.from_bytes(
                a2b_base64((stamp + _PADDING[len(stamp) & 3]).translate(_FROM_URLSAFE)),
                "big",
            )
        except ValueError as exc:
            raise BadTimeSignature("Malformed timestamp", payload=payload) from exc
        try:
            if payload[:1] == b".":
                data = zlib.decompress(_unb64(payload[1:]))
            else:
                data = a2b_base64(
                    (payload + _PADDING[len(payload) & 3]).translate(_FROM_URLSAFE)
                )
            return _load_json(data), issued
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

    def _signer(self, key: t.Any) -> _Signer:
        """A signer for ``key``, cached for the next calls (which
        :meth:`dumps` and :meth:`loads` look up themselves).
        """
        if not key:
            raise RuntimeError(
                "flask-tropo signs next URLs and needs a secret key: set"
                " TROPO_SECRET_KEY (or Flask's SECRET_KEY) in app.config."
            )
        signer = _Signer(key)
        # A copy of a list of keys, so that a key added to the list in place
        # is seen.
        self._cached = (list(key) if isinstance(key, list) else key, signer)
        return signer

    def dumps(
        self, config: Config, session_id: str, endpoint: str, state: dict[str, t.Any]
    ) -> str:
        """Sign a token for ``endpoint`` carrying ``state``.

        :raise TropoError: a value in the state is not JSON-serializable.
        :raise StateTooLarge: the token is above ``TROPO_MAX_STATE_BYTES``.
        """
        key = config["TROPO_SECRET_KEY"] or config["SECRET_KEY"]
        cached = self._cached
        signer = (
            cached[1] if cached is not None and cached[0] == key else self._signer(key)
        )
        try:
            data = (
                f"[{_json_str(session_id)},{_json_str(endpoint)},"
                f"{''.join(_chunks(state, 0)) if state else '{}'}]"
            ).encode()
        except (TypeError, ValueError, RecursionError):
            data = _dump_json(session_id, endpoint, state)
        long = len(data) >= _COMPRESS_FROM
        token = signer.sign(data, long)
        limit = config["TROPO_MAX_STATE_BYTES"]
        if limit is not None and len(token) > limit:
            if not long:
                token = signer.sign(data, True)
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
        key = config["TROPO_SECRET_KEY"] or config["SECRET_KEY"]
        cached = self._cached
        signer = (
            cached[1] if cached is not None and cached[0] == key else self._signer(key)
        )
        try:
            data, issued = signer.unsign(token)
        except BadData as exc:
            raise InvalidNextToken(
                "The next token is invalid: it was altered, or signed with another"
                " secret key."
            ) from exc
        # The age is checked here: itsdangerous would also refuse a token
        # issued "in the future", by a host whose clock is a little ahead.
        max_age = config["TROPO_NEXT_MAX_AGE"]
        if max_age is not None and int(time.time()) - issued > max_age:
            raise InvalidNextToken(
                f"The next token has expired: it is older than TROPO_NEXT_MAX_AGE"
                f" ({max_age} seconds)."
            )
        if type(data) is not list or len(data) != 3 or type(data[2]) is not dict:
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
