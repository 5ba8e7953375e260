"""The ``next`` tokens are itsdangerous tokens: flask-tropo signs and checks
them with its own code (HMAC keyed once per secret key, JSON encoder and
scanner built once), and a stock ``URLSafeTimedSerializer`` reads what it
signs and signs what it reads."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
import typing as t

import pytest
from conftest import _result
from conftest import _session
from conftest import next_url
from conftest import token_of
from flask import Flask
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from itsdangerous import BadData
from itsdangerous import Signer
from itsdangerous import TimestampSigner
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode

from flask_tropo import Tropo
from flask_tropo import call_state
from flask_tropo import continuation
from flask_tropo._tokens import _HMAC
from flask_tropo._tokens import _SALT
from flask_tropo._tokens import _Signer
from flask_tropo._tokens import _Tokens
from flask_tropo.exceptions import InvalidNextToken
from flask_tropo.exceptions import StateTooLarge
from flask_tropo.exceptions import TropoError
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Say

SESSION = "9b1f4c2e7a3d4e5f8a6b0c1d2e3f4a5b"
ENDPOINT = "tropo.check_pin"
KEY = "a secret key of the test"

STATES: list[dict[str, t.Any]] = [
    {},
    {"tries": 0},
    {"caller": "+14155550100", "tries": 2, "menu": ["sales", "support"]},
    {"name": "Zoë Ångström", "city": "Zürich", "emoji": "\U0001f4de"},
    {"bad": "\ud800 lone surrogate"},
    {"notes": ["the same words again"] * 60},  # long and compressible
    {"ids": [random.Random(7).getrandbits(64) for _ in range(40)]},  # long
    {"a": "a" * 100},  # short JSON that zlib would shorten
    {"n": None, "t": True, "f": 1.5, "nested": {"x": [1, {"y": "z"}]}},
    {"big": 10**30, "neg": -7, "inf": float("inf"), "e": 1e-300, "q": 'a"\\b\n'},
]


def stock(key: t.Any = KEY) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        key, salt=_SALT, signer_kwargs={"digest_method": hashlib.sha256}
    )


def config(**values: t.Any) -> dict[str, t.Any]:
    settings = {
        "TROPO_SECRET_KEY": KEY,
        "SECRET_KEY": None,
        "TROPO_NEXT_MAX_AGE": 4 * 60 * 60,
        "TROPO_MAX_STATE_BYTES": None,
        "TROPO_VERIFY_NEXT": True,
    }
    settings.update(values)
    return settings


@pytest.mark.parametrize("state", STATES)
def test_stock_itsdangerous_reads_our_tokens(state: dict[str, t.Any]) -> None:
    token = _Tokens().dumps(config(), SESSION, ENDPOINT, state)  # type: ignore[arg-type]
    data, issued = stock().loads(token, return_timestamp=True)
    assert data == [SESSION, ENDPOINT, state]
    assert abs(issued.timestamp() - time.time()) < 5


@pytest.mark.parametrize("state", STATES)
def test_we_read_stock_itsdangerous_tokens(state: dict[str, t.Any]) -> None:
    serializer = stock()
    try:
        token = serializer.dumps([SESSION, ENDPOINT, state])
    except UnicodeEncodeError:  # a lone surrogate: what _Tokens does then
        serializer.serializer_kwargs = {"ensure_ascii": True}
        token = serializer.dumps([SESSION, ENDPOINT, state])
    loaded = _Tokens().loads(config(), token, SESSION, ENDPOINT)  # type: ignore[arg-type]
    assert loaded == state


@pytest.mark.parametrize("state", STATES)
def test_same_token_as_itsdangerous(
    state: dict[str, t.Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the clock fixed, a token is the one itsdangerous makes, except
    that JSON under 256 bytes is not compressed (while it fits the limit)."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_700_000_000)
    ours = _Tokens().dumps(config(), SESSION, ENDPOINT, state)  # type: ignore[arg-type]
    serializer = stock()
    try:
        theirs = serializer.dumps([SESSION, ENDPOINT, state])
    except UnicodeEncodeError:
        serializer.serializer_kwargs = {"ensure_ascii": True}
        theirs = serializer.dumps([SESSION, ENDPOINT, state])
    compressed = theirs.startswith(".")  # itsdangerous compressed it
    length = len(json.dumps([SESSION, ENDPOINT, state], separators=(",", ":")).encode())
    if length >= 256 or not compressed:
        assert ours == theirs
    else:
        assert not ours.startswith(".")
        assert stock().loads(ours) == stock().loads(theirs)


def test_short_state_is_compressed_when_over_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_700_000_000)
    state = {"a": "a" * 100}
    tokens = _Tokens()
    plain = tokens.dumps(config(), SESSION, ENDPOINT, state)  # type: ignore[arg-type]
    assert not plain.startswith(".")
    limit = len(plain) - 1
    squeezed = tokens.dumps(
        config(TROPO_MAX_STATE_BYTES=limit),  # type: ignore[arg-type]
        SESSION,
        ENDPOINT,
        state,
    )
    assert squeezed.startswith(".") and len(squeezed) <= limit
    assert squeezed == stock().dumps([SESSION, ENDPOINT, state])
    with pytest.raises(StateTooLarge, match=f"token is {len(squeezed)} bytes"):
        tokens.dumps(
            config(TROPO_MAX_STATE_BYTES=len(squeezed) - 1),  # type: ignore[arg-type]
            SESSION,
            ENDPOINT,
            state,
        )


@pytest.mark.parametrize("key", [KEY, KEY.encode(), b"\x00\xff binary key"])
def test_str_and_bytes_keys(key: str | bytes) -> None:
    token = _Tokens().dumps(
        config(TROPO_SECRET_KEY=key),  # type: ignore[arg-type]
        SESSION,
        ENDPOINT,
        {"k": 1},
    )
    assert stock(key).loads(token)[2] == {"k": 1}
    other = stock(key).dumps([SESSION, ENDPOINT, {"k": 2}])
    loaded = _Tokens().loads(
        config(TROPO_SECRET_KEY=key),  # type: ignore[arg-type]
        other,
        SESSION,
        ENDPOINT,
    )
    assert loaded == {"k": 2}


def test_a_list_of_keys_signs_with_the_last_and_reads_with_any() -> None:
    """As itsdangerous does with a list of keys (key rotation)."""
    keys = ["old key", "new key"]
    token = _Tokens().dumps(
        config(TROPO_SECRET_KEY=keys),  # type: ignore[arg-type]
        SESSION,
        ENDPOINT,
        {"k": 1},
    )
    assert stock("new key").loads(token)[2] == {"k": 1}
    with pytest.raises(BadData):
        stock("old key").loads(token)
    for key in keys:
        old = stock(key).dumps([SESSION, ENDPOINT, {"k": key}])
        loaded = _Tokens().loads(
            config(TROPO_SECRET_KEY=keys),  # type: ignore[arg-type]
            old,
            SESSION,
            ENDPOINT,
        )
        assert loaded == {"k": key}
    with pytest.raises(InvalidNextToken, match="altered"):
        _Tokens().loads(
            config(TROPO_SECRET_KEY=keys),  # type: ignore[arg-type]
            stock("third key").dumps([SESSION, ENDPOINT, {}]),
            SESSION,
            ENDPOINT,
        )


def test_the_signer_follows_a_new_key() -> None:
    tokens = _Tokens()
    first = tokens.dumps(config(), SESSION, ENDPOINT, {})  # type: ignore[arg-type]
    settings = config(TROPO_SECRET_KEY="another key")
    second = tokens.dumps(settings, SESSION, ENDPOINT, {})  # type: ignore[arg-type]
    assert stock("another key").loads(second)
    with pytest.raises(InvalidNextToken, match="altered"):
        tokens.loads(settings, first, SESSION, ENDPOINT)  # type: ignore[arg-type]


def test_the_clock_is_itsdangerous_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tokens are stamped by ``TimestampSigner.get_timestamp``, so what
    patches itsdangerous' clock patches ours."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_000_000_000)
    token = _Tokens().dumps(config(), SESSION, ENDPOINT, {})  # type: ignore[arg-type]
    _, issued = stock().loads(token, return_timestamp=True)
    assert issued.timestamp() == 1_000_000_000
    with pytest.raises(InvalidNextToken, match="expired"):
        _Tokens().loads(config(), token, SESSION, ENDPOINT)  # type: ignore[arg-type]
    loaded = _Tokens().loads(
        config(TROPO_NEXT_MAX_AGE=None),  # type: ignore[arg-type]
        token,
        SESSION,
        ENDPOINT,
    )
    assert loaded == {}


def _stock_verdict(token: str) -> t.Any:
    try:
        return ("ok", stock().loads(token, return_timestamp=True)[0])
    except BadData:
        return ("bad",)


def _our_verdict(token: str) -> t.Any:
    try:
        return ("ok", _Signer(KEY).unsign(token)[0])
    except BadData:
        return ("bad",)


@settings(max_examples=400, deadline=None)
@given(
    state=st.sampled_from(STATES[:4] + STATES[5:]),
    edits=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=10_000),
            st.sampled_from(list("AZaz09-_.=+/ ~\u00e9")),
            st.sampled_from(["replace", "insert", "delete"]),
        ),
        max_size=3,
    ),
)
def test_altered_tokens_get_the_same_verdict(
    state: dict[str, t.Any], edits: list[tuple[int, str, str]]
) -> None:
    """Whatever is done to a token, itsdangerous and flask-tropo accept the
    same tokens and read the same data from them."""
    token = stock().dumps([SESSION, ENDPOINT, state])
    for position, char, how in edits:
        index = position % (len(token) + 1)
        if how == "replace" and index < len(token):
            token = token[:index] + char + token[index + 1 :]
        elif how == "insert":
            token = token[:index] + char + token[index:]
        elif how == "delete":
            token = token[:index] + token[index + 1 :]
    assert _our_verdict(token) == _stock_verdict(token)


@pytest.mark.parametrize(
    "token",
    [
        "",
        ".",
        "..",
        "a.b.c",
        "abc",
        "x" * 50,
        ". .",
        "...sig",
        "eyJ9.AAAA.",
        "\u00e9.a.b",
    ],
)
def test_garbage_gets_the_same_verdict(token: str) -> None:
    assert _our_verdict(token) == _stock_verdict(token)


@settings(max_examples=200, deadline=None)
@given(key=st.binary(max_size=200), message=st.binary(max_size=300))
@example(key=b"k" * 65, message=b"a key longer than a SHA-256 block")
def test_hmac(key: bytes, message: bytes) -> None:
    expected = hmac.new(key, message, hashlib.sha256).digest()
    assert _HMAC(key).digest(message) == expected


def test_tokens_through_an_app(app: Flask) -> None:
    """A whole call: the result route accepts the token a session route
    rendered, and a stock serializer reads it."""
    tropo = Tropo()

    @tropo.on_session("/voice")
    def voice(session: t.Any) -> t.Any:
        call_state["caller"] = "Zoë"
        return On("continue", next=step)

    @tropo.on_result("/step")
    def step(result: t.Any) -> t.Any:
        return [Say(call_state["caller"]), Hangup()]

    tropo.init_app(app)
    client = app.test_client()
    document = client.post("/voice", json=_session()).get_json()
    url = next_url(document, "continue")
    data = stock(app.config["SECRET_KEY"]).loads(token_of(url))
    assert data == [_session()["session"]["id"], "tropo.step", {"caller": "Zoë"}]
    answer = client.post(url, json=_result()).get_json()
    assert answer["tropo"][0] == {"say": {"value": "Zoë"}}


def test_names_still_importable_from_continuation() -> None:
    """The token code moved to ``_tokens``; other modules import these names
    from ``continuation``."""
    assert continuation._Tokens is _Tokens
    assert continuation._SALT == _SALT
    assert continuation.NEXT_PARAM == "tropo_token"


@pytest.mark.parametrize(
    "state",
    [
        {1: "an int key", None: "a None key", 2.5: "a float key"},
        {"tuple": (1, 2), "nested": [(3, "x")]},
    ],
)
def test_keys_and_values_json_converts(state: dict[t.Any, t.Any]) -> None:
    """What the stock encoder converts (non-string keys, tuples), the token
    converts the same way."""
    ours = _Tokens().dumps(config(), SESSION, ENDPOINT, state)  # type: ignore[arg-type]
    assert stock().loads(ours) == stock().loads(
        stock().dumps([SESSION, ENDPOINT, state])
    )


def test_circular_state_is_a_tropo_error() -> None:
    state: dict[str, t.Any] = {"ok": 1, "loop": []}
    state["loop"].append(state["loop"])
    with pytest.raises(TropoError, match=r"call_state\['loop'\] cannot ride.*Circular"):
        _Tokens().dumps(config(), SESSION, ENDPOINT, state)  # type: ignore[arg-type]


def test_not_json_after_a_fast_encoding() -> None:
    """A failed state does not spoil the next one (the encoder is shared)."""
    tokens = _Tokens()
    with pytest.raises(TropoError, match=r"call_state\['when'\]"):
        tokens.dumps(config(), SESSION, ENDPOINT, {"when": object()})  # type: ignore[arg-type]
    token = tokens.dumps(config(), SESSION, ENDPOINT, {"x": [1]})  # type: ignore[arg-type]
    assert stock().loads(token)[2] == {"x": [1]}


_PAYLOAD = f'["{SESSION}","{ENDPOINT}",{{"k":1}}]'


@pytest.mark.parametrize(
    "data",
    [
        f" {_PAYLOAD}\n".encode(),  # whitespace around the JSON
        _PAYLOAD.replace(",", ", ").encode(),  # spaces inside
        _PAYLOAD.encode() + b"[1]",  # extra data
        _PAYLOAD[:-1].encode(),  # truncated
        _PAYLOAD.replace("1", "\xff").encode("latin-1"),  # not UTF-8
        b"\xef\xbb\xbf" + _PAYLOAD.encode(),  # a UTF-8 BOM
        _PAYLOAD.encode("utf-16"),  # not UTF-8
        b"",
        b"[" * 100_000,  # too deep
    ],
)
def test_payloads_read_as_itsdangerous_reads_them(data: bytes) -> None:
    """Validly signed payloads that flask-tropo does not write are read (or
    refused) as itsdangerous reads them."""
    token = stock().make_signer(_SALT).sign(base64_encode(data)).decode()
    assert _our_verdict(token) == _stock_verdict(token)


def test_a_key_added_to_the_list_in_place() -> None:
    keys = ["old key"]
    settings = config(TROPO_SECRET_KEY=keys)
    tokens = _Tokens()
    tokens.dumps(settings, SESSION, ENDPOINT, {})  # type: ignore[arg-type]
    keys.append("new key")
    token = tokens.dumps(settings, SESSION, ENDPOINT, {})  # type: ignore[arg-type]
    assert stock("new key").loads(token)


def test_the_timestamp_follows_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The encoded timestamp is kept for the second it was made in, not
    longer."""
    tokens = _Tokens()
    for now in (1_700_000_000, 1_700_000_001, 1_700_000_000, 2**33):
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self, n=now: n)
        token = tokens.dumps(config(), SESSION, ENDPOINT, {})  # type: ignore[arg-type]
        _, issued = stock().loads(token, return_timestamp=True)
        assert issued.timestamp() == now


@pytest.mark.parametrize(
    "value",
    [b"eyJ9", b"eyJ9.A", b"eyJ9.", b"eyJ9.!!!!", b".ZVPxAA", b"eyJ9.ZVPxAA"],
)
def test_timestamps_read_as_itsdangerous_reads_them(value: bytes) -> None:
    """Validly signed values without a timestamp, or with a malformed one."""
    signer = Signer(KEY, salt=_SALT, digest_method=hashlib.sha256)
    token = signer.sign(value).decode()
    assert _our_verdict(token) == _stock_verdict(token)


@pytest.mark.parametrize(
    "data", [{"a": 1}, [SESSION, ENDPOINT], [SESSION, ENDPOINT, []]]
)
def test_not_a_flask_tropo_token(data: t.Any) -> None:
    token = stock().dumps(data)
    with pytest.raises(InvalidNextToken, match="not a flask-tropo token"):
        _Tokens().loads(config(), token, SESSION, ENDPOINT)  # type: ignore[arg-type]
