"""The simulator's inputs and far ends (issue 13, item 7): keys are a
string, ``transfer`` per number dialled, and a platform error fired on
demand."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask

from flask_tropo import Result
from flask_tropo import Session
from flask_tropo import Tropo
from flask_tropo import call_state
from flask_tropo.testing import Simulator
from flask_tropo.verbs import Ask
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Say
from flask_tropo.verbs import Transfer
from flask_tropo.verbs import Verb

SALES, SUPPORT = "+14155550111", "+14155550122"


@pytest.fixture
def tropo_line(app: Flask) -> Flask:
    """Press 1 for sales, 2 for support; each transfer reports how it went;
    an error handler reports the platform's error."""
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> list[Verb]:
        return [
            Ask("sales(1), support(2)", say="Sales or support?", name="menu"),
            On("continue", next=chosen),
            On("error", next=failed),
        ]

    @tropo.on_result("/chosen")
    def chosen(result: Result) -> list[Verb]:
        call_state["to"] = SALES if result.value == "sales" else SUPPORT
        return [
            Transfer(call_state["to"], name="agent"),
            On("continue", next=connected),
            On("incomplete", next=connected),
        ]

    @tropo.on_result("/connected")
    def connected(result: Result) -> list[Verb]:
        action = result.action("agent")
        assert action is not None
        return [Say(f"{call_state['to']} {action.disposition}"), Hangup()]

    @tropo.on_result("/failed")
    def failed(result: Result) -> list[Verb]:
        return [Say(f"error: {result.error}"), Hangup()]

    tropo.init_app(app)
    return app


def test_keys_are_a_string(tropo_line: Flask) -> None:
    call = Simulator(tropo_line).dial("/voice")
    with pytest.raises(TypeError, match=r"keys as a string, for example press\('1'\)"):
        call.press(1)  # type: ignore[arg-type]
    assert call.waiting is not None  # the call still waits for a key
    call.press("1")
    assert call.ended


def test_words_are_a_string(tropo_line: Flask) -> None:
    call = Simulator(tropo_line).dial("/voice")
    with pytest.raises(TypeError, match="words as a string"):
        call.speak(2)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("key", "heard"),
    [("1", f"{SALES} BUSY"), ("2", f"{SUPPORT} SUCCESS")],
)
def test_transfer_outcomes_per_number(tropo_line: Flask, key: str, heard: str) -> None:
    sim = Simulator(tropo_line, transfer={SALES: "busy"})
    call = sim.dial("/voice").press(key)
    assert call.heard[-1] == heard


def test_no_answer_for_one_number(tropo_line: Flask) -> None:
    sim = Simulator(tropo_line, transfer={SUPPORT: "no-answer", SALES: "answer"})
    assert sim.dial("/voice").press("2").heard[-1] == f"{SUPPORT} TIMEOUT"


@pytest.mark.parametrize("transfer", [{SALES: "engaged"}, {1: "busy"}, "sometimes", 3])
def test_a_bad_transfer_option_is_refused(tropo_line: Flask, transfer: t.Any) -> None:
    with pytest.raises(ValueError, match="transfer"):
        Simulator(tropo_line, transfer=transfer)


def test_a_platform_error_fires_the_error_handler(tropo_line: Flask) -> None:
    call = Simulator(tropo_line).dial("/voice")
    call.platform_error("Recognizer unavailable")
    assert call.heard[-1] == "error: Recognizer unavailable"
    result = call.results[-1]["result"]
    assert (result["error"], result["complete"]) == ("Recognizer unavailable", False)
    assert call.ended


def test_without_an_error_handler_continue_gets_it(app: Flask) -> None:
    tropo = Tropo()
    errors: list[str | None] = []

    @tropo.on_session("/voice")
    def incoming(session: Session) -> list[Verb]:
        return [Ask("[1 DIGIT]", say="Key?"), On("continue", next=done)]

    @tropo.on_result("/done")
    def done(result: Result) -> Hangup:
        errors.append(result.error)
        return Hangup()

    tropo.init_app(app)
    Simulator(app).dial("/voice").platform_error("Upload failed")
    assert errors == ["Upload failed"]
