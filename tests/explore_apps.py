"""Apps for the explorer's tests: a support menu with a bug on one branch and
a route nothing links to."""

from __future__ import annotations

import typing as t

from flask import Flask

from flask_tropo import Result
from flask_tropo import Session
from flask_tropo import TropoBlueprint
from flask_tropo import call_state
from flask_tropo.verbs import Ask
from flask_tropo.verbs import Choices
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Record
from flask_tropo.verbs import Say
from flask_tropo.verbs import Transfer
from flask_tropo.verbs import Verb

MENU = "sales(sales, 1), support(support, 2), billing(billing, 3)"
MENU_PROMPT = "Say sales, support or billing."


def menu_blueprint() -> TropoBlueprint:
    """``/voice`` asks for a department: sales says goodbye, support is
    transferred (voicemail when nobody answers), billing divides by zero.
    ``/survey`` is registered but nothing links to it."""
    bp = TropoBlueprint("menu", __name__)

    @bp.on_session("/voice")
    def incoming(session: Session) -> list[Verb]:
        return [
            Ask(MENU, say=MENU_PROMPT, name="department", attempts=2),
            On("continue", next=choice),
            On("incomplete", next=goodbye),
            On("hangup", next=hung_up),
        ]

    @bp.on_result("/choice")
    def choice(result: Result) -> list[Verb]:
        if result.value == "sales":
            return [Say("Sales will call you back."), Hangup()]
        if result.value == "support":
            return [
                Say("Connecting you."),
                Transfer("+14155550111", name="agent"),
                On("incomplete", next=voicemail),
            ]
        balance = 100 // call_state.get("credit", 0)  # the bug: no credit yet
        return [Say(f"Your balance is {balance}."), Hangup()]

    @bp.on_result("/voicemail")
    def voicemail(result: Result) -> list[Verb]:
        return [
            Record(
                url="https://files.example.com/vm", say="Leave a message.", name="vm"
            ),
            On("continue", next=goodbye),
        ]

    @bp.on_result("/goodbye")
    def goodbye(result: Result) -> list[Verb]:
        return [Say("Goodbye."), Hangup()]

    @bp.on_result("/hung-up")
    def hung_up(result: Result) -> Hangup:
        return Hangup()

    @bp.on_result("/survey")
    def survey(result: Result) -> list[Verb]:
        return [Say("How did we do?"), Hangup()]

    return bp


def pin_blueprint() -> TropoBlueprint:
    """``/pin`` asks for a four digit PIN on the keypad, ``/spoken`` for a
    colour by speech only."""
    bp = TropoBlueprint("pin", __name__)

    @bp.on_session("/pin")
    def ask_pin(session: Session) -> list[Verb]:
        return [
            Ask(Choices("[4 DIGITS]", mode="dtmf"), say="Your PIN?", name="pin"),
            On("continue", next=check),
        ]

    @bp.on_result("/check")
    def check(result: Result) -> list[Verb]:
        if result.value == "1234":
            return [Say("Welcome back."), Hangup()]
        return [Say(f"{result.value or 'Nothing'} is wrong."), Hangup()]

    @bp.on_session("/spoken")
    def spoken(session: Session) -> list[Verb]:
        return [
            Ask(Choices("red, green", mode="speech"), say="Colour?", name="colour"),
            On("continue", next=check),
        ]

    return bp


def make_app(*blueprints: TropoBlueprint, **config: t.Any) -> Flask:
    from flask_tropo import Tropo

    app = Flask(__name__)
    app.config.update(SECRET_KEY="explorer tests secret key", TESTING=True)
    app.config.update(config)
    Tropo(app)
    for bp in blueprints:
        app.register_blueprint(bp)
    return app


def menu_app(**config: t.Any) -> Flask:
    """The menu, as a test suite would make it."""
    return make_app(menu_blueprint(), **config)
