"""The compiled loaders and dumpers against marshmallow, their declared source
of truth.

For every payload sample, thousands of mutated payloads and every verb, the
fast path must give the same objects (types, time zones and key order
included) or the same rejection (exception type and ``messages``) as the
marshmallow schemas; and a request must build no ``Schema``. Each comparison
runs with the standard library JSON and, when it is installed, with orjson.
"""

from __future__ import annotations

import collections.abc as c
import contextlib
import copy
import dataclasses
import datetime as dt
import json
import math
import typing as t
from pathlib import Path

import marshmallow
import pytest
from flask import Flask
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from flask_tropo import verbs as v
from flask_tropo._init import fast_init
from flask_tropo.continuation import call_state
from flask_tropo.document import render
from flask_tropo.exceptions import InvalidArgument
from flask_tropo.exceptions import TropoError
from flask_tropo.extension import Tropo
from flask_tropo.payloads import Action
from flask_tropo.payloads import Endpoint
from flask_tropo.payloads import InitialMedia
from flask_tropo.payloads import Result
from flask_tropo.payloads import Session
from flask_tropo.schemas import _load
from flask_tropo.schemas import compiled
from flask_tropo.schemas import payloads as reference
from flask_tropo.schemas import verbs as verb_schemas
from flask_tropo.schemas.fields import Parameters
from flask_tropo.schemas.fields import UTCDateTime

PAYLOADS = Path(__file__).parent / "payloads"
SAMPLES = {path.stem: path.read_bytes() for path in sorted(PAYLOADS.glob("*.json"))}
BACKENDS = ["stdlib", "orjson"] if compiled.HAVE_ORJSON else ["stdlib"]


def examples(count: int) -> settings:
    """Hypothesis settings: ``count`` examples, no deadline (timing varies)."""
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@contextlib.contextmanager
def backend(name: str) -> c.Iterator[None]:
    """Decode with the standard library, or with orjson (when installed)."""
    saved = compiled._orjson
    if name == "stdlib":
        compiled._orjson = None
    try:
        yield
    finally:
        compiled._orjson = saved


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


LOADERS = [
    (compiled.load_session, reference.load_session),
    (compiled.load_result, reference.load_result),
]


def assert_same_load(document: t.Any) -> None:
    """The fast and the marshmallow loaders agree on ``document`` given as a
    mapping, as JSON text and as UTF-8 bytes, with every JSON backend.
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
    for name in BACKENDS:
        with backend(name):
            for form in forms:
                for fast, slow in LOADERS:
                    assert outcome(fast, form) == outcome(slow, form), (name, form)


# -- samples ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_samples_load_alike(name: str) -> None:
    body = SAMPLES[name]
    for form in (body, body.decode(), json.loads(body)):
        for backend_name in BACKENDS:
            with backend(backend_name):
                for fast, slow in LOADERS:
                    assert outcome(fast, form) == outcome(slow, form)
    parse = Session.parse if name.startswith("session") else Result.parse
    assert outcome(parse, body)[0] == "loaded"


@pytest.mark.parametrize("name", sorted(SAMPLES))
@pytest.mark.parametrize(
    "source", [compiled._MAPPING, compiled._JSON, compiled._ORJSON]
)
def test_samples_take_the_fast_path(name: str, source: int) -> None:
    """The compiled loaders vouch for every sample: marshmallow is not run."""
    document = json.loads(SAMPLES[name])
    if name.startswith("session"):
        loaded = compiled._SESSION[source](document)
        assert deep(loaded) == deep(reference.load_session(document))
    else:
        loaded = compiled._RESULT[source](document)
        assert deep(loaded) == deep(reference.load_result(document))


def test_parse_does_not_run_marshmallow(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(data: t.Any) -> t.NoReturn:
        raise AssertionError("marshmallow ran")

    monkeypatch.setattr(reference, "load_session", refuse)
    monkeypatch.setattr(reference, "load_result", refuse)
    for name, body in SAMPLES.items():
        for backend_name in BACKENDS:
            with backend(backend_name):
                if name.startswith("session"):
                    Session.parse(body)
                else:
                    Result.parse(body)


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


@examples(1500)
@given(document=mutated("session"))
def test_mutated_sessions_load_alike(document: t.Any) -> None:
    assert_same_load(document)


@examples(1500)
@given(document=mutated("result"))
def test_mutated_results_load_alike(document: t.Any) -> None:
    assert_same_load(document)


@examples(300)
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


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
def test_odd_bodies_load_alike(body: bytes) -> None:
    for name in BACKENDS:
        with backend(name):
            for fast, slow in LOADERS:
                assert outcome(fast, body) == outcome(slow, body)
                text = (
                    body.decode("utf-8", "surrogatepass") if body[:1] != b"\xff" else ""
                )
                assert outcome(fast, text) == outcome(slow, text)


@examples(300)
@given(body=st.binary(max_size=64) | st.text(max_size=64).map(str.encode))
def test_random_bytes_load_alike(body: bytes) -> None:
    for name in BACKENDS:
        with backend(name):
            for fast, slow in LOADERS:
                assert outcome(fast, body) == outcome(slow, body)


class _Mapping(c.Mapping[str, t.Any]):
    def __init__(self, data: dict[str, t.Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> t.Any:
        return self._data[key]

    def __iter__(self) -> c.Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


class _Str(str):
    pass


def test_other_python_types_load_alike() -> None:
    """Mappings that are not dicts, str subclasses, bytes-like bodies: the
    fast path gives up and marshmallow decides."""
    session = json.loads(SAMPLES["session-voice-sip"])
    result = json.loads(SAMPLES["result-two-asks"])
    cases = [
        _Mapping(session),
        {"session": _Mapping(session["session"])},
        {"session": {**session["session"], "id": _Str("x")}},
        {"session": {**session["session"], "headers": {"A": _Str("b")}}},
        {"session": {**session["session"], "headers": {1: "b"}}},
        {"session": {**session["session"], "initialMedia": ({"status": "ok"},)}},
        {"session": {**session["session"], "id": b"bytes"}},
        {"result": {**result["result"], "actions": tuple(result["result"]["actions"])}},
        {"result": {**result["result"], "complete": "yes"}},
        {"result": {**result["result"], "sequence": 2.0}},
        bytearray(SAMPLES["session-sms"]),
        memoryview(SAMPLES["result-ask"]),
        _Str(SAMPLES["session-sms"].decode()),
        12,
        None,
    ]
    for case in cases:
        for name in BACKENDS:
            with backend(name):
                for fast, slow in LOADERS:
                    assert outcome(fast, case) == outcome(slow, case)


def test_loaded_payloads_are_plain_frozen_dataclasses() -> None:
    """Built on an unsealed twin, a loaded object ends as the dataclass, as
    frozen as one built by its ``__init__``."""
    for name, body in SAMPLES.items():
        for backend_name in BACKENDS:
            with backend(backend_name):
                loaded = (Session if name.startswith("session") else Result).parse(body)
            parts = [loaded, *getattr(loaded, "actions", ())]
            parts += [getattr(loaded, "to", None), getattr(loaded, "from_", None)]
            parts += getattr(loaded, "initial_media", ())
            for part in filter(None, parts):
                assert type(part) in (Session, Result, Endpoint, Action, InitialMedia)
                assert part == type(part)(**_fields_of(part))
                with pytest.raises(dataclasses.FrozenInstanceError):
                    part.__setattr__(dataclasses.fields(part)[0].name, "x")


def _fields_of(obj: t.Any) -> dict[str, t.Any]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def test_mappings_given_are_not_kept() -> None:
    """Headers and parameters given in a mapping are copied, as marshmallow
    copies them; those of a decoded body may be kept."""
    document = json.loads(SAMPLES["session-voice-sip"])
    document["session"]["parameters"] = {"a": "b"}
    body = document["session"]
    session = Session.parse(document)
    assert session.headers == body["headers"]
    assert session.headers is not body["headers"]
    assert session.parameters is not body["parameters"]


@pytest.mark.parametrize(
    "schema",
    [
        reference.EndpointSchema(),
        reference.InitialMediaSchema(),
        reference.SessionSchema(),
        reference.ActionSchema(),
        reference.ResultSchema(),
    ],
    ids=lambda schema: type(schema).__name__,
)
def test_payload_schemas_build_their_dataclass_directly(
    schema: reference._PayloadSchema,
) -> None:
    """The payload schemas' ``post_load`` steps are generated, not called."""
    assert _load._model(schema) is schema.model
    for owned in (False, True):
        source = compiled.SOURCES[
            _load.loader(schema, guard=False, owned=owned).__name__
        ]
        assert f"obj.__class__ = _{schema.model.__name__}_" in source
        assert "_make" not in source


timestamps = st.builds(
    lambda moment, spec, zulu: (
        moment.isoformat(timespec=spec).replace("+00:00", zulu)
        if moment.tzinfo is not None
        else moment.isoformat(timespec=spec) + zulu
    ),
    st.datetimes(
        timezones=st.none()
        | st.just(dt.timezone.utc)
        | st.timedeltas(
            min_value=dt.timedelta(hours=-23, minutes=-59),
            max_value=dt.timedelta(hours=23, minutes=59),
        ).map(dt.timezone)
    ),
    st.sampled_from(["auto", "seconds", "milliseconds", "microseconds", "minutes"]),
    st.sampled_from(["Z", "z", "", "+00:00", "Zx", " Z"]),
)


@examples(500)
@given(timestamp=timestamps | st.text(max_size=30))
def test_timestamps_load_alike(timestamp: str) -> None:
    document = json.loads(SAMPLES["session-voice-sip"])
    document["session"]["timestamp"] = timestamp
    assert_same_load(document)


def test_orjson_reads_like_json() -> None:
    """Where the compiled loaders trust orjson, it reads as :mod:`json` does;
    an integer it reads otherwise becomes a float the guard refuses."""
    # orjson is in the test extra, so this runs wherever the suite does
    import orjson

    @examples(2000)
    @given(
        text=st.from_regex(
            r"-?(0|[1-9][0-9]{0,24})(\.[0-9]{1,20})?([eE][+-]?[0-9]{1,3})?",
            fullmatch=True,
        )
        | st.text().map(json.dumps)
        | st.text().map(lambda s: json.dumps(s, ensure_ascii=False))
    )
    def check(text: str) -> None:
        try:
            fast = orjson.loads(text)
        except orjson.JSONDecodeError:
            return
        slow = json.loads(text)
        if type(fast) is float and type(slow) is int:
            assert not -_load._BIG < fast < _load._BIG
            return
        assert type(fast) is type(slow)
        assert fast == slow or (math.isnan(fast) and math.isnan(slow))

    check()


# -- dumping ------------------------------------------------------------------------


def handler(result: Result) -> None:
    """A callable ``next`` target."""


def _url(target: c.Callable[..., t.Any]) -> str:
    return f"/next/{target.__name__}"


def _says() -> list[v.Say]:
    return [
        v.Say("Sorry.", event="nomatch:1", voice="Ava"),
        v.Say("Too slow.", event="timeout"),
        v.Say(
            "Pick a number.",
            as_="DIGITS",
            voice="Ava",
            name="prompt",
            required=False,
            allow_signals=["exit", "stop"],
            prompt_log_security="suppress",
            media=["https://example.com/a.png", "text"],
        ),
    ]


FULL: list[v.Verb] = [
    v.Say(
        "Hello",
        as_="NUMBER",
        voice="Ava",
        name="hello",
        required=True,
        allow_signals="exit",
        prompt_log_security="none",
        media="https://example.com/a.gif",
    ),
    v.Ask(
        v.Choices("1,2", mode="DTMF", terminator="#"),
        say=_says(),
        attempts=3,
        allow_signals=["a", "b"],
        bargein=False,
        interdigit_timeout=2.5,
        min_confidence=40,
        name="choice",
        recognizer="en-us",
        required=True,
        sensitivity=0.5,
        speech_complete_timeout=0.5,
        speech_incomplete_timeout=1,
        timeout=10,
        voice="Ava",
        prompt_log_security="suppress",
        asr_log_security="mask",
        mask_template="XXDD-",
    ),
    v.Ask("yes(yes,y,1), no(no,n,2)", say="Yes or no?"),
    v.On("continue", next=handler, say=["One", "Two"]),
    v.On("incomplete", next="/retry", say="Again"),
    v.On("hangup"),
    v.Record(
        url=[
            v.UploadTarget(
                "https://a.example/up", username="u", password="p", method="PUT"
            ),
            "ftp://b",
        ],
        attempts=2,
        async_upload=True,
        allow_signals="",
        bargein=True,
        beep=False,
        choices="#",
        say=[v.Say("Too slow", event="timeout"), "Speak now"],
        format="audio/mp3",
        max_silence=5,
        max_time=60.5,
        method="POST",
        min_confidence=10,
        name="rec",
        password="p",
        username="u",
        required=False,
        timeout=30,
        transcription=[
            v.Transcription(
                "mailto:a@b", id="t1", email_format="plain", language="en-us"
            ),
            v.Transcription("https://t"),
        ],
        voice="Ava",
        interdigit_timeout=3,
        prompt_log_security="none",
        sensitivity=1,
    ),
    v.Record(url="https://a.example/up", transcription=v.Transcription("mailto:a@b")),
    v.Record(url=v.UploadTarget("https://a.example/up")),
    v.Transfer(
        ["+14155550100", "sip:a@b"],
        from_="+14155550199",
        answer_on_media=True,
        allow_signals=["x"],
        choices=v.Choices(terminator="*"),
        headers={"x-a": "b", "x-c": "d"},
        interdigit_timeout=1,
        machine_detection=v.MachineDetection("Hi", voice="Ava"),
        name="xfer",
        on=[
            v.On("ring", say="Ringing"),
            v.On(
                "connect", next=handler, ask=v.Ask("1", say="Press 1"), post="https://p"
            ),
        ],
        play_tones=True,
        required=True,
        ring_repeat=2,
        timeout=20.0,
        voice="Ava",
        callback_url="https://cdr",
        prompt_log_security="suppress",
        label="l",
    ),
    v.Transfer("+1415", machine_detection=True, on=v.On("ring", next="/ring")),
    v.Transfer("+1415", machine_detection="Please wait"),
    v.Call(
        ["+1415", "+1416"],
        from_="+1417",
        network="SMS",
        channel="TEXT",
        answer_on_media=False,
        allow_signals="s",
        headers={"a": "b"},
        name="c",
        required=True,
        timeout=5,
        machine_detection=False,
        voice="Ava",
        callback_url="https://cdr",
        prompt_log_security="none",
        label="x",
    ),
    v.Message(
        [v.Say("One"), "Two"],
        "+1415",
        answer_on_media=True,
        channel="TEXT",
        from_="+1",
        name="m",
        network="SMS",
        required=True,
        timeout=3,
        voice="Ava",
        prompt_log_security="suppress",
        headers={"h": "v"},
    ),
    v.Message("Hi", ["+1", "+2"]),
    v.Conference(
        "room",
        name="conf",
        allow_signals=["a"],
        interdigit_timeout=2,
        mute=True,
        play_tones=False,
        required=True,
        terminator="#",
        join_prompt=v.Prompt("Welcome", voice="Ava"),
        leave_prompt=True,
        prompt_log_security="none",
    ),
    v.Conference("room", join_prompt="Hi", leave_prompt=False),
    v.Redirect("sip:a@b", name="r", required=False),
    v.Wait(1500, allow_signals=["a", "b"]),
    v.StartRecording(
        "https://up",
        async_upload=False,
        format="audio/wav",
        method="PUT",
        username="u",
        password="p",
        transcription_id="t",
        transcription_email_format="encoded",
        transcription_language="en-us",
        transcription_out_uri="mailto:a@b",
    ),
    v.StartRecording(
        [v.UploadTarget("https://a"), v.UploadTarget("https://b", method="POST")]
    ),
    v.Answer(headers={"P-Header": "x"}),
    v.Answer(),
    v.GeneralLogSecurity("suppress"),
    v.Hangup(),
    v.Reject(),
    v.StopRecording(),
]


def slow_render(verbs: c.Iterable[v.Verb]) -> dict[str, t.Any]:
    """``render`` as it was, with the marshmallow schemas."""
    return {"tropo": [{verb.tropo_key: verb_schemas.dump_verb(verb)} for verb in verbs]}


def dumped(dump: c.Callable[[t.Any], t.Any], verb: t.Any) -> t.Any:
    try:
        with verb_schemas.next_url_resolver(_url):
            return ("dumped", json.dumps(dump(verb)), deep(dump(verb)))
    except Exception as error:
        return ("raised", type(error), str(error))


def test_every_verb_class_is_compiled() -> None:
    assert {type(verb) for verb in FULL} >= set(v.VERBS.values())
    for cls, schema in verb_schemas.VERB_SCHEMAS.items():
        name = compiled._VERB_DUMPERS[cls].__name__
        if cls in (v.Hangup, v.Reject, v.StopRecording):
            assert name == "_dump_empty"
        else:
            assert name == f"dump_{type(schema).__name__}"
    for load in (*compiled._SESSION, *compiled._RESULT):
        assert load.__name__.startswith("load_")


@pytest.mark.parametrize("verb", FULL, ids=lambda verb: type(verb).__name__)
def test_verbs_dump_alike(verb: v.Verb) -> None:
    fast = dumped(compiled.dump_verb, verb)
    assert fast[0] == "dumped"
    assert fast == dumped(verb_schemas.dump_verb, verb)


def test_render_alike() -> None:
    assert json.dumps(render(FULL, next_url=_url)) == json.dumps(render_slow(FULL))


def render_slow(verbs: list[v.Verb]) -> dict[str, t.Any]:
    with verb_schemas.next_url_resolver(_url):
        return slow_render(verbs)


@pytest.mark.parametrize(
    "verb",
    [
        v.On("continue", next=handler),
        v.Transfer("+1", on=v.On("connect", next=handler)),
    ],
    ids=["On", "Transfer.on"],
)
def test_callable_next_without_resolver(verb: v.Verb) -> None:
    with pytest.raises(TropoError) as fast:
        render([verb])
    with pytest.raises(TropoError) as slow:
        slow_render([verb])
    assert str(fast.value) == str(slow.value)
    assert "handler" in str(fast.value)


def test_resolver_returning_none_leaves_next_out() -> None:
    verbs = [
        v.On("continue", next=handler),
        v.Transfer("+1", on=v.On("ring", next=handler)),
    ]
    with verb_schemas.next_url_resolver(lambda target: None):  # type: ignore[arg-type,return-value]
        assert slow_render(verbs) == render(verbs, next_url=lambda target: None)  # type: ignore[arg-type,return-value]


class _Text(str):
    pass


def test_values_the_fast_dumper_does_not_expect() -> None:
    """Values set behind the dataclasses' back, subclasses: the fields' own
    code writes them, as marshmallow would."""
    say = v.Say("Hi", voice="Ava")
    object.__setattr__(say, "voice", 12)
    ask = v.Ask("1", name="n")
    object.__setattr__(ask, "name", _Text("sub"))
    object.__setattr__(ask, "allow_signals", _Text("sig"))

    class MySay(v.Say):
        pass

    for verb in (say, ask, MySay("x"), v.On("continue", say=[say])):
        assert dumped(compiled.dump_verb, verb) == dumped(verb_schemas.dump_verb, verb)
    with pytest.raises(TypeError):
        compiled.dump_verb(t.cast(t.Any, "not a verb"))


# hypothesis-generated verbs -----------------------------------------------------

names = st.text(min_size=1, max_size=12)
nonneg = st.integers(0, 10**6) | st.floats(0, 1e6, allow_nan=False)
signals_ = st.none() | st.text(max_size=8) | st.lists(st.text(max_size=8), max_size=3)
plain_say = st.builds(
    v.Say,
    names,
    voice=st.none() | names,
    as_=st.none() | st.sampled_from(v.SAY_AS),
    allow_signals=signals_,
    media=st.none() | names | st.lists(names, max_size=2),
)
says = names | plain_say | st.lists(names | plain_say, min_size=1, max_size=3)
upload_target = st.builds(
    v.UploadTarget,
    names,
    username=st.none() | names,
    method=st.none() | st.sampled_from(v.METHODS),
)
choices_terminator = (
    st.none()
    | st.sampled_from("#*0123456789")
    | st.builds(v.Choices, terminator=st.sampled_from("#*"))
)
next_ = st.none() | names | st.just(handler)
grammar_ask = st.builds(v.Ask, names, say=st.none() | says)

FIELD_STRATEGIES: dict[str, st.SearchStrategy[t.Any]] = {
    "value": names,
    "as_": st.sampled_from(v.SAY_AS),
    "voice": names,
    "name": names,
    "required": st.booleans(),
    "allow_signals": signals_,
    "prompt_log_security": st.sampled_from(v.PROMPT_LOG_SECURITY),
    "asr_log_security": st.sampled_from(("none", "suppress")),
    "mask_template": st.from_regex(r"[DX-]{1,6}", fullmatch=True),
    "media": names | st.lists(names, max_size=3),
    "event": names,
    "choices": names
    | st.builds(
        v.Choices,
        names,
        mode=st.none() | st.sampled_from(["dtmf", "SPEECH", "Any"]),
        terminator=st.none() | st.sampled_from("#*"),
    ),
    "say": says,
    "attempts": st.integers(1, 10),
    "bargein": st.booleans(),
    "interdigit_timeout": nonneg,
    "min_confidence": st.integers(0, 100),
    "recognizer": names,
    "sensitivity": st.floats(0, 1) | st.sampled_from([0, 1]),
    "speech_complete_timeout": nonneg,
    "speech_incomplete_timeout": nonneg,
    "timeout": nonneg,
    "next": next_,
    "post": names,
    "ask": names | grammar_ask,
    "url": names
    | upload_target
    | st.lists(names | upload_target, min_size=1, max_size=3),
    "async_upload": st.booleans(),
    "beep": st.booleans(),
    "format": st.sampled_from(v.FORMATS),
    "max_silence": nonneg,
    "max_time": nonneg,
    "method": st.sampled_from(v.METHODS),
    "password": names,
    "username": names,
    "transcription": st.builds(v.Transcription, names, id=st.none() | names)
    | st.lists(st.builds(v.Transcription, names), min_size=1, max_size=2),
    "to": names | st.lists(names, min_size=1, max_size=3),
    "from_": names,
    "answer_on_media": st.booleans(),
    "headers": st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=3),
    "machine_detection": st.booleans()
    | names
    | st.builds(v.MachineDetection, st.none() | names, voice=st.none() | names),
    "on": st.lists(
        st.builds(
            v.On,
            st.sampled_from(v.TRANSFER_EVENTS),
            next=next_,
            say=st.none() | says,
            post=st.none() | names,
            ask=st.none() | names,
        ),
        min_size=1,
        max_size=2,
    ),
    "play_tones": st.booleans(),
    "ring_repeat": st.integers(0, 5),
    "callback_url": names,
    "label": names,
    "network": names,
    "channel": st.sampled_from(v.CHANNELS),
    "id": names,
    "mute": st.booleans(),
    "terminator": st.sampled_from("#*"),
    "join_prompt": st.booleans()
    | names
    | st.builds(v.Prompt, names, voice=st.none() | names),
    "leave_prompt": st.booleans() | names | st.builds(v.Prompt, names),
    "milliseconds": st.integers(0, 10**6),
    "transcription_id": names,
    "transcription_email_format": st.sampled_from(v.EMAIL_FORMATS),
    "transcription_language": names,
    "transcription_out_uri": names,
    "state": st.sampled_from(v.LOG_STATES),
}
CLASS_STRATEGIES: dict[type[t.Any], dict[str, st.SearchStrategy[t.Any]]] = {
    v.Record: {"choices": choices_terminator},
    v.Transfer: {"choices": choices_terminator},
    v.Say: {"event": st.none()},
    v.On: {
        "event": st.sampled_from(["continue", "incomplete", "error", "hangup", "exit"]),
        "ask": st.none(),
    },
}


@st.composite
def any_verb(draw: st.DrawFn) -> v.Verb:
    cls = draw(st.sampled_from(sorted(v.VERBS.values(), key=lambda k: k.__name__)))
    kwargs: dict[str, t.Any] = {}
    for field in dataclasses.fields(cls):
        if field.name == "_":
            continue
        strategy = CLASS_STRATEGIES.get(cls, {}).get(field.name)
        if strategy is None:
            strategy = FIELD_STRATEGIES[field.name]
        required = field.default is dataclasses.MISSING
        if required or draw(st.booleans()):
            kwargs[field.name] = draw(strategy)
    positional = [
        f.name for f in dataclasses.fields(cls) if not f.kw_only and f.name in kwargs
    ]
    args = [kwargs.pop(name) for name in positional]
    try:
        return t.cast(v.Verb, cls(*args, **kwargs))
    except InvalidArgument:  # a combination the verb refuses (mask without "mask"...)
        return v.Say("fallback")


@examples(1500)
@given(verbs=st.lists(any_verb(), min_size=1, max_size=4))
def test_generated_verbs_dump_alike(verbs: list[v.Verb]) -> None:
    for verb in verbs:
        assert dumped(compiled.dump_verb, verb) == dumped(verb_schemas.dump_verb, verb)
    assert json.dumps(render(verbs, next_url=_url)) == json.dumps(render_slow(verbs))


def test_dumps() -> None:
    document = render(FULL, next_url=_url)
    for name in BACKENDS:
        with backend(name):
            assert json.loads(compiled.dumps(document)) == document
            big = {"tropo": [{"wait": {"milliseconds": 2**70}}]}
            assert json.loads(compiled.dumps(big)) == big


def test_generated_source_is_kept() -> None:
    assert "def load_SessionSchema(" in compiled.SOURCES["load_SessionSchema"]
    assert "def dump_AskSchema(" in compiled.SOURCES["dump_AskSchema"]


# -- no Schema() per request ------------------------------------------------------


@pytest.fixture
def schema_inits(monkeypatch: pytest.MonkeyPatch) -> list[type[t.Any]]:
    """Every ``marshmallow.Schema`` built from now on, by class."""
    built: list[type[t.Any]] = []
    original = marshmallow.Schema.__init__

    def counting(self: marshmallow.Schema, *args: t.Any, **kwargs: t.Any) -> None:
        built.append(type(self))
        original(self, *args, **kwargs)

    monkeypatch.setattr(marshmallow.Schema, "__init__", counting)
    return built


def test_no_schema_built_while_loading_and_rendering(
    schema_inits: list[type[t.Any]],
) -> None:
    for name, body in SAMPLES.items():
        (Session if name.startswith("session") else Result).parse(body)
    for bad in (b'{"session": {"id": 12}}', b'{"result": {"actions": 1}}'):
        with pytest.raises(TropoError):
            (Session if b"session" in bad else Result).parse(bad)
    render(FULL, next_url=_url)
    assert schema_inits == []


def test_no_schema_built_during_requests(schema_inits: list[type[t.Any]]) -> None:
    app = Flask(__name__)
    app.config.update(TESTING=True, SECRET_KEY="test_compiled secret")
    tropo = Tropo(add_cli=False)

    @tropo.on_session("/voice")
    def voice(session: Session) -> list[v.Verb]:
        call_state["step"] = 1
        return [v.Say("Hi"), v.Ask("1,2", say="Pick"), v.On("continue", next=choice)]

    @tropo.on_result("/choice")
    def choice(result: Result) -> list[v.Verb]:
        return [v.Say(f"{result.value} at step {call_state['step']}"), v.Hangup()]

    tropo.init_app(app)
    client = app.test_client()
    session = json.loads(SAMPLES["session-voice-sip"])
    result = json.loads(SAMPLES["result-ask"])
    result["result"]["sessionId"] = session["session"]["id"]
    del schema_inits[:]  # building the app and the client may build schemas
    answer = client.post("/voice", json=session)
    assert answer.status_code == 200
    next_url = answer.get_json()["tropo"][2]["on"]["next"]
    reply = client.post(next_url, json=result)
    assert reply.status_code == 200
    assert reply.get_json()["tropo"][0] == {"say": {"value": "4071 at step 1"}}
    assert client.post("/voice", json={"session": {"id": 1}}).status_code == 400
    assert schema_inits == []


# -- the compiler on schemas of other shapes ------------------------------------


class _PointSchema(marshmallow.Schema):
    class Meta:
        unknown = marshmallow.RAISE

    x = marshmallow.fields.Integer(required=True)
    y = marshmallow.fields.Integer(load_default=0)
    z = marshmallow.fields.Raw(load_default=list)
    label = marshmallow.fields.String(
        allow_none=True, validate=marshmallow.validate.Length(max=3)
    )
    tags = marshmallow.fields.List(marshmallow.fields.String(), data_key="Tags")
    flag = marshmallow.fields.Boolean(attribute="is_flag")

    @marshmallow.post_load
    def _make(self, data: dict[str, t.Any], **kwargs: t.Any) -> t.Any:
        return ("point", sorted(data.items(), key=str), kwargs)


class _PreLoadSchema(_PointSchema):
    @marshmallow.pre_load
    def _lower(self, data: t.Any, **kwargs: t.Any) -> t.Any:
        return data


POINTS: list[t.Any] = [
    {"x": 1},
    {"x": 1, "y": 2, "z": [1.5], "label": "abc", "Tags": ["a"], "flag": False},
    {"x": 1, "label": None},
    {"x": 1, "label": "abcd"},
    {"x": 1, "Tags": "a"},
    {"x": 1, "tags": ["a"]},
    {"x": "1"},
    {"y": 1},
    {"x": 1, "flag": "yes"},
    {"x": 1, "z": None},
    [],
]


@pytest.mark.parametrize("schema", [_PointSchema(), _PreLoadSchema()])
@pytest.mark.parametrize("data", POINTS, ids=range(len(POINTS)))
def test_compiled_loader_of_any_schema(schema: marshmallow.Schema, data: t.Any) -> None:
    """Validators, defaults, ``attribute``, ``data_key``, RAISE, other field
    classes: the compiled loader returns what marshmallow returns, or gives up
    (or raises) and leaves it to marshmallow; it gives up on none of the plain
    valid inputs."""
    load = _load.loader(schema, guard=True)
    try:
        expected = ("loaded", schema.load(copy.deepcopy(data)))
    except marshmallow.ValidationError:
        expected = ("raised",)
    try:
        got = ("loaded", load(copy.deepcopy(data)))
    except (_load.GiveUp, marshmallow.ValidationError):
        got = ("raised",)
    if got[0] == "loaded" or data in (POINTS[0], POINTS[1], POINTS[2], POINTS[9]):
        assert got == expected


def test_loader_gives_up_on_big_floats_only_when_guarded() -> None:
    schema = _PointSchema()
    data = {"x": 1, "z": {"a": [1e19]}}
    assert _load.loader(schema, guard=False)(data) == schema.load(data)
    with pytest.raises(_load.GiveUp):
        _load.loader(schema, guard=True)(data)
    assert _load.loader(schema, guard=True)({"x": 1, "z": [0.5]})


@fast_init
@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class _Toy:
    name: str
    note: str | None
    label: str | None = "unlabelled"
    count: int | None = None
    flag: bool | None = None
    size: int = 0
    kind: str | None = "no kind"
    items: tuple[t.Any, ...] = ()
    extra: dict[str, str] = dataclasses.field(default_factory=dict)
    raw: t.Any = None
    code: str | None = None
    when: dt.datetime | None = None
    unloaded: str = "default"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class _PlainToy(_Toy):
    """With the dataclass ``__init__``, not ``fast_init``'s."""


class _ItemSchema(marshmallow.Schema):
    class Meta:
        unknown = marshmallow.RAISE

    a = marshmallow.fields.Integer(allow_none=True)

    @marshmallow.post_load
    def _make(self, data: dict[str, t.Any], **kwargs: t.Any) -> t.Any:
        return ("item", sorted(data.items()), kwargs)


class _ToySchema(reference._PayloadSchema):
    """Every step of ``_PayloadSchema._make`` and every kind of field."""

    model = _Toy
    fallbacks = {"kind": "old_kind"}
    null_is_default = frozenset({"items", "extra"})
    tuples = frozenset({"items"})

    name = marshmallow.fields.String(required=True)
    note = marshmallow.fields.String(required=True, allow_none=True)
    label = marshmallow.fields.String(allow_none=True)
    count = marshmallow.fields.Integer(data_key="Count", strict=True, allow_none=True)
    flag = marshmallow.fields.Boolean(allow_none=True)
    size = marshmallow.fields.Integer(strict=True, load_default=5)
    kind = marshmallow.fields.String(allow_none=True)
    old_kind = marshmallow.fields.String(
        data_key="oldKind", allow_none=True, load_only=True
    )
    items = marshmallow.fields.Nested(_ItemSchema, many=True, allow_none=True)
    extra = Parameters(allow_none=True)
    raw = marshmallow.fields.Raw()
    code = marshmallow.fields.String(
        allow_none=True, validate=marshmallow.validate.Length(max=3)
    )
    when = UTCDateTime(allow_none=True)


class _PlainToySchema(_ToySchema):
    """The same, with a dataclass the compiler does not build itself."""

    model = _PlainToy


TOY_SCHEMAS = (_ToySchema(), _PlainToySchema())
TOY_KEYS = [
    "name",
    "note",
    "label",
    "Count",
    "count",
    "flag",
    "size",
    "kind",
    "oldKind",
    "items",
    "extra",
    "raw",
    "code",
    "when",
    "unloaded",
]
toy_values = (
    st.sampled_from(
        [
            None,
            True,
            0,
            7,
            2**70,
            1.5,
            1e19,
            "",
            "abc",
            "abcd",
            "2021-03-14T15:09:26.535Z",
            "2021-03-14T15:09:26+05:30",
            {},
            [],
            [{}],
            [{"a": 1}, {"a": None}],
            [{"b": 1}],
            {"a": "b"},
            {"a": 1, "b": [1e19]},
        ]
    ).map(copy.deepcopy)
    | json_values
)
toys = st.dictionaries(st.sampled_from(TOY_KEYS), toy_values, max_size=8).map(
    lambda toy: {"name": "n", "note": None, **toy}
) | st.dictionaries(st.sampled_from(TOY_KEYS), toy_values, max_size=8)

VALID_TOYS: list[dict[str, t.Any]] = [
    {"name": "n", "note": None},
    {"name": "n", "note": "x", "label": None, "kind": None, "oldKind": "old"},
    {"name": "n", "note": "x", "oldKind": "old", "items": None, "extra": None},
    {"name": "n", "note": "x", "kind": "k", "oldKind": "old", "size": 3},
    {
        "name": "n",
        "note": "x",
        "Count": 2,
        "flag": False,
        "items": [{"a": 1}, {}],
        "extra": {"p": "q"},
        "raw": {"any": [1, 2.5]},
        "code": "abc",
        "when": "2021-03-14T15:09:26.535Z",
    },
]


def _toy_outcome(load: c.Callable[[t.Any], t.Any], data: t.Any) -> t.Any:
    try:
        return ("loaded", deep(load(copy.deepcopy(data))))
    except (_load.GiveUp, marshmallow.ValidationError):
        return ("gave up",)


@pytest.mark.parametrize("data", VALID_TOYS, ids=range(len(VALID_TOYS)))
@pytest.mark.parametrize("owned", [False, True])
def test_model_steps_are_taken_over(data: dict[str, t.Any], owned: bool) -> None:
    """The generated steps of ``_PayloadSchema._make`` (fallbacks, ``null``
    as the default, tuples, defaults of all kinds) build what the hook
    builds; the dataclass without ``fast_init`` goes through the hook."""
    schema, plain = TOY_SCHEMAS
    assert _load._model(schema) is _Toy
    assert _load._model(plain) is None
    expected = ("loaded", deep(schema.load(copy.deepcopy(data))))
    for load in (
        _load.loader(schema, guard=False, owned=owned),
        _load.loader(schema, guard=True, owned=owned),
    ):
        assert _toy_outcome(load, data) == expected
    loaded = _load.loader(plain, guard=False, owned=owned)(copy.deepcopy(data))
    assert deep(loaded) == deep(plain.load(copy.deepcopy(data)))


@examples(1000)
@given(data=toys)
def test_model_steps_load_alike(data: dict[str, t.Any]) -> None:
    """Whatever the compiled toy loaders return, marshmallow returns too."""
    for schema in TOY_SCHEMAS:
        expected = outcome(schema.load, data)
        for owned in (False, True):
            for guard in (False, True):
                load = _load.loader(schema, guard=guard, owned=owned)
                got = _toy_outcome(load, data)
                if got[0] == "loaded":
                    assert got == expected


class _Thing:
    def __init__(self, **values: t.Any) -> None:
        self.__dict__.update(values)


class _ThingSchema(verb_schemas._WireSchema):
    model = _Thing
    numbers = marshmallow.fields.List(marshmallow.fields.Integer())
    count = marshmallow.fields.Integer(dump_default=7)
    name = marshmallow.fields.String(data_key="Name")


def test_compiled_dumper_of_other_fields() -> None:
    schema = _ThingSchema()
    dump = compiled._dumper(schema)
    assert dump.__name__ == "dump__ThingSchema"
    for thing in (
        _Thing(numbers=[1, 2], count=3, name="n"),
        _Thing(numbers=None, count=None, name=None),
        _Thing(numbers=(4,), count="5", name=6),
    ):
        assert json.dumps(dump(thing)) == json.dumps(schema.dump(thing))
