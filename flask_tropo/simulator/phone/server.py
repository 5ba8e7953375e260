"""The phone page's server: the page, and a small JSON API that starts calls
and plays the caller's inputs through the simulator.

=========================== ==================================================
``GET /``                   the page (``static/phone.html``)
``GET /api/routes``         the app's session routes
``GET /api/graph?rule=R``   the flow of a session route, explored once and
                            drawn as SVG
``POST /api/calls``         ``{"rule": R}`` dials, ``{"rule": R, "text": T}``
                            starts a text conversation; answers the call's
                            state
``POST /api/calls/<id>``    ``{"action": "press" | "speak" | "silence" |
                            "hangup", "value": ...}``; answers the state
=========================== ==================================================

A refused request answers a JSON ``{"error": ...}`` with a 4xx status.

:meta private:
"""

from __future__ import annotations

import collections.abc as c
import json
import secrets
import threading
import typing as t

from flask import Flask
from flask import request
from werkzeug.serving import run_simple

from ... import signals
from ...verbs import Record
from ..apps import EndpointNames
from ..apps import quiet
from ..apps import simulator_for
from ..apps import tropo_routes
from ..console import format_event
from ..grammar import DTMF_KEYS

if t.TYPE_CHECKING:  # pragma: no cover
    from ..call import Call
    from ..flow import Flow
    from ..line import Event
    from ..wire import Response
    from ..wire import Transport

__all__ = ["create_phone_app", "serve"]

#: Calls kept for the page; the oldest is dropped past this.
MAX_CALLS = 50
ACTIONS = frozenset({"press", "speak", "silence", "hangup"})


class _Recorder:
    """A transport that keeps what was posted and answered, for the page."""

    def __init__(self, inner: Transport, log: list[dict[str, t.Any]]) -> None:
        self.inner = inner
        self.base_url = inner.base_url
        self.log = log

    def post(self, url: str, payload: t.Mapping[str, t.Any]) -> Response:
        entry: dict[str, t.Any] = {"url": url, "request": payload}
        self.log.append(entry)
        response = self.inner.post(url, payload)
        entry["status"] = response.status
        try:
            entry["response"] = json.loads(response.body)
        except ValueError:
            entry["response"] = response.body.decode("utf-8", "replace")[:2000]
        return response

    def send(self, url: str, body: bytes, headers: t.Mapping[str, str]) -> Response:
        # The page plays Tropo's wire only; other platforms' requests pass.
        return self.inner.send(url, body, headers)

    def upload(
        self,
        url: str,
        body: bytes,
        content_type: str,
        *,
        method: str = "POST",
        auth: tuple[str, str] | None = None,
    ) -> Response:
        entry: dict[str, t.Any] = {"url": url, "request": f"{method} {content_type}"}
        self.log.append(entry)
        response = self.inner.upload(url, body, content_type, method=method, auth=auth)
        entry["status"] = response.status
        return response


class _Line:
    """One call played from the page."""

    def __init__(self, app: Flask, rule: str, text: str | None) -> None:
        self.app = app
        self.endpoint = EndpointNames(app)
        self.events: list[Event] = []
        self.exchanges: list[dict[str, t.Any]] = []
        self.error: str | None = None
        self.document = ""
        self.visited: dict[str, None] = {}
        self.taken: dict[tuple[str, str], None] = {}
        sim = simulator_for(app)
        sim.on_event = self.on_event
        sim.transport = _Recorder(sim.transport, self.exchanges)
        self.call: Call | None = None
        if text is None:
            self.call = self.run(lambda: sim.dial(rule))
        else:
            self.call = self.run(lambda: sim.text(rule, text))

    def on_event(self, event: Event) -> None:
        self.events.append(event)
        if event.url is None or event.kind not in ("post", "event"):
            return
        name = self.endpoint(event.url)
        if event.kind == "event" and self.document:
            self.taken.setdefault((self.endpoint(self.document), name))
        else:
            self.document = event.url
        self.visited.setdefault(name)

    def on_failure(
        self, sender: t.Any, exception: BaseException, **extra: t.Any
    ) -> None:
        self.error = f"{type(exception).__name__}: {exception}"

    def run(self, action: c.Callable[[], Call]) -> Call | None:
        with signals.handler_failed.connected_to(self.on_failure, sender=self.app):
            try:
                return action()
            except Exception as exc:
                self.error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
                return None

    @property
    def ended(self) -> bool:
        return self.call is None or self.call.ended

    def act(self, action: str, value: str) -> None:
        call = t.cast("Call", self.call)
        if action == "press" and call.is_text:
            action = "speak"  # keys typed in a text conversation are a text
        inputs: dict[str, c.Callable[[], Call]] = {
            "press": lambda: call.press(value),
            "speak": lambda: call.speak(value),
            "silence": call.silence,
            "hangup": call.hangup,
        }
        self.run(inputs[action])

    def state(self, number: str) -> dict[str, t.Any]:
        call = self.call
        if not self.ended:
            waiting = t.cast("Call", call).waiting
            verb = "record" if isinstance(waiting, Record) else "ask"
            status = f"Waiting for the caller ({verb})."
        elif call is not None and call.end_reason != "error":
            status = f"Call ended: {call.end_reason}."
        else:
            status = "Call ended: error."
        if self.error and not status.endswith("error."):
            status += " A handler failed."
        lines = (format_event(event) for event in self.events)
        return {
            "id": number,
            "text": bool(call and call.is_text),
            "heard": [e.detail for e in self.events if e.kind == "heard"],
            "log": [line for line in lines if line is not None],
            "ended": self.ended,
            "status": status,
            "error": self.error,
            "endpoint": self.endpoint(self.document) if self.document else None,
            "visited": list(self.visited),
            "taken": [list(pair) for pair in self.taken],
            "exchanges": self.exchanges,
        }


def _refuse(status: int, message: str) -> tuple[dict[str, str], int]:
    return {"error": message}, status


def create_phone_app(target: Flask) -> Flask:
    """The phone page's app, playing calls against ``target`` in process.

    :param target: the Flask app with Tropo routes.
    """
    phone = Flask(__name__)
    lock = threading.Lock()
    lines: dict[str, _Line] = {}
    flows: dict[str, Flow] = {}
    sessions = {r.rule: r for r in tropo_routes(target) if r.kind == "session"}

    @phone.get("/")
    def page() -> t.Any:
        return phone.send_static_file("phone.html")

    @phone.get("/api/routes")
    def routes() -> dict[str, t.Any]:
        return {
            "routes": [
                {"rule": route.rule, "endpoint": route.endpoint}
                for route in sessions.values()
            ]
        }

    @phone.get("/api/graph")
    def graph() -> t.Any:
        rule = request.args.get("rule", "")
        if rule not in sessions:
            return _refuse(404, f"{rule!r} is not a session route of the app.")
        with lock:
            if rule not in flows:
                with quiet(target):
                    flows[rule] = simulator_for(target).explore(rule)
            flow = flows[rule]
        return {"svg": flow.to_svg(), "summary": flow.summary()}

    @phone.post("/api/calls")
    def start() -> t.Any:
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or data.get("rule") not in sessions:
            return _refuse(400, 'Expected {"rule": <a session route>}.')
        text = data.get("text")
        if text is not None and not (isinstance(text, str) and text.strip()):
            return _refuse(400, "'text' must be the first message, a non-empty string.")
        number = secrets.token_hex(8)
        with lock:
            lines[number] = _Line(target, data["rule"], text)
            while len(lines) > MAX_CALLS:
                del lines[next(iter(lines))]
            return lines[number].state(number)

    @phone.post("/api/calls/<number>")
    def act(number: str) -> t.Any:
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or data.get("action") not in ACTIONS:
            return _refuse(
                400, f"'action' must be one of {', '.join(sorted(ACTIONS))}."
            )
        action, value = data["action"], data.get("value") or ""
        if not isinstance(value, str):
            return _refuse(400, "'value' must be a string.")
        keys = "".join(value.split())
        if action == "press" and not (keys and set(keys) <= DTMF_KEYS):
            return _refuse(400, "Press keys 0-9, * and #.")
        if action == "speak" and not value.strip():
            return _refuse(400, "Say something: 'value' is empty.")
        with lock:
            line = lines.get(number)
            if line is None:
                return _refuse(404, "No such call.")
            if line.ended:
                return _refuse(409, "The call has ended.")
            line.act(action, keys if action == "press" else value.strip())
            return line.state(number)

    return phone


def serve(target: Flask, *, port: int) -> None:
    """Serve the phone page for ``target`` on ``127.0.0.1:port`` until
    interrupted.

    :param target: the Flask app with Tropo routes.
    :param port: the port.
    """
    run_simple("127.0.0.1", port, create_phone_app(target), threaded=True)
