"""Hostile input on Tropo routes and in the parsers.

Arbitrary JSON values, mutations of every sample in ``tests/payloads/``,
truncated bodies, garbage bytes, wrong content types, huge and deeply nested
bodies and text that is not UTF-8 are posted to a session route and a result
route of a small app whose handlers record every call. Every answer must be
JSON with status 200, 400, 401, 403 or 413, never a 500; a handler runs only
on a payload that :meth:`Session.parse` / :meth:`Result.parse` accept (and
then gets exactly what they return, with every field of its declared type);
and the route decides as the parsers do: 400 for what they refuse, 403 for a
result whose token belongs to another session, else 200.

The budget is bounded (``max_examples``) and derandomized, so CI runs the same
examples every time.
"""

from __future__ import annotations

import base64
import collections.abc as c
import dataclasses
import datetime as dt
import io
import json
import types
import typing as t
from pathlib import Path

import pytest
from flask import Flask
from flask import got_request_exception
from flask.testing import FlaskClient
from hypothesis import HealthCheck
from hypothesis import event
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from marshmallow import Schema
from werkzeug.test import TestResponse

from flask_tropo import InvalidDocument
from flask_tropo import InvalidPayload
from flask_tropo import Result
from flask_tropo import Session
from flask_tropo import Tropo
from flask_tropo import call_state
from flask_tropo import parse_document
from flask_tropo import signals
from flask_tropo import verbs as v
from flask_tropo.schemas.verbs import VERB_SCHEMAS
from flask_tropo.verbs import Ask
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Say
from flask_tropo.verbs import Verb

PAYLOADS = Path(__file__).parent / "payloads"
#: The raw bytes of every sample payload, by file name.
SAMPLES: dict[str, bytes] = {
    p.name: p.read_bytes() for p in sorted(PAYLOADS.glob("*.json"))
}

#: The statuses a Tropo route may answer.
ALLOWED = frozenset({200, 400, 401, 403, 413})
LIMIT = 64 * 1024
FUZZ_SESSION_ID = "f0225e55f0225e55f0225e55f0225e55"

FUZZ = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


# -- the app under fire -------------------------------------------------------


@dataclasses.dataclass
class FuzzApp:
    """An app with one session route and one result route that record what
    reaches them, and the failures Flask or flask-tropo report."""

    app: Flask
    client: FlaskClient
    #: ``(kind, payload, call_state)`` of every handler call.
    calls: list[tuple[str, Session | Result, dict[str, t.Any]]]
    #: Exceptions seen by ``got_request_exception`` and ``handler_failed``.
    failures: list[BaseException]
    #: The ``next`` URL issued to each session id.
    urls: dict[str, str] = dataclasses.field(default_factory=dict)
    #: The status of the last answer.
    last_status: int = 0

    def reset(self) -> None:
        self.calls.clear()
        self.failures.clear()

    def result_url(self, session_id: str) -> str:
        """A genuine ``next`` URL of the result route for ``session_id``."""
        url = self.urls.get(session_id)
        if url is None:
            document = self.answer(
                "/voice", json.dumps({"session": {"id": session_id}}).encode()
            )
            assert document is not None
            (url,) = [e["on"]["next"] for e in document["tropo"] if "on" in e]
            self.urls[session_id] = url
            self.reset()
        return url

    def answer(
        self,
        url: str,
        body: bytes | None = None,
        content_type: str | None = "application/json",
        headers: c.Mapping[str, str] | None = None,
        **kwargs: t.Any,
    ) -> dict[str, t.Any] | None:
        """POST ``body`` (or what ``kwargs`` give the test client) and check
        the invariants; the document of a 200, else ``None``."""
        self.reset()
        headers = dict(headers or {})
        if content_type is not None:
            headers["Content-Type"] = content_type
        if body is not None:
            kwargs["data"] = body
        return self.check(url, self.client.post(url, headers=headers, **kwargs))

    def check(self, url: str, response: TestResponse) -> dict[str, t.Any] | None:
        """Check the invariants of an answer; the document of a 200."""
        status = self.last_status = response.status_code
        assert status in ALLOWED, (status, response.get_data()[:300])
        assert response.mimetype == "application/json"
        document = json.loads(response.get_data())
        assert self.failures == [], self.failures
        if status != 200:
            assert self.calls == [], f"a handler ran on a {status}"
            assert document["code"] == status
            assert isinstance(document["status"], str)
            assert isinstance(document["errors"], dict) and document["errors"]
            return None
        assert len(self.calls) == 1
        kind, payload, _ = self.calls[0]
        assert kind == ("session" if url == "/voice" else "result")
        assert conforms(payload, type(payload)), payload
        assert parse_document(document)
        return t.cast(dict[str, t.Any], document)


def build_app() -> FuzzApp:
    tropo = Tropo()
    calls: list[tuple[str, Session | Result, dict[str, t.Any]]] = []
    failures: list[BaseException] = []

    @tropo.on_session("/voice")
    def incoming(session: Session) -> list[Verb]:
        calls.append(("session", session, dict(call_state)))
        call_state["step"] = "pin"
        return [
            Ask("[4 DIGITS]", say="Your PIN?", name="pin"),
            On("continue", next=answered),
        ]

    @tropo.on_result("/answered")
    def answered(result: Result) -> list[Verb]:
        calls.append(("result", result, dict(call_state)))
        assert call_state == {"step": "pin"}
        return [Say("Thank you."), Hangup()]

    app = Flask(__name__)
    # Not testing: an exception must surface as the 500 a server would send.
    app.config.update(SECRET_KEY="fuzz secret key", TESTING=False)
    tropo.init_app(app)

    def record(sender: Flask, exception: BaseException, **extra: t.Any) -> None:
        failures.append(exception)

    got_request_exception.connect(record, app, weak=False)
    signals.handler_failed.connect(record, app, weak=False)
    return FuzzApp(app, app.test_client(), calls, failures)


@pytest.fixture(scope="module")
def tropo_fuzz() -> FuzzApp:
    return build_app()


def expected_outcome(kind: str, body: bytes, token_session: str | None) -> t.Any:
    """What the route must do with ``body``: 400, 403, or the payload the
    handler must get (the parser's answer)."""
    try:
        parsed = (Session if kind == "session" else Result).parse(body)
    except InvalidPayload:
        return 400
    if isinstance(parsed, Result) and parsed.session_id != token_session:
        return 403
    return parsed


def check_decision(fz: FuzzApp, kind: str, body: bytes, **kwargs: t.Any) -> int:
    """POST ``body`` to the route of ``kind`` and check that it decides as the
    parser does. For results, the token is the one of the fuzz session, or of
    the sample's session when the body is a mutated sample (``token_for``)."""
    token_session = kwargs.pop("token_for", FUZZ_SESSION_ID)
    url = "/voice" if kind == "session" else fz.result_url(token_session)
    want = expected_outcome(kind, body, token_session)
    if currently_in_test_context():  # see --hypothesis-show-statistics
        event(f"{kind} {want if isinstance(want, int) else 200}")
    document = fz.answer(url, body, **kwargs)
    if isinstance(want, int):
        assert (document, fz.last_status) == (None, want)
        return want
    assert document is not None, f"refused a payload the parser accepts: {want!r}"
    (_, payload, state) = fz.calls[0]
    assert same(payload, want)
    assert state == ({} if kind == "session" else {"step": "pin"})
    return 200


def same(a: object, b: object) -> bool:
    """Equal, with NaN equal to itself (``Action.transcription`` keeps any
    JSON value)."""
    try:
        return a == b or repr(a) == repr(b)
    except RecursionError:  # pragma: no cover - deep transcriptions
        return True


# -- typed payloads -----------------------------------------------------------


def conforms(value: object, hint: t.Any) -> bool:
    """Whether ``value`` is of the annotated type ``hint``, recursively
    through the payload dataclasses (``int`` is not ``bool``; datetimes are
    aware and UTC)."""
    if hint is t.Any:
        return True
    origin = t.get_origin(hint)
    if origin in (t.Union, types.UnionType):
        return any(conforms(value, arg) for arg in t.get_args(hint))
    if hint is type(None):
        return value is None
    if origin is dict:
        key_type, value_type = t.get_args(hint)
        return type(value) is dict and all(
            conforms(k, key_type) and conforms(item, value_type)
            for k, item in value.items()
        )
    if origin is tuple:
        item_type, _ = t.get_args(hint)
        return type(value) is tuple and all(conforms(i, item_type) for i in value)
    if hint is dt.datetime:
        return (
            isinstance(value, dt.datetime)
            and value.tzinfo is not None
            and value.utcoffset() == dt.timedelta(0)
        )
    if hint in (str, int, bool):
        return type(value) is hint
    if dataclasses.is_dataclass(hint):
        hints = t.get_type_hints(hint)
        return type(value) is hint and all(
            conforms(getattr(value, f.name), hints[f.name])
            for f in dataclasses.fields(hint)
        )
    raise AssertionError(f"no rule for {hint!r}")


# -- strategies ---------------------------------------------------------------


def _keys(node: object, into: set[str]) -> set[str]:
    if isinstance(node, dict):
        for key, item in node.items():
            into.add(key)
            _keys(item, into)
    elif isinstance(node, list):
        for item in node:
            _keys(item, into)
    return into


#: Every key of the samples: mutations that reach real fields.
KEYS = sorted(_keys([json.loads(body) for body in SAMPLES.values()], set()))
INTERESTING = [
    "",
    "null",
    "true",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "2024-03-05T17:42:09.318Z",
    "2024-02-30T25:61:00Z",
    "1970-01-01T00:00:00+14:00",
    "VOICE",
    "TEXT",
    "SUCCESS",
    "\x00",
    "\u202e",
    "Zo\u00eb \u260e \U0001f4de",
    "x" * 300,
]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(INTERESTING)
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=5
        )
    ),
    max_leaves=16,
)


def dump(value: object) -> bytes:
    """JSON text as Python writes it: ``NaN`` and ``Infinity`` included."""
    return json.dumps(value).encode()


@st.composite
def mutations(draw: st.DrawFn, name: str) -> bytes:
    """A sample with one to three random edits: a value replaced by any JSON
    value, stringified or wrapped in a list, a key removed or added."""
    document = json.loads(SAMPLES[name])
    for _ in range(draw(st.integers(1, 3))):
        node: t.Any = document
        while True:
            children = (
                list(node.items())
                if isinstance(node, dict)
                else list(enumerate(node))
                if isinstance(node, list)
                else []
            )
            if not children:
                break
            key, child = draw(st.sampled_from(children))
            if isinstance(child, (dict, list)) and child and draw(st.booleans()):
                node = child
                continue
            operation = draw(
                st.sampled_from(["replace", "stringify", "wrap", "delete", "add"])
            )
            if operation == "replace":
                node[key] = draw(JSON_VALUES)
            elif operation == "stringify":
                node[key] = json.dumps(child)
            elif operation == "wrap":
                node[key] = [child]
            elif operation == "delete":
                del node[key]
            elif isinstance(node, dict):
                node[draw(st.sampled_from(KEYS))] = draw(JSON_VALUES)
            else:
                node.append(draw(JSON_VALUES))
            break
    return dump(document)


def kind_of(name: str) -> str:
    """``"session"`` or ``"result"``: the route a sample belongs to."""
    return "session" if name.startswith("session") else "result"


def token_for(name: str) -> str:
    """The session whose token a sample is posted with: its own for a
    result, the fuzz session's for a session (which needs none)."""
    if kind_of(name) == "session":
        return FUZZ_SESSION_ID
    return t.cast(str, json.loads(SAMPLES[name])["result"]["sessionId"])


# -- the routes ---------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_sample_reaches_its_handler(tropo_fuzz: FuzzApp, name: str) -> None:
    body = SAMPLES[name]
    assert (
        check_decision(tropo_fuzz, kind_of(name), body, token_for=token_for(name))
        == 200
    )


@FUZZ
@given(
    value=JSON_VALUES,
    kind=st.sampled_from(["session", "result"]),
    envelope=st.booleans(),
)
def test_arbitrary_json_values(
    tropo_fuzz: FuzzApp, value: object, kind: str, envelope: bool
) -> None:
    body = dump({kind: value} if envelope else value)
    check_decision(tropo_fuzz, kind, body)


@FUZZ
@given(data=st.data(), name=st.sampled_from(sorted(SAMPLES)), cross=st.integers(0, 4))
def test_mutated_samples(
    tropo_fuzz: FuzzApp, data: st.DataObject, name: str, cross: int
) -> None:
    body = data.draw(mutations(name))
    own = kind_of(name)
    # One time in five the sample goes to the other kind of route.
    kind = own if cross else ("result" if own == "session" else "session")
    check_decision(tropo_fuzz, kind, body, token_for=token_for(name))


@FUZZ
@given(data=st.data(), name=st.sampled_from(sorted(SAMPLES)))
def test_truncated_samples(tropo_fuzz: FuzzApp, data: st.DataObject, name: str) -> None:
    raw = SAMPLES[name]
    cut = data.draw(st.integers(0, len(raw) - 1))
    check_decision(tropo_fuzz, kind_of(name), raw[:cut], token_for=token_for(name))


@pytest.mark.parametrize("name", ["session-sms.json", "result-ask.json"])
def test_every_prefix_is_refused(tropo_fuzz: FuzzApp, name: str) -> None:
    raw, kind, token = SAMPLES[name].rstrip(), kind_of(name), token_for(name)
    for cut in range(len(raw)):
        assert check_decision(tropo_fuzz, kind, raw[:cut], token_for=token) == 400
    assert check_decision(tropo_fuzz, kind, raw, token_for=token) == 200


CONTENT_TYPES = [
    None,
    "",
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=latin-1",
    "application/json; charset=utf-16",
    "text/plain",
    "text/html",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/octet-stream",
    "image/png",
    "*/*",
    "application/json;;; =",
    "not a media type",
]


@FUZZ
@given(body=st.binary(max_size=2048), kind=st.sampled_from(["session", "result"]))
def test_garbage_bytes(tropo_fuzz: FuzzApp, body: bytes, kind: str) -> None:
    check_decision(tropo_fuzz, kind, body)


@FUZZ
@given(
    body=st.binary(max_size=512),
    content_type=st.sampled_from(CONTENT_TYPES),
    kind=st.sampled_from(["session", "result"]),
)
def test_garbage_with_any_content_type(
    tropo_fuzz: FuzzApp, body: bytes, content_type: str | None, kind: str
) -> None:
    check_decision(tropo_fuzz, kind, body, content_type=content_type)


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
@pytest.mark.parametrize("name", ["session-voice-sip.json", "result-record.json"])
def test_the_body_decides_not_the_content_type(
    tropo_fuzz: FuzzApp, name: str, content_type: str | None
) -> None:
    """Tropo sends ``application/json``; the routes read the body whatever
    the header says, so a valid document is always accepted."""
    status = check_decision(
        tropo_fuzz,
        kind_of(name),
        SAMPLES[name],
        token_for=token_for(name),
        content_type=content_type,
    )
    assert status == 200


def test_form_posts_are_refused(tropo_fuzz: FuzzApp) -> None:
    """A form (urlencoded or multipart) holding a document is not one."""
    form = {"session": SAMPLES["session-sms.json"].decode()}
    assert tropo_fuzz.answer("/voice", content_type=None, data=form) is None
    multipart = {"session": '{"id": "x"}', "file": (io.BytesIO(b"{}"), "a.json")}
    assert tropo_fuzz.answer("/voice", content_type=None, data=multipart) is None


USER, PASSWORD = "tropo", "s3cr\u00e9t"
CREDENTIALS = st.one_of(
    st.binary(max_size=40),
    st.builds(
        lambda user, password: f"{user}:{password}".encode(),
        st.sampled_from([USER, "", "TROPO"]) | st.text(max_size=8),
        st.sampled_from([PASSWORD, "", "s3cret"]) | st.text(max_size=8),
    ),
)
AUTHORIZATION = st.one_of(
    st.none(),
    st.builds(lambda raw: "Basic " + base64.b64encode(raw).decode(), CREDENTIALS),
    st.sampled_from(["Basic", "Basic ", "Basic !!!", "Basic =", "Bearer x"])
    | st.sampled_from(['Digest username="tropo"', "basic dHJvcG86", "Basic\t"]),
    # Any bytes a server can deliver in a header value (no CR, LF or NUL).
    st.binary(max_size=60).map(
        lambda raw: raw.translate(None, b"\r\n\x00").decode("latin-1")
    ),
)


RIGHT = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


@FUZZ
@example(authorization=RIGHT, kind="session", valid=True)
@example(authorization=RIGHT, kind="result", valid=True)
@example(authorization=RIGHT, kind="result", valid=False)
@given(
    authorization=AUTHORIZATION,
    kind=st.sampled_from(["session", "result"]),
    valid=st.booleans(),
)
def test_hostile_authorization_headers(
    tropo_fuzz: FuzzApp, authorization: str | None, kind: str, valid: bool
) -> None:
    """With ``TROPO_BASIC_AUTH``: 401 unless the credentials are right, and
    they are checked before the body is read."""
    config = tropo_fuzz.app.config
    url = "/voice" if kind == "session" else tropo_fuzz.result_url(FUZZ_SESSION_ID)
    body = dump({kind: {"id": FUZZ_SESSION_ID, "sessionId": FUZZ_SESSION_ID}})
    if not valid:
        body = body[:-1]
    headers = {} if authorization is None else {"Authorization": authorization}
    config["TROPO_BASIC_AUTH"] = (USER, PASSWORD)
    try:
        document = tropo_fuzz.answer(url, body, headers=headers)
        status = tropo_fuzz.last_status
    finally:
        config["TROPO_BASIC_AUTH"] = None
    if authorization != RIGHT:
        assert status == 401
    else:
        assert status == (200 if valid else 400)
    assert (document is not None) == (status == 200)


# -- huge bodies --------------------------------------------------------------


def padded(kind: str, size: int) -> bytes:
    """A valid document of ``kind`` of exactly ``size`` bytes: a session, or a
    result of the fuzz session (which its result URL's token accepts)."""

    def body(padding: str) -> bytes:
        if kind == "session":
            return dump({"session": {"id": FUZZ_SESSION_ID, "initialText": padding}})
        action = {"name": "pin", "value": padding}
        return dump({"result": {"sessionId": FUZZ_SESSION_ID, "actions": action}})

    document = body("x" * (size - len(body(""))))
    assert len(document) == size
    return document


def url_of(tropo_fuzz: FuzzApp, kind: str) -> str:
    return "/voice" if kind == "session" else tropo_fuzz.result_url(FUZZ_SESSION_ID)


@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("size", [LIMIT + 1, 4 * LIMIT, 8 * 1024 * 1024])
@pytest.mark.parametrize("kind", ["session", "result"])
def test_huge_bodies(tropo_fuzz: FuzzApp, kind: str, size: int, chunked: bool) -> None:
    """A valid document one byte over the limit, or far over it, is a 413,
    whether it announces its length or comes chunked."""
    url = url_of(tropo_fuzz, kind)
    body = padded(kind, size)
    if chunked:
        document = tropo_fuzz.answer(
            url,
            input_stream=io.BytesIO(body),
            environ_overrides={"wsgi.input_terminated": True},
            headers={"Transfer-Encoding": "chunked"},
        )
    else:
        document = tropo_fuzz.answer(url, body)
    assert (document, tropo_fuzz.last_status) == (None, 413)


@pytest.mark.parametrize("kind", ["session", "result"])
def test_a_body_at_the_limit_is_read(tropo_fuzz: FuzzApp, kind: str) -> None:
    assert tropo_fuzz.answer(url_of(tropo_fuzz, kind), padded(kind, LIMIT))


@pytest.mark.parametrize("kind", ["session", "result"])
def test_a_wrong_content_length_is_not_trusted(tropo_fuzz: FuzzApp, kind: str) -> None:
    """A length announced below the body's reads no further than it (the
    rest is never read, and what was read is not a document); one announced
    above the limit is refused before anything is read."""
    url = url_of(tropo_fuzz, kind)
    body = padded(kind, 2 * LIMIT)
    short = {"CONTENT_LENGTH": "10"}
    document = tropo_fuzz.answer(
        url, input_stream=io.BytesIO(body), environ_overrides=short
    )
    assert (document, tropo_fuzz.last_status) == (None, 400)
    small = padded(kind, 1024)
    large = {"CONTENT_LENGTH": str(4 * LIMIT)}
    document = tropo_fuzz.answer(
        url, input_stream=io.BytesIO(small), environ_overrides=large
    )
    assert (document, tropo_fuzz.last_status) == (None, 413)


# -- deep nesting -------------------------------------------------------------


def nested(depth: int, leaf: object = 1) -> str:
    """``depth`` arrays and objects, alternating, around ``leaf``."""
    opening = "".join('[{"a":' if i % 2 else "[" for i in range(depth))
    closing = "".join("}]" if i % 2 else "]" for i in reversed(range(depth)))
    return opening + json.dumps(leaf) + closing


DEPTHS = [1, 10, 100, 500, 900, 950, 990, 1000, 1100, 5000, 100_000]
PLACES = {
    "bare": ("session", "{}"),
    "envelope": ("session", '{{"session": {}}}'),
    "id": ("session", '{{"session": {{"id": {}}}}}'),
    "parameters": (
        "session",
        '{{"session": {{"id": "n", "parameters": {{"p": {}}}}}}}',
    ),
    "headers": ("session", '{{"session": {{"id": "n", "headers": {}}}}}'),
    "media": ("session", '{{"session": {{"id": "n", "initialMedia": {}}}}}'),
    "actions": (
        "result",
        '{{"result": {{"sessionId": "' + FUZZ_SESSION_ID + '", "actions": {}}}}}',
    ),
    "transcription": (
        "result",
        '{{"result": {{"sessionId": "'
        + FUZZ_SESSION_ID
        + '", "actions": {{"name": "r", "transcription": {}}}}}}}',
    ),
}


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("place", sorted(PLACES))
def test_deeply_nested_json(
    tropo_fuzz: FuzzApp, monkeypatch: pytest.MonkeyPatch, place: str, depth: int
) -> None:
    """Nesting up to and beyond the recursion limit, without a size limit:
    refused or accepted, never a 500 or a ``RecursionError``."""
    monkeypatch.setitem(tropo_fuzz.app.config, "TROPO_MAX_CONTENT_LENGTH", None)
    kind, template = PLACES[place]
    body = template.format(nested(depth)).encode()
    url = "/voice" if kind == "session" else tropo_fuzz.result_url(FUZZ_SESSION_ID)
    document = tropo_fuzz.answer(url, body)
    if place in ("bare", "envelope", "id", "headers", "media", "actions"):
        assert document is None  # no valid document has nesting there
    if place == "transcription" and depth <= 100:
        assert document is not None  # a transcription is kept as sent


# -- text that is not UTF-8 ---------------------------------------------------

TEXT_SESSION = {
    "session": {
        "id": FUZZ_SESSION_ID,
        "initialText": "Zo\u00eb: caf\u00e9 \u00e0 2\u20ac",
    }
}


@pytest.mark.parametrize(
    "encoding", ["latin-1", "cp1252", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]
)
def test_other_encodings_are_refused(tropo_fuzz: FuzzApp, encoding: str) -> None:
    body = json.dumps(TEXT_SESSION, ensure_ascii=False).encode(encoding, "replace")
    assert tropo_fuzz.answer("/voice", body) is None


@pytest.mark.parametrize(
    "bad",
    [
        b"\xff",
        b"\xc0\xaf",  # overlong "/"
        b"\xed\xa0\x80",  # an encoded surrogate
        b"\xe2\x98",  # a truncated sequence
        b"\xf4\x90\x80\x80",  # beyond U+10FFFF
        b"\x80",  # a lone continuation byte
    ],
)
def test_invalid_utf8_inside_a_string_is_refused(
    tropo_fuzz: FuzzApp, bad: bytes
) -> None:
    body = (
        b'{"session": {"id": "'
        + FUZZ_SESSION_ID.encode()
        + b'", "initialText": "a'
        + bad
        + b'"}}'
    )
    assert tropo_fuzz.answer("/voice", body) is None


def test_a_utf8_bom_is_accepted(tropo_fuzz: FuzzApp) -> None:
    body = "\ufeff".encode() + json.dumps(TEXT_SESSION, ensure_ascii=False).encode()
    assert tropo_fuzz.answer("/voice", body) is not None
    _, session, _ = tropo_fuzz.calls[0]
    assert isinstance(session, Session)
    assert session.initial_text == TEXT_SESSION["session"]["initialText"]


@pytest.mark.parametrize("field", ["initialText", "id"])
def test_lone_surrogate_escapes(tropo_fuzz: FuzzApp, field: str) -> None:
    """``"\\ud800"`` is valid JSON text but no Unicode character: whether a
    route takes it or refuses it, no 500 and no failed handler."""
    session = {"id": FUZZ_SESSION_ID, field: "caller \ud800 \udfff"}
    assert check_decision(tropo_fuzz, "session", dump({"session": session})) == 200
    # The call goes on: its next token carries the session id as it came.
    result = {"sessionId": session["id"], "actions": {"value": "\udfff"}}
    body = dump({"result": result})
    assert check_decision(tropo_fuzz, "result", body, token_for=session["id"]) == 200


def test_nul_bytes_and_control_characters(tropo_fuzz: FuzzApp) -> None:
    session = {"id": "a\x00b\x1b[2J", "initialText": "\x00" * 50}
    assert check_decision(tropo_fuzz, "session", dump({"session": session})) == 200


# -- the parsers --------------------------------------------------------------


def _verb_keys() -> list[str]:
    """Every wire key of the verb schemas, nested ones included."""
    found: set[str] = set()
    seen: set[int] = set()

    def visit(schema: Schema) -> None:
        if id(schema) in seen:
            return
        seen.add(id(schema))
        for name, field in schema.fields.items():
            found.add(field.data_key or name)
            inner = getattr(field, "inner", None) or field
            for attribute in ("schema", "_schema"):
                nested_schema = getattr(inner, attribute, None)
                if callable(nested_schema) and not isinstance(nested_schema, Schema):
                    nested_schema = nested_schema()
                if isinstance(nested_schema, Schema):
                    visit(nested_schema)

    for schema in VERB_SCHEMAS.values():
        visit(schema)
    return sorted(found)


VERB_KEYS = _verb_keys()
VERB_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 100)
    | st.floats()
    | st.text(max_size=6)
    | st.sampled_from(
        ["", "null", "1,2", "[4 DIGITS]", "DTMF", "speech", "DIGITS", "suppress"]
        + ["http://x/y", "ring", "continue", "VOICE", "POST", "audio/mp3", "#"]
    )
)
VERB_VALUES = st.recursive(
    VERB_SCALARS,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(VERB_KEYS), children, max_size=5)
    ),
    max_leaves=14,
)
DOCUMENTS = st.builds(
    lambda elements: {"tropo": elements},
    st.lists(
        st.dictionaries(
            st.sampled_from(sorted(v.VERBS)), VERB_VALUES, min_size=1, max_size=1
        ),
        max_size=4,
    ),
)
ANY_INPUT = st.one_of(
    JSON_VALUES,
    st.builds(lambda value: {"session": value}, JSON_VALUES),
    st.builds(lambda value: {"result": value}, JSON_VALUES),
    st.sampled_from(sorted(SAMPLES)).flatmap(mutations),
    DOCUMENTS,
    st.binary(max_size=256),
    st.text(max_size=64),
    st.sets(st.integers(), max_size=3),
    st.tuples(st.integers(), st.text(max_size=3)),
    st.builds(bytearray, st.binary(max_size=32)),
)


@settings(FUZZ, max_examples=1500)
@given(value=ANY_INPUT, form=st.sampled_from(["object", "text", "bytes"]))
def test_parsers_raise_only_their_documented_errors(value: object, form: str) -> None:
    data: t.Any = value
    if form != "object" and not isinstance(value, (bytes, bytearray, str)):
        try:
            data = json.dumps(value)
        except TypeError:
            data = repr(value)
        if form == "bytes":
            data = data.encode()
    for parse, error in (
        (Session.parse, InvalidPayload),
        (Result.parse, InvalidPayload),
        (parse_document, InvalidDocument),
    ):
        try:
            parsed = parse(data)
        except error as exc:
            assert str(exc)
            if isinstance(exc, InvalidPayload):
                assert exc.code == 400 and exc.messages
            continue
        if parse is parse_document:
            assert isinstance(parsed, list)
            assert all(isinstance(verb, Verb) for verb in parsed)
        else:
            assert conforms(parsed, type(parsed))
            assert isinstance(parsed, (Session, Result))


def test_conforms_is_strict() -> None:
    """The type check of this file refuses what it should."""
    assert conforms(Session(id="x"), Session)
    assert not conforms(Session(id=1), Session)  # type: ignore[arg-type]
    assert not conforms(Result(session_id="x", sequence=True), Result)
    naive = dt.datetime(2024, 1, 1)
    assert not conforms(Session(id="x", timestamp=naive), Session)
    assert not conforms(Session(id="x", headers={"a": 1}), Session)  # type: ignore[dict-item]
