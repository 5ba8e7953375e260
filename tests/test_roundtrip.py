"""Every document ``render`` writes, ``parse_document`` reads back to equal
verbs (issue 13, item 1): verbs of every class with every option, generated
by hypothesis from what each field accepts (tests/verb_strategies.py),
written as JSON text and read back.

A value that renders but is read back differently (a string where the wire
takes a boolean, a number turned into a string) fails here, whichever verb
and option it is.
"""

from __future__ import annotations

import dataclasses
import json
import typing as t

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from verb_strategies import VERBS
from verb_strategies import one_option_changed

from flask_tropo import parse_document
from flask_tropo import render
from flask_tropo import verbs as v

ROUNDTRIP = settings(max_examples=300, deadline=None, derandomize=True, database=None)


def test_every_verb_class_is_generated() -> None:
    assert set(VERBS) == set(v.VERBS.values())


@ROUNDTRIP
@given(st.lists(st.one_of(*VERBS.values()), min_size=1, max_size=6))
def test_render_then_parse_document_gives_the_verbs_back(verbs: list[v.Verb]) -> None:
    document = render(verbs)
    text = json.dumps(document)
    assert parse_document(text) == verbs
    assert render(parse_document(text)) == document


@ROUNDTRIP
@given(one_option_changed())
def test_whatever_a_verb_accepts_renders_to_a_document_read_back(
    case: tuple[v.Verb, str, t.Any],
) -> None:
    """A valid verb with one option set to anything a caller could pass
    (``bargein="true"``, ``required=0``, ``timeout=nan``...): the verb refuses
    it at construction, or the document it renders reads back to it."""
    verb, name, value = case
    if name:
        try:
            verb = dataclasses.replace(verb, **{name: value})
        except (ValueError, TypeError):
            return  # refused where it was written: what the user should see
    document = render([verb])
    [read] = parse_document(json.dumps(document))
    assert read == verb
