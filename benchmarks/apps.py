"""The apps, payloads and WSGI calls that the benchmarks time.

Every route is called through ``app.wsgi_app(environ, start_response)`` with
an environ built once per benchmark; each call copies it and gives it a fresh
``BytesIO`` body. Flask's test client is not used: it costs more than the
routes themselves.
"""

from __future__ import annotations

import collections.abc as c
import io
import json
import typing as t
from urllib.parse import urlsplit

from flask import Flask
from flask import request
from werkzeug.test import EnvironBuilder

from flask_tropo._body import read_body
from flask_tropo._response import _response_builder
from flask_tropo.continuation import call_state
from flask_tropo.extension import Tropo
from flask_tropo.payloads import Result
from flask_tropo.payloads import Session
from flask_tropo.schemas import load_session as marshmallow_load_session
from flask_tropo.schemas.verbs import dump_verb as marshmallow_dump_verb
from flask_tropo.schemas.writer import write_document
from flask_tropo.verbs import Ask
from flask_tropo.verbs import Choices
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Say
from flask_tropo.verbs import Verb

SESSION_ID = "7c2e91f04ab8d3e65f10c9a7b2d84e31"


# -- payloads -------------------------------------------------------------------


def session_document(headers: int = 11) -> dict[str, t.Any]:
    """A VOICE session over SIP as the platform posts it, with ``headers``
    SIP headers (the first 11 are real-looking ones).
    """
    names = {
        "Call-ID": "51207YjQ4ZWQ5MzE",
        "CSeq": "2 INVITE",
        "Max-Forwards": "68",
        "Request URI": "sip:4155550199@172.20.14.9;x-rt=0",
        "Via": "SIP/2.0/UDP 172.20.14.30:5060;branch=z9hG4bKa81c",
        "x-sid": "3b6f0e2d9c8a41f7b5e4d3c2a1908f7e",
        "From": "<sip:marguerite@172.20.14.9>;tag=9c41e2bd",
        "To": "<sip:4155550199@172.20.14.9>",
        "Contact": "<sip:marguerite@172.20.14.30:5060>",
        "Content-Type": "application/sdp",
        "Content-Length": "412",
    }
    all_headers = dict(list(names.items())[:headers])
    for index in range(len(all_headers), headers):
        all_headers[f"X-Custom-{index}"] = f"value {index} of a custom header"
    return {
        "session": {
            "id": SESSION_ID,
            "accountId": "48213",
            "applicationId": "907",
            "timestamp": "2021-03-14T15:09:26.535Z",
            "userType": "HUMAN",
            "initialText": None,
            "callId": "e4d9a7c01b3f58e62d7a90c4f1b83e55",
            "to": {
                "id": "4155550199",
                "e164Id": "+14155550199",
                "name": "4155550199",
                "channel": "VOICE",
                "network": "SIP",
            },
            "from": {
                "id": "marguerite",
                "e164Id": "marguerite",
                "name": "Marguerite Okafor",
                "channel": "VOICE",
                "network": "SIP",
            },
            "headers": all_headers,
        }
    }


def result_document(actions: int = 1) -> dict[str, t.Any]:
    """A result after an ``ask``: one action as an object, several as a list."""
    items = [
        {
            "name": f"choice{index}" if index else "choice",
            "attempts": 1,
            "disposition": "SUCCESS",
            "confidence": 100,
            "interpretation": "1",
            "utterance": "1",
            "value": "1",
            "concept": "1",
            "xml": '<?xml version="1.0"?><result><input mode="dtmf">dtmf-1</input>'
            "</result>",
        }
        for index in range(actions)
    ]
    return {
        "result": {
            "sessionId": SESSION_ID,
            "callId": "e4d9a7c01b3f58e62d7a90c4f1b83e55",
            "state": "ANSWERED",
            "sessionDuration": 9,
            "sequence": 1,
            "complete": True,
            "error": None,
            "actions": items[0] if actions == 1 else items,
        }
    }


def three_verbs(next_: str | c.Callable[..., t.Any] = "/next") -> list[Verb]:
    """The answer of the session routes: say, ask with choices, on continue."""
    return [
        Say("Welcome to Acme."),
        Ask(
            Choices("1,2", mode="dtmf"),
            say="Press 1 for sales, 2 for support.",
            name="choice",
            attempts=3,
            timeout=5,
        ),
        On("continue", next=next_),
    ]


#: What the hand-written floor route answers: the wire form of three_verbs().
THREE_VERBS_LITERAL: dict[str, t.Any] = {
    "tropo": [
        {"say": {"value": "Welcome to Acme."}},
        {
            "ask": {
                "choices": {"value": "1,2", "mode": "dtmf"},
                "say": {"value": "Press 1 for sales, 2 for support."},
                "attempts": 3,
                "name": "choice",
                "timeout": 5,
            }
        },
        {"on": {"event": "continue", "next": "/next"}},
    ]
}


def many_verbs(count: int) -> list[Verb]:
    """``count`` verbs, cycling through say, ask and on."""
    cycle = three_verbs()
    return [cycle[index % 3] for index in range(count)]


# -- the app --------------------------------------------------------------------


def create_app() -> Flask:
    """One app with every route the benchmarks call.

    - ``/floor``: the hand-written floor: ``json.loads`` of the body, a dict
      literal, ``json.dumps``;
    - ``/marshmallow``: the same by hand with the marshmallow schemas (the
      reference the compiled path replaces), for comparison;
    - ``/floor-parse``, ``/floor-verbs``, ``/floor-render``: the floor with
      ``Session.parse`` instead of ``json.loads``, with the three verbs built
      and dropped, with prebuilt verbs written as a Tropo route writes them
      (the compiled writer) instead of the literal;
    - ``/floor-served``: the floor, its body read and its ``Response`` built
      and served as a Tropo route's are (the like-for-like floor);
    - ``/library``: flask_tropo's ``Session.parse`` and writer in a plain
      route, without the extension;
    - ``/voice``: a flask_tropo session route answering three verbs with a
      string ``next``;
    - ``/chained``: the same with ``next=handler`` (a signed URL);
    - ``/choice``: the result route that ``/chained`` links to (token check,
      ``call_state``).
    """
    app = Flask("benchmarks")
    # TROPO_SECRET_KEY, not SECRET_KEY: with SECRET_KEY set, Flask opens its
    # cookie session on every request (about 20 µs here), which would hide
    # the cost of the extension inside a slower floor.
    app.config["TROPO_SECRET_KEY"] = "benchmark secret key"
    tropo = Tropo(add_cli=False)

    @app.post("/floor")
    def floor() -> t.Any:
        json.loads(request.get_data())
        return app.response_class(
            json.dumps(THREE_VERBS_LITERAL), mimetype="application/json"
        )

    @app.post("/marshmallow")
    def marshmallow() -> t.Any:
        marshmallow_load_session(request.get_data())
        verbs = three_verbs()
        document = {"tropo": [{v.tropo_key: marshmallow_dump_verb(v)} for v in verbs]}
        return app.response_class(json.dumps(document), mimetype="application/json")

    # The floor plus one piece of flask_tropo each: what that piece costs
    # inside a request.
    prebuilt = three_verbs()

    @app.post("/floor-parse")
    def floor_parse() -> t.Any:
        Session.parse(request.get_data())
        return app.response_class(
            json.dumps(THREE_VERBS_LITERAL), mimetype="application/json"
        )

    @app.post("/floor-verbs")
    def floor_verbs() -> t.Any:
        json.loads(request.get_data())
        three_verbs()
        return app.response_class(
            json.dumps(THREE_VERBS_LITERAL), mimetype="application/json"
        )

    # What a Tropo route writes with Flask's default JSON settings (sorted
    # keys, ASCII, compact): the text straight from the verbs.
    encode = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode

    @app.post("/floor-render")
    def floor_render() -> t.Any:
        json.loads(request.get_data())
        return app.response_class(
            write_document(prebuilt, (True, True), encode), mimetype="application/json"
        )

    # The floor with its body read and its response built and served as a
    # Tropo route's are (flask_tropo._body, flask_tropo._response): the
    # like-for-like floor, for what the extension's own steps cost.
    served = _response_builder(app.response_class, "application/json")

    @app.post("/floor-served")
    def floor_served() -> t.Any:
        req = request._get_current_object()  # type: ignore[attr-defined]
        req.max_content_length = 65537
        json.loads(read_body(req, 65536) or b"")
        return served(json.dumps(THREE_VERBS_LITERAL).encode())

    @app.post("/library")
    def library() -> t.Any:
        Session.parse(request.get_data())
        body = write_document(three_verbs(), (True, True), encode)
        return app.response_class(body, mimetype="application/json")

    @tropo.on_session("/voice")
    def voice(session: Session) -> list[Verb]:
        return three_verbs("/next")

    @tropo.on_session("/chained")
    def chained(session: Session) -> list[Verb]:
        call_state["tries"] = 0
        return three_verbs(choice)

    @tropo.on_result("/choice")
    def choice(result: Result) -> list[Verb]:
        call_state["tries"] += 1
        return [Say(f"You chose {result.value}."), Hangup()]

    tropo.init_app(app)
    return app


# -- WSGI calls -----------------------------------------------------------------


class WSGICall:
    """A prebuilt POST to one route of ``app``, callable any number of times.

    :param app: the Flask app.
    :param url: path and optional query string.
    :param body: the JSON document, encoded once.
    """

    def __init__(self, app: Flask, url: str, body: dict[str, t.Any]) -> None:
        parts = urlsplit(url)
        self.app = app
        self.body = json.dumps(body).encode()
        self.environ = EnvironBuilder(
            path=parts.path,
            query_string=parts.query,
            method="POST",
            data=self.body,
            content_type="application/json",
        ).get_environ()
        self.status = ""

    def _start_response(
        self, status: str, headers: t.Any, exc_info: t.Any = None
    ) -> t.Any:
        self.status = status
        return None

    def __call__(self) -> bytes:
        environ = self.environ.copy()
        environ["wsgi.input"] = io.BytesIO(self.body)
        response = self.app.wsgi_app(environ, self._start_response)
        try:
            return b"".join(response)
        finally:
            close = getattr(response, "close", None)
            if close is not None:
                close()

    def check(self) -> dict[str, t.Any]:
        """Call once and return the JSON answer; fail unless it is a 200."""
        answer = self()
        if not self.status.startswith("200"):
            raise RuntimeError(f"{self.environ['PATH_INFO']}: {self.status} {answer!r}")
        document: dict[str, t.Any] = json.loads(answer)
        return document


def next_url(document: dict[str, t.Any]) -> str:
    """The ``next`` URL of the first ``on`` of a rendered document."""
    for element in document["tropo"]:
        if "on" in element and "next" in element["on"]:
            return t.cast(str, element["on"]["next"])
    raise LookupError("no on with a next URL in the answer")
