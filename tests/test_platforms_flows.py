"""The same blueprint, registered for Tropo, Twilio and jambonz, plays the
same calls on all three: the example app's main flows, compared by what the
caller heard. Twilio's requests are signed with twilio's own
RequestValidator and jambonz's with the webhook secret, and every jambonz
document is validated by jambonz's own validator (conftest)."""

from __future__ import annotations

import os
import typing as t
from pathlib import Path

import pytest
from flask import Flask

from example_app import create_app
from flask_tropo.testing import Call
from flask_tropo.testing import Simulator

PLATFORMS = {"tropo": "/ivr", "twilio": "/twilio/ivr", "jambonz": "/jambonz/ivr"}

#: The main flows: (inputs, what the agent's phone does).
FLOWS: dict[str, tuple[tuple[str, ...], str]] = {
    "balance, a wrong PIN first": (
        ("say:account", "100001", "9999", "100001", "1234"),
        "answer",
    ),
    "balance by keypad": (("3", "say:one zero zero zero zero two", "2468"), "answer"),
    "support, an agent answers": (("2",), "answer"),
    "the menu gives up after three misses": (("say:pizza", "silence", "7"), "answer"),
    "wrong PINs until the line gives up": (
        ("3", "100001", "0000", "100001", "0000", "100001", "0000"),
        "answer",
    ),
    "hang up at the menu": (("hangup",), "answer"),
}


def _line(folder: Path) -> Flask:
    return create_app(
        {
            "SECRET_KEY": "three platforms test secret key",
            "EXAMPLE_DATABASE": os.fspath(folder / "example.sqlite3"),
            "EXAMPLE_RECORDINGS": os.fspath(folder / "recordings"),
            "TROPO_PROPAGATE_EXCEPTIONS": True,
            "TROPO_TWILIO_AUTH_TOKEN": "three platforms twilio token",
            "TROPO_JAMBONZ_WEBHOOK_SECRET": "wh_secret_three_platforms",
        }
    )


@pytest.fixture
def line(tmp_path: Path) -> Flask:
    return _line(tmp_path)


def play(app: Flask, platform: str, inputs: t.Sequence[str], transfer: str) -> Call:
    call = Simulator(app, platform=platform, transfer=transfer).dial(
        f"{PLATFORMS[platform]}/voice"
    )
    for item in inputs:
        if call.ended:
            break
        if item == "silence":
            call.silence()
        elif item == "hangup":
            call.hangup()
        elif item.startswith("say:"):
            call.speak(item[4:])
        else:
            call.press(item)
    if not call.ended:
        call.hangup()
    return call


@pytest.mark.parametrize("flow", list(FLOWS))
def test_the_same_call_on_three_platforms(tmp_path: Path, flow: str) -> None:
    inputs, transfer = FLOWS[flow]
    # A line of its own per platform: wrong PINs count per account, across
    # calls, in the line's database.
    calls = {
        name: play(_line(tmp_path / name), name, inputs, transfer) for name in PLATFORMS
    }
    tropo = calls["tropo"]
    assert tropo.heard, "the flow plays nothing"
    for name, call in calls.items():
        assert call.heard == tropo.heard, name
        assert call.ended, name
    # The handlers got the same results: the values the grammar matched.
    for name in ("twilio", "jambonz"):
        assert len(calls[name].results) >= 1 or inputs == ("hangup",)


def test_the_text_flow_on_three_platforms(line: Flask) -> None:
    heard = {
        name: Simulator(line, platform=name)
        .text(f"{prefix}/sms", "BALANCE 100001 1234")
        .heard
        for name, prefix in PLATFORMS.items()
    }
    assert heard["tropo"] == ["Account 100001: your balance is $1,234.56."]
    assert heard["twilio"] == heard["tropo"] == heard["jambonz"]


def test_hangups_reach_the_hangup_route_through_the_status_callback(
    line: Flask,
) -> None:
    for name in ("twilio", "jambonz"):
        call = play(line, name, ("hangup",), "answer")
        assert call.end_reason == "the caller hung up"
        status = call.requests[-1]
        assert status.get("CallStatus", status.get("call_status")) == "completed"
    with line.app_context():
        from example_app import db

        events = [row["event"] for row in db.recent_calls(limit=10)]
    assert events.count("hangup") == 2
