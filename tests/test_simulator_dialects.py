"""The simulator reads every SDK's dialect: apps written without flask_tropo
in the PHP and Java styles, plus the Node and C# quirks."""

from __future__ import annotations

import pytest
from flask import Flask
from sim_apps import ScriptedApp
from sim_apps import tropo
from tropo_dialect_apps import create_app

from flask_tropo.payloads import Result
from flask_tropo.testing import Simulator


@pytest.fixture
def dialects() -> Flask:
    return create_app()


def test_php_pizza_by_keys(dialects: Flask) -> None:
    call = Simulator(dialects).dial("/php/index.php")
    assert call.heard == [
        "Welcome to PHP Pizza.",
        "Say pepperoni or press 1, cheese or press 2.",
    ]
    call.press("1")
    assert call.heard[-3:] == [
        "Great choice.",
        "One pepperoni pizza.",
        "Record delivery instructions, then press pound.",
    ]
    call.speak("leave it at the door please").press("#")
    assert call.heard[-1] == "Instructions of 6 seconds saved."
    assert call.ended and call.end_reason == "the app hung up"
    posted = [e.url for e in call.events if e.kind == "post"]
    assert posted == [
        "http://localhost/php/index.php",
        "http://localhost/php/order.php?uri=pizza",
        "http://localhost/php/done.php",
    ]
    assert call.recordings[0].upload_urls == ("http://example.invalid/upload_file.php",)
    for document in call.results:
        Result.parse(document)


def test_php_pizza_by_voice_after_a_nomatch(dialects: Flask) -> None:
    call = Simulator(dialects).dial("/php/index.php").speak("anchovies")
    assert call.heard[-2:] == [
        "Sorry, I did not get that.",
        "Say pepperoni or press 1, cheese or press 2.",
    ]
    call.speak("cheese")
    assert "One cheese pizza." in call.heard
    assert call.results[0]["result"]["actions"]["attempts"] == 2


def test_php_incomplete_goes_to_a_root_relative_url(dialects: Flask) -> None:
    call = Simulator(dialects).dial("/php/index.php")
    call.silence().press("9").silence()
    assert call.heard[2:] == [
        "Are you still there?",
        "Say pepperoni or press 1, cheese or press 2.",
        "Sorry, I did not get that.",
        "Say pepperoni or press 1, cheese or press 2.",
        "Goodbye.",
    ]
    assert call.ended
    assert call.results[-1]["result"]["actions"]["disposition"] == "TIMEOUT"
    assert call.results[-1]["result"]["sessionDuration"] == 11


def test_php_hangup_handler(dialects: Flask) -> None:
    call = Simulator(dialects).dial("/php/index.php").hangup()
    assert [e.url for e in call.events if e.kind == "post"][-1] == (
        "http://localhost/php/hangup.php"
    )
    assert call.results[-1]["result"]["state"] == "DISCONNECTED"


def test_java_bank_pin_and_transfer(dialects: Flask) -> None:
    call = Simulator(dialects).dial("/java/start")
    assert call.heard == ["Welcome to Java Bank", "Enter your PIN, then press pound."]
    call.press("12#")
    assert call.heard[-2:] == [
        "That was not four digits.",
        "Enter your PIN, then press pound.",
    ]
    call.speak("1234")  # mode DTMF: speech is a no-match
    assert call.heard[-2:] == ["Last try.", "Enter your PIN, then press pound."]
    call.press("4321#")
    assert call.heard[-4:] == [
        "Checking.",
        "PIN 4321 accepted. Connecting you to an advisor.",
        "http://example.invalid/hold.mp3",
        "Transfer connected: SUCCESS.",
    ]
    assert call.ended
    transfer = Result.parse(call.results[-1])
    assert transfer.actions[0].connected_duration == 60
    assert transfer.actions[0].called_id == "tel:+14155550111"


def test_java_bank_advisor_busy(dialects: Flask) -> None:
    call = Simulator(dialects, transfer="busy").dial("/java/start").press("4321#")
    assert call.heard[-1] == "Transfer missed: BUSY."


def test_java_bank_locks_after_three_silences(dialects: Flask) -> None:
    call = Simulator(dialects).dial("/java/start").silence().silence().silence()
    assert call.heard[-1] == "Your account is locked (TIMEOUT)."
    assert call.heard.count("Sorry, I did not hear anything.") == 2
    assert call.results[-1]["result"]["sessionDuration"] == 30


def test_node_and_csharp_quirks() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(
                {"say": {"value": "Node says hi"}},
                {
                    "message": {
                        "say": {"value": "C# text"},
                        "to": ["3055195825"],
                        "network": "SMS",
                        "channel": "TEXT",
                    }
                },
                {
                    "ask": {
                        "choices": {"value": "[1 DIGIT]"},
                        "say": {"value": "Digit?"},
                        "interdigitTimeout": 1,
                        "sensitivity": 2 / 4,
                    }
                },
                {"on": {"event": "continue", "next": "/done"}},
            ),
            "/done": tropo({"hangup": {}}),
        }
    )
    call = Simulator(app.app).dial("/voice").press("5")
    assert call.heard == ["Node says hi", "Digit?"]
    assert call.messages[0].to == "3055195825"
    assert call.ended and call.end_reason == "the app hung up"


def test_php_record_prompt_order() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(
                {
                    "record": {
                        "url": {"url": "http://example.invalid/upload.php"},
                        "say": [
                            {"value": "Please leave a message."},
                            {
                                "event": "timeout",
                                "value": "Sorry, I did not hear anything.",
                            },
                        ],
                    }
                }
            )
        }
    )
    call = Simulator(app.app).dial("/voice")
    assert call.heard == ["Please leave a message."]
