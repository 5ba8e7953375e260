"""Shared fixtures: pytest-flask's ``app`` and builders of Tropo payloads.

The payload builders follow the platform's shapes (wire reference sections 3
and 4) with this project's own values.
"""

from __future__ import annotations

import collections.abc as c
import typing as t
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from flask import Flask

if t.TYPE_CHECKING:  # pragma: no cover
    from flask.testing import FlaskClient
    from werkzeug.test import TestResponse

SESSION_ID = "9b1f4c2e7a3d4e5f8a6b0c1d2e3f4a5b"
OTHER_SESSION_ID = "0c2e4a6b8d1f3e5a7c9b0d2f4a6c8e1b"

SessionPayload = c.Callable[..., dict[str, t.Any]]
ResultPayload = c.Callable[..., dict[str, t.Any]]


@pytest.fixture
def app(request: pytest.FixtureRequest) -> Flask:
    app = Flask(request.module.__name__)
    app.config.update(TESTING=True, SECRET_KEY="conftest secret key")
    return app


def _session(session_id: str = SESSION_ID, **fields: t.Any) -> dict[str, t.Any]:
    session: dict[str, t.Any] = {
        "id": session_id,
        "accountId": "70211",
        "applicationId": "4417",
        "timestamp": "2024-03-05T17:42:09.318Z",
        "userType": "HUMAN",
        "initialText": None,
        "callId": "5d0c8e9f1a2b3c4d5e6f7a8b9c0d1e2f",
        "to": {
            "id": "4155550142",
            "e164Id": "+14155550142",
            "name": "4155550142",
            "channel": "VOICE",
            "network": "SIP",
        },
        "from": {
            "id": "6505550178",
            "e164Id": "+16505550178",
            "name": "Ada",
            "channel": "VOICE",
            "network": "PSTN",
        },
        "headers": {
            "Call-ID": "f00dcafe31",
            "CSeq": "1 INVITE",
            "Max-Forwards": "68",
            "Request URI": "sip:4155550142@10.20.30.40;x-rt=0",
        },
    }
    session.update(fields)
    return {"session": session}


def _result(
    session_id: str = SESSION_ID, *, sequence: int = 1, **fields: t.Any
) -> dict[str, t.Any]:
    result: dict[str, t.Any] = {
        "sessionId": session_id,
        "callId": "5d0c8e9f1a2b3c4d5e6f7a8b9c0d1e2f",
        "state": "ANSWERED",
        "sessionDuration": 7 * sequence,
        "sequence": sequence,
        "complete": True,
        "error": None,
        "calledid": "4155550142",
        "actions": {
            "name": "pin",
            "attempts": 1,
            "disposition": "SUCCESS",
            "confidence": 100,
            "interpretation": "2468",
            "utterance": "2 4 6 8",
            "value": "2468",
        },
    }
    result.update(fields)
    return {"result": result}


@pytest.fixture
def tropo_session_doc() -> SessionPayload:
    """Build a voice session document; keyword arguments replace fields."""
    return _session


@pytest.fixture
def tropo_result_doc() -> ResultPayload:
    """Build a result document of a successful ask; keyword arguments replace
    fields."""
    return _result


def next_url(document: dict[str, t.Any], event: str) -> str:
    """The ``next`` URL of the top-level ``on`` for ``event``."""
    for element in document["tropo"]:
        on = element.get("on")
        if on is not None and on["event"] == event:
            return t.cast(str, on["next"])
    raise AssertionError(f"no on {event!r} in {document}")


def token_of(url: str) -> str:
    """The ``tropo_token`` query parameter of a URL."""
    return parse_qs(urlsplit(url).query)["tropo_token"][0]


class Caller:
    """Plays Tropo against a test client: posts the session, then follows
    ``next`` URLs with result documents."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.sequence = 0

    def start(self, path: str, **fields: t.Any) -> dict[str, t.Any]:
        response = self.client.post(path, json=_session(**fields))
        return self._document(response)

    def follow(
        self, document: dict[str, t.Any], event: str = "continue", **fields: t.Any
    ) -> dict[str, t.Any]:
        self.sequence += 1
        url = next_url(document, event)
        response = self.client.post(url, json=_result(sequence=self.sequence, **fields))
        return self._document(response)

    @staticmethod
    def _document(response: TestResponse) -> dict[str, t.Any]:
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "application/json"
        return t.cast(dict[str, t.Any], response.get_json())


@pytest.fixture
def tropo_caller(client: FlaskClient) -> Caller:
    """A :class:`Caller` on pytest-flask's ``client``."""
    return Caller(client)


# -- outside oracles: every platform document a test renders ------------------------


@pytest.fixture(autouse=True)
def _platform_documents() -> c.Iterator[None]:
    """Check every jambonz and TwiML document rendered during a test with its
    platform's oracle (``tests/oracles``): jambonz's own validator, run by
    node, and an element-by-element TwiML check."""
    import oracles

    from flask_tropo import signals

    documents: list[t.Any] = []

    def rendered(sender: t.Any, document: t.Any = None, **extra: t.Any) -> None:
        documents.append(document)

    signals.response_rendered.connect(rendered)
    try:
        yield
    finally:
        signals.response_rendered.disconnect(rendered)
    for document in documents:
        oracles.check(document)


def pytest_sessionfinish(session: pytest.Session) -> None:
    import oracles

    oracles.close()


def pytest_terminal_summary(terminalreporter: t.Any) -> None:
    import oracles

    counts = oracles.COUNTS
    terminalreporter.write_line(
        f"oracles: {counts['jambonz']} jambonz documents accepted by"
        f" @jambonz/verb-specifications, {counts['twiml']} TwiML documents checked"
        " element by element"
    )
