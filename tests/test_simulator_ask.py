"""The simulator's ask: grammars, attempts and re-prompts, actions, text
sessions."""

from __future__ import annotations

import typing as t

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sim_apps import HANGUP
from sim_apps import ScriptedApp
from sim_apps import ask
from sim_apps import on
from sim_apps import say
from sim_apps import tropo

from flask_tropo.testing import Call
from flask_tropo.testing import Simulator
from flask_tropo.verbs import Ask

RETRY_PROMPTS = [
    {"value": "Sorry, I did not hear you.", "event": "timeout"},
    {"value": "That is not a choice.", "event": "nomatch:1"},
    {"value": "Still not a choice.", "event": "nomatch:2"},
    {"value": "Wrong again.", "event": "nomatch"},
    {"value": "Either problem.", "event": "nomatch:2 timeout"},
    {"value": "Press 1 or 2."},
]


def flow(*verbs: dict[str, t.Any]) -> ScriptedApp:
    """A session document of ``verbs``; every result is answered with a
    hangup."""
    return ScriptedApp(
        {
            "/voice": tropo(*verbs, on("continue", "/done"), on("incomplete", "/no")),
            "/done": tropo(HANGUP),
            "/no": tropo(HANGUP),
        }
    )


def dial(app: ScriptedApp) -> Call:
    return Simulator(app.app).dial("/voice")


def last_action(app: ScriptedApp) -> t.Any:
    return app.results[-1]["actions"]


@pytest.mark.parametrize(
    ("grammar", "keys", "value", "interpretation", "utterance"),
    [
        ("[4 DIGITS]", "1234", "1234", "1234", "1 2 3 4"),
        ("[1 DIGIT]", "7", "7", "7", "7"),
        ("[2-4 DIGITS]", "123", "123", "123", "1 2 3"),
        ("yes(yes,y,1), no(no,n,2)", "2", "no", "2", "2"),
        ("1,2,3", "3", "3", "3", "3"),
        ("[4 DIGITS], call(*, star, call)", "*", "call", "*", "*"),
        ("[ANY]", "42#", "42#", "42#", "4 2 #"),
    ],
)
def test_dtmf_matches_the_grammar(
    grammar: str, keys: str, value: str, interpretation: str, utterance: str
) -> None:
    app = flow(ask(grammar, name="choice"))
    call = dial(app)
    assert isinstance(call.waiting, Ask)
    call.press(keys)
    assert app.paths[-1] == "/done"
    assert last_action(app) == {
        "name": "choice",
        "attempts": 1,
        "disposition": "SUCCESS",
        "confidence": 100,
        "interpretation": interpretation,
        "utterance": utterance,
        "value": value,
        "concept": value,
    }


def test_speech_matches_synonyms_and_spoken_digits() -> None:
    app = flow(ask("yes(yes,y,1), no(no,n,2)", name="confirm"))
    dial(app).speak("Yes")
    assert last_action(app)["value"] == "yes"
    assert last_action(app)["interpretation"] == "Yes"
    app = flow(ask("[4 DIGITS]", name="pin"))
    dial(app).speak("one two 3 4")
    action = last_action(app)
    assert (action["value"], action["utterance"]) == ("1234", "one two 3 4")


def test_terminator_ends_entry() -> None:
    app = flow({"ask": {"choices": {"value": "[1-6 DIGITS]", "terminator": "#"}}})
    dial(app).press("123#45")
    assert last_action(app)["value"] == "123"
    assert "name" not in last_action(app)


def test_without_terminator_hash_is_a_key() -> None:
    app = flow(ask("[4 DIGITS]", attempts=1))
    dial(app).press("123#")
    assert app.paths[-1] == "/no"
    assert last_action(app)["disposition"] == "NOMATCH"


@pytest.mark.parametrize("mode", ["dtmf", "DTMF"])
def test_dtmf_mode_refuses_speech(mode: str) -> None:
    app = flow({"ask": {"choices": {"value": "1,2", "mode": mode}, "attempts": 2}})
    call = dial(app).speak("one")
    assert not call.ended
    call.press("1")
    assert last_action(app)["attempts"] == 2


def test_speech_mode_refuses_keys() -> None:
    app = flow({"ask": {"choices": {"value": "[4 DIGITS]", "mode": "speech"}}})
    dial(app).press("1234")
    assert last_action(app)["disposition"] == "NOMATCH"


def test_retries_play_matching_event_prompts_then_the_prompt() -> None:
    app = flow(
        {"ask": {"choices": {"value": "1,2"}, "attempts": 4, "say": RETRY_PROMPTS}}
    )
    call = dial(app)
    assert call.heard == ["Press 1 or 2."]
    call.press("9")  # attempt 1: no match
    assert call.heard[1:] == ["That is not a choice.", "Wrong again.", "Press 1 or 2."]
    call.heard.clear()
    call.speak("purple")  # attempt 2: no match
    assert call.heard == [
        "Still not a choice.",
        "Wrong again.",
        "Either problem.",
        "Press 1 or 2.",
    ]
    call.heard.clear()
    call.silence()  # attempt 3: timeout
    assert call.heard == [
        "Sorry, I did not hear you.",
        "Either problem.",
        "Press 1 or 2.",
    ]
    call.press("2")
    assert last_action(app)["attempts"] == 4
    assert last_action(app)["value"] == "2"


def test_last_failed_attempt_fires_incomplete_without_reprompt() -> None:
    app = flow(
        {
            "ask": {
                "choices": {"value": "1,2"},
                "attempts": 2,
                "say": RETRY_PROMPTS,
                "name": "c",
            }
        }
    )
    call = dial(app).press("9")
    heard = len(call.heard)
    call.press("8")
    assert len(call.heard) == heard
    assert call.ended and app.paths[-1] == "/no"
    assert last_action(app) == {
        "name": "c",
        "attempts": 2,
        "disposition": "NOMATCH",
        "confidence": 0,
    }


def test_timeout_on_the_last_attempt() -> None:
    app = flow(ask("1,2", name="c", attempts=2))
    dial(app).press("9").silence()
    assert last_action(app)["disposition"] == "TIMEOUT"
    assert app.results[-1]["sessionDuration"] == 31


def test_incomplete_skips_the_rest_of_the_document() -> None:
    app = flow(ask("1"), say("not played"))
    call = dial(app).press("2")
    assert "not played" not in call.heard
    assert app.paths[-1] == "/no"


def test_ask_with_required_false_goes_on() -> None:
    app = flow(ask("1", required=False, name="a"), say("played"))
    call = dial(app).press("2")
    assert call.heard[-1] == "played"
    assert app.paths[-1] == "/done"
    assert last_action(app)["disposition"] == "NOMATCH"


def test_one_action_is_an_object_several_a_list() -> None:
    app = flow(ask("1,2", name="first"), say("and"), ask("[2 DIGITS]", name="second"))
    call = dial(app).press("1")
    assert app.paths == ["/voice"]  # the first action waits for the document
    assert call.heard == ["Pick", "and", "Pick"]
    call.press("42")
    actions = last_action(app)
    assert isinstance(actions, list)
    assert [(a["name"], a["value"]) for a in actions] == [
        ("first", "1"),
        ("second", "42"),
    ]


def test_first_ask_action_rides_with_a_failed_second_one() -> None:
    app = flow(ask("1", name="first"), ask("1", name="second"))
    dial(app).press("1").silence()
    actions = last_action(app)
    assert [a["disposition"] for a in actions] == ["SUCCESS", "TIMEOUT"]
    assert app.paths[-1] == "/no"


def test_ask_without_prompt_waits_silently() -> None:
    app = flow(ask("1", prompt=None))
    call = dial(app)
    assert call.heard == [] and call.waiting is not None


def test_hangup_during_ask_posts_completed_actions() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(
                ask("1", name="first"), ask("1", name="second"), on("hangup", "/bye")
            ),
            "/bye": tropo(say("ignored")),
        }
    )
    call = dial(app).press("1").hangup()
    assert call.ended
    result = app.results[-1]
    assert result["state"] == "DISCONNECTED"
    assert result["actions"]["name"] == "first"
    assert "ignored" not in call.heard


def test_text_session_initial_text_answers_the_first_ask() -> None:
    app = ScriptedApp(
        {
            "/sms": tropo(
                ask("[ANY]", prompt="What is your question?", name="q"),
                on("continue", "/answer"),
            ),
            "/answer": lambda payload: tropo(
                say(f"You asked: {payload['result']['actions']['value']}"),
                ask("yes,no", prompt="Anything else?", name="more"),
                on("continue", "/bye"),
            ),
            "/bye": tropo(say("Bye"), HANGUP),
        }
    )
    call = Simulator(app.app).text("/sms", "opening hours", from_="+16505550100")
    assert call.is_text
    assert call.heard == ["You asked: opening hours", "Anything else?"]
    assert [e.name for e in call.events if e.kind == "input"] == ["initialText"]
    with pytest.raises(RuntimeError, match="text conversation"):
        call.press("1")
    call.reply("no")
    assert call.heard[-1] == "Bye" and call.ended
    session = app.posts[0][1]["session"]
    assert session["initialText"] == "opening hours"
    assert session["from"]["channel"] == "TEXT" and session["from"]["network"] == "SMS"
    assert session["from"]["id"] == "+16505550100"


def test_text_initial_text_that_does_not_match_reprompts() -> None:
    app = flow(ask("yes,no", prompt="Say yes or no", attempts=2))
    app.documents["/sms"] = app.documents["/voice"]
    call = Simulator(app.app).text("/sms", "maybe")
    assert call.heard == ["Say yes or no"]
    call.speak("yes")
    assert last_action(app)["value"] == "yes"


def test_text_session_without_ask_keeps_says_as_replies() -> None:
    app = ScriptedApp({"/sms": tropo(say("Thanks for your text"), HANGUP)})
    call = Simulator(app.app).text("/sms", "hi")
    assert call.heard == ["Thanks for your text"]
    assert call.ended


def test_bad_grammar_is_a_simulation_error() -> None:
    from flask_tropo.testing import SimulationError

    app = flow(ask("[X DIGITS]"))
    with pytest.raises(SimulationError, match=r"ask: Invalid grammar") as info:
        dial(app)
    assert info.value.url == "http://localhost/voice"
    assert info.value.status == 200


def test_bad_terminator_is_a_simulation_error() -> None:
    from flask_tropo.testing import SimulationError

    app = flow({"ask": {"choices": {"value": "1", "terminator": "x"}}})
    with pytest.raises(SimulationError, match="invalid WebAPI document.*terminator"):
        dial(app)


inputs = st.lists(
    st.one_of(
        st.tuples(st.just("press"), st.text("0123456789*#", min_size=1, max_size=5)),
        st.tuples(st.just("speak"), st.text(min_size=0, max_size=12)),
        st.tuples(st.just("silence"), st.just("")),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(inputs)
def test_any_input_keeps_the_results_consistent(steps: list[tuple[str, str]]) -> None:
    document = tropo(
        {
            "ask": {
                "choices": {"value": "[1-3 DIGITS], yes(yes,y)", "terminator": "#"},
                "attempts": 2,
                "name": "n",
                "say": [
                    {"value": "Again", "event": "nomatch timeout"},
                    {"value": "Go"},
                ],
            }
        },
        on("continue", "/voice"),
        on("incomplete", "/voice"),
    )
    app = ScriptedApp({"/voice": document})
    call = Simulator(app.app).dial("/voice")
    for kind, value in steps:
        getattr(call, kind)(*([value] if kind != "silence" else []))
    assert not call.ended
    results = [r["result"] for r in call.results]
    assert [r["sequence"] for r in results] == list(range(1, len(results) + 1))
    durations = [r["sessionDuration"] for r in results]
    assert durations == sorted(durations)
    for result in results:
        action = result["actions"]
        assert action["disposition"] in ("SUCCESS", "NOMATCH", "TIMEOUT")
        assert 1 <= action["attempts"] <= 2
    assert call.heard.count("Go") == len(steps) + 1
