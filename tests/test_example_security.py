"""What a hostile caller found in the example app, and what holds now
(issue 13, item 10): a placeholder key, PIN guessing by replaying one
``next`` URL, a ``javascript:`` recording URL on the home page, the home page
open to anyone, SMS balances by caller id, anonymous uploads."""

from __future__ import annotations

import contextlib
import sqlite3
import typing as t
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from example_app import create_app
from example_app.db import SAMPLE_ACCOUNTS
from flask_tropo.testing import Simulator
from flask_tropo.testing import result_payload
from flask_tropo.testing import session_payload

ADA, GRACE = SAMPLE_ACCOUNTS[0], SAMPLE_ACCOUNTS[1]
ADMIN = ("admin", "a password only these tests know")
LOCKED = "For your security, please call again later. Goodbye."
NO_MATCH = "Sorry, that account number and PIN do not match."


def make_app(tmp_path: Path, **config: t.Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "a secret key for the security tests",
            "EXAMPLE_ADMIN_PASSWORD": ADMIN[1],
            "EXAMPLE_DATABASE": tmp_path / "x.sqlite3",
            "EXAMPLE_RECORDINGS": tmp_path / "recordings",
            **config,
        }
    )


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(tmp_path)


# -- the key -----------------------------------------------------------------------


@pytest.mark.parametrize("key", ["dev", "short key", None, ""])
def test_refuses_to_start_without_a_real_key(tmp_path: Path, key: t.Any) -> None:
    with pytest.raises(RuntimeError, match="set a long random one"):
        make_app(tmp_path, TESTING=False, SECRET_KEY=key)


def test_starts_with_a_real_key_or_in_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_app(tmp_path, TESTING=False, SECRET_KEY="b1946ac92492d2347c6235b4d2611184")
    make_app(tmp_path, TESTING=True, SECRET_KEY="dev")
    monkeypatch.setenv("FLASK_DEBUG", "1")
    make_app(tmp_path, TESTING=False, SECRET_KEY="dev")


# -- PIN guessing ------------------------------------------------------------------


def follow(
    client: FlaskClient, document: dict[str, t.Any], event: str = "continue"
) -> str:
    [url] = [
        e["on"]["next"]
        for e in document["tropo"]
        if "on" in e and e["on"]["event"] == event
    ]
    return t.cast(str, url)


def pin_step(client: FlaskClient) -> tuple[str, str]:
    """A call's session id and the next URL of its PIN step."""
    session = session_payload(from_=ADA.phone)
    session_id = session["session"]["id"]
    document = client.post("/ivr/voice", json=session).json
    for value in ("account", ADA.number):
        answer = result_payload(session_id=session_id, actions={"value": value})
        document = client.post(follow(client, document), json=answer).json
    return session_id, follow(client, document)


def guess(client: FlaskClient, session_id: str, url: str, pin: str) -> list[str]:
    answer = result_payload(
        session_id=session_id, actions={"name": "pin", "value": pin}
    )
    document = client.post(url, json=answer).json
    return [e["say"]["value"] for e in document["tropo"] if "say" in e]


def test_replaying_one_next_url_cannot_guess_the_pin(app: Flask) -> None:
    """Before: the try counter rode in the token, so one URL replayed 100
    times tried 100 PINs (the PIN was found). Now three wrong PINs lock the
    account, on the server, and the right PIN is refused too."""
    client = app.test_client()
    session_id, url = pin_step(client)
    said = [guess(client, session_id, url, f"{n:04d}") for n in range(100)]
    assert all("Your balance is $1,234.56." not in s for s in said)
    assert said[:2] == [[NO_MATCH]] * 2  # asked for the account again
    assert said[2:] == [[NO_MATCH, LOCKED]] * 98
    assert guess(client, session_id, url, ADA.pin)[-1] == LOCKED
    # another call, another channel: the same lock
    other_session, other_url = pin_step(client)
    assert guess(client, other_session, other_url, ADA.pin)[-1] == LOCKED
    sms = Simulator(app).text("/ivr/sms", f"BALANCE {ADA.number} {ADA.pin}")
    assert "locked" in sms.heard[0] and "$" not in sms.heard[0]


def test_the_lock_ends_and_a_right_pin_starts_the_count_over(app: Flask) -> None:
    client = app.test_client()
    session_id, url = pin_step(client)
    for pin in ("0000", "1111", "2222"):
        guess(client, session_id, url, pin)
    with contextlib.closing(sqlite3.connect(app.config["EXAMPLE_DATABASE"])) as db:
        db.execute("UPDATE pin_failure SET locked_until = '2000-01-01T00:00:00+00:00'")
        db.commit()
    assert "Your balance is $1,234.56." in guess(client, session_id, url, ADA.pin)
    with contextlib.closing(sqlite3.connect(app.config["EXAMPLE_DATABASE"])) as db:
        assert db.execute("SELECT * FROM pin_failure").fetchall() == []


def test_guessing_grace_does_not_lock_ada(app: Flask) -> None:
    for pin in ("0000", "1111", "2222"):
        Simulator(app).text("/ivr/sms", f"BALANCE {GRACE.number} {pin}")
    sms = Simulator(app).text("/ivr/sms", f"BALANCE {ADA.number} {ADA.pin}")
    assert sms.heard == ["Account 100001: your balance is $1,234.56."]


def test_sms_trusts_no_caller_id(app: Flask) -> None:
    """Before: BALANCE 100001 from Ada's (spoofable) number was enough."""
    sms = Simulator(app).text("/ivr/sms", f"BALANCE {ADA.number}", from_=ADA.phone)
    assert "$" not in sms.heard[0] and "PIN" in sms.heard[0]


# -- the home page -----------------------------------------------------------------


def test_the_home_page_needs_the_admin_password(app: Flask, tmp_path: Path) -> None:
    client = app.test_client()
    response = client.get("/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert client.get("/", auth=("admin", "wrong")).status_code == 401
    page = client.get("/", auth=ADMIN).get_data(as_text=True)
    for account in SAMPLE_ACCOUNTS:
        assert account.pin not in page  # no secrets, even to the admin
    closed = make_app(tmp_path / "other", EXAMPLE_ADMIN_PASSWORD=None).test_client()
    response = closed.get("/", auth=ADMIN)
    assert response.status_code == 403
    assert "EXAMPLE_ADMIN_PASSWORD" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(document.cookie)", "JavaScript:alert(1)", "data:text/html,x"],
)
def test_a_forged_recording_url_is_no_link(app: Flask, url: str) -> None:
    """Before: the recording URL of a (forgeable) result became an href."""
    client = app.test_client()
    session = session_payload(from_=ADA.phone)
    session_id = session["session"]["id"]
    document = client.post("/ivr/voice", json=session).json
    answers = [
        {"value": "support"},
        {"name": "agent", "disposition": "BUSY"},
        {"name": "voicemail", "value": url, "duration": 3},
    ]
    events = ["continue", "incomplete", "continue"]
    for answer, event in zip(answers, events, strict=True):
        payload = result_payload(session_id=session_id, actions=answer)
        document = client.post(follow(client, document, event), json=payload).json
    page = client.get("/", auth=ADMIN).get_data(as_text=True)
    assert f'href="{url}' not in page
    assert 'href="javascript' not in page.lower() and 'href="data:' not in page
