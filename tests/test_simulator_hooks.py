"""The simulator's hooks for the explorer: a grammar lists its options, and
the far end of each transfer or call can be decided dial by dial."""

from __future__ import annotations

import typing as t

import pytest
from sim_apps import HANGUP
from sim_apps import ScriptedApp
from sim_apps import on
from sim_apps import say
from sim_apps import tropo

from flask_tropo.simulator.grammar import Option
from flask_tropo.simulator.grammar import parse_grammar
from flask_tropo.testing import Simulator
from flask_tropo.verbs import Call
from flask_tropo.verbs import Transfer


def test_grammar_lists_its_options_in_order() -> None:
    grammar = parse_grammar("[4 DIGITS], yes(yes, y, 1), no, [2-5 DIGITS], [ANY]")
    assert grammar.options == (
        Option("digits", low=4, high=4),
        Option("choice", "yes", ("yes", "yes", "y", "1")),
        Option("choice", "no", ("no",)),
        Option("digits", low=2, high=5),
        Option("any"),
    )


def two_transfers() -> ScriptedApp:
    def transfer(to: str, name: str) -> dict[str, t.Any]:
        return {
            "transfer": {
                "to": to,
                "name": name,
                "required": False,
                "on": {"event": "ring", "say": {"value": f"Ringing {name}"}},
            }
        }

    return ScriptedApp(
        {
            "/voice": tropo(
                transfer("+14155550111", "first"),
                transfer("+14155550122", "second"),
                on("continue", "/done"),
            ),
            "/done": tropo(say("Done"), HANGUP),
        }
    )


def test_far_end_decided_per_dial() -> None:
    app = two_transfers()
    asked: list[str] = []

    def far_end(verb: Transfer | Call) -> str:
        assert isinstance(verb, Transfer)
        asked.append(t.cast(str, verb.name))
        return "busy" if verb.name == "first" else "answer"

    call = Simulator(app.app, transfer=far_end).dial("/voice")
    assert asked == ["first", "second"]
    actions = app.results[0]["actions"]
    assert [a["disposition"] for a in actions] == ["BUSY", "SUCCESS"]
    # a busy far end does not ring
    assert call.heard == ["Ringing second", "Done"]


def test_far_end_callable_must_answer_an_outcome() -> None:
    app = two_transfers()
    sim = Simulator(app.app, transfer=lambda verb: "maybe")
    with pytest.raises(ValueError, match="must return 'answer', 'busy' or"):
        sim.dial("/voice")


def test_far_end_option_is_checked() -> None:
    app = two_transfers()
    with pytest.raises(ValueError, match="or a callable"):
        Simulator(app.app, transfer=t.cast(t.Any, 3))
