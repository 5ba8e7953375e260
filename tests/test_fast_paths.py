"""The request path's shortcuts give what the long way gives: the JSON body of
the app's provider, the URLs of ``url_for``, the dataclass ``__init__``, and
a ``call_state`` per request."""

from __future__ import annotations

import dataclasses
import inspect
import typing as t

import pytest
from conftest import Caller
from conftest import _result
from conftest import _session
from conftest import next_url
from flask import Flask
from flask import g
from flask import request
from flask.json.provider import DefaultJSONProvider
from flask.testing import FlaskClient
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client

from flask_tropo import Result
from flask_tropo import Session
from flask_tropo import Tropo
from flask_tropo import TropoBlueprint
from flask_tropo import call_state
from flask_tropo import payloads
from flask_tropo import verbs
from flask_tropo.document import render
from flask_tropo.extension import _LINKS
from flask_tropo.verbs import Ask
from flask_tropo.verbs import Choices
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Say

VERBS = [
    Say("Grüße aus Zürich", voice="Anna"),
    Ask(Choices("1,2", mode="DTMF"), say="Press 1 or 2", attempts=3, timeout=5.5),
    On("continue", next="/next?x=1"),
]


def _app_with_voice(app: Flask, answer: t.Any = None) -> FlaskClient:
    tropo = Tropo()

    @tropo.on_session("/voice")
    def voice(session: Session) -> t.Any:
        return list(VERBS) if answer is None else answer

    tropo.init_app(app)
    return app.test_client()


# -- the JSON body -------------------------------------------------------------


@pytest.mark.parametrize(
    "setting",
    [
        {},
        {"debug": True},
        {"compact": False},
        {"compact": True, "debug": True},
        {"sort_keys": False},
        {"ensure_ascii": False},
        {"mimetype": "application/vnd.example+json"},
    ],
)
def test_the_body_is_what_the_json_provider_writes(
    app: Flask, setting: dict[str, t.Any]
) -> None:
    setting = dict(setting)
    app.debug = setting.pop("debug", False)
    for name, value in setting.items():
        setattr(app.json, name, value)
    client = _app_with_voice(app)
    response = client.post("/voice", json=_session())
    with app.app_context():
        expected = app.json.response(render(VERBS))
    assert response.data == expected.data
    assert response.headers["Content-Type"] == expected.headers["Content-Type"]
    assert response.headers["Content-Length"] == expected.headers["Content-Length"]


def test_a_custom_json_provider_writes_the_body(app: Flask) -> None:
    class Marked(DefaultJSONProvider):
        def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
            return '{"marked": true}'

    app.json = Marked(app)
    client = _app_with_voice(app)
    assert client.post("/voice", json=_session()).get_json() == {"marked": True}


@pytest.mark.parametrize(
    ("answer", "status", "header"),
    [
        ((VERBS, 202), 202, None),
        ((VERBS, "299 FINE"), 299, None),
        ((VERBS, {"X-Tag": "a"}), 200, "a"),
        ((VERBS, [("X-Tag", "b")]), 200, "b"),
        ((VERBS, 201, {"X-Tag": "c"}), 201, "c"),
    ],
)
def test_status_and_headers_of_a_tuple(
    app: Flask, answer: t.Any, status: int, header: str | None
) -> None:
    client = _app_with_voice(app, answer)
    response = client.post("/voice", json=_session())
    assert response.status_code == status
    assert response.headers.get("X-Tag") == header
    with app.app_context():
        assert response.data == app.json.response(render(VERBS)).data


# -- next URLs -----------------------------------------------------------------


def _linked(tropo: Tropo | TropoBlueprint) -> None:
    @tropo.on_session("/voice")
    def voice(session: Session) -> t.Any:
        return On("continue", next=step)

    @tropo.on_result("/step")
    def step(result: Result) -> t.Any:
        return Hangup()


def test_next_urls_follow_the_script_name(app: Flask) -> None:
    tropo = Tropo()
    _linked(tropo)
    tropo.init_app(app)
    client = Client(DispatcherMiddleware(app, {"/a": app, "/b/c": app}))
    for prefix in ("/a", "/b/c", "", "/a"):
        document = client.post(f"{prefix}/voice", json=_session()).json
        url = next_url(document, "continue")  # type: ignore[arg-type]
        assert url.startswith(f"{prefix}/step?tropo_token=")


def test_next_urls_follow_the_external_url(app: Flask, client: FlaskClient) -> None:
    tropo = Tropo()
    _linked(tropo)
    tropo.init_app(app)
    for external in (None, "https://a.example.com", "https://b.example.com/", None):
        app.config["TROPO_EXTERNAL_URL"] = external
        document = client.post("/voice", json=_session()).get_json()
        url = next_url(document, "continue")
        assert url.startswith(f"{(external or '').rstrip('/')}/step?tropo_token=")


def test_next_urls_use_url_defaults(app: Flask, client: FlaskClient) -> None:
    """``url_defaults`` functions run for every URL (they may read ``g``)."""
    ivr = TropoBlueprint("ivr", __name__, url_prefix="/<lang>")
    _linked(ivr)

    @ivr.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        g.lang = (values or {}).pop("lang", None)

    @ivr.url_defaults
    def add_lang(endpoint: str, values: dict[str, t.Any]) -> None:
        values.setdefault("lang", g.lang)

    Tropo(app)
    app.register_blueprint(ivr)
    for lang in ("en", "fr", "en"):
        document = client.post(f"/{lang}/voice", json=_session()).get_json()
        url = next_url(document, "continue")
        assert url.startswith(f"/{lang}/step?tropo_token=")
        assert client.post(url, json=_result()).status_code == 200


def test_next_urls_follow_the_host_of_subdomain_routes(app: Flask) -> None:
    app.config["SERVER_NAME"] = "example.com"
    app.subdomain_matching = True
    app.url_map.default_subdomain = ""
    ivr = TropoBlueprint("ivr", __name__, subdomain="ivr")
    _linked(ivr)
    Tropo(app)
    app.register_blueprint(ivr)
    client = app.test_client()
    response = client.post("/voice", json=_session(), base_url="http://ivr.example.com")
    assert next_url(response.get_json(), "continue").startswith("/step?tropo_token=")


def test_the_url_cache_is_bounded(app: Flask) -> None:
    tropo = Tropo()
    _linked(tropo)
    tropo.init_app(app)
    client = app.test_client()
    routes = tropo._states[app].routes
    for index in range(_LINKS + 10):
        host = f"host{index}.example.com"
        response = client.post("/voice", json=_session(), base_url=f"http://{host}")
        assert response.status_code == 200
        assert len(routes._links) <= _LINKS


# -- call_state per request ----------------------------------------------------


def test_nested_requests_keep_their_own_call_state(app: Flask) -> None:
    """A handler that calls another Tropo route in process (as the simulator
    does) finds its own state again afterwards."""
    inner = Flask("inner")
    inner.config.update(TESTING=True, SECRET_KEY="inner key")
    inner_tropo = Tropo()

    @inner_tropo.on_session("/voice")
    def inner_voice(session: Session) -> t.Any:
        call_state["who"] = "inner"
        return On("continue", next=inner_step)

    @inner_tropo.on_result("/step")
    def inner_step(result: Result) -> t.Any:
        return Say(call_state["who"])

    inner_tropo.init_app(inner)
    outer_tropo = Tropo()

    @outer_tropo.on_session("/voice")
    def outer_voice(session: Session) -> t.Any:
        call_state["who"] = "outer"
        answer = Caller(inner.test_client()).start("/voice")
        call_state["inner"] = next_url(answer, "continue").split("?")[0]
        return On("continue", next=outer_step)

    @outer_tropo.on_result("/step")
    def outer_step(result: Result) -> t.Any:
        return Say(f"{call_state['who']} {call_state['inner']}")

    outer_tropo.init_app(app)
    caller = Caller(app.test_client())
    document = caller.start("/voice")
    assert caller.follow(document)["tropo"] == [{"say": {"value": "outer /step"}}]
    with pytest.raises(RuntimeError, match="only available while a Tropo handler"):
        call_state.get("who")


# -- the dataclass __init__ ----------------------------------------------------

CLASSES = [
    *verbs.VERBS.values(),
    verbs.Choices,
    verbs.Transcription,
    verbs.UploadTarget,
    verbs.MachineDetection,
    verbs.Prompt,
    payloads.Endpoint,
    payloads.InitialMedia,
    payloads.Session,
    payloads.Action,
    payloads.Result,
]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_init_has_the_dataclass_signature(cls: type) -> None:
    init: t.Any = cls.__init__
    original = init._dataclass_init
    assert inspect.signature(init) == inspect.signature(original)
    assert init.__annotations__ == original.__annotations__
    assert init.__qualname__ == original.__qualname__ == f"{cls.__qualname__}.__init__"
    assert init.__defaults__ == original.__defaults__
    assert (init.__kwdefaults__ or {}).keys() == (original.__kwdefaults__ or {}).keys()


def _build(cls: type, init: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
    obj = object.__new__(cls)
    try:
        init(obj, *args, **kwargs)
    except Exception as exc:  # compared by type and message
        return (type(exc), str(exc))
    return obj


@pytest.mark.parametrize(
    ("cls", "args", "kwargs"),
    [
        (Say, ("Hi",), {}),
        (Say, (), {}),
        (Say, ("Hi", "extra"), {}),
        (Say, ("Hi",), {"bogus": 1}),
        (Say, ("",), {}),
        (Say, ("Hi",), {"as_": "WORDS"}),
        (
            Say,
            ("Hi",),
            {"allow_signals": ["a", "b"], "media": ["x"], "event": "timeout"},
        ),
        (Ask, ("[4 DIGITS]",), {"say": ["a", Say("b")], "attempts": 0}),
        (Ask, (Choices("1,2"),), {"say": "Hi", "timeout": -1}),
        (Ask, (), {"choices": "1"}),
        (On, ("continue",), {"next": "/x", "say": "Hold on", "ask": "[1 DIGIT]"}),
        (On, (), {}),
        (verbs.Record, (), {"url": ["http://a", "http://b"], "say": "Speak"}),
        (verbs.Record, ("http://a",), {}),
        (verbs.Transfer, ("+14155550100",), {"on": On("ring", say="x")}),
        (verbs.Hangup, (), {}),
        (verbs.Hangup, (1,), {}),
        (payloads.Session, (), {"id": "x"}),
        (payloads.Session, (), {"id": "x", "headers": {"a": "b"}}),
        (payloads.Session, (), {}),
        (payloads.Session, ("x",), {}),
        (payloads.Result, (), {"session_id": "s", "actions": ()}),
        (payloads.Endpoint, (), {"id": "1", "bogus": 2}),
    ],
)
def test_init_builds_what_the_dataclass_init_builds(
    cls: type, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]
) -> None:
    init: t.Any = cls.__init__
    ours = _build(cls, init, *args, **kwargs)
    theirs = _build(cls, init._dataclass_init, *args, **kwargs)
    assert ours == theirs
    if not isinstance(ours, tuple):
        for field in dataclasses.fields(cls):
            assert getattr(ours, field.name) == getattr(theirs, field.name)


def test_default_factories_give_new_objects() -> None:
    first, second = payloads.Session(id="a"), payloads.Session(id="b")
    assert first.headers == {} and first.headers is not second.headers
    assert first.parameters is not second.parameters


# -- the next token of a result ------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "tropo_token=abc.def",
        "tropo_token=",
        "tropo_token=a%2Eb",
        "tropo_token=a+b",
        "tropo_token=a&tropo_token=b",
        "x=1&tropo_token=a",
        "tropo_token=%C3%A9",
        "tropo_tokens=a",
        "",
    ],
)
def test_the_token_is_read_as_request_args_reads_it(app: Flask, query: str) -> None:
    from flask_tropo._view import NEXT_PARAM
    from flask_tropo._view import _next_token

    with app.test_request_context("/step", environ_overrides={"QUERY_STRING": query}):
        req = request._get_current_object()  # type: ignore[attr-defined]
        assert _next_token(req) == req.args.get(NEXT_PARAM)


def test_a_query_string_that_is_not_utf8_is_an_invalid_token(app: Flask) -> None:
    tropo = Tropo()
    _linked(tropo)
    tropo.init_app(app)
    client = app.test_client()
    for query in ("tropo_token=\u00e9", "x=\u00e9&tropo_token=abc", "x=\u00e9"):
        response = client.post(
            "/step", json=_result(), environ_overrides={"QUERY_STRING": query}
        )
        assert response.status_code == 403, query
        assert "tropo_token" in response.get_json()["errors"]
