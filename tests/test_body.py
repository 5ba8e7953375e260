"""A Tropo route reads its body as werkzeug's ``request.get_data()`` reads it:
the same bytes or the same refusal, and the request reads the same
afterwards, for every way a body can arrive."""

from __future__ import annotations

import collections.abc as c
import http.client
import io
import json
import typing as t

import pytest
from conftest import _session
from flask import Flask
from flask import Request
from flask import request
from sim_apps import serving
from werkzeug.exceptions import HTTPException
from werkzeug.test import EnvironBuilder

from flask_tropo import Session
from flask_tropo import Tropo
from flask_tropo._body import read_body
from flask_tropo.verbs import Say

LIMIT = 64
BODY = b'{"session":{"id":"x"}}'


class Trickle(io.RawIOBase):
    """Gives at most ``step`` bytes a read; ``fail_after``: then raises."""

    def __init__(
        self, data: bytes, step: int = 1, fail_after: int | None = None
    ) -> None:
        self.data = data
        self.step = step
        self.fail_after = fail_after
        self.pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: t.Any) -> int:
        if self.fail_after is not None and self.pos >= self.fail_after:
            raise OSError("connection reset")
        chunk = self.data[self.pos : self.pos + min(self.step, len(buffer))]
        buffer[: len(chunk)] = chunk
        self.pos += len(chunk)
        return len(chunk)


class ReadOnly:
    """A stream with ``read`` only, as PEP 3333 requires at least."""

    def __init__(self, data: bytes, step: int = 5) -> None:
        self.data = data
        self.step = step
        self.pos = 0

    def read(self, size: int = -1) -> bytes:
        size = self.step if size < 0 else min(size, self.step)
        chunk = self.data[self.pos : self.pos + size]
        self.pos += len(chunk)
        return chunk


def _stream(kind: str, data: bytes) -> t.Any:
    if kind == "bytesio":
        return io.BytesIO(data)
    if kind == "trickle":
        return Trickle(data)
    if kind == "read-only":
        return ReadOnly(data)
    if kind == "failing":
        return Trickle(data, step=4, fail_after=8)
    if kind == "closed":
        stream = io.BytesIO(data)
        stream.close()
        return stream
    raise AssertionError(kind)


#: (Content-Length, data sent, extra environ) of each case.
CASES: dict[str, tuple[str | None, bytes, dict[str, t.Any]]] = {
    "exact": (str(len(BODY)), BODY, {}),
    "empty": ("0", b"", {}),
    "no length": (None, BODY, {}),
    "at the limit": (str(LIMIT), b"x" * LIMIT, {}),
    "one over": (str(LIMIT + 1), b"x" * (LIMIT + 1), {}),
    "far over": (str(LIMIT * 3), b"x" * (LIMIT * 3), {}),
    "short": ("40", b"x" * 10, {}),
    "nothing sent": ("40", b"", {}),
    "more sent than announced": ("5", BODY, {}),
    "blanks": (f" {len(BODY)}\t", BODY, {}),
    "negative": ("-1", BODY, {}),
    "plus": (f"+{len(BODY)}", BODY, {}),
    "not a number": ("twelve", BODY, {}),
    "arabic digits": ("١٢", BODY, {}),
    "chunked": (None, BODY, {"HTTP_TRANSFER_ENCODING": "chunked"}),
    "chunked, terminated": (
        None,
        BODY,
        {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True},
    ),
    "terminated": (str(len(BODY)), BODY, {"wsgi.input_terminated": True}),
    "terminated, no length": (None, BODY, {"wsgi.input_terminated": True}),
    "terminated, at the limit": (
        None,
        b"x" * LIMIT,
        {"wsgi.input_terminated": True},
    ),
    "terminated, one over": (
        None,
        b"x" * (LIMIT + 1),
        {"wsgi.input_terminated": True},
    ),
    "terminated, far over": (
        None,
        b"x" * (LIMIT * 3),
        {"wsgi.input_terminated": True},
    ),
    "terminated, length below the data": ("5", BODY, {"wsgi.input_terminated": True}),
    "terminated, length over the limit": (
        str(LIMIT + 10),
        BODY,
        {"wsgi.input_terminated": True},
    ),
}
STREAMS = ["bytesio", "trickle", "read-only", "failing", "closed"]


def _request(
    length: str | None, data: bytes, extra: dict[str, t.Any], stream: str
) -> Request:
    environ = EnvironBuilder(path="/voice", method="POST").get_environ()
    environ.pop("CONTENT_LENGTH", None)
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    environ.update(extra)
    environ["wsgi.input"] = _stream(stream, data)
    req = Request(environ)
    req.max_content_length = LIMIT + 1
    return req


def _outcome(read: c.Callable[[], t.Any]) -> tuple[t.Any, ...]:
    try:
        return ("read", read())
    except HTTPException as exc:
        return ("refused", type(exc), exc.code)


def _afterwards(req: Request) -> tuple[t.Any, ...]:
    """What the request reads after its body was read."""
    return (_outcome(req.get_data), _outcome(req.stream.read), _outcome(req.get_data))


def _by_werkzeug(req: Request) -> bytes | None:
    from werkzeug.exceptions import RequestEntityTooLarge

    try:
        return req.get_data()
    except RequestEntityTooLarge:
        return None


@pytest.mark.parametrize("stream", STREAMS)
@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_read_as_werkzeug_reads(
    case: tuple[str | None, bytes, dict[str, t.Any]], stream: str
) -> None:
    ours = _request(*case, stream)
    theirs = _request(*case, stream)
    expected = _outcome(lambda: _by_werkzeug(theirs))
    assert _outcome(lambda: read_body(ours, LIMIT)) == expected
    if expected[0] == "read" and expected[1] is not None:
        assert _afterwards(ours) == _afterwards(theirs)
        assert ours.get_json(silent=True) == theirs.get_json(silent=True)


def test_read_once() -> None:
    """A body read before (a ``before_request`` that read it) is that body."""
    req = _request(str(len(BODY)), BODY, {}, "bytesio")
    assert req.get_data() == BODY
    assert read_body(req, LIMIT) == BODY
    req = _request(str(len(BODY)), BODY, {}, "bytesio")
    assert req.stream.read(3) == BODY[:3]
    assert read_body(req, LIMIT) == BODY[3:]  # what werkzeug gives then


class _Gunzip(Request):
    """A request class that reads its body its own way."""

    def get_data(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        data = super().get_data(*args, **kwargs)
        return data.replace(b"Ada", b"Bea") if isinstance(data, bytes) else data


def _app(request_class: type[Request] = Request) -> Flask:
    app = Flask(__name__)
    app.request_class = request_class
    app.config["TROPO_SECRET_KEY"] = "body tests"
    app.config["TROPO_MAX_CONTENT_LENGTH"] = 4096
    tropo = Tropo()

    @tropo.on_session("/voice")
    def voice(session: Session) -> list[Say]:
        again = request.get_json()
        assert again["session"]["id"] == session.id
        assert session.from_ is not None
        return [Say(f"Hello {session.from_.name}")]

    tropo.init_app(app)
    return app


def test_request_class_with_its_own_reading() -> None:
    client = _app(_Gunzip).test_client()
    answer = client.post("/voice", json=_session())
    assert answer.json == {"tropo": [{"say": {"value": "Hello Bea"}}]}


def _post(
    base: str, body: bytes | c.Iterable[bytes], headers: dict[str, str]
) -> tuple[int, bytes]:
    port = int(base.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            "POST",
            "/voice",
            body=body,
            headers=headers,
            encode_chunked=not isinstance(body, bytes),
        )
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def _chunked(body: bytes) -> c.Iterator[bytes]:
    for start in range(0, len(body), 100):
        yield body[start : start + 100]


def test_over_http() -> None:
    """A real server on 127.0.0.1: a body with its length, a chunked one (the
    server terminates it), and ones above the limit."""
    app = _app()
    body = json.dumps(_session()).encode()
    json_type = {"Content-Type": "application/json"}
    with serving(app) as base:
        assert _post(base, body, json_type) == (
            200,
            b'{"tropo":[{"say":{"value":"Hello Ada"}}]}\n',
        )
        chunked = _post(
            base, _chunked(body), {**json_type, "Transfer-Encoding": "chunked"}
        )
        assert chunked == (200, b'{"tropo":[{"say":{"value":"Hello Ada"}}]}\n')
        status, text = _post(base, b" " * 5000 + body, json_type)
        assert status == 413
        assert "TROPO_MAX_CONTENT_LENGTH" in json.loads(text)["errors"]["body"][0]
