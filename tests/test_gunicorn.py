"""Bodies gunicorn cannot read, sent over raw sockets to the app under a real
gunicorn: a malformed chunked body is the JSON ``400``, never a ``500``.

gunicorn parses a chunked body while the app reads it, and raises its own
errors (``InvalidChunkSize``, ``InvalidChunkExtension``,
``ChunkMissingTerminator``, ``NoMoreData``) from ``wsgi.input``; the Tropo
view answers any failure to read the body with ``400``.
"""

from __future__ import annotations

import collections.abc as c
import json
import shlex
import socket
import typing as t
from pathlib import Path

import pytest
from gunicorn_server import gunicorn

from flask_tropo.config_checks import REQUEST_LINE

pytestmark = pytest.mark.slow

HEAD = (
    b"POST /voice HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
)
SESSION = b'{"session": {"id": "abc"}}'


@pytest.fixture(scope="module")
def tropo_port(tmp_path_factory: pytest.TempPathFactory) -> c.Iterator[int]:
    folder = tmp_path_factory.mktemp("gunicorn")
    env = {"TROPO_HOSTILE_KEY": "a key only this test knows"}
    with gunicorn("hostile_app:create()", folder, env, workers=2) as (port, _, log):
        yield port
    assert "Traceback" not in log.read_text(), log.read_text()


def exchange(port: int, request: bytes) -> tuple[int, dict[str, t.Any] | None]:
    """Send ``request``, close the sending side, and read the answer's
    status and JSON body (``None`` when it is not JSON)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    headers = head.decode("latin-1").lower()
    if "transfer-encoding: chunked" in headers:
        body = _unchunk(body)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None


def _unchunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, body = out + body[:size], body[size + 2 :]
    return out


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def test_a_good_chunked_body_is_read(tropo_port: int) -> None:
    status, document = exchange(tropo_port, HEAD + chunk(SESSION) + b"0\r\n\r\n")
    assert status == 200
    assert document is not None and document["tropo"][0]["ask"]


MALFORMED = {
    "bad chunk size": b"zz\r\n" + SESSION + b"\r\n0\r\n\r\n",
    "chunk size too large": b"fffffffffffffffffffff\r\n" + SESSION,
    "bad chunk extension": b'%x;"unquoted\r\n' % len(SESSION) + SESSION + b"\r\n",
    "chunk extension with a bare CR": b"%x;a\rb\r\n" % len(SESSION) + SESSION,
    "missing chunk terminator": b"%x\r\n" % len(SESSION) + SESSION + b"XX0\r\n\r\n",
    "missing last chunk": chunk(SESSION),
    "missing trailer terminator": chunk(SESSION) + b"0\r\n",
    "truncated chunk": b"%x\r\n" % (len(SESSION) + 10) + SESSION,
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_body_gunicorn_cannot_read_is_a_400(tropo_port: int, body: bytes) -> None:
    status, document = exchange(tropo_port, HEAD + body)
    assert status == 400
    assert document is not None
    assert document["code"] == 400
    assert document["status"] == "Bad Request"
    assert list(document["errors"]) == ["request"]


def test_the_request_line_limit_init_app_keeps_next_urls_under(tropo_port: int) -> None:
    """``config_checks.REQUEST_LINE`` is gunicorn's: a request line of that
    many bytes is read, one more is answered 414 (a broken call)."""

    def status_of(length: int) -> int:
        frame = len("POST /answered?tropo_token= HTTP/1.1")
        line = f"POST /answered?tropo_token={'t' * (length - frame)} HTTP/1.1"
        assert len(line) == length
        request = f"{line}\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
        return exchange(tropo_port, request.encode())[0]

    assert status_of(REQUEST_LINE) == 400  # read: an empty body is no result
    assert status_of(REQUEST_LINE + 1) == 414


# -- slow clients ----------------------------------------------------------------

DEPLOYING = Path(__file__).parent.parent / "docs" / "deploying.rst"


def documented_options() -> list[str]:
    """The worker options of the gunicorn command of docs/deploying.rst."""
    text = DEPLOYING.read_text(encoding="utf-8")
    [line] = [
        line.strip()
        for line in text.splitlines()
        if line.strip().startswith("$ gunicorn ") and "create_app()" in line
    ]
    words = shlex.split(line)[2:]
    bind = words.index("-b")
    del words[bind : bind + 2]
    assert words.pop() == "example_app:create_app()"
    return words


def test_the_documented_workers_answer_calls_while_slow_bodies_stall(
    tmp_path: Path,
) -> None:
    """Four clients send the start of a body and stall (as a slow or hostile
    client does); a call is still answered. With four sync workers (the
    command these docs gave before) it waited for them."""
    env = {"TROPO_HOSTILE_KEY": "a key only this test knows"}
    options = documented_options()
    with gunicorn("hostile_app:create()", tmp_path, env, extra=options) as served:
        port = served[0]
        stalled = []
        for _ in range(4):
            sock = socket.create_connection(("127.0.0.1", port), timeout=30)
            sock.sendall(
                b"POST /voice HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
            )
            stalled.append(sock)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=15) as probe:
                body = b'{"session": {"id": "abc"}}'
                probe.sendall(
                    b"POST /voice HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    b"Content-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                )
                answer = probe.recv(65536)  # socket.timeout if nobody serves it
            assert answer.startswith(b"HTTP/1.1 200 ")
            for sock in stalled:  # still held: nothing was answered to them
                sock.setblocking(False)
                with pytest.raises(BlockingIOError):
                    sock.recv(1)
        finally:
            for sock in stalled:
                sock.close()
