"""The benchmark app and the table of rows that both harnesses time.

One app serves every row, so the hand-written floors and the flask_tropo
routes run with the same config (``SECRET_KEY`` set, so Flask opens its
cookie session for both) and werkzeug reads and serves both. gunicorn serves
the same app as ``benchmarks.routes:create_app()``.

Adding a row is data, not harness code: add its views to :func:`create_app`
and a :class:`Row` to :data:`ROWS`; both tables and the JSON results pick it
up. A new platform (Twilio: a floor that reads ``request.form`` and answers
twilio-python's ``VoiceResponse``; jambonz: a floor that answers a JSON list
of verbs) adds its floor row (``floor=None``) and its flask_tropo rows with
``floor=`` that row and ``budget=(1.20, ...)``; a route reached through a
``next`` URL gets ``url_from=`` the row that links to it and a ``find_url``
that reads that platform's answer (``<Gather action>``, ``actionHook``).
"""

from __future__ import annotations

import collections.abc as c
import dataclasses
import html
import json
import re
import typing as t
from urllib.parse import urlencode

from flask import Flask
from flask import Response
from flask import request

from flask_tropo import Result
from flask_tropo import Session
from flask_tropo import Tropo
from flask_tropo import TropoBlueprint
from flask_tropo import call_state
from flask_tropo.verbs import Ask
from flask_tropo.verbs import Choices
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Say

SECRET_KEY = "benchmark secret key, not a real one"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"

#: A VOICE session over SIP, as the platform posts it.
SESSION = (
    b'{"session": {"id": "7c2e91f04ab8d3e65f10c9a7b2d84e31", "accountId": "48213",'
    b' "applicationId": "907", "timestamp": "2021-03-14T15:09:26.535Z",'
    b' "userType": "HUMAN", "initialText": null,'
    b' "callId": "e4d9a7c01b3f58e62d7a90c4f1b83e55",'
    b' "to": {"id": "4155550199", "e164Id": "+14155550199", "name": "4155550199",'
    b' "channel": "VOICE", "network": "SIP"}, "from": {"id": "marguerite",'
    b' "e164Id": "marguerite", "name": "Marguerite Okafor", "channel": "VOICE",'
    b' "network": "SIP"}, "headers": {"Call-ID": "51207YjQ4ZWQ5MzE",'
    b' "CSeq": "2 INVITE", "Max-Forwards": "68",'
    b' "Request URI": "sip:4155550199@172.20.14.9;x-rt=0",'
    b' "Via": "SIP/2.0/UDP 172.20.14.30:5060;branch=z9hG4bKa81c",'
    b' "x-sid": "3b6f0e2d9c8a41f7b5e4d3c2a1908f7e",'
    b' "From": "<sip:marguerite@172.20.14.9>;tag=9c41e2bd",'
    b' "To": "<sip:4155550199@172.20.14.9>",'
    b' "Contact": "<sip:marguerite@172.20.14.30:5060>",'
    b' "Content-Type": "application/sdp", "Content-Length": "412"}}}'
)

#: The result of the ``ask`` of :func:`three_verbs`: the caller pressed 1.
RESULT = (
    b'{"result": {"sessionId": "7c2e91f04ab8d3e65f10c9a7b2d84e31",'
    b' "callId": "e4d9a7c01b3f58e62d7a90c4f1b83e55", "state": "ANSWERED",'
    b' "sessionDuration": 9, "sequence": 1, "complete": true, "error": null,'
    b' "actions": {"name": "choice", "attempts": 1, "disposition": "SUCCESS",'
    b' "confidence": 100, "interpretation": "1", "utterance": "1", "value": "1",'
    b' "concept": "1", "xml": "<?xml version=\\"1.0\\"?><result><input'
    b' mode=\\"dtmf\\">dtmf-1</input></result>"}}}'
)


def three_verbs(next_: str | c.Callable[..., t.Any]) -> list[Say | Ask | On]:
    """What the session routes answer: say, ask with choices, on continue."""
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


#: The wire form of ``three_verbs("/next")``, written by hand.
THREE_VERBS: dict[str, t.Any] = {
    "tropo": [
        {"say": {"value": "Welcome to Acme."}},
        {
            "ask": {
                "choices": {"value": "1,2", "mode": "dtmf"},
                "say": {"value": "Press 1 for sales, 2 for support."},
                "name": "choice",
                "attempts": 3,
                "timeout": 5,
            }
        },
        {"on": {"event": "continue", "next": "/next"}},
    ]
}

#: The wire form of the result route's answer, written by hand.
TWO_VERBS: dict[str, t.Any] = {
    "tropo": [{"say": {"value": "You chose 1."}}, {"hangup": None}]
}


#: Twilio's voice webhook for a call, form-encoded.
TWILIO_CALL = urlencode(
    {
        "AccountSid": "AC48213f0e2d9c8a41f7b5e4d3c2a1908f",
        "ApiVersion": "2010-04-01",
        "CallSid": "CA7c2e91f04ab8d3e65f10c9a7b2d84e31",
        "CallStatus": "ringing",
        "Called": "+14155550199",
        "Caller": "+16505550178",
        "Direction": "inbound",
        "From": "+16505550178",
        "FromCity": "SAN MATEO",
        "FromCountry": "US",
        "FromState": "CA",
        "To": "+14155550199",
        "ToCity": "SAN FRANCISCO",
        "ToCountry": "US",
        "ToState": "CA",
    }
).encode()
#: What Twilio posts to the gather's action: the caller pressed 1.
TWILIO_DIGITS = TWILIO_CALL.replace(b"CallStatus=ringing", b"CallStatus=in-progress")
TWILIO_DIGITS += b"&Digits=1&FinishedOnKey="
#: jambonz's call hook for a call.
JAMBONZ_CALL = json.dumps(
    {
        "call_sid": "7c2e91f0-4ab8-4d3e-a5f1-0c9a7b2d84e3",
        "call_id": "51207YjQ4ZWQ5MzE@172.20.14.9",
        "account_sid": "9351f46a-678c-43f5-b8a6-d4eb58d131af",
        "application_sid": "0dddaabf-0a30-43e3-84e8-426873b1a78b",
        "direction": "inbound",
        "from": "+16505550178",
        "to": "+14155550199",
        "caller_name": "Marguerite Okafor",
        "call_status": "trying",
        "sip_status": 100,
        "sip_reason": "Trying",
        "sbc_callid": "2c9f0e1a@10.0.0.4",
        "originating_sip_ip": "172.20.14.30",
        "sip": {
            "headers": {
                "Call-ID": "51207YjQ4ZWQ5MzE",
                "CSeq": "2 INVITE",
                "From": "<sip:+16505550178@172.20.14.9>;tag=9c41e2bd",
                "To": "<sip:+14155550199@172.20.14.9>",
                "X-Carrier": "acme-sip",
            },
            "uri": "sip:+14155550199@172.20.14.9",
        },
    }
).encode()
#: What jambonz posts to the gather's actionHook: the caller pressed 1.
JAMBONZ_DIGITS = JAMBONZ_CALL.replace(
    b'"call_status": "trying"', b'"call_status": "in-progress"'
).replace(b'"sip_status": 100', b'"reason": "dtmfDetected", "digits": "1"')
#: The jambonz form of the session routes' answer, written by hand.
JAMBONZ_THREE: list[dict[str, t.Any]] = [
    {"verb": "say", "text": "Welcome to Acme."},
    {
        "verb": "gather",
        "actionHook": "/next",
        "input": ["digits"],
        "timeout": 5,
        "numDigits": 1,
        "say": {"text": "Press 1 for sales, 2 for support."},
    },
]
JAMBONZ_TWO: list[dict[str, t.Any]] = [
    {"verb": "say", "text": "You chose 1."},
    {"verb": "hangup"},
]


def create_app() -> Flask:
    """The one app that serves every row of :data:`ROWS`."""
    app = Flask("benchmarks")
    app.config["SECRET_KEY"] = SECRET_KEY

    # The floors: what a user writes by hand with Flask alone.
    @app.post("/floor/session")
    def floor_session() -> Response:
        json.loads(request.get_data())
        return Response(json.dumps(THREE_VERBS), mimetype=JSON)

    @app.post("/floor/result")
    def floor_result() -> Response:
        json.loads(request.get_data())
        return Response(json.dumps(TWO_VERBS), mimetype=JSON)

    # Twilio's floor: request.form read, twilio-python's VoiceResponse.
    @app.post("/floor/twilio")
    def floor_twilio() -> Response:
        from twilio.twiml.voice_response import VoiceResponse

        request.form["CallSid"]
        answer = VoiceResponse()
        answer.say("Welcome to Acme.")
        gather = answer.gather(
            input="dtmf", num_digits=1, timeout=5, action="/next", method="POST"
        )
        gather.say("Press 1 for sales, 2 for support.")
        answer.redirect("/next", method="POST")
        return Response(str(answer), mimetype="text/xml")

    @app.post("/floor/twilio_result")
    def floor_twilio_result() -> Response:
        from twilio.twiml.voice_response import VoiceResponse

        answer = VoiceResponse()
        answer.say(f"You chose {request.form['Digits']}.")
        answer.hangup()
        return Response(str(answer), mimetype="text/xml")

    # jambonz's floor: the JSON read, a JSON list of verbs.
    @app.post("/floor/jambonz")
    def floor_jambonz() -> Response:
        json.loads(request.get_data())
        return Response(json.dumps(JAMBONZ_THREE), mimetype=JSON)

    @app.post("/floor/jambonz_result")
    def floor_jambonz_result() -> Response:
        json.loads(request.get_data())
        return Response(json.dumps(JAMBONZ_TWO), mimetype=JSON)

    # The same handlers, registered for Twilio and for jambonz.
    line = TropoBlueprint("line", __name__)

    @line.on_session("/chained")
    def line_chained(session: Session) -> list[Say | Ask | On]:
        call_state["tries"] = 0
        return three_verbs(line_choice)

    @line.on_result("/choice")
    def line_choice(result: Result) -> list[Say | Hangup]:
        call_state["tries"] += 1
        return [Say(f"You chose {result.value}."), Hangup()]

    app.register_blueprint(line, url_prefix="/tw", name="twilio", platform="twilio")
    app.register_blueprint(line, url_prefix="/jz", name="jambonz", platform="jambonz")

    tropo = Tropo()

    @tropo.on_session("/voice")
    def voice(session: Session) -> list[Say | Ask | On]:
        return three_verbs("/next")

    @tropo.on_session("/chained")
    def chained(session: Session) -> list[Say | Ask | On]:
        call_state["tries"] = 0
        return three_verbs(choice)

    @tropo.on_result("/choice")
    def choice(result: Result) -> list[Say | Hangup]:
        call_state["tries"] += 1
        return [Say(f"You chose {result.value}."), Hangup()]

    tropo.init_app(app)
    return app


def tropo_next_url(answer: bytes) -> str:
    """The ``next`` URL of the first ``on`` of a Tropo WebAPI answer."""
    for element in json.loads(answer)["tropo"]:
        if "next" in (element.get("on") or {}):
            return t.cast(str, element["on"]["next"])
    raise LookupError("no on with a next URL in the answer")


def twilio_action_url(answer: bytes) -> str:
    """The ``action`` of the ``<Gather>`` of a TwiML answer."""
    found = re.search(rb'<Gather action="([^"]+)"', answer)
    if found is None:
        raise LookupError("no <Gather action> in the answer")
    return html.unescape(found.group(1).decode())


def jambonz_action_hook(answer: bytes) -> str:
    """The ``actionHook`` of the gather of a jambonz answer."""
    for verb in json.loads(answer):
        if verb.get("verb") == "gather":
            return t.cast(str, verb["actionHook"])
    raise LookupError("no gather in the answer")


@dataclasses.dataclass(frozen=True)
class Row:
    """One route, called in process and over HTTP.

    :param key: its name in the results; ``floor`` refers to rows by it.
    :param path: path and query to POST ``body`` to (unless ``url_from``).
    :param floor: key of the hand-written row it is divided by; ``None`` for
        a floor.
    :param budget: the most its in-process ratio to the floor may be, and
        the ratio aimed for (stretch).
    :param url_from: key of the row whose answer holds this row's URL, read
        by ``find_url``.
    :param same_as_floor: it must answer its floor's document (compared as
        JSON when it is JSON), so that both do the same work.
    """

    key: str
    label: str
    path: str
    body: bytes
    content_type: str = JSON
    floor: str | None = None
    budget: tuple[float, float] | None = None
    url_from: str | None = None
    find_url: c.Callable[[bytes], str] = tropo_next_url
    same_as_floor: bool = False


ROWS: tuple[Row, ...] = (
    Row("floor", "floor: hand-written, session body", "/floor/session", SESSION),
    Row("floor_result", "floor: hand-written, result body", "/floor/result", RESULT),
    Row(
        "session",
        "session route, next='/next'",
        "/voice",
        SESSION,
        floor="floor",
        budget=(1.20, 1.10),
        same_as_floor=True,
    ),
    Row(
        "chained",
        "session route, next=handler",
        "/chained",
        SESSION,
        floor="floor",
        budget=(1.35, 1.20),
    ),
    Row(
        "result",
        "result route (token, call_state)",
        "",
        RESULT,
        floor="floor_result",
        budget=(1.35, 1.20),
        url_from="chained",
        same_as_floor=True,
    ),
    # Twilio (DESIGN 5): each route at most 1.20x its hand-written floor.
    Row(
        "floor_twilio",
        "floor: request.form + VoiceResponse, Twilio call",
        "/floor/twilio",
        TWILIO_CALL,
        content_type=FORM,
    ),
    Row(
        "floor_twilio_result",
        "floor: request.form + VoiceResponse, Twilio gather",
        "/floor/twilio_result",
        TWILIO_DIGITS,
        content_type=FORM,
    ),
    Row(
        "twilio_session",
        "Twilio session route, next=handler",
        "/tw/chained",
        TWILIO_CALL,
        content_type=FORM,
        floor="floor_twilio",
        budget=(1.20, 1.10),
    ),
    Row(
        "twilio_result",
        "Twilio gather action (token, step, grammar)",
        "",
        TWILIO_DIGITS,
        content_type=FORM,
        floor="floor_twilio_result",
        budget=(1.20, 1.10),
        url_from="twilio_session",
        find_url=twilio_action_url,
    ),
    # jambonz: a route that answers a JSON list is the floor.
    Row(
        "floor_jambonz",
        "floor: hand-written, jambonz call hook",
        "/floor/jambonz",
        JAMBONZ_CALL,
    ),
    Row(
        "floor_jambonz_result",
        "floor: hand-written, jambonz gather hook",
        "/floor/jambonz_result",
        JAMBONZ_DIGITS,
    ),
    Row(
        "jambonz_session",
        "jambonz call hook, next=handler",
        "/jz/chained",
        JAMBONZ_CALL,
        floor="floor_jambonz",
        budget=(1.20, 1.10),
    ),
    Row(
        "jambonz_result",
        "jambonz gather hook (token, step, grammar)",
        "",
        JAMBONZ_DIGITS,
        floor="floor_jambonz_result",
        budget=(1.20, 1.10),
        url_from="jambonz_session",
        find_url=jambonz_action_hook,
        same_as_floor=True,
    ),
)


def resolve(
    rows: c.Sequence[Row], post: c.Callable[[Row, str], tuple[int, bytes]]
) -> dict[str, str]:
    """Every row's URL, after checking that each answers 200 (and its
    floor's document where it should). ``post(row, url)`` returns the status
    and body of one POST of ``row.body`` to ``url``."""
    urls: dict[str, str] = {}
    answers: dict[str, bytes] = {}
    while pending := [row for row in rows if row.key not in urls]:
        ready = [row for row in pending if row.url_from in (None, *answers)]
        if not ready:
            raise LookupError(f"no row to link from: {[r.key for r in pending]}")
        for row in ready:
            url = row.find_url(answers[row.url_from]) if row.url_from else row.path
            status, answers[row.key] = post(row, url)
            if status != 200:
                raise RuntimeError(f"{row.key}: {url} answered {status}")
            urls[row.key] = url
    for row in rows:
        if row.same_as_floor and row.floor is not None:
            mine, floor = answers[row.key], answers[row.floor]
            if row.content_type == JSON:
                mine, floor = json.loads(mine), json.loads(floor)
            if mine != floor:
                raise RuntimeError(f"{row.key} does not answer its floor's document")
    return urls
