"""The ``next`` tokens are itsdangerous tokens, signed by a
``TimestampSigner`` built once per app and key: a stock
``URLSafeTimedSerializer`` reads what flask-tropo signs and signs what it
reads."""

from __future__ import annotations

import hashlib
import json
import random
import time
import typing as t
import zlib

import pytest
from conftest import _result
from conftest import _session
from conftest import next_url
from conftest import token_of
from flask import Flask
from itsdangerous import BadData
from itsdangerous import TimestampSigner
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode

from flask_tropo import Tropo
from flask_tropo import call_state
from flask_tropo.continuation import NEXT_PARAM
from flask_tropo.continuation import Tokens
from flask_tropo.exceptions import InvalidNextToken
from flask_tropo.exceptions import StateTooLarge
from flask_tropo.exceptions import TropoError
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Say

SESSION = "9b1f4c2e7a3d4e5f8a6b0c1d2e3f4a5b"
ENDPOINT = "tropo.check_pin"
KEY = "a secret key of the test"
_SALT = "flask-tropo.next"

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
        "TROPO_NEXT_MAX_SKEW": 60,
    }
    settings.update(values)
    return settings


@pytest.mark.parametrize("state", STATES)
def test_stock_itsdangerous_reads_our_tokens(state: dict[str, t.Any]) -> None:
    token = Tokens(KEY).dumps(config(), SESSION, ENDPOINT, state)  # type: ignore[arg-type]
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
    loaded = Tokens(KEY).loads(config(), token, SESSION, ENDPOINT)  # type: ignore[arg-type]
    assert loaded == state


def test_short_state_is_compressed_when_over_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_700_000_000)
    state = {"a": "a" * 100}
    tokens = Tokens(KEY)
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
    token = Tokens(key).dumps(
        config(),  # type: ignore[arg-type]
        SESSION,
        ENDPOINT,
        {"k": 1},
    )
    assert stock(key).loads(token)[2] == {"k": 1}
    other = stock(key).dumps([SESSION, ENDPOINT, {"k": 2}])
    loaded = Tokens(key).loads(
        config(),  # type: ignore[arg-type]
        other,
        SESSION,
        ENDPOINT,
    )
    assert loaded == {"k": 2}


def test_a_list_of_keys_signs_with_the_last_and_reads_with_any() -> None:
    """As itsdangerous does with a list of keys (key rotation)."""
    keys = ["old key", "new key"]
    token = Tokens(keys).dumps(
        config(),  # type: ignore[arg-type]
        SESSION,
        ENDPOINT,
        {"k": 1},
    )
    assert stock("new key").loads(token)[2] == {"k": 1}
    with pytest.raises(BadData):
        stock("old key").loads(token)
    for key in keys:
        old = stock(key).dumps([SESSION, ENDPOINT, {"k": key}])
        loaded = Tokens(keys).loads(
            config(),  # type: ignore[arg-type]
            old,
            SESSION,
            ENDPOINT,
        )
        assert loaded == {"k": key}
    with pytest.raises(InvalidNextToken, match="altered"):
        Tokens(keys).loads(
            config(),  # type: ignore[arg-type]
            stock("third key").dumps([SESSION, ENDPOINT, {}]),
            SESSION,
            ENDPOINT,
        )


def test_the_signer_follows_a_new_key(app: Flask) -> None:
    tropo = Tropo(app)
    state = tropo.state_of(app)
    first = state.tokens(app.config)
    assert state.tokens(app.config) is first  # built once per key
    app.config["TROPO_SECRET_KEY"] = "another key"
    second = state.tokens(app.config)
    token = second.dumps(app.config, SESSION, ENDPOINT, {})
    assert stock("another key").loads(token)
    with pytest.raises(InvalidNextToken, match="altered"):
        first.loads(app.config, token, SESSION, ENDPOINT)


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
def test_garbage_is_refused(token: str) -> None:
    with pytest.raises(InvalidNextToken):
        Tokens(KEY).loads(config(), token or "x", SESSION, ENDPOINT)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 100_000,  # too deep
        b"\xff\xfe",  # not UTF-8
        b"[1, 2",  # truncated
        b"." + zlib.compress(b"x"),  # a dot, then no base64
    ],
)
def test_signed_payloads_that_are_not_ours_are_refused(data: bytes) -> None:
    token = stock().make_signer(_SALT).sign(base64_encode(data)).decode()
    with pytest.raises(InvalidNextToken):
        Tokens(KEY).loads(config(), token, SESSION, ENDPOINT)  # type: ignore[arg-type]


def test_a_compressed_state_is_capped_once_inflated() -> None:
    """A small token cannot inflate to megabytes of state: 1.3 MB of JSON
    compresses to a few kB, and is refused once inflated past 64 KiB."""
    state = {"input": "1" * 1_300_000}
    data = json.dumps([SESSION, ENDPOINT, state]).encode()
    packed = b"." + base64_encode(zlib.compress(data, 9))
    token = stock().make_signer(_SALT).sign(packed).decode()
    assert len(token) < 4096
    with pytest.raises(InvalidNextToken, match="altered"):
        Tokens(KEY).loads(config(), token, SESSION, ENDPOINT)  # type: ignore[arg-type]
    fits = {"input": "1" * 60_000}
    token = Tokens(KEY).dumps(config(), SESSION, ENDPOINT, fits)  # type: ignore[arg-type]
    assert Tokens(KEY).loads(config(), token, SESSION, ENDPOINT) == fits  # type: ignore[arg-type]


def test_the_token_parameter_name() -> None:
    assert NEXT_PARAM == "tropo_token"


def test_the_clock_is_itsdangerous_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tokens are stamped by ``TimestampSigner.get_timestamp``, so what
    patches itsdangerous' clock patches ours."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_000_000_000)
    token = Tokens(KEY).dumps(config(), SESSION, ENDPOINT, {})  # type: ignore[arg-type]
    _, issued = stock().loads(token, return_timestamp=True)
    assert issued.timestamp() == 1_000_000_000
    with pytest.raises(InvalidNextToken, match="expired"):
        Tokens(KEY).loads(config(), token, SESSION, ENDPOINT)  # type: ignore[arg-type]
    loaded = Tokens(KEY).loads(
        config(TROPO_NEXT_MAX_AGE=None),  # type: ignore[arg-type]
        token,
        SESSION,
        ENDPOINT,
    )
    assert loaded == {}


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
    ours = Tokens(KEY).dumps(config(), SESSION, ENDPOINT, state)  # type: ignore[arg-type]
    assert stock().loads(ours) == stock().loads(
        stock().dumps([SESSION, ENDPOINT, state])
    )


def test_circular_state_is_a_tropo_error() -> None:
    state: dict[str, t.Any] = {"ok": 1, "loop": []}
    state["loop"].append(state["loop"])
    with pytest.raises(TropoError, match=r"call_state\['loop'\] cannot ride.*Circular"):
        Tokens(KEY).dumps(config(), SESSION, ENDPOINT, state)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data", [{"a": 1}, [SESSION, ENDPOINT], [SESSION, ENDPOINT, []]]
)
def test_not_a_flask_tropo_token(data: t.Any) -> None:
    token = stock().dumps(data)
    with pytest.raises(InvalidNextToken, match="not a flask-tropo token"):
        Tokens(KEY).loads(config(), token, SESSION, ENDPOINT)  # type: ignore[arg-type]
