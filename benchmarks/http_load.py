"""Over HTTP: the benchmark app under gunicorn, 2 sync workers on
127.0.0.1, loaded by ``wrk`` when it is installed (Debian's ``wrk``), else by
Python threads, each with an ``http.client`` connection. Both are started
here; gunicorn is stopped by its pid. gunicorn's sync workers close every
connection, so each request opens one. Any answer but a 200 voids the run.
"""

from __future__ import annotations

import collections.abc as c
import contextlib
import functools
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import typing as t
from importlib import metadata
from pathlib import Path

from . import routes
from .in_process import interleave

HOST = "127.0.0.1"

#: ``load(port, url, row, seconds)`` posts ``row.body`` to ``url`` for about
#: ``seconds``; returns the answers, how many were not a 200, the seconds.
Load = c.Callable[[int, str, routes.Row, float], tuple[int, int, float]]


@contextlib.contextmanager
def gunicorn(workers: int = 2) -> c.Iterator[int]:
    """Serve ``benchmarks.routes:create_app()`` on a free port; yield it."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = int(sock.getsockname()[1])
    root = Path(__file__).resolve().parent.parent
    # gunicorn >= 25.1 opens a control socket at one path per user: two
    # servers at once would share it.
    version = tuple(int(part) for part in metadata.version("gunicorn").split(".")[:2])
    no_control = ["--no-control-socket"] if version >= (25, 1) else []
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "--chdir", str(root)),
                *("--workers", str(workers), "--worker-class", "sync"),
                *("--bind", f"{HOST}:{port}", "--log-level", "warning", *no_control),
                "benchmarks.routes:create_app()",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers in a group whose id is its pid
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(OSError):
                    socket.create_connection((HOST, port), timeout=0.5).close()
                    break
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"gunicorn did not start:\n{log.read()!r}")
                time.sleep(0.05)
            yield port
        finally:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.kill(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)  # a worker left behind


def post(port: int, url: str, row: routes.Row) -> tuple[int, bytes]:
    """One POST of ``row.body``: the status and the body of the answer."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("POST", url, row.body, {"Content-Type": row.content_type})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def python_load(
    connections: int, port: int, url: str, row: routes.Row, seconds: float
) -> tuple[int, int, float]:
    """``connections`` threads posting in a loop."""
    headers = {"Content-Type": row.content_type}
    counts: list[tuple[int, int]] = []
    start = time.monotonic()

    def client() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        done = bad = 0
        try:
            while time.monotonic() < start + seconds:
                connection.request("POST", url, row.body, headers)
                response = connection.getresponse()
                response.read()
                done += 1
                bad += response.status != 200
        except (OSError, http.client.HTTPException):
            bad += 1
        finally:
            connection.close()
            counts.append((done, bad))

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    return sum(done for done, _ in counts), sum(bad for _, bad in counts), elapsed


# The POST, and one line of counts when wrk is done (duration in µs).
_WRK_SCRIPT = """\
wrk.method = "POST"
wrk.headers["Content-Type"] = {content_type}
local file = assert(io.open({body}, "rb"))
wrk.body = file:read("*a")
file:close()
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("COUNTS %d %d %d\\n", summary.requests,
    e.status + e.connect + e.read + e.write + e.timeout, summary.duration))
end
"""


def wrk_load(
    wrk: str, connections: int, port: int, url: str, row: routes.Row, seconds: float
) -> tuple[int, int, float]:
    """wrk, one thread, ``connections`` connections, whole seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        body, script = Path(tmp, "body"), Path(tmp, "post.lua")
        body.write_bytes(row.body)
        script.write_text(
            _WRK_SCRIPT.format(
                content_type=json.dumps(row.content_type), body=json.dumps(str(body))
            )
        )
        output = subprocess.run(
            [
                *(wrk, "-t", "1", "-c", str(connections), "-s", str(script)),
                *("-d", f"{max(1, round(seconds))}s", f"http://{HOST}:{port}{url}"),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    found = re.search(r"^COUNTS (\d+) (\d+) (\d+)$", output, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk printed no counts:\n{output}")
    return int(found[1]), int(found[2]), int(found[3]) / 1e6


def choose_load(connections: int, python: bool = False) -> tuple[str, Load]:
    """wrk when it is on ``PATH`` (unless ``python``), else Python threads."""
    wrk = shutil.which("wrk")
    if wrk is None or python:
        return "python http.client", functools.partial(python_load, connections)
    return "wrk", functools.partial(wrk_load, wrk, connections)


def measure(
    rows: c.Sequence[routes.Row], load: Load, rounds: int, seconds: float
) -> dict[str, dict[str, t.Any]]:
    """Serve the app and load every row in interleaved rounds."""
    by_key = {row.key: row for row in rows}
    with gunicorn() as port:
        urls = routes.resolve(rows, lambda row, url: post(port, url, row))

        def measure(key: str) -> float:
            done, bad, elapsed = load(port, urls[key], by_key[key], seconds)
            if bad or not done:
                raise RuntimeError(f"{key}: {bad} of {done} answers not 200")
            return done / elapsed

        items = [(row.key, row.label, row.floor) for row in rows]
        return interleave(items, measure, rounds, "rps")
