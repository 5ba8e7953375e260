"""The :class:`Simulator`: the offline platform that starts calls, texts and
launches against an app.

:meta private:
"""

from __future__ import annotations

import collections.abc as c
import typing as t
from urllib.parse import urlsplit

from flask import Flask

from ..exceptions import SimulationError
from . import wire
from .call import Call
from .line import TRANSFER_OUTCOMES
from .line import Event
from .line import FarEnd

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import WSGIApplication

    from .flow import Flow

__all__ = ["Simulator", "TRANSFER_OUTCOMES"]

PLATFORMS = ("tropo", "twilio", "jambonz")


def _status_rule(target: object, url: str) -> str | None:
    """The ``on_hangup`` route of the blueprint registration that serves
    ``url``, for an app in process; else ``None``."""
    from flask import Flask
    from werkzeug.exceptions import HTTPException

    from ..views import tropo_route

    if not isinstance(target, Flask):
        return None
    parts = urlsplit(url)
    adapter = target.url_map.bind(parts.netloc or "localhost")
    try:
        endpoint, _ = adapter.match(parts.path or "/", method="POST")
    except HTTPException:  # not a route of the app: no status callback
        return None
    prefix = str(endpoint).rpartition(".")[0]
    for rule in target.url_map.iter_rules():
        route = tropo_route(target.view_functions.get(rule.endpoint))
        if route is not None and route.kind == "hangup":
            if rule.endpoint.rpartition(".")[0] == prefix:
                return rule.rule
    return None


def check_transfer(transfer: object) -> None:
    """Refuse a ``transfer`` option that is not an outcome, a mapping of
    numbers to outcomes, or a callable."""
    if isinstance(transfer, c.Mapping):
        wrong = {
            k: o
            for k, o in transfer.items()
            if not isinstance(k, str) or o not in TRANSFER_OUTCOMES
        }
        if wrong:
            raise ValueError(
                "transfer maps numbers (strings) to 'answer', 'busy' or"
                f" 'no-answer', got {wrong!r}."
            )
    elif not callable(transfer) and transfer not in TRANSFER_OUTCOMES:
        raise ValueError(
            "transfer must be 'answer', 'busy', 'no-answer', a mapping of numbers"
            f" to them, or a callable, got {transfer!r}."
        )


class Simulator:
    """An offline Tropo that plays whole calls against a WebAPI app.

    The target is a Flask app (or any WSGI app), called in process, or the
    base URL of a running server in any language, called over real HTTP.
    Each :meth:`dial`, :meth:`text` or :meth:`launch` posts a session document
    in the platform's shape and returns the :class:`~flask_tropo.testing.Call`,
    already run up to the first point where the caller must act.

    .. code-block:: python

        from flask_tropo.testing import Simulator

        sim = Simulator(app)
        call = sim.dial("/voice", from_="+14155550100")
        assert call.heard == ["Enter your PIN"]
        call.press("1234")
        assert call.ended

        busy = Simulator("http://127.0.0.1:8000", transfer="busy")

    :param target: a Flask app, a WSGI callable, or an ``http://`` /
        ``https://`` base URL.
    :param transfer: what the far end of every ``transfer`` and ``call``
        does: ``"answer"``, ``"busy"`` or ``"no-answer"``; per number dialled,
        a mapping such as ``{"+14155550123": "busy"}`` (numbers not in it
        answer); or a callable that takes the ``Transfer`` or ``Call`` verb
        and returns one of them, to decide dial by dial.
    :param timeout: seconds to wait for each HTTP answer (base URL targets).
    :param auth: HTTP Basic ``(user, password)`` for apps that set
        ``TROPO_BASIC_AUTH``, sent with every request to the base URL's
        origin (scheme, host and port) and never to another host a ``next``
        URL names; credentials written in a URL
        (``http://user:pass@host/voice``) are sent to that URL.
    :param on_event: called with each :class:`~flask_tropo.testing.Event` of
        every call as it happens, for example ``print`` while debugging.
    :param platform: whose wire to play: ``"tropo"`` (WebAPI documents),
        ``"twilio"`` (form-encoded webhooks, TwiML) or ``"jambonz"`` (JSON
        webhooks, verb arrays), each run with that platform's semantics
        (see :doc:`/platforms`); the calls have the same API.
    :param status_url: Twilio and jambonz: the rule the platform's status
        callback posts to when a call ends; found for an app in process (the
        ``on_hangup`` route of the blueprint that serves the session).
    :param secret: Twilio's auth token or jambonz's webhook secret to sign
        requests with; for an app in process, its own
        ``TROPO_TWILIO_AUTH_TOKEN`` or ``TROPO_JAMBONZ_WEBHOOK_SECRET``.
    """

    def __init__(
        self,
        target: WSGIApplication | str,
        *,
        transfer: str | FarEnd = "answer",
        timeout: float = 30.0,
        auth: tuple[str, str] | None = None,
        on_event: c.Callable[[Event], object] | None = None,
        platform: str = "tropo",
        status_url: str | None = None,
        secret: str | None = None,
    ) -> None:
        if platform not in PLATFORMS:
            raise ValueError(
                f"platform must be 'tropo', 'twilio' or 'jambonz', got {platform!r}."
            )
        #: The platform whose wire is played.
        self.platform = platform
        #: Where the status callback posts (Twilio, jambonz).
        self.status_url = status_url
        self._secret = secret
        self._target = target
        check_transfer(transfer)
        #: How the far end of ``transfer`` and ``call`` behaves; may be
        #: changed between calls.
        self.transfer = transfer
        #: Called with each event of every call as it happens.
        self.on_event = on_event
        #: How requests reach the app.
        self.transport: wire.Transport
        if isinstance(target, str):
            self.transport = wire.HTTPTransport(target, timeout=timeout, auth=auth)
        elif callable(target):
            self.transport = wire.WSGITransport(target, auth=auth)
        else:
            raise TypeError(
                "Simulator takes a Flask app, a WSGI app or a base URL,"
                f" got {target!r}."
            )

    def __repr__(self) -> str:
        platform = "" if self.platform == "tropo" else f" platform={self.platform!r}"
        return (
            f"<Simulator {self.transport.base_url!r}{platform}"
            f" transfer={self.transfer!r}>"
        )

    def url(self, rule: str) -> str:
        """The absolute URL of ``rule``: an absolute URL is kept, anything
        else is appended to the base URL.

        :param rule: ``"/voice"``, ``"/voice?lang=en"`` or a full URL.
        """
        if urlsplit(rule).scheme in ("http", "https"):
            return rule
        return f"{self.transport.base_url.rstrip('/')}/{rule.lstrip('/')}"

    def _webhook(self, rule: str, from_: str, to: str, text: str | None) -> Call:
        """A call on Twilio or jambonz."""
        from .jambonz_wire import JambonzCall
        from .twilio_wire import TwilioCall

        kind = TwilioCall if self.platform == "twilio" else JambonzCall
        status = self.status_url or _status_rule(self._target, self.url(rule))
        key = (
            "TROPO_TWILIO_AUTH_TOKEN"
            if kind is TwilioCall
            else ("TROPO_JAMBONZ_WEBHOOK_SECRET")
        )
        secret = self._secret or getattr(self._target, "config", {}).get(key)
        return kind(
            self.transport,
            self.url(rule),
            from_=from_,
            to=to,
            text=text,
            status_url=self.url(status) if status else None,
            secret=secret,
            transfer=self.transfer,
            on_event=self.on_event,
        )

    def _start(self, rule: str, session: dict[str, t.Any]) -> Call:
        try:
            return Call(
                self.transport,
                self.url(rule),
                session,
                transfer=self.transfer,
                on_event=self.on_event,
            )
        except SimulationError as exc:
            hint = self._hint(exc, rule)
            if hint is None:
                raise
            raise SimulationError(
                f"{exc.message} {hint}",
                url=exc.url,
                status=exc.status,
            ) from exc

    def _hint(self, exc: SimulationError, rule: str) -> str | None:
        """What is missing when a Flask app in process has no route where a
        call starts."""
        app = getattr(self.transport, "app", None)
        if exc.status not in (400, 404) or not isinstance(app, Flask):
            return None
        from .setup_hints import missing_routes
        from .setup_hints import not_a_session_route

        path = urlsplit(self.url(rule)).path
        return missing_routes(app, path) or not_a_session_route(app, path)

    def dial(
        self,
        rule: str,
        /,
        *,
        from_: str = wire.DEFAULT_FROM,
        to: str = wire.DEFAULT_TO,
        network: str = "PSTN",
        headers: c.Mapping[str, str] | None = None,
    ) -> Call:
        """Place an inbound voice call to the session route ``rule``.

        :param rule: the session route (or a full URL).
        :param from\\_: the caller.
        :param to: the number dialled (the results' ``calledid``).
        :param network: the network of both endpoints (``"PSTN"``, ``"SIP"``).
        :param headers: SIP headers added to (or replacing) the simulated ones.
        """
        if self.platform != "tropo":
            return self._webhook(rule, from_, to, None)
        session = wire.voice_session(
            from_=from_, to=to, channel="VOICE", network=network, headers=headers
        )
        return self._start(rule, session)

    def text(
        self,
        rule: str,
        text: str,
        /,
        *,
        from_: str = wire.DEFAULT_FROM,
        to: str = wire.DEFAULT_TO,
        network: str = "SMS",
        headers: c.Mapping[str, str] | None = None,
    ) -> Call:
        """Start a text conversation: ``text`` is the ``initialText``, which
        answers the first ``ask`` (whose prompt is then not sent).

        :param rule: the session route (or a full URL).
        :param text: the first message.
        :param from\\_: the sender.
        :param to: the number texted.
        :param network: ``"SMS"`` or ``"MMS"``.
        :param headers: SIP headers added to (or replacing) the simulated ones.
        """
        if self.platform != "tropo":
            return self._webhook(rule, from_, to, text)
        session = wire.voice_session(
            from_=from_,
            to=to,
            channel="TEXT",
            network=network,
            initial_text=text,
            headers=headers,
        )
        return self._start(rule, session)

    def launch(self, rule: str, /, **parameters: object) -> Call:
        """Launch a session with a token, as the Session API does.

        The session has ``userType`` ``NONE``, no ``to`` or ``from``, and
        ``parameters`` holding ``token``, ``action`` (``"create"``) and the
        keywords given, as strings. There is no call until the app places one
        with ``call``.

        :param rule: the session route (or a full URL).
        :param parameters: the launch variables.
        """
        if self.platform != "tropo":
            raise ValueError(
                f"{self.platform} has no token launch: its calls are placed with"
                " its REST API."
            )
        session = wire.launch_session(parameters)
        return self._start(rule, session)

    def explore(
        self,
        rule: str,
        /,
        *,
        inputs: c.Mapping[str, str | c.Iterable[str]] | None = None,
        max_steps: int = 12,
        max_paths: int = 500,
        text: str | None = None,
        launch: c.Mapping[str, object] | None = None,
    ) -> Flow:
        """Play every path of a call to the session route ``rule``, breadth
        first, and return the :class:`~flask_tropo.testing.Flow` they draw.

        Where the call waits or dials, every choice is played: at an ``ask``
        each key of its grammar by keypad and by speech, one input that
        matches nothing, silence and a hang-up; at a ``record`` a recording
        and silence; at a ``transfer`` or ``call`` the far end answers, is
        busy or does not answer. A path ends when the call ends, when a state
        repeats, after ``max_steps`` choices, or when a step fails.

        .. code-block:: python

            flow = Simulator(app).explore("/voice", inputs={"pin": ["1234"]})
            assert not flow.failures, flow.failures
            assert not flow.unreached

        :param rule: the session route (or a full URL).
        :param inputs: values for the open options of a grammar
            (``[4 DIGITS]``, ``[ANY]``) by the ask's ``name``; without them
            one sample is played.
        :param max_steps: the most choices on one path.
        :param max_paths: the most paths; past it :attr:`Flow.truncated
            <flask_tropo.testing.Flow.truncated>` is true.
        :param text: start each path as a text conversation with this first
            message (:meth:`text`) instead of a voice call.
        :param launch: start each path as a token launch with these
            parameters (:meth:`launch`) instead of a voice call.
        """
        from .explore import explore

        return explore(
            self,
            rule,
            inputs=inputs,
            max_steps=max_steps,
            max_paths=max_paths,
            text=text,
            launch=launch,
        )
