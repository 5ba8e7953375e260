"""Many workers for real: the example app under gunicorn, four sync worker
processes sharing only ``SECRET_KEY`` and the SQLite file, driven by 100
concurrent simulated calls over HTTP. Each call is a multi-step flow whose
later steps depend on what ``call_state`` carried from the earlier ones (the
account number entered, the PIN tries), so a call that lost its state would
hear the wrong answer.

The server is started on 127.0.0.1 on a free port by the test and stopped by
its pid; which worker served each request is read from the log file that
``tests/tropo_workers_app.py`` writes.
"""

from __future__ import annotations

import collections
import collections.abc as c
import contextlib
import dataclasses
import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from gunicorn_server import gunicorn

from example_app import db
from flask_tropo.testing import Call
from flask_tropo.testing import Simulator

pytestmark = pytest.mark.slow

TESTS = Path(__file__).parent
ROOT = TESTS.parent
WORKERS = 4
CALLS = 100
THREADS = 25
GOODBYE = "Thank you for calling Acme. Goodbye."
NO_MATCH = "Sorry, that account number and PIN do not match."


@dataclasses.dataclass
class Server:
    """A running gunicorn."""

    url: str
    process: subprocess.Popen[bytes]
    #: The file the app appends ``pid path session-id status`` lines to.
    requests: Path

    def served(self) -> list[tuple[int, str, str, int]]:
        """``(pid, path, session id, status)`` of every request so far."""
        rows = []
        for line in self.requests.read_text().splitlines():
            pid, path, session_id, status = line.split(" ")
            rows.append((int(pid), path, session_id, int(status)))
        return rows


@pytest.fixture
def tropo_gunicorn(tmp_path: Path) -> c.Iterator[Server]:
    """The example app under gunicorn with four sync workers."""
    database = tmp_path / "example.sqlite3"
    # Created here, once: workers that all found it missing would race.
    db.create_database(database)
    requests = tmp_path / "requests.log"
    requests.touch()
    env = {
        "TROPO_WORKERS_SECRET_KEY": "one secret for every worker",
        "TROPO_WORKERS_DATABASE": str(database),
        "TROPO_WORKERS_RECORDINGS": str(tmp_path / "recordings"),
        "TROPO_WORKERS_LOG": str(requests),
        "TROPO_WORKERS_PIN_TRIES": "1000",
    }
    with gunicorn("tropo_workers_app:create()", tmp_path, env, workers=WORKERS) as (
        port,
        process,
        output,
    ):
        yield Server(f"http://127.0.0.1:{port}", process, requests)
    print(output.read_text(), end="")


# -- the calls -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Script:
    """What one caller does and must hear."""

    #: ``3`` (the account menu), then account number and PIN pairs.
    keys: tuple[str, ...]
    #: The last lines the call must hear.
    ending: tuple[str, ...]
    #: How many times it must hear that the account and PIN do not match.
    mismatches: int


def script(index: int) -> Script:
    """Call ``index``: one of the sample accounts; one call in four gets its
    PIN wrong once, one in ten three times before the right one (the account
    number rides in ``call_state`` at every step). The lockout is counted per
    account across calls (tests/test_example_security.py), so it is off
    here."""
    account = db.SAMPLE_ACCOUNTS[index % len(db.SAMPLE_ACCOUNTS)]
    wrong = "0000"
    dollars, cents = divmod(account.balance_cents, 100)
    success = (
        f"Hello {account.name.split()[0]}.",
        f"Your balance is ${dollars:,}.{cents:02d}.",
        GOODBYE,
    )
    if index % 10 == 9:
        keys = ("3", *(account.number, wrong) * 3, account.number, account.pin)
        return Script(keys, success, 3)
    if index % 4 == 0:
        keys = ("3", account.number, wrong, account.number, account.pin)
        return Script(keys, success, 1)
    return Script(("3", account.number, account.pin), success, 0)


def play(base_url: str, index: int) -> Call:
    account = db.SAMPLE_ACCOUNTS[index % len(db.SAMPLE_ACCOUNTS)]
    call = Simulator(base_url, timeout=120).dial("/ivr/voice", from_=account.phone)
    for keys in script(index).keys:
        call.press(keys)
    return call


def test_calls_hop_between_workers_and_keep_their_state(
    tropo_gunicorn: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.perf_counter()
    errors: list[str] = []
    calls: dict[int, Call] = {}
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = {pool.submit(play, tropo_gunicorn.url, i): i for i in range(CALLS)}
        for future, index in futures.items():
            try:
                calls[index] = future.result()
            except Exception as exc:  # a SimulationError, a broken connection
                errors.append(f"call {index}: {type(exc).__name__}: {exc}")
    wall = time.perf_counter() - started

    wrong: list[str] = []
    for index, call in sorted(calls.items()):
        expected = script(index)
        heard = tuple(call.heard[-len(expected.ending) :])
        mismatches = call.heard.count(NO_MATCH)
        if heard != expected.ending or mismatches != expected.mismatches:
            wrong.append(f"call {index} heard {call.heard!r}")
        elif not call.ended:
            wrong.append(f"call {index} did not end: {call.heard!r}")
    served = tropo_gunicorn.served()
    posted = sum(
        1 for call in calls.values() for event in call.events if event.kind == "post"
    )
    workers_of: dict[str, set[int]] = collections.defaultdict(set)
    for pid, _, session_id, _ in served:
        workers_of[session_id].add(pid)
    per_worker = collections.Counter(pid for pid, _, _, _ in served)
    hopped = sum(1 for call in calls.values() if len(workers_of[call.session_id]) > 1)
    statuses = collections.Counter(status for _, _, _, status in served)

    with capsys.disabled():
        print(
            f"\n[workers] {len(calls)} calls ({THREADS} threads), {posted} steps,"
            f" {len(errors) + len(wrong)} errors, {len(per_worker)} distinct workers"
            f" (requests per worker: {sorted(per_worker.values(), reverse=True)}),"
            f" {hopped} calls served by more than one worker, wall {wall:.2f} s"
        )

    assert errors == []
    assert wrong == []
    assert len(calls) == CALLS
    # Every step reached the server, answered 200, and is in the log.
    assert len(served) == posted
    assert statuses == {200: posted}
    assert {call.session_id for call in calls.values()} == set(workers_of)
    # The steps landed on different workers, and calls hopped between them.
    assert len(per_worker) >= 2
    assert hopped >= 1
    # One pass through the account flow is 4 steps: the session, the menu,
    # the account number, the PIN.
    assert posted >= 4 * CALLS


def test_calls_survive_a_reload_of_every_worker(tropo_gunicorn: Server) -> None:
    """Calls started on one generation of workers finish on the next one
    (``SIGHUP`` makes gunicorn replace every worker): nothing of a call lives
    in a worker's memory."""
    base = tropo_gunicorn.url
    accounts = db.SAMPLE_ACCOUNTS
    with ThreadPoolExecutor(max_workers=8) as pool:
        halfway = list(
            pool.map(
                lambda i: (
                    Simulator(base, timeout=120)
                    .dial("/ivr/voice", from_=accounts[i % 3].phone)
                    .press("3")
                    .press(accounts[i % 3].number)
                ),
                range(16),
            )
        )
    before = {pid for pid, _, _, _ in tropo_gunicorn.served()}
    os.kill(tropo_gunicorn.process.pid, signal.SIGHUP)
    # Wait until none of the old workers is alive.
    deadline = time.monotonic() + 60
    while any(_alive(pid) for pid in before) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in before)
    mark = len(tropo_gunicorn.served())

    def finish(index: int) -> Call:
        return halfway[index].press(accounts[index % 3].pin)

    with ThreadPoolExecutor(max_workers=8) as pool:
        ended = list(pool.map(finish, range(len(halfway))))
    for index, call in enumerate(ended):
        account = accounts[index % 3]
        assert call.heard[-3] == f"Hello {account.name.split()[0]}.", call.heard
        assert call.ended
    after = {pid for pid, _, _, _ in tropo_gunicorn.served()[mark:]}
    assert after and not after & before


def _alive(pid: int) -> bool:
    """Whether ``pid`` is still a live process (zombies count as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError):
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True
