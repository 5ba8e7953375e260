"""``On(next=handler)``: signed next URLs and what result routes accept."""

from __future__ import annotations

import time
import types
import typing as t

import pytest
from conftest import OTHER_SESSION_ID
from conftest import Caller
from conftest import next_url
from conftest import token_of
from flask import Flask
from flask.testing import FlaskClient

from flask_tropo.continuation import call_state
from flask_tropo.extension import Tropo
from flask_tropo.payloads import Result
from flask_tropo.payloads import Session
from flask_tropo.verbs import Ask
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Say

if t.TYPE_CHECKING:  # pragma: no cover
    from conftest import ResultPayload
    from conftest import SessionPayload


def _pin_flow() -> Tropo:
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> list[t.Any]:
        call_state["caller"] = session.from_.id if session.from_ else None
        return [
            Ask("[4 DIGITS]", say="PIN?", name="pin"),
            On("continue", next=check_pin),
            On("incomplete", next=no_pin),
        ]

    @tropo.on_result("/pin")
    def check_pin(result: Result) -> list[t.Any]:
        return [Say(f"{call_state['caller']} entered {result.value}"), Hangup()]

    @tropo.on_result("/no-pin")
    def no_pin(result: Result) -> Hangup:
        return Hangup()

    return tropo


@pytest.fixture
def tropo_pin_app(app: Flask) -> Flask:
    _pin_flow().init_app(app)
    return app


def _post_result(
    client: FlaskClient, url: str, tropo_result_doc: ResultPayload, **fields: t.Any
) -> t.Any:
    return client.post(url, json=tropo_result_doc(**fields))


def _forbidden(response: t.Any, words: str) -> None:
    assert response.status_code == 403
    body = response.get_json()
    assert body["code"] == 403
    assert body["status"] == "Forbidden"
    assert words in body["errors"]["tropo_token"][0]


def test_next_url_is_the_route_with_a_token(
    tropo_pin_app: Flask, tropo_caller: Caller
) -> None:
    document = tropo_caller.start("/voice")
    url = next_url(document, "continue")
    path, _, query = url.partition("?")
    assert path == "/pin"
    assert query.startswith("tropo_token=")
    assert next_url(document, "incomplete").startswith("/no-pin?tropo_token=")
    assert token_of(url).count(".") == 2  # payload.timestamp.signature
    assert tropo_caller.follow(document)["tropo"][0] == {
        "say": {"value": "6505550178 entered 2468"}
    }


def test_a_five_step_chain_carries_state(app: Flask, tropo_caller: Caller) -> None:
    tropo = Tropo()

    @tropo.on_session("/voice")
    def start(session: Session) -> list[t.Any]:
        call_state["steps"] = ["start"]
        call_state["count"] = 0
        return [Ask("[1 DIGIT]", say="?", name="pin"), On("continue", next=step)]

    @tropo.on_result("/step")
    def step(result: Result) -> list[t.Any]:
        call_state["count"] += 1
        call_state["steps"].append(f"step{call_state['count']}:{result.value}")
        if call_state["count"] < 4:
            return [Ask("[1 DIGIT]", say="?", name="pin"), On("continue", next=step)]
        return [Say(" ".join(call_state["steps"])), On("continue", next=finish)]

    @tropo.on_result("/finish")
    def finish(result: Result) -> list[t.Any]:
        return [Say(f"done after {call_state['count']}"), Hangup()]

    tropo.init_app(app)
    document = tropo_caller.start("/voice")
    for _ in range(4):
        document = tropo_caller.follow(document)
    assert document["tropo"][0] == {
        "say": {"value": "start step1:2468 step2:2468 step3:2468 step4:2468"}
    }
    document = tropo_caller.follow(document)
    assert document["tropo"][0] == {"say": {"value": "done after 4"}}
    assert tropo_caller.sequence == 5


def test_missing_token(
    tropo_pin_app: Flask, client: FlaskClient, tropo_result_doc: ResultPayload
) -> None:
    response = _post_result(client, "/pin", tropo_result_doc)
    _forbidden(response, "tropo_token query parameter is missing")


def test_flipped_character(
    tropo_pin_app: Flask,
    tropo_caller: Caller,
    client: FlaskClient,
    tropo_result_doc: ResultPayload,
) -> None:
    url = next_url(tropo_caller.start("/voice"), "continue")
    token = token_of(url)
    for index in (5, len(token) // 2, len(token) - 3):
        flipped = (
            token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1 :]
        )
        response = _post_result(client, f"/pin?tropo_token={flipped}", tropo_result_doc)
        _forbidden(response, "altered")


def test_swapped_state(
    app: Flask,
    client: FlaskClient,
    tropo_session_doc: SessionPayload,
    tropo_result_doc: ResultPayload,
) -> None:
    tropo = Tropo()

    @tropo.on_session("/voice/<role>")
    def incoming(session: Session, role: str) -> On:
        call_state["role"] = role
        return On("continue", next=check)

    @tropo.on_result("/check")
    def check(result: Result) -> Say:
        return Say(call_state["role"])

    tropo.init_app(app)
    user = token_of(
        next_url(
            client.post("/voice/user", json=tropo_session_doc()).get_json(),
            "continue",
        )
    )
    admin = token_of(
        next_url(
            client.post("/voice/admin", json=tropo_session_doc()).get_json(),
            "continue",
        )
    )
    # the state of one token with the timestamp and signature of the other
    forged = admin.split(".")[0] + "." + ".".join(user.split(".")[1:])
    _forbidden(
        _post_result(client, f"/check?tropo_token={forged}", tropo_result_doc),
        "altered",
    )
    ok = _post_result(client, f"/check?tropo_token={user}", tropo_result_doc)
    assert ok.get_json() == {"tropo": [{"say": {"value": "user"}}]}


def test_token_of_another_session(
    tropo_pin_app: Flask,
    tropo_caller: Caller,
    client: FlaskClient,
    tropo_result_doc: ResultPayload,
) -> None:
    url = next_url(tropo_caller.start("/voice"), "continue")
    response = _post_result(client, url, tropo_result_doc, session_id=OTHER_SESSION_ID)
    _forbidden(response, "another call session")


def test_token_for_another_endpoint(
    tropo_pin_app: Flask,
    tropo_caller: Caller,
    client: FlaskClient,
    tropo_result_doc: ResultPayload,
) -> None:
    url = next_url(tropo_caller.start("/voice"), "incomplete")
    response = _post_result(
        client, f"/pin?tropo_token={token_of(url)}", tropo_result_doc
    )
    _forbidden(response, "another route")


def test_expired_token(
    tropo_pin_app: Flask,
    tropo_caller: Caller,
    client: FlaskClient,
    tropo_result_doc: ResultPayload,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    max_age = tropo_pin_app.config["TROPO_NEXT_MAX_AGE"]
    assert max_age == 4 * 60 * 60
    issued = time.time() - max_age - 5
    with monkeypatch.context() as m:  # itsdangerous reads time.time when signing
        m.setattr("itsdangerous.timed.time", types.SimpleNamespace(time=lambda: issued))
        url = next_url(tropo_caller.start("/voice"), "continue")
    _forbidden(_post_result(client, url, tropo_result_doc), "expired")
    tropo_pin_app.config["TROPO_NEXT_MAX_AGE"] = None
    assert _post_result(client, url, tropo_result_doc).status_code == 200


def test_token_within_max_age(
    tropo_pin_app: Flask,
    tropo_caller: Caller,
    client: FlaskClient,
    tropo_result_doc: ResultPayload,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    issued = time.time() - 3 * 60 * 60
    with monkeypatch.context() as m:
        m.setattr("itsdangerous.timed.time", types.SimpleNamespace(time=lambda: issued))
        url = next_url(tropo_caller.start("/voice"), "continue")
    assert _post_result(client, url, tropo_result_doc).status_code == 200


def test_verify_next_off(
    app: Flask,
    client: FlaskClient,
    tropo_caller: Caller,
    tropo_result_doc: ResultPayload,
) -> None:
    app.config["TROPO_VERIFY_NEXT"] = False
    _pin_flow().init_app(app)
    url = next_url(tropo_caller.start("/voice"), "continue")
    # a valid token still restores the state
    response = _post_result(client, url, tropo_result_doc)
    assert response.get_json()["tropo"][0] == {
        "say": {"value": "6505550178 entered 2468"}
    }
    # no token, or a bad one: accepted with an empty state
    for bad in ("/pin", "/pin?tropo_token=nonsense"):
        with pytest.raises(KeyError, match="caller"):
            _post_result(client, bad, tropo_result_doc)


def test_two_apps_with_different_secrets(
    tropo_session_doc: SessionPayload, tropo_result_doc: ResultPayload
) -> None:
    tropo = _pin_flow()
    apps = []
    for secret in ("first secret", "second secret"):
        app = Flask(__name__)
        app.config.update(TESTING=True, SECRET_KEY=secret)
        tropo.init_app(app)
        apps.append(app)
    first, second = (app.test_client() for app in apps)
    url = next_url(
        first.post("/voice", json=tropo_session_doc()).get_json(), "continue"
    )
    assert first.post(url, json=tropo_result_doc()).status_code == 200
    _forbidden(second.post(url, json=tropo_result_doc()), "altered")


def test_tropo_secret_key_wins_over_secret_key(
    app: Flask,
    client: FlaskClient,
    tropo_caller: Caller,
    tropo_result_doc: ResultPayload,
) -> None:
    app.config["TROPO_SECRET_KEY"] = "only for tropo"
    _pin_flow().init_app(app)
    url = next_url(tropo_caller.start("/voice"), "continue")
    assert _post_result(client, url, tropo_result_doc).status_code == 200
    app.config["TROPO_SECRET_KEY"] = None  # now SECRET_KEY signs and checks
    _forbidden(_post_result(client, url, tropo_result_doc), "altered")


def test_missing_secret_names_both_keys(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    app.config["SECRET_KEY"] = None
    _pin_flow().init_app(app)
    with pytest.raises(RuntimeError, match="TROPO_SECRET_KEY.*SECRET_KEY"):
        client.post("/voice", json=tropo_session_doc())


@pytest.mark.parametrize("testing", [True, False])
def test_a_result_route_without_a_key_is_a_403_and_the_log_says_what_to_set(
    app: Flask,
    client: FlaskClient,
    tropo_result_doc: ResultPayload,
    caplog: pytest.LogCaptureFixture,
    testing: bool,
) -> None:
    app.config.update(SECRET_KEY=None, TESTING=testing)
    _pin_flow().init_app(app)
    with caplog.at_level("ERROR", logger=app.logger.name):
        response = _post_result(client, "/pin?tropo_token=x.y.z", tropo_result_doc)
    _forbidden(response, "no secret key")
    [record] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert "TROPO_SECRET_KEY" in record.getMessage()
    assert "SECRET_KEY" in record.getMessage().replace("TROPO_SECRET_KEY", "")


def test_without_a_key_or_verification_a_result_runs_with_no_state(
    app: Flask, client: FlaskClient, tropo_result_doc: ResultPayload
) -> None:
    app.config.update(SECRET_KEY=None, TROPO_VERIFY_NEXT=False)
    tropo = Tropo()
    seen: list[dict[str, t.Any]] = []

    @tropo.on_result("/pin")
    def check_pin(result: Result) -> Hangup:
        seen.append(dict(call_state))
        return Hangup()

    tropo.init_app(app)
    assert _post_result(client, "/pin", tropo_result_doc).status_code == 200
    assert seen == [{}]


def test_no_secret_needed_without_callable_next(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    app.config["SECRET_KEY"] = None
    tropo = Tropo()
    tropo.add_session_rule(
        "/voice", view_func=lambda s: [Say("hi"), On("continue", next="/x")]
    )
    tropo.init_app(app)
    assert client.post("/voice", json=tropo_session_doc()).status_code == 200


def test_a_call_hops_between_workers(
    tropo_session_doc: SessionPayload, tropo_result_doc: ResultPayload
) -> None:
    def create_app() -> Flask:  # each worker builds its own app
        app = Flask(__name__)
        app.config.update(TESTING=True, SECRET_KEY="shared by the workers")
        _pin_flow().init_app(app)
        return app

    first, second = create_app().test_client(), create_app().test_client()
    document = first.post("/voice", json=tropo_session_doc()).get_json()
    response = second.post(next_url(document, "continue"), json=tropo_result_doc())
    assert response.get_json()["tropo"][0] == {
        "say": {"value": "6505550178 entered 2468"}
    }
