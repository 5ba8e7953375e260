"""``call_state``: the dict of the current call, carried in signed next URLs."""

from __future__ import annotations

import datetime as dt
import logging
import typing as t

import pytest
from conftest import Caller
from conftest import next_url
from flask import Flask
from flask.testing import FlaskClient

from flask_tropo.continuation import call_state
from flask_tropo.exceptions import StateTooLarge
from flask_tropo.exceptions import TropoError
from flask_tropo.extension import Tropo
from flask_tropo.payloads import Result
from flask_tropo.payloads import Session
from flask_tropo.testing import call_state_for
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Say

if t.TYPE_CHECKING:  # pragma: no cover
    from conftest import SessionPayload


def test_dict_operations(app: Flask, tropo_caller: Caller) -> None:
    tropo = Tropo()
    seen: dict[str, t.Any] = {}

    @tropo.on_session("/voice")
    def incoming(session: Session) -> list[t.Any]:
        seen["empty"] = len(call_state) == 0 and call_state == {}
        call_state["a"] = 1
        call_state.update(b=[1, 2], c={"x": None})
        call_state.setdefault("d", "four")
        call_state.setdefault("a", 99)
        call_state["gone"] = True
        del call_state["gone"]
        seen["pop"] = call_state.pop("c")
        seen["get"] = (
            call_state.get("a"),
            call_state.get("zzz"),
            call_state.get("z", 0),
        )
        seen["in"] = ("a" in call_state, "gone" in call_state)
        seen["iter"] = sorted(call_state)
        seen["items"] = dict(call_state.items())
        return On("continue", next=restored)

    @tropo.on_result("/restored")
    def restored(result: Result) -> Hangup:
        seen["restored"] = dict(call_state)
        seen["eq"] = call_state == {"a": 1, "b": [1, 2], "d": "four"}
        seen["ne"] = call_state != {"a": 2}
        seen["repr"] = repr(call_state)
        call_state.clear()
        return Hangup()

    tropo.init_app(app)
    tropo_caller.follow(tropo_caller.start("/voice"))
    assert seen == {
        "empty": True,
        "pop": {"x": None},
        "get": (1, None, 0),
        "in": (True, False),
        "iter": ["a", "b", "d"],
        "items": {"a": 1, "b": [1, 2], "d": "four"},
        "restored": {"a": 1, "b": [1, 2], "d": "four"},
        "eq": True,
        "ne": True,
        "repr": "<call_state {'a': 1, 'b': [1, 2], 'd': 'four'}>",
    }


def test_every_next_url_carries_the_state(app: Flask, tropo_caller: Caller) -> None:
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> list[t.Any]:
        call_state["lang"] = "fr"
        return [On("continue", next=done), On("incomplete", next=other)]

    @tropo.on_result("/done")
    def done(result: Result) -> Say:
        return Say(call_state["lang"])

    @tropo.on_result("/other")
    def other(result: Result) -> Say:
        return Say("other " + call_state["lang"])

    tropo.init_app(app)
    document = tropo_caller.start("/voice")
    assert tropo_caller.follow(document)["tropo"] == [{"say": {"value": "fr"}}]
    assert tropo_caller.follow(document, "incomplete")["tropo"] == [
        {"say": {"value": "other fr"}}
    ]


def test_a_new_session_starts_empty(app: Flask, tropo_caller: Caller) -> None:
    tropo = Tropo()
    sizes = []

    @tropo.on_session("/voice")
    def incoming(session: Session) -> On:
        sizes.append(len(call_state))
        call_state["x"] = 1
        return On("continue", next=step)

    @tropo.on_result("/step")
    def step(result: Result) -> Hangup:
        return Hangup()

    tropo.init_app(app)
    tropo_caller.follow(tropo_caller.start("/voice"))
    tropo_caller.start("/voice")
    assert sizes == [0, 0]


def test_outside_a_tropo_request(app: Flask, client: FlaskClient) -> None:
    @app.route("/plain")
    def plain() -> str:
        return str(len(call_state))

    with pytest.raises(RuntimeError, match="only available while a Tropo handler runs"):
        client.get("/plain")
    with pytest.raises(RuntimeError, match="only available while a Tropo handler runs"):
        call_state["x"] = 1
    assert repr(call_state) == "<call_state (no Tropo request)>"


def test_outside_any_context() -> None:
    with pytest.raises(RuntimeError, match="only available while a Tropo handler runs"):
        call_state.get("x")


def test_state_too_large(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    app.config["TROPO_MAX_STATE_BYTES"] = 300
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> On:
        call_state["notes"] = [f"note {i} {i * 7919}" for i in range(200)]
        return On("continue", next=step)

    @tropo.on_result("/step")
    def step(result: Result) -> Hangup:
        return Hangup()

    tropo.init_app(app)
    with pytest.raises(StateTooLarge) as info:
        client.post("/voice", json=tropo_session_doc())
    message = str(info.value)
    assert "above the 300 bytes allowed by TROPO_MAX_STATE_BYTES" in message
    size = int(message.split("token is ")[1].split(" bytes")[0])
    assert size > 300
    assert isinstance(info.value, TropoError)


def test_state_is_compressed(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> On:
        call_state["notes"] = ["the same words again"] * 200  # 4 KiB of JSON
        return On("continue", next=step)

    @tropo.on_result("/step")
    def step(result: Result) -> Hangup:
        return Hangup()

    tropo.init_app(app)
    document = client.post("/voice", json=tropo_session_doc()).get_json()
    assert len(next_url(document, "continue")) < 400


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (dt.date(2024, 3, 5), "call_state['bad'] cannot ride in a next URL"),
        ([1, {2, 3}], "call_state['bad'] cannot ride in a next URL"),
    ],
)
def test_values_must_be_json(
    app: Flask,
    client: FlaskClient,
    tropo_session_doc: SessionPayload,
    value: t.Any,
    words: str,
) -> None:
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> On:
        call_state["good"] = "fine"
        call_state["bad"] = value
        return On("continue", next=step)

    @tropo.on_result("/step")
    def step(result: Result) -> Hangup:
        return Hangup()

    tropo.init_app(app)
    with pytest.raises(TropoError, match=r"not JSON serializable") as info:
        client.post("/voice", json=tropo_session_doc())
    assert words in str(info.value)


def test_keys_must_be_strings(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> Hangup:
        call_state[1] = "one"  # type: ignore[index]
        return Hangup()

    tropo.init_app(app)
    with pytest.raises(TropoError, match="keys must be strings"):
        client.post("/voice", json=tropo_session_doc())


def test_call_state_is_falsy_outside_a_request_and_loggable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert not call_state
    logging.getLogger("flask_tropo.test").warning("state %r", call_state)
    assert "call_state" in caplog.text
    with pytest.raises(RuntimeError, match="only available while a Tropo handler"):
        call_state["x"]


def test_call_state_for_unit_tests_a_handler_directly() -> None:
    def handler() -> str:
        call_state["tries"] = call_state.get("tries", 0) + 1
        return str(call_state["caller"])

    with call_state_for({"caller": "+14155550100"}) as state:
        assert handler() == "+14155550100"
        assert call_state
    assert state == {"caller": "+14155550100", "tries": 1}
    assert not call_state
