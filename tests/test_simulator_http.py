"""The simulator over real HTTP: a server in a thread, and a server in a
separate process, both on 127.0.0.1."""

from __future__ import annotations

import collections.abc as c
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import typing as t
from pathlib import Path

import pytest
from flask import Flask
from flask import Response
from flask import redirect
from flask import request
from sim_apps import ScriptedApp
from sim_apps import on
from sim_apps import say
from sim_apps import serving
from sim_apps import tropo
from tropo_dialect_apps import create_app

from flask_tropo import Result
from flask_tropo import Session
from flask_tropo import Tropo
from flask_tropo.testing import SimulationError
from flask_tropo.testing import Simulator
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Say

pytestmark = pytest.mark.slow

TESTS = Path(__file__).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    port: int, process: subprocess.Popen[bytes], timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


@pytest.fixture
def serve() -> c.Iterator[c.Callable[[t.Any], str]]:
    """Serve WSGI apps on 127.0.0.1 in threads; returns their base URLs."""
    with contextlib.ExitStack() as stack:
        yield lambda app: stack.enter_context(serving(app))


def test_php_app_over_http(serve: c.Callable[[t.Any], str]) -> None:
    base = serve(create_app())
    call = (
        Simulator(base).dial("/php/index.php").press("2").speak("ring twice").silence()
    )
    assert call.heard[-1] == "Instructions of 7 seconds saved."
    posted = [e.url for e in call.events if e.kind == "post"]
    assert posted == [
        f"{base}/php/index.php",
        f"{base}/php/order.php?uri=pizza",
        f"{base}/php/done.php",
    ]
    assert [e.status for e in call.events if e.kind == "post"] == [200, 200, 200]


def test_java_app_over_http_with_a_trailing_slash(
    serve: c.Callable[[t.Any], str],
) -> None:
    base = serve(create_app())
    call = Simulator(base + "/", transfer="no-answer").dial("java/start").press("1234#")
    assert call.heard[-1] == "Transfer missed: TIMEOUT."


def test_http_errors(serve: c.Callable[[t.Any], str]) -> None:
    app = ScriptedApp(
        {
            "/text": lambda payload: Response("<b>hello</b>", content_type="text/html"),
            "/moved": lambda payload: redirect("/elsewhere", 307),
            "/ok": tropo(say("fine"), on("continue", "/missing")),
        }
    )
    base = serve(app.app)
    sim = Simulator(base)
    with pytest.raises(SimulationError, match=r"-> 404: the app answered 404") as info:
        sim.dial("/ok")
    assert info.value.url == f"{base}/missing"
    with pytest.raises(SimulationError, match="not JSON \\(text/html\\): 'hello'"):
        sim.dial("/text")
    with pytest.raises(SimulationError, match="answered 307") as info:
        sim.dial("/moved")
    assert info.value.status == 307


def test_unreachable_server() -> None:
    base = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(SimulationError, match="cannot reach the app") as info:
        Simulator(base, timeout=5).dial("/voice")
    assert info.value.url == f"{base}/voice"
    assert info.value.status is None
    assert str(info.value).startswith(f"POST {base}/voice -> -: ")


def test_separate_server_process() -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(TESTS), "FLASK_DEBUG": "0"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "tropo_dialect_apps:create_app",
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-reload",
            "--no-debugger",
        ],
        cwd=TESTS,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        base = f"http://127.0.0.1:{port}"
        call = Simulator(base).dial("/java/start").press("2468#")
        assert call.heard[-1] == "Transfer connected: SUCCESS."
        call = Simulator(base).dial("/php/index.php").hangup()
        assert call.results[-1]["result"]["state"] == "DISCONNECTED"
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            process.kill()
            process.wait()


def test_credentials_go_only_to_the_origin_the_call_started_on() -> None:
    """``auth`` is sent to the base URL's origin; a ``next`` URL on another
    host (here the same server under another name, so another origin) gets
    no credentials."""
    seen: list[tuple[str, str | None]] = []
    app = Flask(__name__)

    @app.post("/voice")
    def voice() -> t.Any:
        seen.append(("/voice", request.headers.get("Authorization")))
        elsewhere = request.host_url.replace("127.0.0.1", "localhost")
        return tropo(say("Hi"), on("continue", next=f"{elsewhere}pin"))

    @app.post("/pin")
    def pin() -> t.Any:
        seen.append(("/pin", request.headers.get("Authorization")))
        return tropo({"hangup": None})

    with serving(app) as base:
        call = Simulator(base, auth=("tropo", "s3cret")).dial("/voice")
    assert call.ended
    [(first, credentials), (second, none)] = seen
    assert (first, second, none) == ("/voice", "/pin", None)
    assert credentials is not None and credentials.startswith("Basic ")


def test_flask_tropo_call_masks_credentials_in_urls() -> None:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="a test key",
        TROPO_EXTERNAL_URL="https://tropo:s3cret@ivr.example.com",
    )
    tropo_ = Tropo()

    @tropo_.on_session("/voice")
    def incoming(session: Session) -> list[t.Any]:
        return [Say("Hi"), On("continue", next=done)]

    @tropo_.on_result("/done")
    def done(result: Result) -> Hangup:
        return Hangup()

    tropo_.init_app(app)
    output = app.test_cli_runner().invoke(args=["tropo", "call", "/voice"]).output
    assert "https://tropo:***@ivr.example.com/done?tropo_token=..." in output
    assert "s3cret" not in output
