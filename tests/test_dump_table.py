"""The fast dump path (schemas/tables.py, behind ``render``) writes what
the verb schemas' own ``dump`` writes, for verbs of every class and for the
targets resolved while rendering: ``next=handler``, and the ``url=handler``
of recordings and transcriptions (issue 13, item 16)."""

from __future__ import annotations

import typing as t

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from verb_strategies import VERBS
from verb_strategies import text
from verb_strategies import word

from flask_tropo import render
from flask_tropo import verbs as v
from flask_tropo.schemas.verb_fields import NEXT_URL
from flask_tropo.schemas.verbs import VERB_SCHEMAS

TABLES = settings(max_examples=300, deadline=None, derandomize=True, database=None)


def saved(recording: object) -> None:  # pragma: no cover - never called
    """A recording receiver."""


def transcribed(text: object) -> None:  # pragma: no cover - never called
    """A transcription receiver."""


def step(result: object) -> None:  # pragma: no cover - never called
    """A result route."""


def url_of(handler: t.Callable[..., t.Any]) -> str:
    return f"https://ivr.example.com/{handler.__name__}?tropo_token=t0k3n"


handler = st.sampled_from([saved, transcribed, step])
upload = handler | word | st.builds(v.UploadTarget, handler | word, method=st.none())
HANDLED = st.one_of(
    st.builds(
        v.Record,
        url=upload | st.lists(upload, min_size=1, max_size=3),
        transcription=st.none()
        | st.builds(v.Transcription, handler | word, id=st.none() | text),
    ),
    st.builds(
        v.StartRecording,
        upload,
        transcription_out_uri=st.none() | handler | text,
        transcription_id=st.none() | text,
    ),
    st.builds(v.On, st.sampled_from(["continue", "hangup"]), next=handler | word),
    st.builds(v.Transfer, word, on=st.builds(v.On, st.just("connect"), next=handler)),
)


def schema_dump(verb: v.Verb) -> t.Any:
    """What the verb's schema writes, the fast path aside."""
    token = NEXT_URL.set(url_of)
    try:
        return VERB_SCHEMAS[type(verb)].dump(verb)
    finally:
        NEXT_URL.reset(token)


#: Hangup, Reject, StopRecording (null) and GeneralLogSecurity (a bare
#: string) are written by dump_verb itself, not by a field table.
TABLED = [
    cls
    for cls in VERB_SCHEMAS
    if cls not in (v.Hangup, v.Reject, v.StopRecording, v.GeneralLogSecurity)
]


@TABLES
@given(st.one_of(HANDLED, *(VERBS[cls] for cls in TABLED)))
def test_the_fast_path_writes_what_the_schema_writes(verb: v.Verb) -> None:
    [element] = render([verb], next_url=url_of)["tropo"]
    assert element == {verb.tropo_key: schema_dump(verb)}


def test_handlers_become_their_urls() -> None:
    [record, on] = render(
        [
            v.Record(url=saved, transcription=v.Transcription(url=transcribed)),
            v.On("continue", next=step),
        ],
        next_url=url_of,
    )["tropo"]
    assert record == {
        "record": {
            "url": url_of(saved),
            "transcription": {"url": url_of(transcribed)},
        }
    }
    assert on == {"on": {"event": "continue", "next": url_of(step)}}
