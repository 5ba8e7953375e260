"""Loading and dumping the session and result documents Tropo posts.

The payloads under ``tests/payloads`` follow the platform's shapes (see the
wire reference, sections 3 and 4) with this project's own values. Three
result shapes were never captured from the live platform and are assembled
from the documented field list: ``result-incomplete.json``,
``result-error.json`` and ``result-record.json`` (synthetic).
"""

from __future__ import annotations

import collections.abc as c
import dataclasses
import datetime as dt
import json
import typing as t
from pathlib import Path

import marshmallow
import pytest
from werkzeug.exceptions import BadRequest

from flask_tropo.exceptions import InvalidPayload
from flask_tropo.exceptions import TropoError
from flask_tropo.payloads import Action
from flask_tropo.payloads import Endpoint
from flask_tropo.payloads import InitialMedia
from flask_tropo.payloads import Result
from flask_tropo.payloads import Session
from flask_tropo.schemas import dump_result
from flask_tropo.schemas import dump_session

PAYLOADS = Path(__file__).parent / "payloads"
UTC = dt.timezone.utc

SESSION_FILES = [
    "session-voice-sip",
    "session-sms",
    "session-mms",
    "session-token-launch",
    "session-headers-list",
]
RESULT_FILES = [
    "result-ask",
    "result-two-asks",
    "result-transfer",
    "result-hangup",
    "result-incomplete",
    "result-error",
    "result-record",
    "result-legacy-call-state",
]

Loader = c.Callable[[str], dict[str, t.Any]]


@pytest.fixture
def payload() -> Loader:
    """Load ``tests/payloads/<name>.json`` as a fresh dict."""

    def load(name: str) -> dict[str, t.Any]:
        data: dict[str, t.Any] = json.loads((PAYLOADS / f"{name}.json").read_bytes())
        return data

    return load


@pytest.fixture
def payload_bytes() -> c.Callable[[str], bytes]:
    """Read ``tests/payloads/<name>.json`` as the raw request body."""

    def read(name: str) -> bytes:
        return (PAYLOADS / f"{name}.json").read_bytes()

    return read


def _session(**fields: t.Any) -> dict[str, t.Any]:
    return {"session": {"id": "s-1", **fields}}


def _result(**fields: t.Any) -> dict[str, t.Any]:
    return {"result": {"sessionId": "s-1", **fields}}


# -- every sample --------------------------------------------------------------


@pytest.mark.parametrize("name", SESSION_FILES)
def test_session_samples_load(
    payload_bytes: c.Callable[[str], bytes], name: str
) -> None:
    session = Session.parse(payload_bytes(name))
    assert isinstance(session, Session)
    assert session.id
    assert session.timestamp is not None
    assert session.timestamp.tzinfo is UTC


@pytest.mark.parametrize("name", RESULT_FILES)
def test_result_samples_load(
    payload_bytes: c.Callable[[str], bytes], name: str
) -> None:
    result = Result.parse(payload_bytes(name))
    assert isinstance(result, Result)
    assert result.session_id
    assert isinstance(result.actions, tuple)
    assert all(isinstance(action, Action) for action in result.actions)


# -- sessions ------------------------------------------------------------------


def test_voice_sip_session(payload: Loader) -> None:
    session = Session.parse(payload("session-voice-sip"))
    assert session.id == "7c2e91f04ab8d3e65f10c9a7b2d84e31"
    assert session.account_id == "48213"
    assert session.application_id == "907"
    assert session.timestamp == dt.datetime(2021, 3, 14, 15, 9, 26, 535000, tzinfo=UTC)
    assert session.user_type == "HUMAN"
    assert session.initial_text is None
    assert session.call_id == "e4d9a7c01b3f58e62d7a90c4f1b83e55"
    assert session.to == Endpoint(
        id="4155550199",
        e164_id="+14155550199",
        name="4155550199",
        channel="VOICE",
        network="SIP",
    )
    assert session.from_ == Endpoint(
        id="marguerite",
        e164_id="marguerite",
        name="Marguerite Okafor",
        channel="VOICE",
        network="SIP",
    )
    assert len(session.headers) == 10
    assert session.headers["Request URI"] == "sip:4155550199@172.20.14.9;x-rt=0"
    assert session.headers["Via"].split("\r\n") == [
        "SIP/2.0/UDP 172.20.14.30:5060;branch=z9hG4bKa81c",
        "SIP/2.0/UDP 172.20.1.4:5070;branch=z9hG4bK-77f3;rport=5070",
    ]
    assert session.parameters == {}
    assert session.subject is None
    assert session.initial_media == ()
    assert not session.is_text
    assert not session.is_launched


def test_sms_session(payload: Loader) -> None:
    session = Session.parse(payload("session-sms"))
    assert session.is_text
    assert session.initial_text == "balance please"
    assert session.application_id is None
    assert session.to == Endpoint(
        id="16505550123", name=None, channel="TEXT", network="SMS"
    )
    assert session.from_ is not None
    assert session.from_.id == "16505550177"
    assert session.from_.e164_id is None
    assert session.headers["Call-ID"] == "k3pq9z"


def test_mms_session(payload: Loader) -> None:
    session = Session.parse(payload("session-mms"))
    assert session.subject == "Photos from the site visit"
    assert session.initial_media == (
        InitialMedia(
            status="success", media="https://media.example.net/mms/48213/site-1.png"
        ),
        InitialMedia(status="success", text="north wall, before repair"),
        InitialMedia(
            status="failure",
            disposition="Failed to upload: 503 Service Unavailable",
            media="site-2.png",
        ),
    )
    assert session.is_text
    assert session.to is not None
    assert session.to.network == "MMS"


def test_token_launch_parameters_are_strings(payload: Loader) -> None:
    session = Session.parse(payload("session-token-launch"))
    assert session.parameters == {
        "token": "tok-reminders-01",
        "action": "create",
        "numberToDial": "+13125550161",
        "retries": "3",
        "delay": "1.5",
        "urgent": "true",
        "note": "",
    }
    assert session.is_launched
    assert not session.is_text
    assert session.user_type == "NONE"
    assert session.to is None
    assert session.from_ is None
    assert session.headers == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("x", "x"),
        ("", ""),
        (0, "0"),
        (-7, "-7"),
        (2.25, "2.25"),
        (True, "true"),
        (False, "false"),
        (None, ""),
        ([1, "a"], '[1,"a"]'),
        ({"k": 1}, '{"k":1}'),
    ],
)
def test_parameter_values_stringified(value: t.Any, expected: str) -> None:
    session = Session.parse(_session(parameters={"p": value}))
    assert session.parameters == {"p": expected}


def test_legacy_headers_list(payload: Loader) -> None:
    session = Session.parse(payload("session-headers-list"))
    assert session.headers == {
        "Max-Forwards": "70",
        "Content-Length": "402",
        "CSeq": "1 INVITE",
        "x-voxeo-trunk": "east-2",
    }
    assert session.application_id is None
    assert session.to is not None
    assert session.to.network == "PSTN"


def test_legacy_headers_list_repeated_name_keeps_every_value() -> None:
    headers = [
        {"key": "Via", "value": "SIP/2.0/UDP a"},
        {"key": "Via", "value": "SIP/2.0/UDP b"},
    ]
    session = Session.parse(_session(headers=headers))
    assert session.headers == {"Via": "SIP/2.0/UDP a\r\nSIP/2.0/UDP b"}


@pytest.mark.parametrize("headers", [None, {}, []])
def test_empty_or_null_headers(headers: t.Any) -> None:
    assert Session.parse(_session(headers=headers)).headers == {}


def test_null_collections_give_defaults() -> None:
    session = Session.parse(
        _session(parameters=None, initialMedia=None, to=None, **{"from": None})
    )
    assert session.parameters == {}
    assert session.initial_media == ()
    assert session.to is None
    assert session.from_ is None


def test_minimal_session() -> None:
    assert Session.parse({"session": {"id": "only-id"}}) == Session(id="only-id")


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("2021-03-14T15:09:26.535Z", dt.datetime(2021, 3, 14, 15, 9, 26, 535000)),
        ("2021-03-14T15:09:26.535z", dt.datetime(2021, 3, 14, 15, 9, 26, 535000)),
        ("2021-03-14T17:09:26.535+02:00", dt.datetime(2021, 3, 14, 15, 9, 26, 535000)),
        ("2021-03-14T15:09:26", dt.datetime(2021, 3, 14, 15, 9, 26)),
        ("2021-03-14T15:09:26+00:00", dt.datetime(2021, 3, 14, 15, 9, 26)),
    ],
)
def test_timestamp_is_aware_utc(timestamp: str, expected: dt.datetime) -> None:
    session = Session.parse(_session(timestamp=timestamp))
    assert session.timestamp == expected.replace(tzinfo=UTC)
    assert session.timestamp is not None
    assert session.timestamp.tzinfo is UTC


def test_is_text_from_either_end() -> None:
    text = {"id": "1", "channel": "TEXT"}
    voice = {"id": "2", "channel": "VOICE"}
    assert Session.parse(_session(to=text, **{"from": voice})).is_text
    assert Session.parse(_session(to=voice, **{"from": text})).is_text
    assert not Session.parse(_session(to=voice, **{"from": voice})).is_text
    assert not Session.parse(_session()).is_text


def test_payloads_are_frozen(payload: Loader) -> None:
    session = Session.parse(payload("session-voice-sip"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        session.id = "other"  # type: ignore[misc]
    result = Result.parse(payload("result-ask"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.actions[0].value = "0000"  # type: ignore[misc]


# -- results -------------------------------------------------------------------


def test_ask_result_single_object(payload: Loader) -> None:
    result = Result.parse(payload("result-ask"))
    assert result.session_id == "7c2e91f04ab8d3e65f10c9a7b2d84e31"
    assert result.call_id == "e4d9a7c01b3f58e62d7a90c4f1b83e55"
    assert result.state == "ANSWERED"
    assert result.session_duration == 9
    assert result.sequence == 1
    assert result.complete is True
    assert result.error is None
    assert result.called_id is None
    assert len(result.actions) == 1
    action = result.actions[0]
    assert action.name == "pin"
    assert action.attempts == 2
    assert action.confidence == 97
    assert action.disposition == "SUCCESS"
    assert action.interpretation == "4071"
    assert action.utterance == "4 0 7 1"
    assert action.value == "4071"
    assert action.xml is not None
    assert action.xml.startswith('<?xml version="1.0"?>\r\n')
    assert result.value == "4071"
    assert result.interpretation == "4071"
    assert result.disposition == "SUCCESS"


def test_two_asks_list(payload: Loader) -> None:
    result = Result.parse(payload("result-two-asks"))
    assert result.called_id == "16505550123"
    assert result.sequence == 2
    assert [a.name for a in result.actions] == ["department", "callback"]
    assert result.actions[1] == Action(
        name="callback",
        attempts=2,
        disposition="SUCCESS",
        confidence=100,
        interpretation="y",
        utterance="y",
        concept="yes",
        value="yes",
    )
    assert result.value == "billing"
    assert result.interpretation == "2"
    department = result.action("department")
    assert department is not None
    assert department.concept == "billing"
    callback = result.action("callback")
    assert callback is not None
    assert callback.value == "yes"
    assert result.action("missing") is None


def test_action_returns_first_of_same_name() -> None:
    result = Result.parse(
        _result(actions=[{"name": "pin", "value": "1"}, {"name": "pin", "value": "2"}])
    )
    action = result.action("pin")
    assert action is not None
    assert action.value == "1"


def test_transfer_result(payload: Loader) -> None:
    result = Result.parse(payload("result-transfer"))
    assert result.called_id == "3125550145"
    assert result.actions == (
        Action(
            name="to-support",
            duration=203,
            connected_duration=187,
            disposition="SUCCESS",
            timestamp="2019-11-05T07:33:44.610Z",
            called_id="8005550110",
            user_type="HUMAN",
        ),
    )
    assert result.value is None
    assert result.disposition == "SUCCESS"


def test_hangup_result_empty_actions(payload: Loader) -> None:
    result = Result.parse(payload("result-hangup"))
    assert result.state == "DISCONNECTED"
    assert result.actions == ()
    assert result.value is None
    assert result.interpretation is None
    assert result.disposition is None
    assert result.action("anything") is None


def test_falsy_values_kept(payload: Loader) -> None:
    result = Result.parse(payload("result-incomplete"))
    assert result.complete is False
    assert result.session_duration == 0
    assert result.error is None
    assert result.actions[0].confidence == 0
    assert result.disposition == "TIMEOUT"
    assert result.value is None


def test_error_result_without_actions_key(payload: Loader) -> None:
    result = Result.parse(payload("result-error"))
    assert result.state == "FAILED"
    assert result.error == "Outbound call to +13125550161 failed: 486 Busy Here"
    assert result.actions == ()


def test_record_result(payload: Loader) -> None:
    result = Result.parse(payload("result-record"))
    action = result.action("voicemail")
    assert action is not None
    assert action.upload_status == "success"
    assert action.duration == 17
    assert action.value == "https://recordings.example.net/tmp/7c2e91f0-voicemail.wav"
    assert action.transcription == {"id": "tr-5521", "status": "pending"}


def test_legacy_call_state(payload: Loader) -> None:
    result = Result.parse(payload("result-legacy-call-state"))
    assert result.state == "ANSWERED"
    assert result.call_id is None
    assert result.interpretation == "60614"


def test_state_wins_over_legacy_call_state() -> None:
    result = Result.parse(_result(state="DISCONNECTED", callState="ANSWERED"))
    assert result.state == "DISCONNECTED"
    assert Result.parse(_result(state=None, callState="ANSWERED")).state is None


@pytest.mark.parametrize(
    ("actions", "names"),
    [
        ({"name": "a"}, ["a"]),
        ([{"name": "a"}, {"name": "b"}], ["a", "b"]),
        ([{"name": "a"}], ["a"]),
        ([], []),
        ({}, []),
        (None, []),
    ],
    ids=["object", "list", "list-of-one", "empty-list", "empty-object", "null"],
)
def test_actions_shapes(actions: t.Any, names: list[str]) -> None:
    result = Result.parse(_result(actions=actions))
    assert isinstance(result.actions, tuple)
    assert [a.name for a in result.actions] == names


def test_actions_absent() -> None:
    assert Result.parse(_result()).actions == ()


@pytest.mark.parametrize("transcription", ["hello there", {"text": "hi"}, [1, 2], 3])
def test_transcription_kept_as_sent(transcription: t.Any) -> None:
    result = Result.parse(_result(actions={"transcription": transcription}))
    assert result.actions[0].transcription == transcription


# -- inputs --------------------------------------------------------------------


@pytest.mark.parametrize("name", SESSION_FILES)
def test_session_str_bytes_mapping_agree(
    payload_bytes: c.Callable[[str], bytes], name: str
) -> None:
    raw = payload_bytes(name)
    from_bytes = Session.parse(raw)
    assert Session.parse(raw.decode()) == from_bytes
    assert Session.parse(json.loads(raw)) == from_bytes
    assert Session.parse(bytearray(raw)) == from_bytes  # type: ignore[arg-type]
    assert Session.parse(b"\xef\xbb\xbf" + raw) == from_bytes


@pytest.mark.parametrize("name", RESULT_FILES)
def test_result_str_bytes_mapping_agree(
    payload_bytes: c.Callable[[str], bytes], name: str
) -> None:
    raw = payload_bytes(name)
    from_bytes = Result.parse(raw)
    assert Result.parse(raw.decode()) == from_bytes
    assert Result.parse(json.loads(raw)) == from_bytes


def test_parse_does_not_modify_input(payload: Loader) -> None:
    data = payload("result-legacy-call-state")
    snapshot = json.loads(json.dumps(data))
    Result.parse(data)
    assert data == snapshot


def test_unknown_fields_ignored() -> None:
    session = Session.parse(
        {
            "session": {
                "id": "s-1",
                "brandNewField": {"nested": [1, 2]},
                "to": {"id": "1", "channel": "TEXT", "carrier": "acme"},
                "initialMedia": [{"status": "success", "size": 12}],
            },
            "token": "top-level extra",
        }
    )
    assert session == Session(
        id="s-1",
        to=Endpoint(id="1", channel="TEXT"),
        initial_media=(InitialMedia(status="success"),),
    )
    result = Result.parse(
        {
            "result": {
                "sessionId": "s-1",
                "properties": [{"key": "foo", "value": "bar"}],
                "actions": {"name": "a", "score": 0.9},
            },
            "extra": True,
        }
    )
    assert result == Result(session_id="s-1", actions=(Action(name="a"),))


# -- failures ------------------------------------------------------------------

INVALID_SESSIONS: list[tuple[t.Any, dict[str, t.Any]]] = [
    (b"\xff\xfe{", {"_schema": ["Body is not valid UTF-8."]}),
    (
        "{not json",
        {
            "_schema": [
                "Body is not valid JSON: Expecting property name enclosed in "
                "double quotes at line 1 column 2."
            ]
        },
    ),
    (b"", {"_schema": ["Body is not valid JSON: Expecting value at line 1 column 1."]}),
    ("[1, 2]", {"_schema": ['Not a valid object: expected {"session": {...}}.']}),
    ("null", {"_schema": ['Not a valid object: expected {"session": {...}}.']}),
    (42, {"_schema": ['Not a valid object: expected {"session": {...}}.']}),
    ({}, {"session": ["Missing data for required field."]}),
    ({"result": {"sessionId": "x"}}, {"session": ["Missing data for required field."]}),
    ({"session": None}, {"session": ["Field may not be null."]}),
    ({"session": "abc"}, {"session": {"_schema": ["Not a valid object."]}}),
    ({"session": []}, {"session": {"_schema": ["Not a valid object."]}}),
    ({"session": {}}, {"session": {"id": ["Missing data for required field."]}}),
    ({"session": {"id": None}}, {"session": {"id": ["Field may not be null."]}}),
    (_session(id=7), {"session": {"id": ["Not a valid string."]}}),
    (
        _session(timestamp="yesterday"),
        {"session": {"timestamp": ["Not a valid datetime."]}},
    ),
    (
        _session(timestamp=1262304000),
        {"session": {"timestamp": ["Not a valid datetime."]}},
    ),
    (_session(accountId=48213), {"session": {"accountId": ["Not a valid string."]}}),
    (
        _session(to="4155550199"),
        {"session": {"to": {"_schema": ["Not a valid object."]}}},
    ),
    (
        _session(**{"from": {"e164Id": 1}}),
        {"session": {"from": {"e164Id": ["Not a valid string."]}}},
    ),
    (
        _session(headers={"Max-Forwards": 70}),
        {"session": {"headers": {"Max-Forwards": ["Not a valid string."]}}},
    ),
    (
        _session(headers={"X-Null": None}),
        {"session": {"headers": {"X-Null": ["Not a valid string."]}}},
    ),
    (
        _session(headers="Max-Forwards: 70"),
        {
            "session": {
                "headers": ["Not a valid mapping type or list of key/value objects."]
            }
        },
    ),
    (
        _session(headers=[{"key": "A"}, "B", {"key": 1, "value": "v"}]),
        {
            "session": {
                "headers": {
                    0: {"value": ["Missing data for required field."]},
                    1: ["Not a valid mapping type."],
                    2: {"key": ["Not a valid string."]},
                }
            }
        },
    ),
    (
        _session(parameters=["token"]),
        {"session": {"parameters": ["Not a valid mapping type."]}},
    ),
    (
        _session(parameters={"when": object()}),
        {"session": {"parameters": {"when": ["Not a valid parameter value."]}}},
    ),
    (_session(initialMedia={}), {"session": {"initialMedia": ["Not a valid list."]}}),
    (
        _session(initialMedia=[{"status": 1}]),
        {"session": {"initialMedia": {0: {"status": ["Not a valid string."]}}}},
    ),
]

INVALID_RESULTS: list[tuple[t.Any, dict[str, t.Any]]] = [
    ("", {"_schema": ["Body is not valid JSON: Expecting value at line 1 column 1."]}),
    ('"result"', {"_schema": ['Not a valid object: expected {"result": {...}}.']}),
    ({"session": {"id": "x"}}, {"result": ["Missing data for required field."]}),
    ({"result": 1}, {"result": {"_schema": ["Not a valid object."]}}),
    ({"result": {}}, {"result": {"sessionId": ["Missing data for required field."]}}),
    (_result(complete="maybe"), {"result": {"complete": ["Not a valid boolean."]}}),
    (
        _result(sessionDuration="12"),
        {"result": {"sessionDuration": ["Not a valid integer."]}},
    ),
    (_result(sequence=1.5), {"result": {"sequence": ["Not a valid integer."]}}),
    (_result(sequence=True), {"result": {"sequence": ["Not a valid integer."]}}),
    (_result(calledid=9992801029), {"result": {"calledid": ["Not a valid string."]}}),
    (_result(callState=3), {"result": {"callState": ["Not a valid string."]}}),
    (_result(error=False), {"result": {"error": ["Not a valid string."]}}),
    (
        _result(actions="zip"),
        {"result": {"actions": ["Not a valid object or list of objects."]}},
    ),
    (
        _result(actions={"confidence": "high"}),
        {"result": {"actions": {"confidence": ["Not a valid integer."]}}},
    ),
    (
        _result(actions=[{"name": "a"}, 5, {"connectedDuration": "1"}]),
        {
            "result": {
                "actions": {
                    1: {"_schema": ["Not a valid object."]},
                    2: {"connectedDuration": ["Not a valid integer."]},
                }
            }
        },
    ),
    (
        _result(actions={"uploadStatus": 1, "calledid": 2, "userType": 3}),
        {
            "result": {
                "actions": {
                    "uploadStatus": ["Not a valid string."],
                    "calledid": ["Not a valid string."],
                    "userType": ["Not a valid string."],
                }
            }
        },
    ),
]


@pytest.mark.parametrize(("data", "messages"), INVALID_SESSIONS)
def test_invalid_session(data: t.Any, messages: dict[str, t.Any]) -> None:
    with pytest.raises(InvalidPayload) as info:
        Session.parse(data)
    assert info.value.code == 400
    assert info.value.messages == messages
    assert info.value.data is data


@pytest.mark.parametrize(("data", "messages"), INVALID_RESULTS)
def test_invalid_result(data: t.Any, messages: dict[str, t.Any]) -> None:
    with pytest.raises(InvalidPayload) as info:
        Result.parse(data)
    assert info.value.code == 400
    assert info.value.messages == messages
    assert info.value.data is data


def test_invalid_payload_is_a_bad_request() -> None:
    with pytest.raises(InvalidPayload) as info:
        Session.parse(_session(timestamp="soon"))
    error = info.value
    assert isinstance(error, TropoError)
    assert isinstance(error, BadRequest)
    assert "timestamp" in str(error)
    assert "timestamp" in (error.description or "")


class _BrokenMapping(c.Mapping[str, t.Any]):
    def __getitem__(self, key: str) -> t.Any:
        raise AttributeError(key)

    def __iter__(self) -> c.Iterator[str]:
        raise TypeError("cannot iterate")

    def __len__(self) -> int:
        return 1


@pytest.mark.parametrize(
    "data",
    [
        b"\x80",
        "\ud800",
        "[" * 100_000,
        '{"session": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "1" * 5000,
        "NaN",
        object(),
        {"session": _BrokenMapping()},
        {"session": {"id": "x", "headers": _BrokenMapping()}},
        {"session": {"id": "x", "parameters": {1: "one"}}},
        {"session": {"id": "x", "timestamp": "9999-12-31T23:59:59-05:00"}},
        {"session": {"id": "x", "timestamp": ""}},
        {"session": {"id": "x", "headers": {1: "one"}}},
    ],
)
def test_no_other_exception_escapes(data: t.Any) -> None:
    for parse in (Session.parse, Result.parse):
        with pytest.raises(InvalidPayload) as info:
            parse(data)
        assert info.value.messages


# -- dumping and round trips ---------------------------------------------------


@pytest.mark.parametrize("name", SESSION_FILES)
def test_session_round_trip(payload: Loader, name: str) -> None:
    session = Session.parse(payload(name))
    assert Session.parse(dump_session(session)) == session


@pytest.mark.parametrize("name", RESULT_FILES)
def test_result_round_trip(payload: Loader, name: str) -> None:
    result = Result.parse(payload(name))
    assert Result.parse(dump_result(result)) == result


def test_dump_session_wire_shape(payload: Loader) -> None:
    data = payload("session-voice-sip")
    del data["session"]["regionHint"]
    del data["session"]["initialText"]  # None values are left out
    dumped = dump_session(Session.parse(data))
    assert dumped == data
    assert list(dumped["session"]) == [
        "id",
        "accountId",
        "applicationId",
        "timestamp",
        "userType",
        "callId",
        "to",
        "from",
        "headers",
    ]


def test_dump_session_omits_empty_collections() -> None:
    session = Session(
        id="s-9",
        timestamp=dt.datetime(2024, 2, 29, 12, 0, 0, 123456, tzinfo=UTC),
        to=Endpoint(id="1", channel="TEXT"),
    )
    assert dump_session(session) == {
        "session": {
            "id": "s-9",
            "timestamp": "2024-02-29T12:00:00.123Z",
            "to": {"id": "1", "channel": "TEXT"},
        }
    }


def test_dump_timestamp_converted_to_utc() -> None:
    tz = dt.timezone(dt.timedelta(hours=-5))
    session = Session(id="s", timestamp=dt.datetime(2024, 1, 1, 20, 30, tzinfo=tz))
    assert dump_session(session)["session"]["timestamp"] == "2024-01-02T01:30:00.000Z"


def test_dump_token_session(payload: Loader) -> None:
    session = Session.parse(payload("session-token-launch"))
    body = dump_session(session)["session"]
    assert "headers" not in body
    assert "to" not in body
    assert body["parameters"]["retries"] == "3"


def test_dump_result_wire_shape(payload: Loader) -> None:
    data = payload("result-transfer")
    del data["result"]["error"]  # None values are left out
    assert dump_result(Result.parse(data)) == data


def test_dump_result_actions_shapes() -> None:
    none = dump_result(Result(session_id="s", complete=False, session_duration=0))
    assert none == {
        "result": {
            "sessionId": "s",
            "sessionDuration": 0,
            "complete": False,
            "actions": {},
        }
    }
    one = dump_result(Result(session_id="s", actions=(Action(name="a", value="1"),)))
    assert one["result"]["actions"] == {"name": "a", "value": "1"}
    two = dump_result(
        Result(session_id="s", actions=(Action(name="a"), Action(name="b")))
    )
    assert two["result"]["actions"] == [{"name": "a"}, {"name": "b"}]


def test_dump_legacy_call_state_as_state(payload: Loader) -> None:
    dumped = dump_result(Result.parse(payload("result-legacy-call-state")))
    assert dumped["result"]["state"] == "ANSWERED"
    assert "callState" not in dumped["result"]


# -- no schema is built per call -----------------------------------------------


def test_parse_builds_no_schema(
    payload: Loader, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_data = payload("session-mms")
    result_data = payload("result-two-asks")
    calls: list[type[marshmallow.Schema]] = []
    original = marshmallow.Schema.__init__

    def counting_init(self: marshmallow.Schema, *args: t.Any, **kwargs: t.Any) -> None:
        calls.append(type(self))
        original(self, *args, **kwargs)

    monkeypatch.setattr(marshmallow.Schema, "__init__", counting_init)
    # Sanity check: the wrapper sees schemas built now.
    marshmallow.Schema.from_dict({})()
    assert len(calls) == 1
    calls.clear()

    session = Session.parse(session_data)
    result = Result.parse(json.dumps(result_data))
    dump_session(session)
    dump_result(result)
    with pytest.raises(InvalidPayload):
        Result.parse({"result": {"actions": [{"confidence": "x"}]}})
    assert calls == []
