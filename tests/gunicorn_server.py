"""Start gunicorn for a test: on 127.0.0.1, on a free port, in a session of
its own, stopped by its pid (and its workers by their process group).
"""

from __future__ import annotations

import collections.abc as c
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

TESTS = Path(__file__).parent
ROOT = TESTS.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"gunicorn exited with {process.returncode}:\n{log.read_text()}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}:\n{log.read_text()}")


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - a stranger reused the id
        return False
    return True


def stop(process: subprocess.Popen[bytes]) -> list[str]:
    """Stop gunicorn by its pid: SIGTERM, wait, SIGKILL as a last resort;
    then make sure no worker of its process group is left. Returns what had
    to be forced."""
    forced: list[str] = []
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            forced.append(f"master {process.pid} ignored SIGTERM")
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    # The master was started in a session of its own: its workers are in
    # the process group whose id is the master's pid.
    deadline = time.monotonic() + 15
    while group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if group_alive(process.pid):
        forced.append(f"workers of {process.pid} outlived their master")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    return forced


@contextlib.contextmanager
def gunicorn(
    app: str,
    folder: Path,
    env: c.Mapping[str, str],
    *,
    workers: int = 1,
    worker_class: str = "sync",
    extra: c.Sequence[str] = (),
) -> c.Iterator[tuple[int, subprocess.Popen[bytes], Path]]:
    """Serve ``app`` (``module:factory()``, importable from ``tests/``) and
    yield its port, its process and its log file; stop it on the way out."""
    output = folder / "gunicorn.log"
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "--graceful-timeout",
        "10",
        "--no-control-socket",
        "--log-level",
        "warning",
        *extra,
        app,
    ]
    environment = {
        **os.environ,
        **env,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTS)]),
    }
    with output.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=folder,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_port(port, process, output)
        yield port, process, output
    finally:
        forced = stop(process)
        assert not forced, forced
