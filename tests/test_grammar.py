from __future__ import annotations

import dataclasses
import typing as t

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flask_tropo.exceptions import TropoError
from flask_tropo.simulator.grammar import DTMF_KEYS
from flask_tropo.simulator.grammar import Grammar
from flask_tropo.simulator.grammar import GrammarError
from flask_tropo.simulator.grammar import Match
from flask_tropo.simulator.grammar import match_input
from flask_tropo.simulator.grammar import parse_grammar

DIGIT_WORDS = "zero one two three four five six seven eight nine".split()


def expect(
    grammar: str,
    entered: str,
    *,
    dtmf: bool,
    mode: str | None = None,
    terminator: str | None = None,
) -> Match:
    match = Grammar.parse(grammar).match(
        entered, dtmf=dtmf, mode=mode, terminator=terminator
    )
    assert match is not None, f"{entered!r} should match {grammar!r}"
    return match


def no_match(
    grammar: str,
    entered: str,
    *,
    dtmf: bool,
    mode: str | None = None,
    terminator: str | None = None,
) -> None:
    match = Grammar.parse(grammar).match(
        entered, dtmf=dtmf, mode=mode, terminator=terminator
    )
    assert match is None, f"{entered!r} should not match {grammar!r}: {match}"


# --- digits --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grammar", "keys"),
    [
        ("[4 DIGITS]", "1234"),
        ("[5 DIGITS]", "00000"),
        ("[1 DIGIT]", "7"),
        ("[1 DIGITS]", "7"),
        ("[2 DIGIT]", "42"),
        ("[5 digits]", "12345"),
        ("[4 Digits]", "9876"),
        ("[ 4 DIGITS ]", "1234"),
        ("[4-5 DIGITS]", "1234"),
        ("[4-5 DIGITS]", "12345"),
        ("[4 - 5 digits]", "12345"),
        ("[1-3 DIGITS]", "1"),
    ],
)
def test_digits_dtmf_match(grammar: str, keys: str) -> None:
    match = expect(grammar, keys, dtmf=True)
    assert match == Match(
        value=keys,
        interpretation=keys,
        utterance=" ".join(keys),
        concept=keys,
        confidence=100,
    )


@pytest.mark.parametrize(
    ("grammar", "keys"),
    [
        ("[4 DIGITS]", "123"),
        ("[4 DIGITS]", "12345"),
        ("[1 DIGIT]", "12"),
        ("[4-5 DIGITS]", "123"),
        ("[4-5 DIGITS]", "123456"),
        ("[4 DIGITS]", "12*4"),
        ("[4 DIGITS]", "123#"),
        ("[1 DIGIT]", "*"),
    ],
)
def test_digits_dtmf_no_match(grammar: str, keys: str) -> None:
    no_match(grammar, keys, dtmf=True)


def test_dtmf_whitespace_is_ignored() -> None:
    match = expect("[4 DIGITS]", " 1 2 3 4 ", dtmf=True)
    assert (match.value, match.interpretation, match.utterance) == (
        "1234",
        "1234",
        "1 2 3 4",
    )


@pytest.mark.parametrize(
    ("grammar", "said", "digits"),
    [
        ("[4 DIGITS]", "1234", "1234"),
        ("[4 DIGITS]", "1 2 3 4", "1234"),
        ("[4 DIGITS]", "12 34", "1234"),
        ("[4 DIGITS]", "  1234  ", "1234"),
        ("[3 DIGITS]", "one two three", "123"),
        ("[3 DIGITS]", "One TWO three", "123"),
        ("[4 DIGITS]", "one two 3 4", "1234"),
        ("[3 DIGITS]", "oh zero nine", "009"),
        ("[1 DIGIT]", "seven", "7"),
        ("[1-3 DIGITS]", "eight", "8"),
    ],
)
def test_digits_speech_match(grammar: str, said: str, digits: str) -> None:
    match = expect(grammar, said, dtmf=False)
    assert match.value == digits
    assert match.concept == digits
    assert match.interpretation == digits
    assert match.utterance == said.strip()


@pytest.mark.parametrize(
    ("grammar", "said"),
    [
        ("[4 DIGITS]", "123"),
        ("[4 DIGITS]", "one two three"),
        ("[3 DIGITS]", "one two tree"),
        ("[3 DIGITS]", "one-two-three"),
        ("[4 DIGITS]", "1234#"),
        ("[4 DIGITS]", "twelve thirty four"),
        ("[1 DIGIT]", "hello"),
        ("[1 DIGIT]", "\u0663"),  # ARABIC-INDIC DIGIT THREE is not a digit here
    ],
)
def test_digits_speech_no_match(grammar: str, said: str) -> None:
    no_match(grammar, said, dtmf=False)


# --- [ANY] ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entered", "dtmf", "value", "utterance"),
    [
        ("hello there", False, "hello there", "hello there"),
        ("  Hello  There  ", False, "Hello  There", "Hello  There"),
        ("1234", False, "1234", "1234"),
        ("12#", True, "12#", "1 2 #"),
        ("*", True, "*", "*"),
    ],
)
def test_any(entered: str, dtmf: bool, value: str, utterance: str) -> None:
    for grammar in ("[ANY]", "[any]", "[ Any ]"):
        match = expect(grammar, entered, dtmf=dtmf)
        assert match.value == match.concept == match.interpretation == value
        assert match.utterance == utterance


# --- lists and key(synonyms) ---------------------------------------------------


@pytest.mark.parametrize(
    ("grammar", "entered", "dtmf", "value", "interpretation"),
    [
        ("1,2,3", "2", True, "2", "2"),
        ("1, 2, 3", "3", True, "3", "3"),
        ("1,2,3", "2", False, "2", "2"),
        ("1,2,3", "two", False, "2", "two"),
        ("sales, support", "support", False, "support", "support"),
        ("sales, support", "  SUPPORT ", False, "support", "SUPPORT"),
        ("Sales, Support", "sales", False, "Sales", "sales"),
        ("new york, boston", "New   York", False, "new york", "New   York"),
        ("*, #", "*", True, "*", "*"),
        ("yes(yes,y,1), no(no,n,2)", "1", True, "yes", "1"),
        ("yes(yes,y,1), no(no,n,2)", "2", True, "no", "2"),
        ("yes(yes,y,1), no(no,n,2)", "Y", False, "yes", "Y"),
        ("yes(yes,y,1), no(no,n,2)", "no", False, "no", "no"),
        ("yes(yes,y,1), no(no,n,2)", "one", False, "yes", "one"),
        ("yes( yes , y , 1 ), no ( no, n, 2 )", "n", False, "no", "n"),
        ("red(red,1), blue(blue,2)", "2", True, "blue", "2"),
        ("sales(1, billing)", "sales", False, "sales", "sales"),
        ("sales(1, billing)", "Billing", False, "sales", "Billing"),
        ("sales(1, billing)", "1", True, "sales", "1"),
        ("agent(0, operator), 12", "12", True, "12", "12"),
        ("agent(0, operator), 12", "one two", False, "12", "one two"),
    ],
)
def test_choices_match(
    grammar: str, entered: str, dtmf: bool, value: str, interpretation: str
) -> None:
    match = expect(grammar, entered, dtmf=dtmf)
    assert match.value == value
    assert match.concept == value
    assert match.interpretation == interpretation
    assert match.confidence == 100


@pytest.mark.parametrize(
    ("grammar", "entered", "dtmf"),
    [
        ("1,2,3", "4", True),
        ("1,2,3", "12", True),
        ("1,2,3", "four", False),
        ("sales, support", "sale", False),
        ("sales, support", "sales support", False),
        ("yes(yes,y,1), no(no,n,2)", "3", True),
        ("yes(yes,y,1), no(no,n,2)", "maybe", False),
        ("yes(y)", "yes please", False),
        ("sales, support", "1", True),
    ],
)
def test_choices_no_match(grammar: str, entered: str, dtmf: bool) -> None:
    no_match(grammar, entered, dtmf=dtmf)


@pytest.mark.parametrize(
    ("entered", "dtmf", "value", "interpretation", "utterance"),
    [
        ("1234", True, "1234", "1234", "1 2 3 4"),
        ("*", True, "call", "*", "*"),
        ("star", False, "call", "star", "star"),
        ("Call", False, "call", "Call", "Call"),
        ("1 2 3 4", False, "1234", "1234", "1 2 3 4"),
        ("*", False, "call", "*", "*"),
    ],
)
def test_mixed_grammar(
    entered: str, dtmf: bool, value: str, interpretation: str, utterance: str
) -> None:
    match = expect("[4 DIGITS], call(*, star, call)", entered, dtmf=dtmf)
    assert (match.value, match.interpretation, match.utterance) == (
        value,
        interpretation,
        utterance,
    )


def test_first_option_wins() -> None:
    assert expect("[ANY], yes(y)", "y", dtmf=False).value == "y"
    assert expect("yes(y), [ANY]", "y", dtmf=False).value == "yes"
    assert expect("[1 DIGIT], one(1)", "1", dtmf=True).value == "1"
    assert expect("one(1), [1 DIGIT]", "1", dtmf=True).value == "one"


# --- empty input ---------------------------------------------------------------


@pytest.mark.parametrize("grammar", ["[ANY]", "[1-5 DIGITS]", "a, b", "x(y)"])
@pytest.mark.parametrize(
    ("entered", "dtmf", "terminator"),
    [
        ("", True, None),
        ("   ", True, None),
        ("#", True, "#"),
        ("#123", True, "#"),
        ("", False, None),
        (" \t\n", False, None),
    ],
)
def test_empty_input_never_matches(
    grammar: str, entered: str, dtmf: bool, terminator: str | None
) -> None:
    no_match(grammar, entered, dtmf=dtmf, terminator=terminator)


# --- mode ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "dtmf", "matches"),
    [
        (None, True, True),
        (None, False, True),
        ("any", True, True),
        ("any", False, True),
        ("ANY", False, True),
        ("dtmf", True, True),
        ("dtmf", False, False),
        ("DTMF", True, True),
        ("DTMF", False, False),
        ("speech", True, False),
        ("speech", False, True),
        ("Speech", True, False),
    ],
)
def test_mode(mode: str | None, dtmf: bool, matches: bool) -> None:
    grammar = Grammar.parse("[4 DIGITS], yes(y, 9)")
    for entered in ("1234", "9"):
        match = grammar.match(entered, dtmf=dtmf, mode=mode)
        assert (match is not None) is matches


@pytest.mark.parametrize("mode", ["", "voice", "frootloops"])
def test_unknown_mode(mode: str) -> None:
    with pytest.raises(ValueError, match="Unknown choices mode"):
        Grammar.parse("[ANY]").match("hi", dtmf=False, mode=mode)


# --- terminator ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("grammar", "keys", "terminator", "value", "utterance"),
    [
        ("[4 DIGITS]", "1234#", "#", "1234", "1 2 3 4"),
        ("[4 DIGITS]", "1234#567", "#", "1234", "1 2 3 4"),
        ("[4 DIGITS]", "1234##", "#", "1234", "1 2 3 4"),
        ("[4 DIGITS]", "1234*", "*", "1234", "1 2 3 4"),
        ("[4 DIGITS]", "12340", "0", "1234", "1 2 3 4"),
        ("[2 DIGITS]", "12#34", "#", "12", "1 2"),
        ("[1-10 DIGITS]", "12#34", "#", "12", "1 2"),
        ("[4 DIGITS]", "1234", "#", "1234", "1 2 3 4"),
        ("[ANY]", "12*3#", "#", "12*3", "1 2 * 3"),
        ("[ANY]", "12#", "", "12#", "1 2 #"),
        ("1, 2", "2#", "#", "2", "2"),
        ("call(*, star)", "*#", "#", "call", "*"),
    ],
)
def test_terminator(
    grammar: str, keys: str, terminator: str, value: str, utterance: str
) -> None:
    match = expect(grammar, keys, dtmf=True, terminator=terminator)
    assert match.value == value
    assert match.interpretation == utterance.replace(" ", "")
    assert match.utterance == utterance


def test_terminator_cuts_before_matching() -> None:
    no_match("[4 DIGITS]", "12#34", dtmf=True, terminator="#")
    no_match("[4 DIGITS]", "1234#", dtmf=True)


def test_terminator_does_not_apply_to_speech() -> None:
    assert expect("[ANY]", "a#b", dtmf=False, terminator="#").value == "a#b"
    no_match("[4 DIGITS]", "1234#", dtmf=False, terminator="#")


@pytest.mark.parametrize("terminator", ["##", "x", "A", " "])
def test_invalid_terminator(terminator: str) -> None:
    with pytest.raises(ValueError, match="Invalid terminator"):
        Grammar.parse("[ANY]").match("1", dtmf=True, terminator=terminator)


@pytest.mark.parametrize("keys", ["12a4", "1-2", "one"])
def test_invalid_dtmf_key(keys: str) -> None:
    with pytest.raises(ValueError, match="Invalid DTMF key"):
        Grammar.parse("[ANY]").match(keys, dtmf=True)


def test_invalid_dtmf_key_rejected_in_speech_mode_too() -> None:
    # Bad keys are a mistake in the test script, whatever the mode says.
    with pytest.raises(ValueError, match="Invalid DTMF key"):
        Grammar.parse("[ANY]").match("x", dtmf=True, mode="dtmf")


# --- malformed grammars --------------------------------------------------------


@pytest.mark.parametrize(
    ("grammar", "message"),
    [
        ("", "Invalid grammar '': the grammar is empty"),
        ("   ", "Invalid grammar '   ': the grammar is empty"),
        ("[X DIGITS]", "Invalid grammar '[X DIGITS]': unknown built-in grammar"),
        ("[4 DIGITS], [X DIGITS]", "at '[X DIGITS]': unknown built-in grammar"),
        ("[DIGITS]", "unknown built-in grammar"),
        ("[4 LETTERS]", "unknown built-in grammar"),
        ("[4-X DIGITS]", "unknown built-in grammar"),
        ("[]", "unknown built-in grammar"),
        ("[0 DIGITS]", "the digit count must be at least 1"),
        ("[0-3 DIGITS]", "the digit count must be at least 1"),
        ("[5-4 DIGITS]", "the digit range 5-4 is reversed"),
        ("[4 DIGITS", "unbalanced '[' (missing ']')"),
        ("4 DIGITS]", "unbalanced ']'"),
        ("yes(yes,y", "Invalid grammar 'yes(yes,y': unbalanced '(' (missing ')')"),
        ("a, yes(yes,y", "at 'yes(yes,y': unbalanced '('"),
        ("yes)", "unbalanced ')'"),
        ("yes(y, n)), no", "at 'yes(y, n))': unbalanced ')'"),
        ("yes(y]", "unbalanced ']'"),
        ("a(b(c))", "at 'a(b(': nested '('"),
        ("a([1 DIGIT])", "nested '['"),
        ("a,,b", "option 2 is empty"),
        ("a, b,", "option 3 is empty"),
        (",a", "option 1 is empty"),
        ("(a, b)", "missing key before '('"),
        ("yes()", "empty synonym"),
        ("yes(y,,n)", "empty synonym"),
        ("yes(y) z", "unexpected text after ')'"),
        ("[ANY] z", "unexpected text after ']'"),
        ("x[ANY]", "a bracketed grammar must be an option of its own"),
    ],
)
def test_malformed_grammar(grammar: str, message: str) -> None:
    with pytest.raises(GrammarError) as info:
        Grammar.parse(grammar)
    assert message in str(info.value)
    assert info.value.grammar == grammar


def test_grammar_error_is_value_error_and_tropo_error() -> None:
    with pytest.raises(GrammarError) as info:
        parse_grammar("a, [X DIGITS]")
    error = info.value
    assert isinstance(error, ValueError)
    assert isinstance(error, TropoError)
    assert error.part == "[X DIGITS]"
    assert error.reason.startswith("unknown built-in grammar")
    assert str(error).startswith("Invalid grammar 'a, [X DIGITS]' at '[X DIGITS]': ")


# --- objects -------------------------------------------------------------------


def test_parse_grammar_is_cached() -> None:
    first = parse_grammar("yes(y), no(n)")
    assert parse_grammar("yes(y), no(n)") is first
    assert first == Grammar.parse("yes(y), no(n)")
    assert first != Grammar.parse("yes(y)")
    assert first != "yes(y), no(n)"
    assert hash(first) == hash(Grammar("yes(y), no(n)"))
    assert repr(first) == "Grammar('yes(y), no(n)')"
    assert first.source == "yes(y), no(n)"


def test_match_input_parses_and_matches_in_one_call() -> None:
    match = match_input("yes(yes, y, 1), no(no, n, 2)", "1", dtmf=True)
    assert match is not None
    assert (match.value, match.interpretation) == ("yes", "1")
    spoken = match_input("[4 DIGITS]", "one two 3 4", dtmf=False, mode="speech")
    assert spoken is not None and spoken.value == "1234"
    keyed = match_input("[2 DIGITS]", "12#9", dtmf=True, terminator="#")
    assert keyed is not None and keyed.value == "12"
    assert match_input("[4 DIGITS]", "12", dtmf=True) is None
    assert match_input("[ANY]", "1", dtmf=True, mode="speech") is None
    with pytest.raises(GrammarError, match="unknown built-in grammar"):
        match_input("[X DIGITS]", "1", dtmf=True)
    assert frozenset("0123456789*#") == DTMF_KEYS


def test_parse_grammar_raises_every_time() -> None:
    for _ in range(2):
        with pytest.raises(GrammarError):
            parse_grammar("[X DIGITS]")


def test_match_is_frozen() -> None:
    match = expect("[1 DIGIT]", "1", dtmf=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.value = "2"  # type: ignore[misc]


# --- properties ----------------------------------------------------------------


@st.composite
def digits_and_length(draw: t.Callable[..., t.Any]) -> tuple[int, str]:
    n = draw(st.integers(min_value=1, max_value=20))
    keys = draw(st.text(alphabet="0123456789", min_size=n, max_size=n))
    return n, keys


@given(digits_and_length())
def test_n_digits_property(case: tuple[int, str]) -> None:
    n, keys = case
    grammar = parse_grammar(f"[{n} DIGITS]")
    match = grammar.match(keys, dtmf=True)
    assert match is not None
    assert match.interpretation == match.value == keys
    assert match.utterance == " ".join(keys)
    assert grammar.match(keys + "0", dtmf=True) is None
    assert grammar.match(keys + "#", dtmf=True, terminator="#") == match
    spoken = grammar.match(" ".join(DIGIT_WORDS[int(k)] for k in keys), dtmf=False)
    assert spoken is not None and spoken.value == keys


@given(
    st.integers(min_value=1, max_value=8),
    st.integers(min_value=0, max_value=8),
    st.text(alphabet="0123456789", max_size=20),
)
def test_digit_range_property(low: int, extra: int, keys: str) -> None:
    high = low + extra
    match = parse_grammar(f"[{low}-{high} DIGITS]").match(keys, dtmf=True)
    if low <= len(keys) <= high:
        assert match is not None and match.value == keys
    else:
        assert match is None


@given(st.text(max_size=30))
def test_parse_only_raises_grammar_error(value: str) -> None:
    try:
        grammar = Grammar.parse(value)
    except GrammarError as error:
        assert error.grammar == value
    else:
        assert grammar.source == value


@given(st.text(alphabet="0123456789*#", max_size=12), st.sampled_from(["#", "*"]))
def test_dtmf_interpretation_property(keys: str, terminator: str) -> None:
    match = parse_grammar("[ANY]").match(keys, dtmf=True, terminator=terminator)
    entered = keys.partition(terminator)[0]
    if entered:
        assert match is not None
        assert match.interpretation == entered
        assert match.utterance.split() == list(entered)
    else:
        assert match is None
