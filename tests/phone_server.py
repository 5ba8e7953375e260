"""Start ``flask tropo phone`` for a test: a real server on 127.0.0.1, on a
free port, stopped by its pid."""

from __future__ import annotations

import collections.abc as c
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

TESTS = Path(__file__).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def phone_server(
    app: str, folder: Path, env: c.Mapping[str, str] | None = None
) -> c.Iterator[str]:
    """Run ``flask --app APP tropo phone`` with ``folder`` as its working
    directory and ``tests/`` on its path; yield the page's URL."""
    port = free_port()
    environ = {
        **os.environ,
        # the checkout too: example_app is not installed with the package
        "PYTHONPATH": os.pathsep.join(
            [str(TESTS), str(TESTS.parent), os.environ.get("PYTHONPATH", "")]
        ),
        **(env or {}),
    }
    log = open(folder / "phone-server.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            app,
            "tropo",
            "phone",
            "--port",
            str(port),
        ],
        cwd=folder,
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "api/routes", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        (folder / "phone-server.log").read_text(errors="replace")
                    ) from None
                time.sleep(0.1)
        yield url
    finally:
        try:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        finally:
            log.close()
