"""Simulator.explore: every path of a call, breadth first, and the Flow."""

from __future__ import annotations

import typing as t

import pytest
from explore_apps import MENU_PROMPT
from explore_apps import make_app
from explore_apps import menu_app
from explore_apps import pin_blueprint
from sim_apps import HANGUP
from sim_apps import ScriptedApp
from sim_apps import ask
from sim_apps import on
from sim_apps import say
from sim_apps import serving
from sim_apps import tropo

from flask_tropo.testing import Flow
from flask_tropo.testing import SimulationError
from flask_tropo.testing import Simulator
from flask_tropo.testing import Step


def steps(*items: str) -> tuple[Step, ...]:
    """``"press 1"``, ``"speak sales"``, ``"silence"``... as steps."""
    found = []
    for item in items:
        kind, _, value = item.partition(" ")
        found.append(Step(t.cast(t.Any, kind), value))
    return tuple(found)


def first_choices(flow: Flow) -> set[Step]:
    return {path.inputs[0] for path in flow.paths if path.inputs}


def test_menu_bug_and_orphan() -> None:
    flow = Simulator(menu_app()).explore("/voice")
    assert flow.start == "menu.incoming"
    assert flow.unreached == ("menu.survey",)
    assert set(flow.endpoints) == {
        "menu.incoming",
        "menu.choice",
        "menu.voicemail",
        "menu.goodbye",
        "menu.hung_up",
    }
    assert {
        ("menu.incoming", "continue", "menu.choice"),
        ("menu.incoming", "incomplete", "menu.goodbye"),
        ("menu.incoming", "hangup", "menu.hung_up"),
        ("menu.choice", "incomplete", "menu.voicemail"),
        ("menu.voicemail", "continue", "menu.goodbye"),
    } <= set(flow.edges)
    # billing fails, by keypad and by speech, at the first and second attempt
    assert flow.failures
    assert {f.endpoint for f in flow.failures} == {"menu.choice"}
    assert all(isinstance(f.exception, ZeroDivisionError) for f in flow.failures)
    first = flow.failures[0]
    assert first.inputs == steps("press 3")
    assert first.path.heard == (MENU_PROMPT,)
    assert first.path.end == "failed"
    assert {f.inputs[-1] for f in flow.failures} == set(
        steps("press 3", "speak billing")
    )
    assert str(first) == (
        "menu.choice after press 3: ZeroDivisionError:"
        " integer division or modulo by zero"
    )
    [(distinct, count)] = flow.distinct_failures()
    assert distinct is first and count == len(flow.failures) > 2


def test_failure_inputs_reproduce_it() -> None:
    app = menu_app()
    flow = Simulator(app).explore("/voice")
    for failure in flow.failures:
        call = Simulator(app).dial("/voice")
        *before, last = failure.inputs
        for step in before:
            step.apply(call)
        with pytest.raises(ZeroDivisionError):
            last.apply(call)


def test_handler_failure_outside_testing_mode() -> None:
    # the apology is played; the handler_failed signal tells the explorer
    flow = Simulator(menu_app(TESTING=False)).explore("/voice")
    testing = Simulator(menu_app()).explore("/voice")
    assert [f.inputs for f in flow.failures] == [f.inputs for f in testing.failures]
    assert all(isinstance(f.exception, ZeroDivisionError) for f in flow.failures)
    assert flow.failures[0].path.heard[-1] != MENU_PROMPT  # the apology


def test_choices_at_an_ask() -> None:
    flow = Simulator(menu_app()).explore("/voice")
    assert first_choices(flow) == set(
        steps(
            "press 1",
            "speak sales",
            "press 2",
            "speak support",
            "press 3",
            "speak billing",
            "press *",
            "silence",
            "hangup",
        )
    )
    heard = {p.inputs: p.heard for p in flow.paths}
    assert heard[steps("press 1")] == (MENU_PROMPT, "Sales will call you back.")
    # a miss, then the second attempt
    assert heard[steps("press *", "press *")] == (MENU_PROMPT, MENU_PROMPT, "Goodbye.")
    ends = {p.inputs: p.end for p in flow.paths}
    assert ends[steps("press 1")] == "the app hung up"
    assert ends[steps("hangup")] == "the caller hung up"


def test_transfer_and_record_choices() -> None:
    flow = Simulator(menu_app()).explore("/voice")
    by_inputs = {p.inputs: p for p in flow.paths}
    answered = by_inputs[steps("press 2", "transfer answer")]
    assert answered.end.startswith("the document ran out")
    assert (
        steps("press 2", "transfer busy", "record Hello, this is a test message.")
        in by_inputs
    )
    assert steps("press 2", "transfer busy", "silence") in by_inputs
    # no-answer reaches the same state as busy: that path stops there
    assert by_inputs[steps("press 2", "transfer no-answer")].end == "a state repeats"
    # speech reaches the state that keys reached first
    assert by_inputs[steps("speak support")].end == "a state repeats"


def test_open_grammar_gets_one_sample_or_the_given_inputs() -> None:
    app = make_app(pin_blueprint())
    flow = Simulator(app).explore("/pin")
    assert first_choices(flow) == set(
        steps("press 1234", "press *", "silence", "hangup")
    )
    flow = Simulator(app).explore("/pin", inputs={"pin": ["1234", "0000", "12"]})
    assert first_choices(flow) == set(
        steps("press 1234", "press 0000", "press 12", "press *", "silence", "hangup")
    )
    heard = {p.inputs: p.heard[-1] for p in flow.paths}
    assert heard[steps("press 0000")] == "0000 is wrong."
    assert heard[steps("press 12")] == "Nothing is wrong."  # not a PIN: no match
    assert heard[steps("press 1234")] == "Welcome back."
    # one value as a string; values of other names change nothing
    flow = Simulator(app).explore("/pin", inputs={"pin": "4321", "other": ["1"]})
    assert steps("press 4321") in {p.inputs for p in flow.paths}


def test_mode_decides_keypad_or_speech() -> None:
    flow = Simulator(make_app(pin_blueprint())).explore("/spoken")
    assert first_choices(flow) == set(
        steps("speak red", "speak green", "speak no such choice", "silence", "hangup")
    )


def test_grammar_that_takes_anything_has_no_miss() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(ask("[ANY]"), on("continue", "/x")),
            "/x": tropo(say("Thanks"), HANGUP),
        }
    )
    flow = Simulator(app.app).explore("/voice")
    assert first_choices(flow) == set(steps("press 1", "silence", "hangup"))


def test_a_loop_ends_when_a_state_repeats() -> None:
    app = ScriptedApp(
        {
            "/menu": tropo(
                ask("again(1), stop(2)", prompt="Again?"),
                on("continue", "/pick"),
            ),
            "/pick": lambda payload: (
                tropo(say("Once more"), on("continue", "/menu"))
                if payload["result"]["actions"].get("value") == "again"
                else tropo(HANGUP)
            ),
        }
    )
    flow = Simulator(app.app).explore("/menu")
    loops = [p for p in flow.paths if p.end == "a state repeats"]
    assert steps("press 1", "press 1") in {p.inputs for p in loops}
    assert ("/pick", "continue", "/menu") in flow.edges
    assert not flow.truncated


def counting_app() -> ScriptedApp:
    """Each answer asks a new question: no state ever repeats."""

    def step(payload: dict[str, t.Any]) -> dict[str, t.Any]:
        number = payload["result"]["sequence"]
        return tropo(ask("1", prompt=f"Question {number}"), on("continue", "/next"))

    return ScriptedApp(
        {
            "/start": tropo(ask("1", prompt="Question 0"), on("continue", "/next")),
            "/next": step,
        }
    )


def test_max_steps_and_max_paths() -> None:
    app = counting_app()
    flow = Simulator(app.app).explore("/start", max_steps=3)
    deepest = max(flow.paths, key=lambda p: len(p.inputs))
    assert deepest.inputs == steps("press 1", "press 1", "press 1")
    assert deepest.end == "max_steps reached"
    assert deepest.heard[-1] == "Question 3"
    flow = Simulator(app.app).explore("/start", max_steps=50, max_paths=7)
    assert len(flow.paths) == 7
    assert flow.truncated
    assert "Stopped at max_paths" in flow.summary()


def test_exploring_is_deterministic() -> None:
    def played(flow: Flow) -> list[tuple[t.Any, ...]]:
        return [(p.inputs, p.heard, p.endpoints, p.end) for p in flow.paths]

    first = Simulator(menu_app()).explore("/voice")
    again = Simulator(menu_app()).explore("/voice")
    assert played(first) == played(again)
    assert first.edges == again.edges
    assert first.to_svg() == again.to_svg()


def test_bad_answer_is_a_failure() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(ask("1, 2"), on("continue", "/pick")),
            "/pick": lambda payload: (
                tropo(HANGUP)
                if payload["result"]["actions"].get("value") != "2"
                else tropo({"sya": {"value": "typo"}})
            ),
        }
    )
    flow = Simulator(app.app).explore("/voice")
    assert [f.inputs for f in flow.failures] == [steps("press 2"), steps("speak 2")]
    failure = flow.failures[0]
    assert isinstance(failure.exception, SimulationError)
    assert "unknown verb 'sya'" in str(failure.exception)
    assert failure.endpoint == "/pick"  # a plain route: its path


def test_an_app_that_answers_differently_is_a_failure() -> None:
    answers = iter(["1, 2", "3, 4"] * 20)
    app = ScriptedApp(
        {
            "/voice": lambda payload: tropo(ask(next(answers)), on("continue", "/x")),
            "/x": tropo(HANGUP),
        }
    )
    flow = Simulator(app.app).explore("/voice")
    assert any(
        isinstance(f.exception, RuntimeError)
        and "answered differently to the same inputs" in str(f.exception)
        for f in flow.failures
    )


def test_unknown_route_fails_at_the_dial() -> None:
    flow = Simulator(menu_app()).explore("/nowhere")
    [failure] = flow.failures
    assert failure.inputs == ()
    assert failure.endpoint == "/nowhere"
    assert str(failure).startswith("/nowhere at the dial: SimulationError: POST")


def test_over_http_endpoints_are_paths() -> None:
    app = menu_app(TESTING=False)
    with serving(app) as base:
        flow = Simulator(base).explore("/voice", max_paths=40)
    assert flow.start == "/voice"
    assert "/choice" in flow.endpoints
    assert flow.unreached == ()  # nothing to compare with
    # the bug shows as the apology only: an app out of process cannot say more
    assert not flow.failures


def test_on_event_still_sees_the_calls() -> None:
    seen = []
    Simulator(menu_app(), on_event=seen.append).explore("/voice", max_paths=3)
    assert seen and seen[0].kind == "post" and seen[0].name == "session"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_steps": 0}, "max_steps and max_paths must be at least 1"),
        ({"max_paths": 0}, "max_steps and max_paths must be at least 1"),
        ({"inputs": {"pin": []}}, r"inputs\['pin'\] must be"),
        ({"inputs": {"pin": [" "]}}, r"inputs\['pin'\] must be"),
        ({"inputs": {"pin": [4]}}, r"inputs\['pin'\] must be"),
    ],
)
def test_options_are_checked(options: dict[str, t.Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Simulator(menu_app()).explore("/voice", **options)


def test_step_text_and_apply() -> None:
    assert [
        str(s) for s in steps("press 12#", "speak yes", "silence", "transfer busy")
    ] == [
        "press 12#",
        "say 'yes'",
        "silence",
        "transfer busy",
    ]
    call = Simulator(menu_app()).dial("/voice")
    with pytest.raises(ValueError, match="not an input of the caller"):
        Step("transfer", "busy").apply(call)
    Step("hangup").apply(call)
    assert call.ended


def test_flow_repr_and_summary() -> None:
    flow = Simulator(menu_app()).explore("/voice")
    assert (
        repr(flow)
        == f"<Flow '/voice' paths={len(flow.paths)} failures={len(flow.failures)}>"
    )
    lines = flow.summary().splitlines()
    assert lines[0] == (
        f"Explored /voice: {len(flow.paths)} paths, 5 endpoints reached,"
        f" {len(flow.failures)} failing paths."
    )
    assert lines[1].startswith("FAILED menu.choice after press 3: ZeroDivisionError")
    assert lines[1].endswith(
        f"({len(flow.failures) - 1} more path(s) fail the same way)"
    )
    assert lines[2] == "Unreached: menu.survey"
    assert dict(flow.prompts)["menu.incoming"] == (MENU_PROMPT,)
    assert flow.kinds["menu.survey"] == "result"


def test_a_text_conversation_is_answered_in_words() -> None:
    app = ScriptedApp(
        {
            "/sms": tropo(ask("[ANY]", prompt="Question?"), on("continue", "/more")),
            "/more": tropo(
                ask("yes(yes, 1), no(no, 2)", prompt="More?"), on("continue", "/x")
            ),
            "/x": tropo(say("Bye"), HANGUP),
        }
    )
    flow = Simulator(app.app).explore("/sms", text="Hello")
    # the first message answered the first ask; the second takes words only
    assert first_choices(flow) == set(
        steps(
            "speak yes",
            "speak no",
            "speak no such choice",
            "silence",
            "hangup",
        )
    )
    assert app.posts[0][1]["session"]["initialText"] == "Hello"


def test_a_token_launch_places_its_call(tmp_path: t.Any) -> None:
    from example_app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "explorer tests secret key",
            "EXAMPLE_DATABASE": str(tmp_path / "x.sqlite3"),
            "EXAMPLE_RECORDINGS": str(tmp_path / "recordings"),
        }
    )
    launch = {"to": "+14155550101", "message": "Your table is ready."}
    flow = Simulator(app).explore("/ivr/remind", launch=launch)
    assert first_choices(flow) == set(
        steps("transfer answer", "transfer busy", "transfer no-answer")
    )
    assert ("ivr.remind", "incomplete", "ivr.reminder_failed") in flow.edges
    heard = {p.inputs: p.heard for p in flow.paths}
    assert heard[steps("transfer answer")] == ("Your table is ready.", "Goodbye.")
    assert not flow.failures
    with pytest.raises(ValueError, match="text or launch, not both"):
        Simulator(app).explore("/ivr/remind", launch=launch, text="hi")
