"""A hostile-input campaign against the app under a real gunicorn (four sync
workers, 127.0.0.1): about a thousand requests over raw sockets, each kind
with the answer it must get, and never a ``500``. The figures it prints are
the ones docs/security.rst reports.

Kinds: garbage and mutated bodies; forged, tampered, foreign, expired,
future-dated and inflating tokens; oversized, mislabelled and malformed
chunked bodies; hostile uploads to the recording receiver; wrong methods;
request lines over gunicorn's limit. Inputs come from a seeded
:class:`random.Random`, so every run sends the same ones.
"""

from __future__ import annotations

import collections
import json
import random
import socket
import time
import typing as t
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from gunicorn_server import gunicorn
from itsdangerous import BadData
from itsdangerous import TimestampSigner
from itsdangerous.encoding import base64_decode
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from flask_tropo.continuation import Tokens

pytestmark = pytest.mark.slow

KEY = "a key only the hostile campaign knows"
SESSION_ID = "c0ffee00c0ffee00c0ffee00c0ffee00"
LIMIT = 64 * 1024
CONFIG = {"TROPO_MAX_STATE_BYTES": None}


class Probe(t.NamedTuple):
    kind: str
    request: bytes
    #: The statuses it may get.
    expected: frozenset[int]
    #: Whether the answer comes from the app (JSON) or from gunicorn.
    from_app: bool = True


def http(
    method: str,
    target: str,
    body: bytes = b"",
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
    length: int | None = None,
) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines.append(f"Content-Length: {len(body) if length is None else length}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def chunked(target: str, raw: bytes, content_type: str = "application/json") -> bytes:
    head = (
        f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Content-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    return head.encode() + raw


def token(session_id: str, endpoint: str, state: dict[str, t.Any]) -> str:
    return Tokens(KEY).dumps(t.cast(t.Any, CONFIG), session_id, endpoint, state)


def dated(seconds: int, session_id: str = SESSION_ID) -> str:
    """A token signed ``seconds`` from now (negative: in the past)."""
    original = TimestampSigner.get_timestamp
    TimestampSigner.get_timestamp = lambda self: int(time.time()) + seconds  # type: ignore[method-assign]
    try:
        return token(session_id, "tropo.answered", {})
    finally:
        TimestampSigner.get_timestamp = original  # type: ignore[method-assign]


def same_bytes(query: str, other: str) -> bool:
    """Whether a changed token is the same token spelled otherwise: the
    signed text (payload and timestamp) unchanged, and the signature
    decoding to the same bytes."""

    def parts(text: str) -> tuple[str, bytes] | None:
        signed, _, signature = text.partition("=")[2].rpartition(".")
        try:
            return signed, base64_decode(signature)
        except BadData:
            return None

    return parts(query) == parts(other) is not None


def result(session_id: str = SESSION_ID) -> bytes:
    action = {"name": "pin", "value": "1234"}
    return json.dumps({"result": {"sessionId": session_id, "actions": action}}).encode()


def garbage(rng: random.Random) -> bytes:
    """Random bytes, random JSON, or a mutated session document."""
    choice = rng.randrange(4)
    if choice == 0:
        return rng.randbytes(rng.randrange(1, 300))
    if choice == 1:
        value: t.Any = rng.choice([None, 1, -1.5, "x", [], {}, True])
        for _ in range(rng.randrange(1, 6)):
            value = rng.choice([[value], {"session": value}, {"k": value}])
        return json.dumps(value).encode()
    session = json.dumps(
        {"session": {"id": "s" * 32, "timestamp": "2017-04-27T08:55:49.252Z",
                     "from": {"id": "+14155550100"}, "headers": {"a": "b"}}}
    ).encode()  # fmt: skip
    position = rng.randrange(len(session))
    if choice == 2:
        return session[:position]
    return session[:position] + bytes([rng.randrange(256)]) + session[position + 1 :]


def upload(target: str, data: bytes, field: str = "filename") -> bytes:
    storage = FileStorage(
        __import__("io").BytesIO(data), "r.wav", content_type="audio/wav"
    )
    boundary, body = encode_multipart({field: storage})
    return http("POST", target, body, f"multipart/form-data; boundary={boundary}")


def probes(valid: str, upload_url: str) -> list[Probe]:
    rng = random.Random(13)
    answered = urlsplit(valid).path
    good = urlsplit(valid).query
    saved = upload_url
    out: list[Probe] = []
    add = out.append
    ok_or_400 = frozenset({200, 400})
    for _ in range(300):
        add(Probe("garbage session", http("POST", "/voice", garbage(rng)), ok_or_400))
    for _ in range(100):
        body = garbage(rng)
        add(Probe("garbage result", http("POST", valid, body), frozenset({400, 403})))
    for _ in range(150):
        chars = list(good)
        at = rng.randrange(len("tropo_token="), len(chars))
        chars[at] = rng.choice("ABCxyz019-_.") if chars[at] != "A" else "B"
        tampered = "".join(chars)
        target = f"{answered}?{tampered}"
        if same_bytes(good, tampered):
            # The last character of a base64 segment carries unused bits: a
            # change there spells the same signed bytes, which pass.
            add(Probe("token respelled, same bytes", http("POST", target, result()),
                      frozenset({200})))  # fmt: skip
        else:
            add(Probe("tampered token", http("POST", target, result()),
                      frozenset({403})))  # fmt: skip
    forged = {
        "no token": answered,
        "empty token": f"{answered}?tropo_token=",
        "garbage token": f"{answered}?tropo_token=not.a.token",
        "another key": f"{answered}?tropo_token="
        + Tokens("another key").dumps(
            t.cast(t.Any, CONFIG), SESSION_ID, "tropo.answered", {}
        ),
        "another session": f"{answered}?tropo_token="
        + token("f" * 32, "tropo.answered", {}),
        "another route": f"{answered}?tropo_token="
        + token(SESSION_ID, "tropo.saved", {}),
        "expired": f"{answered}?tropo_token=" + dated(-5 * 60 * 60),
        "dated a year ahead": f"{answered}?tropo_token=" + dated(365 * 24 * 3600),
        "inflating state (1 MB)": f"{answered}?tropo_token="
        + token(SESSION_ID, "tropo.answered", {"x": "0" * 1_000_000}),
    }
    for kind, target in forged.items():
        for _ in range(20):
            add(Probe(kind, http("POST", target, result()), frozenset({403})))
    big = json.dumps({"session": {"id": "x", "initialText": "x" * LIMIT}}).encode()
    for _ in range(30):
        add(Probe("oversized body", http("POST", "/voice", big), frozenset({413})))
        add(Probe("oversized chunked", chunked("/voice", b"%x\r\n%s\r\n0\r\n\r\n"
                  % (len(big), big)), frozenset({413})))  # fmt: skip
        add(Probe("announced far above the limit", http("POST", "/voice", b"{}",
                  length=100 * LIMIT), frozenset({413})))  # fmt: skip
    doc = b'{"session": {"id": "abc"}}'
    malformed = [
        b"zz\r\n" + doc,
        b'%x;"open\r\n' % len(doc) + doc,
        b"%x;a\rb\r\n" % len(doc) + doc,
        b"%x\r\n" % len(doc) + doc + b"XX0\r\n\r\n",
        b"%x\r\n%s\r\n0\r\n" % (len(doc), doc),
        b"%x\r\n" % (len(doc) + 10) + doc,
    ]
    for raw in malformed * 8:
        add(Probe("malformed chunked", chunked("/voice", raw), frozenset({400})))
    wav = b"RIFF" + bytes(1000)
    for _ in range(20):
        add(Probe("upload without a token", upload("/saved", wav), frozenset({403})))
        add(Probe("upload with another route's token",
                  upload(f"/saved?{good}", wav), frozenset({403})))  # fmt: skip
        add(Probe("upload above the limit", upload(saved, bytes(LIMIT + 1)),
                  frozenset({413})))  # fmt: skip
        add(Probe("upload without a file", upload(saved, wav, field="other"),
                  frozenset({400})))  # fmt: skip
        add(Probe("upload, valid", upload(saved, wav), frozenset({204})))
    for method in ("GET", "DELETE", "PATCH"):
        # GET is answered by the blueprint (JSON), others by Flask's router
        # (the app's own 405 page), as docs/security.rst says
        for _ in range(5):
            add(Probe(f"{method} on a Tropo route", http(method, "/voice"),
                      frozenset({405}), from_app=method == "GET"))  # fmt: skip
    for _ in range(10):
        long = f"{answered}?tropo_token={'t' * 4100}"
        add(Probe("request line over 4,094 bytes", http("POST", long, result()),
                  frozenset({414}), from_app=False))  # fmt: skip
    for _ in range(20):
        add(Probe("valid session", http("POST", "/voice", doc), frozenset({200})))
    return out


def send(port: int, request: bytes) -> tuple[int, str, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        try:
            sock.sendall(request)
            sock.shutdown(socket.SHUT_WR)
        except OSError:  # the server answered and closed before reading it all
            pass
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    content_type = ""
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-type":
            content_type = value.strip()
    return status, content_type, body


def test_a_hostile_campaign_against_gunicorn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"TROPO_HOSTILE_KEY": KEY}
    with gunicorn("hostile_app:create()", tmp_path, env, workers=4) as (port, _, log):
        session = json.dumps({"session": {"id": SESSION_ID}}).encode()
        _, _, body = send(port, http("POST", "/voice", session))
        [valid] = [e["on"]["next"] for e in json.loads(body)["tropo"] if "on" in e]
        _, _, body = send(port, http("POST", valid, result()))
        [record] = [e["record"] for e in json.loads(body)["tropo"] if "record" in e]
        upload_url = record["url"].removeprefix("http://127.0.0.1")
        upload_url = urlsplit(upload_url)._replace(scheme="", netloc="").geturl()
        campaign = probes(valid, upload_url)
        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda p: send(port, p.request), campaign))
        wall = time.monotonic() - started
        server_log = log.read_text()
    statuses: collections.Counter[int] = collections.Counter()
    kinds: dict[str, collections.Counter[int]] = {}
    for probe, (status, content_type, body) in zip(campaign, answers, strict=True):
        statuses[status] += 1
        kinds.setdefault(probe.kind, collections.Counter())[status] += 1
        assert status in probe.expected, (probe.kind, status, body[:200])
        if probe.from_app and status >= 400:
            assert content_type == "application/json", (probe.kind, content_type)
            assert json.loads(body)["code"] == status
    assert statuses[500] == 0
    assert "Traceback" not in server_log, server_log
    with capsys.disabled():
        print(
            f"\n[hostile] {len(campaign)} requests, {len(kinds)} kinds, 4 sync"
            f" workers, wall {wall:.2f} s; statuses"
            f" {dict(sorted(statuses.items()))}; no 500, no traceback"
        )
        for kind, counts in kinds.items():
            print(f"[hostile]   {kind}: {dict(sorted(counts.items()))}")
