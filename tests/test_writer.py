"""The JSON writers of the response body give, byte for byte, what the
provider's encoder gives for ``render(verbs)``, in every style."""

from __future__ import annotations

import json
import typing as t

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_compiled import FULL
from test_compiled import _url
from test_compiled import any_verb
from test_compiled import examples
from test_compiled import handler

from flask_tropo import TropoError
from flask_tropo import verbs as v
from flask_tropo.document import render
from flask_tropo.schemas.verbs import next_url_resolver
from flask_tropo.schemas.writer import Style
from flask_tropo.schemas.writer import write_document

STYLES: list[Style] = [(True, True), (False, True), (True, False), (False, False)]


def _encoder(style: Style) -> json.JSONEncoder:
    sort_keys, ensure_ascii = style
    return json.JSONEncoder(
        sort_keys=sort_keys, ensure_ascii=ensure_ascii, separators=(",", ":")
    )


def written(verbs: list[v.Verb], style: Style) -> str:
    with next_url_resolver(_url):
        return write_document(verbs, style, _encoder(style).encode)


def expected(verbs: list[v.Verb], style: Style) -> str:
    return _encoder(style).encode(render(verbs, next_url=_url))


@pytest.mark.parametrize("style", STYLES)
def test_every_verb_is_written_as_encoded(style: Style) -> None:
    for verb in FULL:
        assert written([verb], style) == expected([verb], style)
    assert written(FULL, style) == expected(FULL, style)


@pytest.mark.parametrize("style", STYLES)
def test_values_the_writer_does_not_expect(style: Style) -> None:
    class Text(str):
        pass

    class MySay(v.Say):
        pass

    say = v.Say("Grüße", voice="Ava")
    object.__setattr__(say, "voice", 12)
    ask = v.Ask("1", name="n", timeout=5.5)
    object.__setattr__(ask, "name", Text("sub"))
    object.__setattr__(ask, "allow_signals", Text("sig"))
    object.__setattr__(ask, "timeout", float("nan"))
    wait = v.Wait(2**70)
    verbs = [say, ask, v.On("continue", say=[say, MySay("x")]), wait]
    assert written(verbs, style) == expected(verbs, style)


def test_non_ascii_text() -> None:
    verbs: list[v.Verb] = [v.Say("Grüße aus Zürich \u2603 \U0001f600")]
    assert written(verbs, (True, False)) == expected(verbs, (True, False))
    assert "\\u00fc" in written(verbs, (True, True))


def test_a_handler_next_needs_a_resolver() -> None:
    verbs: list[v.Verb] = [v.On("continue", next=handler)]
    with pytest.raises(TropoError, match="handler"):
        write_document(verbs, (True, True), _encoder((True, True)).encode)


@examples(500)
@given(
    verbs=st.lists(any_verb(), min_size=1, max_size=4), style=st.sampled_from(STYLES)
)
def test_generated_verbs_are_written_as_encoded(
    verbs: list[v.Verb], style: Style
) -> None:
    assert written(verbs, style) == expected(verbs, style)


def test_written_text_is_the_document(style: Style = (True, True)) -> None:
    text = written(FULL, style)
    assert json.loads(text) == json.loads(json.dumps(render(FULL, next_url=_url)))
    assert isinstance(text, str)
    assert t.cast(t.Any, text).startswith('{"tropo":[')
