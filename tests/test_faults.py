"""Faults: failing handlers, results posted twice or replayed, expired and
foreign tokens, and a slow handler among fast calls on a threaded server.

Decided behaviour for a result posted twice (the platform may retry): tokens
are not single-use. The same result posted twice to the same ``next`` URL
runs the handler twice and gets the same document (the same verbs; the new
tokens carry the same state). The state cannot fork or count twice, because
it lives in the token, not on the server: both answers carry the state the
handler computed from the token's state, so the rest of the call is the same
whichever answer the platform runs. A handler with side effects must be
idempotent (``session_id`` and ``sequence`` identify a result).
"""

from __future__ import annotations

import collections.abc as c
import contextlib
import dataclasses
import logging
import threading
import time
import typing as t
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner
from werkzeug.serving import make_server

from flask_tropo import Result
from flask_tropo import Session
from flask_tropo import Tropo
from flask_tropo import call_state
from flask_tropo import signals
from flask_tropo.testing import Call
from flask_tropo.testing import Simulator
from flask_tropo.testing import result_payload
from flask_tropo.testing import session_payload
from flask_tropo.verbs import Ask
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Say
from flask_tropo.verbs import Verb

APOLOGY = "Sorry, something went wrong. Please call again later."
STEPS = ("incoming", "pin_entered", "confirmed", "hung_up")


# -- an app whose handlers fail on demand -------------------------------------


@dataclasses.dataclass
class FaultyApp:
    """A three-step call (PIN, confirmation, goodbye) plus a hangup handler;
    ``fail`` names the step whose handler fails, ``how`` how it fails."""

    app: Flask
    client: FlaskClient
    #: ``(step, call_state)`` of every handler run, before it fails.
    runs: list[tuple[str, dict[str, t.Any]]]
    #: Exceptions sent with ``handler_failed``.
    failed: list[BaseException]
    fail: str | None = None
    how: str = "raise"


_GO_ON = object()


def _misbehave(how: str) -> t.Any:
    """Fail the way ``how`` says; returns what the handler must return."""
    if how == "raise":
        raise RuntimeError("the database is down")
    if how == "missing-state":
        return call_state["no such key"]
    if how == "return-none":
        return None
    if how == "return-text":
        return "Goodbye"
    if how == "state-not-json":
        call_state["when"] = object()
        return [Say("Saved."), On("continue", next=_never_registered)]
    if how == "state-too-large":
        call_state["blob"] = "x" * 10_000
        return [Say("Saved."), On("continue", next=_never_registered)]
    if how == "next-not-a-route":
        return [Say("Next."), On("continue", next=_never_registered)]
    raise AssertionError(how)


def _never_registered(result: Result) -> Verb:  # pragma: no cover - never runs
    return Hangup()


HOWS = (
    "raise",
    "missing-state",
    "return-none",
    "return-text",
    "state-not-json",
    "state-too-large",
    "next-not-a-route",
    "async-raise",
)


@pytest.fixture
def tropo_faulty() -> FaultyApp:
    tropo = Tropo()
    runs: list[tuple[str, dict[str, t.Any]]] = []
    failed: list[BaseException] = []
    faulty: FaultyApp

    def step(name: str) -> t.Any:
        """Record the state the step starts with; fail if it is its turn."""
        runs.append((name, dict(call_state)))
        if faulty.fail == name and faulty.how != "async-raise":
            return _misbehave(faulty.how)
        return _GO_ON

    @tropo.on_session("/voice")
    def incoming(session: Session) -> t.Any:
        if (failure := step("incoming")) is not _GO_ON:
            return failure
        call_state["caller"] = session.from_.id if session.from_ else None
        return [
            Ask("[4 DIGITS]", say="Your PIN?", name="pin"),
            On("continue", next=pin_entered),
        ]

    @tropo.on_result("/pin")
    async def pin_entered(result: Result) -> t.Any:
        if faulty.fail == "pin_entered" and faulty.how == "async-raise":
            raise RuntimeError("async handler failed")
        if (failure := step("pin_entered")) is not _GO_ON:
            return failure
        call_state["pin"] = result.value
        return [
            Ask("yes(yes,1),no(no,2)", say="Confirm?", name="confirm"),
            On("continue", next=confirmed),
        ]

    @tropo.on_result("/confirm")
    def confirmed(result: Result) -> t.Any:
        if (failure := step("confirmed")) is not _GO_ON:
            return failure
        return [Say(f"PIN {call_state['pin']} confirmed."), Hangup()]

    @tropo.on_hangup("/hangup")
    def hung_up(result: Result) -> t.Any:
        if (failure := step("hung_up")) is not _GO_ON:
            return failure
        return Hangup()

    app = Flask(__name__)
    app.config.update(SECRET_KEY="faults secret key", TESTING=False)
    tropo.init_app(app)

    def record(sender: Flask, exception: BaseException, **extra: t.Any) -> None:
        failed.append(exception)

    signals.handler_failed.connect(record, app, weak=False)
    faulty = FaultyApp(app, app.test_client(), runs, failed)
    return faulty


# -- a handler that fails -----------------------------------------------------


def _play_until(call: Call, step: str) -> None:
    """Act as the caller until the call reaches ``step``."""
    if step in ("pin_entered", "confirmed"):
        call.press("1234")
    if step == "confirmed":
        call.press("1")
    if step == "hung_up":
        call.hangup()


FAULTS = [(where, how) for where in STEPS for how in HOWS if how != "async-raise"]


@pytest.mark.parametrize(("where", "how"), [*FAULTS, ("pin_entered", "async-raise")])
def test_a_failing_handler_gets_the_caller_an_apology(
    tropo_faulty: FaultyApp, caplog: pytest.LogCaptureFixture, where: str, how: str
) -> None:
    tropo_faulty.fail, tropo_faulty.how = where, how
    caplog.set_level(logging.ERROR)
    call = Simulator(tropo_faulty.app).dial("/voice", from_="+14155550100")
    _play_until(call, where)

    assert call.ended
    posts = [event for event in call.events if event.kind == "post"]
    assert [event.status for event in posts] == [200] * len(posts)
    if where == "hung_up":
        # The caller is gone: the answer to the hangup result is not played.
        assert APOLOGY not in call.heard
    else:
        assert call.heard[-1] == APOLOGY
        assert call.end_reason == "the app hung up"
    # The steps before the failing one ran, none after it.
    ran = [name for name, _ in tropo_faulty.runs]
    if where == "hung_up":
        assert ran == ["incoming", "hung_up"]
    elif how == "async-raise":  # it raises before it records its run
        assert ran == ["incoming"]
    else:
        assert ran == list(STEPS[: STEPS.index(where) + 1])
    assert len(tropo_faulty.failed) == 1
    (record,) = [r for r in caplog.records if r.name == tropo_faulty.app.logger.name]
    assert call.session_id in record.getMessage()
    assert record.exc_info is not None


def test_every_step_failing_in_turn(tropo_faulty: FaultyApp) -> None:
    """A handler that raises at every step of the call, one call per step:
    each call ends on the apology right there."""
    for where in STEPS[:-1]:
        tropo_faulty.fail = where
        call = Simulator(tropo_faulty.app).dial("/voice")
        _play_until(call, where)
        assert (call.heard[-1], call.ended) == (APOLOGY, True)
    assert len(tropo_faulty.failed) == 3


def test_the_apology_can_transfer(tropo_faulty: FaultyApp) -> None:
    tropo_faulty.app.config["TROPO_ERROR_TRANSFER_TO"] = "+14155550123"
    tropo_faulty.app.config["TROPO_ERROR_MESSAGE"] = "One moment please."
    tropo_faulty.fail = "pin_entered"
    call = Simulator(tropo_faulty.app).dial("/voice").press("1234")
    assert call.heard[-1] == "One moment please."
    assert call.ended
    assert any(e.name == "transfer" and e.kind == "verb" for e in call.events)


def test_a_failing_handler_propagates_when_testing(tropo_faulty: FaultyApp) -> None:
    tropo_faulty.app.testing = True
    tropo_faulty.fail = "pin_entered"
    with pytest.raises(RuntimeError, match="the database is down"):
        Simulator(tropo_faulty.app).dial("/voice").press("1234")
    assert tropo_faulty.failed == []


# -- results posted twice, and replays ----------------------------------------


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["tropo_token"][0]


def next_of(document: dict[str, t.Any], event: str = "continue") -> str:
    """The ``next`` URL of the document's ``on`` for ``event``."""
    ons = [e["on"] for e in document["tropo"] if "on" in e]
    (url,) = [on["next"] for on in ons if on["event"] == event]
    return t.cast(str, url)


def without_tokens(document: dict[str, t.Any]) -> dict[str, t.Any]:
    elements = []
    for element in document["tropo"]:
        if "on" in element and "next" in element["on"]:
            url = urlsplit(element["on"]["next"])
            element = {"on": {**element["on"], "next": url.path}}
        elements.append(element)
    return {"tropo": elements}


def state_part(url: str) -> str:
    """The signed payload of a token, without its timestamp and signature."""
    return token_of(url).rsplit(".", 2)[0]


def _post(client: FlaskClient, url: str, payload: dict[str, t.Any]) -> t.Any:
    response = client.post(url, json=payload)
    return response.status_code, response.get_json()


class Clock:
    """The clock tokens are dated by (itsdangerous' documented
    ``get_timestamp`` hook): it moves only when a test moves it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = int(time.time())
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: self.now)


@pytest.mark.parametrize("tick", [0, 1], ids=["same second", "a second apart"])
def test_a_result_posted_twice_runs_the_handler_twice_and_answers_the_same(
    tropo_faulty: FaultyApp, monkeypatch: pytest.MonkeyPatch, tick: int
) -> None:
    """Deterministic whatever the wall clock does: the tokens carry their
    issue time, so two answers a second apart differ in their tokens' dates
    and in nothing else."""
    clock = Clock(monkeypatch)
    client = tropo_faulty.client
    session = session_payload(from_="+14155550100")
    session_id = session["session"]["id"]
    _, first = _post(client, "/voice", session)
    pin = result_payload(
        session_id=session_id, sequence=1, actions={"name": "pin", "value": "1234"}
    )
    status_a, a = _post(client, next_of(first), pin)
    clock.now += tick
    status_b, b = _post(client, next_of(first), pin)

    assert (status_a, status_b) == (200, 200)
    assert [name for name, _ in tropo_faulty.runs] == [
        "incoming",
        "pin_entered",
        "pin_entered",
    ]
    assert without_tokens(a) == without_tokens(b)
    # The tokens differ at most in their issue time: the same state.
    assert state_part(next_of(a)) == state_part(next_of(b))
    # Both answers carry the same state: following either gives the same call.
    confirm = result_payload(
        session_id=session_id, sequence=2, actions={"name": "confirm", "value": "yes"}
    )
    status_a, after_a = _post(client, next_of(a), confirm)
    clock.now += tick
    status_b, after_b = _post(client, next_of(b), confirm)
    assert (status_a, without_tokens(after_a)) == (status_b, without_tokens(after_b))
    states = [state for name, state in tropo_faulty.runs if name == "confirmed"]
    assert states == [{"caller": "+14155550100", "pin": "1234"}] * 2


def test_a_retry_with_another_body_runs_on_the_same_state(
    tropo_faulty: FaultyApp,
) -> None:
    """The token restores the state; the result document is whatever comes
    with it (it only has to belong to the token's session)."""
    client = tropo_faulty.client
    session = session_payload()
    session_id = session["session"]["id"]
    url = next_of(_post(client, "/voice", session)[1])
    for value in ("1234", "9999"):
        result = result_payload(session_id=session_id, actions={"value": value})
        assert _post(client, url, result)[0] == 200
    runs = [state for name, state in tropo_faulty.runs if name == "pin_entered"]
    assert runs == [{"caller": session["session"]["from"]["id"]}] * 2


def test_an_earlier_url_replayed_brings_back_the_earlier_state(
    tropo_faulty: FaultyApp,
) -> None:
    client = tropo_faulty.client
    session = session_payload()
    session_id = session["session"]["id"]
    first_url = next_of(_post(client, "/voice", session)[1])
    pin = result_payload(session_id=session_id, actions={"value": "1234"})
    second_url = next_of(_post(client, first_url, pin)[1])
    confirm = result_payload(session_id=session_id, actions={"value": "yes"})
    assert _post(client, second_url, confirm)[0] == 200
    # The call has moved on; its first URL still works, with the first state.
    other_pin = result_payload(session_id=session_id, actions={"value": "5555"})
    status, document = _post(client, first_url, other_pin)
    assert status == 200
    assert _post(client, next_of(document), confirm)[1]["tropo"][0] == {
        "say": {"value": "PIN 5555 confirmed."}
    }
    caller = session["session"]["from"]["id"]
    assert tropo_faulty.runs == [
        ("incoming", {}),
        ("pin_entered", {"caller": caller}),
        ("confirmed", {"caller": caller, "pin": "1234"}),
        ("pin_entered", {"caller": caller}),
        ("confirmed", {"caller": caller, "pin": "5555"}),
    ]


def test_a_token_is_bound_to_its_route_and_session(tropo_faulty: FaultyApp) -> None:
    client = tropo_faulty.client
    session = session_payload()
    session_id = session["session"]["id"]
    url = next_of(_post(client, "/voice", session)[1])
    other = result_payload(actions={"value": "1234"})  # another session id
    status, body = _post(client, url, other)
    assert status == 403
    assert "another call session" in body["errors"]["tropo_token"][0]
    own = result_payload(session_id=session_id, actions={"value": "1"})
    status, body = _post(client, f"/confirm?tropo_token={token_of(url)}", own)
    assert status == 403
    assert "another route" in body["errors"]["tropo_token"][0]
    assert [name for name, _ in tropo_faulty.runs] == ["incoming"]


# -- expired and foreign tokens -----------------------------------------------


@contextlib.contextmanager
def clock_offset(monkeypatch: pytest.MonkeyPatch, seconds: int) -> c.Iterator[None]:
    """Sign tokens as a host whose clock is ``seconds`` ahead (negative:
    behind) would."""
    with monkeypatch.context() as patch:
        patch.setattr(
            TimestampSigner, "get_timestamp", lambda self: int(time.time()) + seconds
        )
        yield


def _session_and_url(
    tropo_faulty: FaultyApp, monkeypatch: pytest.MonkeyPatch, offset: int
) -> tuple[str, str]:
    session = session_payload()
    with clock_offset(monkeypatch, offset):
        _, document = _post(tropo_faulty.client, "/voice", session)
    return session["session"]["id"], next_of(document)


@pytest.mark.parametrize(
    ("max_age", "age", "status"),
    [
        (60, 30, 200),
        (60, 58, 200),
        (60, 62, 403),
        (60, 3600, 403),
        (4 * 60 * 60, 4 * 60 * 60 - 5, 200),  # the default: a long transfer
        (4 * 60 * 60, 4 * 60 * 60 + 5, 403),
        (None, 10 * 365 * 24 * 60 * 60, 200),
    ],
)
def test_expired_tokens(
    tropo_faulty: FaultyApp,
    monkeypatch: pytest.MonkeyPatch,
    max_age: int | None,
    age: int,
    status: int,
) -> None:
    tropo_faulty.app.config["TROPO_NEXT_MAX_AGE"] = max_age
    session_id, url = _session_and_url(tropo_faulty, monkeypatch, -age)
    result = result_payload(session_id=session_id, actions={"value": "1234"})
    got, body = _post(tropo_faulty.client, url, result)
    assert got == status
    if status == 403:
        assert body["errors"]["tropo_token"] == [
            "The next token has expired: it is older than TROPO_NEXT_MAX_AGE"
            f" ({max_age} seconds)."
        ]
        assert [name for name, _ in tropo_faulty.runs] == ["incoming"]


def test_an_expired_token_without_verification_runs_with_no_state(
    tropo_faulty: FaultyApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    tropo_faulty.app.config["TROPO_NEXT_MAX_AGE"] = 60
    tropo_faulty.app.config["TROPO_VERIFY_NEXT"] = False
    session_id, url = _session_and_url(tropo_faulty, monkeypatch, -3600)
    result = result_payload(session_id=session_id, actions={"value": "1234"})
    assert _post(tropo_faulty.client, url, result)[0] == 200
    assert tropo_faulty.runs[-1] == ("pin_entered", {})


@pytest.mark.parametrize("ahead", [1, 2, 59])
def test_a_token_from_a_host_whose_clock_is_ahead(
    tropo_faulty: FaultyApp, monkeypatch: pytest.MonkeyPatch, ahead: int
) -> None:
    """A step served by a host whose clock is ahead, the next one by a host
    that is right: the token's age is negative, which is not expired, within
    TROPO_NEXT_MAX_SKEW (60 s)."""
    tropo_faulty.app.config["TROPO_NEXT_MAX_AGE"] = 60
    session_id, url = _session_and_url(tropo_faulty, monkeypatch, ahead)
    result = result_payload(session_id=session_id, actions={"value": "1234"})
    assert _post(tropo_faulty.client, url, result)[0] == 200
    assert tropo_faulty.runs[-1][0] == "pin_entered"


@pytest.mark.parametrize("ahead", [62, 365 * 24 * 3600])
def test_a_token_dated_in_the_future_beyond_the_skew_is_refused(
    tropo_faulty: FaultyApp, monkeypatch: pytest.MonkeyPatch, ahead: int
) -> None:
    session_id, url = _session_and_url(tropo_faulty, monkeypatch, ahead)
    result = result_payload(session_id=session_id, actions={"value": "1234"})
    status, body = _post(tropo_faulty.client, url, result)
    assert status == 403
    assert "dated in the future" in body["errors"]["tropo_token"][0]
    assert [name for name, _ in tropo_faulty.runs] == ["incoming"]


@pytest.mark.parametrize("key", ["TROPO_SECRET_KEY", "SECRET_KEY"])
def test_a_token_signed_with_another_apps_key(
    tropo_faulty: FaultyApp, key: str
) -> None:
    session = session_payload()
    session_id = session["session"]["id"]
    url = next_of(_post(tropo_faulty.client, "/voice", session)[1])
    # Another deployment: same code, same routes, another key.
    tropo_faulty.app.config[key] = "another app's key"
    result = result_payload(session_id=session_id, actions={"value": "1234"})
    status, body = _post(tropo_faulty.client, url, result)
    assert status == 403
    assert body == {
        "code": 403,
        "status": "Forbidden",
        "errors": {
            "tropo_token": [
                "The next token is invalid: it was altered, or signed with"
                " another secret key."
            ]
        },
    }
    assert [name for name, _ in tropo_faulty.runs] == ["incoming"]


def test_a_tampered_token(tropo_faulty: FaultyApp) -> None:
    session = session_payload()
    session_id = session["session"]["id"]
    url = next_of(_post(tropo_faulty.client, "/voice", session)[1])
    token = token_of(url)
    payload, _, signature = token.rpartition(".")
    result = result_payload(session_id=session_id, actions={"value": "1234"})
    for forged in (
        # (Not the last character: its low bits are base64 padding.)
        token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:],
        payload[:-1] + ("A" if payload[-1] != "A" else "B") + token[len(payload) :],
        payload + ".",
        "." + token,
        token + token,
        "",
        "x" * 5000,
    ):
        status, _ = _post(tropo_faulty.client, f"/pin?tropo_token={forged}", result)
        assert status == 403, forged
    assert signature
    assert [name for name, _ in tropo_faulty.runs] == ["incoming"]


# -- a slow handler on a threaded server --------------------------------------


@contextlib.contextmanager
def threaded_server(app: Flask) -> c.Iterator[str]:
    """Serve ``app`` on 127.0.0.1 with a thread per request."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        assert not thread.is_alive()


def test_a_slow_handler_does_not_hold_up_other_calls() -> None:
    """One call's handler sleeps (until the fast calls are done, at most
    30 s); five other calls, each two steps, start once it sleeps and all
    finish before it. Only the order of completion is asserted."""
    tropo = Tropo()
    sleeping = threading.Event()
    fast_done = threading.Event()
    finished: list[str] = []
    lock = threading.Lock()

    @tropo.on_session("/slow")
    def slow(session: Session) -> list[Verb]:
        return [Ask("[1 DIGIT]", say="Slow?"), On("continue", next=slow_step)]

    @tropo.on_result("/slow-step")
    def slow_step(result: Result) -> list[Verb]:
        sleeping.set()
        fast_done.wait(timeout=30)
        return [Say("Slow done."), Hangup()]

    @tropo.on_session("/fast")
    def fast(session: Session) -> list[Verb]:
        call_state["n"] = session.from_.id if session.from_ else "?"
        return [Ask("[1 DIGIT]", say="Fast?"), On("continue", next=fast_step)]

    @tropo.on_result("/fast-step")
    def fast_step(result: Result) -> list[Verb]:
        return [Say(f"Fast {call_state['n']} done."), Hangup()]

    app = Flask(__name__)
    app.config.update(SECRET_KEY="slow secret key", TESTING=False)
    tropo.init_app(app)

    def run(name: str, rule: str, caller: str) -> Call:
        call = Simulator(base, timeout=60).dial(rule, from_=caller).press("1")
        with lock:
            finished.append(name)
        return call

    callers = [f"+141555501{i:02d}" for i in range(5)]
    calls: dict[str, Call] = {}

    def fast_call(caller: str) -> None:
        calls[caller] = run(f"fast {caller}", "/fast", caller)

    with threaded_server(app) as base:
        slow_call = threading.Thread(target=run, args=("slow", "/slow", "+14155550"))
        slow_call.start()
        try:
            assert sleeping.wait(timeout=30), "the slow handler never ran"
            threads = [threading.Thread(target=fast_call, args=(c,)) for c in callers]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            slow_still_sleeping = not fast_done.is_set() and slow_call.is_alive()
        finally:
            fast_done.set()
            slow_call.join(timeout=60)

    assert slow_still_sleeping
    # Completion order: the five fast calls (in any order), then the slow one.
    assert finished[-1] == "slow"
    assert sorted(finished[:-1]) == sorted(f"fast {caller}" for caller in callers)
    for caller in callers:
        assert calls[caller].heard[-1] == f"Fast {caller} done."
        assert calls[caller].ended
