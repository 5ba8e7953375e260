"""Registering handlers and what their return values become."""

from __future__ import annotations

import typing as t

import pytest
from conftest import Caller
from conftest import next_url
from conftest import token_of
from flask import Blueprint
from flask import Flask
from flask import Response
from flask.testing import FlaskClient
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client

from flask_tropo.blueprint import TropoBlueprint
from flask_tropo.exceptions import HandlerReturnError
from flask_tropo.exceptions import TropoError
from flask_tropo.extension import Tropo
from flask_tropo.payloads import Result
from flask_tropo.payloads import Session
from flask_tropo.verbs import Ask
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Say

if t.TYPE_CHECKING:  # pragma: no cover
    from conftest import ResultPayload
    from conftest import SessionPayload


def test_session_handler_gets_the_session(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    tropo = Tropo()
    seen: list[Session] = []

    @tropo.on_session("/voice")
    def incoming(session: Session) -> Say:
        seen.append(session)
        return Say(f"Hello {session.from_.name if session.from_ else ''}")

    tropo.init_app(app)
    response = client.post("/voice", json=tropo_session_doc())
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"tropo": [{"say": {"value": "Hello Ada"}}]}
    assert seen[0].id == tropo_session_doc()["session"]["id"]


def test_decorators_return_the_function_unchanged() -> None:
    tropo = Tropo()
    bp = TropoBlueprint("ivr", __name__)

    def handler(session: Session) -> Hangup:
        return Hangup()

    for decorate in (
        tropo.on_session("/a"),
        tropo.on_result("/b"),
        tropo.on_hangup("/c"),
        tropo.on_error("/d"),
        bp.on_session("/a"),
        bp.on_result("/b"),
        bp.on_hangup("/c"),
        bp.on_error("/d"),
    ):
        assert decorate(handler) is handler


@pytest.mark.parametrize(
    ("returned", "status", "expected"),
    [
        (Hangup(), 200, [{"hangup": None}]),
        ([Say("a"), Hangup()], 200, [{"say": {"value": "a"}}, {"hangup": None}]),
        ((Say("a"), Hangup()), 200, [{"say": {"value": "a"}}, {"hangup": None}]),
        ((v for v in [Say("g")]), 200, [{"say": {"value": "g"}}]),
        ([], 200, []),
        ((Say("a"), 201), 201, [{"say": {"value": "a"}}]),
        (([Say("a")], "202 ACCEPTED"), 202, [{"say": {"value": "a"}}]),
    ],
)
def test_return_values(
    app: Flask,
    client: FlaskClient,
    tropo_session_doc: SessionPayload,
    returned: t.Any,
    status: int,
    expected: list[t.Any],
) -> None:
    tropo = Tropo()
    tropo.add_session_rule("/voice", view_func=lambda session: returned)
    tropo.init_app(app)
    response = client.post("/voice", json=tropo_session_doc())
    assert response.status_code == status
    assert response.get_json() == {"tropo": expected}


def test_tuple_with_headers(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    tropo = Tropo()
    tropo.add_session_rule(
        "/three", "three", lambda s: ([Hangup()], 200, {"X-Call": "3"})
    )
    tropo.add_session_rule("/two", "two", lambda s: (Hangup(), {"X-Call": "2"}))
    tropo.init_app(app)
    assert client.post("/three", json=tropo_session_doc()).headers["X-Call"] == "3"
    assert client.post("/two", json=tropo_session_doc()).headers["X-Call"] == "2"


def test_response_passes_through_without_defaults(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> Response:
        return Response("<raw/>", status=299, mimetype="text/xml")

    @tropo.on_hangup("/hangup")
    def hung_up(result: Result) -> Hangup:
        return Hangup()

    tropo.init_app(app)
    response = client.post("/voice", json=tropo_session_doc())
    assert response.status_code == 299
    assert response.get_data() == b"<raw/>"


@pytest.mark.parametrize(
    ("returned", "words"),
    [
        (None, "returned NoneType (did it forget to return?)"),
        ({"tropo": []}, "returned dict"),
        ("Hello", "returned str"),
        ([Say("a"), "b"], "holding a str"),
        ((Hangup(), 200.5), "a tuple with a float"),
    ],
)
def test_bad_return_value_names_endpoint_and_type(
    app: Flask,
    client: FlaskClient,
    tropo_session_doc: SessionPayload,
    returned: t.Any,
    words: str,
) -> None:
    tropo = Tropo()
    tropo.add_session_rule("/voice", "incoming", lambda session: returned)
    tropo.init_app(app)
    with pytest.raises(HandlerReturnError) as info:
        client.post("/voice", json=tropo_session_doc())
    assert "'tropo.incoming'" in str(info.value)
    assert words in str(info.value)
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, TropoError)


@pytest.mark.parametrize("method", ["on_session", "on_result", "on_hangup", "on_error"])
def test_methods_is_a_type_error(method: str) -> None:
    bp = TropoBlueprint("ivr", __name__)
    with pytest.raises(TypeError, match="Tropo always POSTs"):
        getattr(bp, method)("/x", methods=["GET"])
    with pytest.raises(TypeError, match="Tropo always POSTs"):
        bp.add_result_rule("/x", "x", lambda r: None, methods=["POST"])


def test_add_rule_needs_a_handler() -> None:
    with pytest.raises(TypeError, match="view_func"):
        TropoBlueprint("ivr", __name__).add_session_rule("/voice", "voice")


def test_url_options_pass_through(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    tropo = Tropo()

    @tropo.on_session("/lang/<lang>", endpoint="by_language")
    def incoming(session: Session, lang: str) -> Say:
        return Say(lang)

    tropo.init_app(app)
    assert "tropo.by_language" in app.view_functions
    response = client.post("/lang/fr", json=tropo_session_doc())
    assert response.get_json() == {"tropo": [{"say": {"value": "fr"}}]}


def test_async_handlers(app: Flask, tropo_caller: Caller) -> None:
    tropo = Tropo()

    @tropo.on_session("/voice")
    async def incoming(session: Session) -> list[t.Any]:
        return [Ask("[4 DIGITS]", say="PIN?", name="pin"), On("continue", next=pin)]

    @tropo.on_result("/pin")
    async def pin(result: Result) -> Say:
        return Say(f"async {result.value}")

    tropo.init_app(app)
    document = tropo_caller.start("/voice")
    assert tropo_caller.follow(document) == {
        "tropo": [{"say": {"value": "async 2468"}}]
    }


def _ivr(name: str = "ivr") -> TropoBlueprint:
    bp = TropoBlueprint(name, __name__)

    @bp.on_session("/voice")
    def incoming(session: Session) -> list[t.Any]:
        return [Ask("[4 DIGITS]", say="PIN?", name="pin"), On("continue", next=pin)]

    @bp.on_result("/pin")
    def pin(result: Result) -> Say:
        return Say(f"{name} got {result.value}")

    return bp


def test_blueprint_with_url_prefix(app: Flask, tropo_caller: Caller) -> None:
    Tropo(app)
    app.register_blueprint(_ivr(), url_prefix="/ivr")
    document = tropo_caller.start("/ivr/voice")
    assert next_url(document, "continue").startswith("/ivr/pin?tropo_token=")
    assert tropo_caller.follow(document)["tropo"] == [
        {"say": {"value": "ivr got 2468"}}
    ]


def test_blueprint_registered_before_init_app(app: Flask, tropo_caller: Caller) -> None:
    app.register_blueprint(_ivr())
    Tropo(app)
    document = tropo_caller.start("/voice")
    assert tropo_caller.follow(document)["tropo"] == [
        {"say": {"value": "ivr got 2468"}}
    ]


def test_several_blueprints_in_one_app(app: Flask, tropo_caller: Caller) -> None:
    Tropo(app)
    app.register_blueprint(_ivr("sales"), url_prefix="/sales")
    app.register_blueprint(_ivr("support"), url_prefix="/support")
    for name in ("sales", "support"):
        document = tropo_caller.start(f"/{name}/voice")
        assert next_url(document, "continue").startswith(f"/{name}/pin?")
        reply = tropo_caller.follow(document)
        assert reply["tropo"] == [{"say": {"value": f"{name} got 2468"}}]


def test_one_blueprint_mounted_twice_links_within_its_mount(
    app: Flask, tropo_caller: Caller
) -> None:
    Tropo(app)
    bp = _ivr()
    app.register_blueprint(bp, url_prefix="/a")
    app.register_blueprint(bp, url_prefix="/b", name="ivr_b")
    assert next_url(tropo_caller.start("/a/voice"), "continue").startswith("/a/pin?")
    document = tropo_caller.start("/b/voice")
    assert next_url(document, "continue").startswith("/b/pin?")
    assert tropo_caller.follow(document)["tropo"] == [
        {"say": {"value": "ivr got 2468"}}
    ]


def test_nested_blueprint(app: Flask, tropo_caller: Caller) -> None:
    Tropo(app)
    parent = Blueprint("api", __name__, url_prefix="/api")
    parent.register_blueprint(_ivr(), url_prefix="/ivr")
    app.register_blueprint(parent)
    document = tropo_caller.start("/api/ivr/voice")
    assert next_url(document, "continue").startswith("/api/ivr/pin?")
    assert tropo_caller.follow(document)["tropo"] == [
        {"say": {"value": "ivr got 2468"}}
    ]


def test_script_name_via_dispatcher_middleware(
    app: Flask,
    tropo_session_doc: SessionPayload,
    tropo_result_doc: ResultPayload,
) -> None:
    Tropo(app)
    app.register_blueprint(_ivr(), url_prefix="/ivr")
    wsgi = DispatcherMiddleware(Flask("front"), {"/mount": app})
    client = Client(wsgi)
    response = client.post("/mount/ivr/voice", json=tropo_session_doc())
    assert response.status_code == 200
    url = next_url(response.json, "continue")  # type: ignore[arg-type]
    assert url.startswith("/mount/ivr/pin?tropo_token=")
    response = client.post(url, json=tropo_result_doc())
    assert response.status_code == 200
    assert response.json == {"tropo": [{"say": {"value": "ivr got 2468"}}]}


def test_external_url_makes_next_absolute(
    app: Flask,
    tropo_session_doc: SessionPayload,
    tropo_result_doc: ResultPayload,
) -> None:
    app.config["TROPO_EXTERNAL_URL"] = "https://ivr.example.org/"
    Tropo(app)
    app.register_blueprint(_ivr(), url_prefix="/ivr")
    client = Client(DispatcherMiddleware(Flask("front"), {"/mount": app}))
    document = client.post("/mount/ivr/voice", json=tropo_session_doc()).json
    url = next_url(document, "continue")  # type: ignore[arg-type]
    assert url.startswith("https://ivr.example.org/mount/ivr/pin?tropo_token=")
    response = client.post(url, json=tropo_result_doc())
    assert response.status_code == 200


def test_string_next_is_left_alone(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    tropo = Tropo()
    tropo.add_session_rule(
        "/voice", view_func=lambda s: On("continue", next="/elsewhere?x=1")
    )
    tropo.init_app(app)
    document = client.post("/voice", json=tropo_session_doc()).get_json()
    assert document == {
        "tropo": [{"on": {"event": "continue", "next": "/elsewhere?x=1"}}]
    }


def test_next_to_an_unregistered_function(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    tropo = Tropo()

    def loose(result: Result) -> Hangup:
        return Hangup()

    tropo.add_session_rule("/voice", view_func=lambda s: On("continue", next=loose))
    tropo.init_app(app)
    with pytest.raises(
        TropoError, match=r"loose is not a Tropo result route.*on_result"
    ):
        client.post("/voice", json=tropo_session_doc())


def test_next_to_a_session_handler(
    app: Flask, client: FlaskClient, tropo_session_doc: SessionPayload
) -> None:
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> On:
        return On("continue", next=incoming)

    tropo.init_app(app)
    with pytest.raises(TropoError, match=r"incoming is a session handler.*on_result"):
        client.post("/voice", json=tropo_session_doc())


def _defaults_app(app: Flask) -> Tropo:
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> list[t.Any]:
        return [Say("Hi"), On("continue", next=pin)]

    @tropo.on_session("/own")
    def own(session: Session) -> list[t.Any]:
        return [On("hangup", next="/mine"), Say("Hi")]

    @tropo.on_result("/pin")
    def pin(result: Result) -> Hangup:
        return Hangup()

    @tropo.on_hangup("/hangup")
    def hung_up(result: Result) -> Say:
        return Say("bye")

    @tropo.on_error("/error")
    def failed(result: Result) -> Say:
        return Say("error")

    tropo.init_app(app)
    return tropo


def test_default_handlers_are_added(app: Flask, tropo_caller: Caller) -> None:
    _defaults_app(app)
    document = tropo_caller.start("/voice")
    events = [e["on"]["event"] for e in document["tropo"] if "on" in e]
    assert events == ["continue", "hangup", "error"]
    assert next_url(document, "hangup").startswith("/hangup?tropo_token=")
    assert next_url(document, "error").startswith("/error?tropo_token=")
    assert tropo_caller.follow(document, "hangup")["tropo"][0] == {
        "say": {"value": "bye"}
    }


def test_a_document_keeps_its_own_handler(app: Flask, tropo_caller: Caller) -> None:
    _defaults_app(app)
    document = tropo_caller.start("/own")
    assert next_url(document, "hangup") == "/mine"
    assert [e["on"]["event"] for e in document["tropo"] if "on" in e] == [
        "hangup",
        "error",
    ]


def test_the_blueprints_own_default_wins(app: Flask, tropo_caller: Caller) -> None:
    tropo = Tropo()

    @tropo.on_hangup("/hangup")
    def app_hangup(result: Result) -> Hangup:
        return Hangup()

    tropo.init_app(app)
    bp = TropoBlueprint("ivr", __name__)
    bp.add_session_rule("/voice", "voice", lambda s: Say("hi"))
    bp.add_hangup_rule("/bye", "bye", lambda r: Hangup())
    other = TropoBlueprint("other", __name__)
    other.add_session_rule("/voice", "voice", lambda s: Say("hi"))
    app.register_blueprint(bp, url_prefix="/ivr")
    app.register_blueprint(other, url_prefix="/other")
    document = tropo_caller.start("/ivr/voice")
    assert next_url(document, "hangup").startswith("/ivr/bye?")
    # the other blueprint has none: the first registered on the app
    document = tropo_caller.start("/other/voice")
    assert next_url(document, "hangup").startswith("/hangup?")
    assert token_of(next_url(document, "hangup"))
