"""The fast paths of ``schemas/tables.py`` against the marshmallow schemas,
their declared source of truth.

For every payload sample and thousands of mutated payloads, the loaders the
routes use (the load table first) give the same objects (types, time zones
and key order included) or the same rejection as the schemas alone; every
verb dumps through its table as its schema dumps it; and a request builds no
``Schema``.
"""

from __future__ import annotations

import collections.abc as c
import copy
import dataclasses
import datetime as dt
import json
import typing as t
from pathlib import Path

import marshmallow
import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from flask_tropo.exceptions import InvalidPayload
from flask_tropo.exceptions import TropoError
from flask_tropo.schemas import payloads
from flask_tropo.schemas import verbs as verb_schemas

PAYLOADS = Path(__file__).parent / "payloads"
SAMPLES = {path.stem: path.read_bytes() for path in sorted(PAYLOADS.glob("*.json"))}


def examples(count: int) -> settings:
    """Hypothesis settings: ``count`` examples, no deadline (timing varies)."""
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def deep(value: t.Any) -> t.Any:
    """A comparable picture of ``value`` that keeps types, key order and time
    zones (``==`` alone ignores all three).
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value),
            tuple(
                (f.name, deep(getattr(value, f.name)))
                for f in dataclasses.fields(value)
            ),
        )
    if isinstance(value, dict):
        return (type(value), tuple((deep(k), deep(i)) for k, i in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value), tuple(deep(i) for i in value))
    if isinstance(value, dt.datetime):
        return (type(value), value.isoformat(), repr(value.tzinfo))
    if isinstance(value, float):
        return (float, repr(value))
    return (type(value), value)


def outcome(load: c.Callable[[t.Any], t.Any], data: t.Any) -> t.Any:
    """What ``load(data)`` gives: the loaded object, or the rejection."""
    try:
        loaded = load(copy.deepcopy(data))
    except marshmallow.ValidationError as error:  # pragma: no cover - a bug
        return ("ValidationError", error.messages)
    except TropoError as error:
        return ("raised", type(error), getattr(error, "messages", str(error)))
    except Exception as error:  # pragma: no cover - compared, not expected
        return ("raised", type(error), str(error))
    return ("loaded", deep(loaded))


def _schema_only(envelope: marshmallow.Schema, key: str) -> c.Callable[[t.Any], t.Any]:
    def load(data: t.Any) -> t.Any:
        return payloads._load(envelope, payloads._decode(data), data)[key]

    return load


LOADERS = [
    (payloads.load_session, _schema_only(payloads._session_envelope, "session")),
    (payloads.load_result, _schema_only(payloads._result_envelope, "result")),
]


def assert_same_load(document: t.Any) -> None:
    """The routes' loaders and the schemas alone agree on ``document`` given
    as a mapping, as JSON text and as UTF-8 bytes.
    """
    forms: list[t.Any] = [document]
    try:
        text = json.dumps(document)
    except (TypeError, ValueError):  # pragma: no cover - not JSON at all
        text = None
    if text is not None:
        forms += [
            text,
            text.encode(),
            json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass"),
        ]
    for form in forms:
        for fast, slow in LOADERS:
            assert outcome(fast, form) == outcome(slow, form), form


# -- samples ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_samples_load_alike(name: str) -> None:
    assert_same_load(json.loads(SAMPLES[name]))


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_samples_take_the_fast_path(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The recorded shapes never need the schema: loading them runs no
    marshmallow load."""

    def refuse(*args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        raise AssertionError("the schema ran")

    monkeypatch.setattr(marshmallow.Schema, "load", refuse)
    load = payloads.load_session if name.startswith("session") else payloads.load_result
    load(SAMPLES[name])


# -- mutated payloads ------------------------------------------------------------

WIRE_KEYS = [
    "session",
    "result",
    "id",
    "sessionId",
    "accountId",
    "applicationId",
    "timestamp",
    "userType",
    "initialText",
    "callId",
    "to",
    "from",
    "e164Id",
    "name",
    "channel",
    "network",
    "headers",
    "parameters",
    "subject",
    "initialMedia",
    "status",
    "media",
    "text",
    "disposition",
    "state",
    "callState",
    "sessionDuration",
    "sequence",
    "complete",
    "error",
    "calledid",
    "actions",
    "attempts",
    "confidence",
    "interpretation",
    "utterance",
    "value",
    "concept",
    "xml",
    "uploadStatus",
    "duration",
    "connectedDuration",
    "url",
    "transcription",
    "key",
    "unknownKey",
]

SPECIAL_VALUES = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2**63,
    2**64,
    -(2**63) - 1,
    2**80,
    1.0,
    0.5,
    -0.0,
    1e19,
    1e300,
    "",
    "0",
    "1",
    "true",
    "false",
    "null",
    "x" * 100_000,
    "é中\U0001f600",
    "\ud800",
    "\x00",
    "2021-03-14T15:09:26.535Z",
    "2021-03-14T15:09:26",
    "2021-03-14T15:09:26+05:30",
    "9999-12-31T23:59:59-12:00",
    "not a date",
    {},
    [],
    [{}],
    [{"key": "a", "value": "b"}],
    {"a": "b"},
]

leaves = st.one_of(
    st.sampled_from(SPECIAL_VALUES).map(copy.deepcopy),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
json_values = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(WIRE_KEYS) | st.text(max_size=5), children, max_size=3
        )
    ),
    max_leaves=6,
)


def _containers(node: t.Any, found: list[t.Any]) -> list[t.Any]:
    if isinstance(node, (dict, list)):
        found.append(node)
        for child in node.values() if isinstance(node, dict) else node:
            _containers(child, found)
    return found


def _mutate(data: st.DataObject, document: t.Any) -> None:
    """Apply one mutation somewhere in ``document``, in place."""
    container = data.draw(st.sampled_from(_containers(document, [])))
    if isinstance(container, dict):
        key = data.draw(
            st.sampled_from(list(container) or WIRE_KEYS) | st.sampled_from(WIRE_KEYS)
        )
    elif container:
        key = data.draw(st.integers(0, len(container) - 1))
    else:
        container.append(data.draw(json_values))
        return
    current = container.get(key) if isinstance(container, dict) else container[key]
    op = data.draw(
        st.sampled_from(
            [
                "drop",
                "set",
                "null",
                "stringify",
                "flip",
                "wrap",
                "unwrap",
                "empty",
                "huge",
                "float",
            ]
        )
    )
    if op == "drop":
        if isinstance(container, dict):
            container.pop(key, None)
        else:
            del container[key]
        return
    if op == "set":
        new = data.draw(json_values)
    elif op == "null":
        new = None
    elif op == "stringify":
        new = json.dumps(current) if not isinstance(current, str) else current + "x"
    elif op == "flip":  # bools as ints, ints as bools
        if isinstance(current, bool):
            new = int(current)
        elif isinstance(current, int):
            new = bool(current)
        else:
            new = data.draw(st.booleans())
    elif op == "wrap":
        new = [current]
    elif op == "unwrap":
        if isinstance(current, list):
            new = current[0] if current else {}
        elif isinstance(current, dict) and current:
            new = next(iter(current.values()))
        else:
            new = {"value": current}
    elif op == "empty":
        new = copy.deepcopy(data.draw(st.sampled_from([{}, [], "", 0])))
    elif op == "huge":
        new = data.draw(st.sampled_from(["y" * 200_000, 10**40, -(10**40), 1e308]))
    else:  # float
        new = float(current) if isinstance(current, int) else 3.0
    container[key] = new


@st.composite
def mutated(draw: st.DrawFn, prefix: str) -> t.Any:
    name = draw(st.sampled_from(sorted(n for n in SAMPLES if n.startswith(prefix))))
    document = json.loads(SAMPLES[name])
    data = draw(st.data())
    for _ in range(draw(st.integers(1, 4))):
        _mutate(data, document)
    return document


@examples(800)
@given(document=mutated("session"))
def test_mutated_sessions_load_alike(document: t.Any) -> None:
    assert_same_load(document)


@examples(800)
@given(document=mutated("result"))
def test_mutated_results_load_alike(document: t.Any) -> None:
    assert_same_load(document)


@examples(200)
@given(document=json_values)
def test_arbitrary_json_loads_alike(document: t.Any) -> None:
    assert_same_load(document)
    assert_same_load({"session": document})
    assert_same_load({"result": document})


BODIES = [
    b"",
    b"{",
    b"null",
    b"[]",
    b'"session"',
    b"\xef\xbb\xbf" + SAMPLES["session-sms"],
    SAMPLES["session-sms"][:-3],
    b"\xff\xfe{}",
    b'{"session": {"id": "\xed\xa0\x80"}}',
    b'{"session": {"id": "\\ud800"}}',
    b'{"session": {"id": "a", "parameters": {"n": 123456789012345678901234567890}}}',
    b'{"session": {"id": "a", "parameters": {"n": 18446744073709551616, "m": 1.5}}}',
    b'{"session": {"id": "a", "parameters": {"n": NaN, "i": Infinity}}}',
    b'{"session": {"id": "a", "parameters": {"n": 1e400}}}',
    b'{"result": {"sessionId": "a", "actions": {"transcription": -9223372036854775809}}'
    b"}",
    b'{"result": {"sessionId": "a", "actions": {"transcription": [1e19, 2]}}}',
    b'{"result": {"sessionId": "a", "sequence": 18446744073709551615}}',
    b'{"result": {"sessionId": "a", "sequence": 18446744073709551616}}',
    b'{"result": {"sessionId": "a", "sessionId": "b", "complete": true}}',
    b'{"result": {"sessionId": "a"}, "result": 1}',
    b"[" * 5000 + b"]" * 5000,
    b' {"session": {"id": "a"}}',
    b'{"session": {"id": "a"}}\n',
    b'{"session": {"id": "a"}} x',
    b'{"session": {"id": "a"}}{}',
    b'{"session": {"id": "a", "id": 1}}',
    b'{"result": {"sessionId": "a"}}\t\r\n ',
    b'{"session": ' * 3000 + b"{}" + b"}" * 3000,
]


@pytest.mark.parametrize("body", BODIES)
def test_bodies_load_alike(body: bytes) -> None:
    for fast, slow in LOADERS:
        assert outcome(fast, body) == outcome(slow, body)


# -- dumping ---------------------------------------------------------------------


def _schema_dump(verb: t.Any) -> t.Any:
    """A verb's payload as its marshmallow schema dumps it."""
    if verb.tropo_key in ("hangup", "reject", "stopRecording"):
        return None
    if verb.tropo_key == "generalLogSecurity":
        return verb.state
    return verb_schemas.VERB_SCHEMAS[type(verb)].dump(verb)


def test_every_golden_verb_dumps_as_its_schema() -> None:
    """The verbs of the golden render tests, each with every option."""
    from test_render import GOLDEN

    for param in GOLDEN:
        verb = param.values[0]
        assert deep(verb_schemas.dump_verb(verb)) == deep(_schema_dump(verb))


def test_a_load_failure_in_the_table_is_worded_by_the_schema() -> None:
    with pytest.raises(InvalidPayload) as info:
        payloads.load_session({"session": {"id": 5}})
    assert info.value.messages == {"session": {"id": ["Not a valid string."]}}
