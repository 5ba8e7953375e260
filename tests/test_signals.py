"""The signals sent on Tropo routes."""

from __future__ import annotations

import typing as t

import pytest
from conftest import Caller
from conftest import next_url
from flask import Flask
from flask.testing import FlaskClient

from flask_tropo import signals
from flask_tropo.continuation import call_state
from flask_tropo.extension import Tropo
from flask_tropo.payloads import Result
from flask_tropo.payloads import Session
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Say

if t.TYPE_CHECKING:  # pragma: no cover
    from conftest import ResultPayload
    from conftest import SessionPayload


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[t.Any, dict[str, t.Any]]] = []

    def __call__(self, sender: t.Any, **kwargs: t.Any) -> None:
        self.calls.append((sender, kwargs))


@pytest.fixture
def tropo_flow(app: Flask) -> Flask:
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> list[t.Any]:
        call_state["n"] = 1
        return [Say("Hi"), On("continue", next=step)]

    @tropo.on_result("/step")
    def step(result: Result) -> Hangup:
        return Hangup()

    @tropo.on_session("/fail")
    def fail(session: Session) -> Hangup:
        raise LookupError("no such account")

    tropo.init_app(app)
    return app


def test_signal_names() -> None:
    assert signals.session_received.name == "tropo-session-received"
    assert signals.result_received.name == "tropo-result-received"
    assert signals.response_rendered.name == "tropo-response-rendered"
    assert signals.handler_failed.name == "tropo-handler-failed"
    assert signals.payload_rejected.name == "tropo-payload-rejected"


def test_a_call_sends_received_and_rendered(
    tropo_flow: Flask, tropo_caller: Caller
) -> None:
    received, results, rendered = Recorder(), Recorder(), Recorder()
    with (
        signals.session_received.connected_to(received, tropo_flow),
        signals.result_received.connected_to(results, tropo_flow),
        signals.response_rendered.connected_to(rendered, tropo_flow),
    ):
        first = tropo_caller.start("/voice")
        second = tropo_caller.follow(first)
    [(sender, kwargs)] = received.calls
    assert sender is tropo_flow
    assert isinstance(kwargs["session"], Session)
    [(sender, kwargs)] = results.calls
    assert sender is tropo_flow
    assert isinstance(kwargs["result"], Result)
    assert kwargs["result"].value == "2468"
    assert [kwargs["document"] for _, kwargs in rendered.calls] == [first, second]
    assert next_url(rendered.calls[0][1]["document"], "continue").startswith("/step?")


def test_async_receiver(tropo_flow: Flask, tropo_caller: Caller) -> None:
    seen = []

    async def receiver(sender: Flask, session: Session, **extra: t.Any) -> None:
        seen.append(session.id)

    with signals.session_received.connected_to(receiver, tropo_flow):
        tropo_caller.start("/voice")
    assert len(seen) == 1


def test_handler_failed(
    tropo_flow: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    tropo_flow.testing = False
    failed, rendered = Recorder(), Recorder()
    with (
        signals.handler_failed.connected_to(failed, tropo_flow),
        signals.response_rendered.connected_to(rendered, tropo_flow),
    ):
        response = client.post("/fail", json=tropo_session_doc())
    [(sender, kwargs)] = failed.calls
    assert sender is tropo_flow
    assert isinstance(kwargs["exception"], LookupError)
    assert rendered.calls[0][1]["document"] == response.get_json()


def test_handler_failed_not_sent_when_propagating(
    tropo_flow: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    failed = Recorder()
    with signals.handler_failed.connected_to(failed, tropo_flow):
        with pytest.raises(LookupError):
            client.post("/fail", json=tropo_session_doc())
    assert failed.calls == []


def _rejected(
    app: Flask, post: t.Callable[[], t.Any], reason: str, status: int
) -> None:
    rejected, received = Recorder(), Recorder()
    with (
        signals.payload_rejected.connected_to(rejected, app),
        signals.session_received.connected_to(received, app),
        signals.result_received.connected_to(received, app),
    ):
        response = post()
    assert response.status_code == status
    [(sender, kwargs)] = rejected.calls
    assert sender is app
    assert kwargs == {"reason": reason, "errors": response.get_json()["errors"]}
    assert received.calls == []


def test_payload_rejected_before_400(tropo_flow: Flask, client: FlaskClient) -> None:
    _rejected(
        tropo_flow,
        lambda: client.post("/voice", json={"session": {"id": []}}),
        "invalid-payload",
        400,
    )


def test_payload_rejected_before_401(
    tropo_flow: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    tropo_flow.config["TROPO_BASIC_AUTH"] = ("tropo", "s3cret")
    _rejected(
        tropo_flow,
        lambda: client.post("/voice", json=tropo_session_doc()),
        "unauthorized",
        401,
    )


def test_payload_rejected_before_403(
    tropo_flow: Flask, client: FlaskClient, tropo_result_doc: ResultPayload
) -> None:
    _rejected(
        tropo_flow,
        lambda: client.post("/step?tropo_token=x.y.z", json=tropo_result_doc()),
        "invalid-token",
        403,
    )


def test_payload_rejected_before_413(
    tropo_flow: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    tropo_flow.config["TROPO_MAX_CONTENT_LENGTH"] = 100
    _rejected(
        tropo_flow,
        lambda: client.post("/voice", json=tropo_session_doc()),
        "too-large",
        413,
    )


def test_no_rejection_for_405(tropo_flow: Flask, client: FlaskClient) -> None:
    rejected = Recorder()
    with signals.payload_rejected.connected_to(rejected, tropo_flow):
        assert client.get("/voice").status_code == 405
    assert rejected.calls == []
