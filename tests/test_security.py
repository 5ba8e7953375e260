"""HTTP Basic auth and the body size limit, on Tropo routes only."""

from __future__ import annotations

import base64
import hmac
import io
import json
import typing as t

import pytest
from flask import Flask
from flask import request
from flask.testing import FlaskClient

from flask_tropo.extension import Tropo
from flask_tropo.payloads import Session
from flask_tropo.verbs import Say

if t.TYPE_CHECKING:  # pragma: no cover
    from conftest import SessionPayload


@pytest.fixture
def tropo_app(app: Flask) -> Flask:
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> Say:
        return Say("hello")

    @app.route("/upload", methods=["POST"])
    def upload() -> str:
        return str(len(request.get_data()))

    tropo.init_app(app)
    return app


def _basic(user: str, password: str) -> dict[str, str]:
    credentials = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        _basic("tropo", "wrong"),
        _basic("someone", "s3cret é"),
        _basic("", ""),
        {"Authorization": "Bearer s3cret"},
    ],
)
def test_basic_auth_refused(
    tropo_app: Flask,
    client: FlaskClient,
    tropo_session_doc: SessionPayload,
    headers: dict[str, str],
) -> None:
    tropo_app.config["TROPO_BASIC_AUTH"] = ("tropo", "s3cret é")
    response = client.post("/voice", json=tropo_session_doc(), headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="tropo"'
    assert response.get_json() == {
        "code": 401,
        "status": "Unauthorized",
        "errors": {
            "authorization": [
                "Tropo routes need HTTP Basic credentials (TROPO_BASIC_AUTH)."
            ]
        },
    }


def test_basic_auth_accepted(
    tropo_app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    tropo_app.config["TROPO_BASIC_AUTH"] = ("tropo", "s3cret é")
    response = client.post(
        "/voice", json=tropo_session_doc(), headers=_basic("tropo", "s3cret é")
    )
    assert response.status_code == 200
    # other routes are not behind it
    assert client.post("/upload", data=b"x").status_code == 200


class Secret(str):
    """A configured credential that fails the test when it is compared with
    ``==`` or ``!=``: Python tries a subclass's reflected method first, so
    ``given == secret`` and ``secret == given`` both land here."""

    def __eq__(self, other: object) -> bool:
        raise AssertionError("a credential was compared with ==")

    def __ne__(self, other: object) -> bool:
        raise AssertionError("a credential was compared with !=")

    __hash__ = str.__hash__


@pytest.mark.parametrize(
    ("user", "password", "status"),
    [
        ("tropo", "s3cret", 200),
        ("tropo", "wrong", 401),
        ("someone", "s3cret", 401),
        ("x", "y", 401),
    ],
)
def test_credentials_are_compared_in_constant_time(
    tropo_app: Flask,
    client: FlaskClient,
    tropo_session_doc: SessionPayload,
    monkeypatch: pytest.MonkeyPatch,
    user: str,
    password: str,
    status: int,
) -> None:
    """Both parts go through :func:`hmac.compare_digest`, always both (a
    wrong user name does not skip the password), and never through ``==``."""
    compared: list[tuple[bytes, bytes]] = []
    constant_time = hmac.compare_digest

    def spy(a: t.Any, b: t.Any) -> bool:
        compared.append((a, b))
        return constant_time(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    tropo_app.config["TROPO_BASIC_AUTH"] = (Secret("tropo"), Secret("s3cret"))
    response = client.post(
        "/voice", json=tropo_session_doc(), headers=_basic(user, password)
    )
    assert response.status_code == status
    assert sorted(compared) == sorted(
        [(user.encode(), b"tropo"), (password.encode(), b"s3cret")]
    )


def test_body_limit_by_content_length(
    tropo_app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    body = json.dumps(tropo_session_doc()).encode()
    tropo_app.config["TROPO_MAX_CONTENT_LENGTH"] = len(body) - 1
    response = client.post("/voice", data=body, content_type="application/json")
    assert response.status_code == 413
    document = response.get_json()
    assert document["code"] == 413
    assert document["errors"] == {
        "body": [
            f"The request body is larger than the {len(body) - 1} bytes allowed"
            " on Tropo routes (TROPO_MAX_CONTENT_LENGTH)."
        ]
    }
    tropo_app.config["TROPO_MAX_CONTENT_LENGTH"] = len(body)
    response = client.post("/voice", data=body, content_type="application/json")
    assert response.status_code == 200


def test_body_limit_on_a_chunked_body(
    tropo_app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    body = json.dumps(tropo_session_doc()).encode()
    tropo_app.config["TROPO_MAX_CONTENT_LENGTH"] = 200

    def post(data: bytes) -> t.Any:
        return client.post(
            "/voice",
            input_stream=io.BytesIO(data),
            content_type="application/json",
            headers={"Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},
        )

    assert post(body).status_code == 413
    tropo_app.config["TROPO_MAX_CONTENT_LENGTH"] = len(body)
    response = post(body)
    assert response.status_code == 200
    assert response.get_json() == {"tropo": [{"say": {"value": "hello"}}]}


def test_default_limit_and_other_routes(tropo_app: Flask, client: FlaskClient) -> None:
    assert tropo_app.config["TROPO_MAX_CONTENT_LENGTH"] == 64 * 1024
    big = b"x" * (100 * 1024)
    assert (
        client.post("/voice", data=big, content_type="application/json").status_code
        == 413
    )
    assert client.post("/upload", data=big).get_data() == str(len(big)).encode()


def test_no_limit(tropo_app: Flask, client: FlaskClient) -> None:
    tropo_app.config["TROPO_MAX_CONTENT_LENGTH"] = None
    big = b" " * (100 * 1024) + b'{"session": {"id": "abc"}}'
    assert (
        client.post("/voice", data=big, content_type="application/json").status_code
        == 200
    )
