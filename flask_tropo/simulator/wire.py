"""What travels between the platform and the app: the documents the
simulator posts, how they reach the app, and reading its answer.

Session documents follow ``tropo-webapi.md`` section 3 (the 2017 shape: 32-hex
ids, ``applicationId``, ``e164Id``), result documents section 4 (keys in the
order of the captured samples, ``calledid`` in lower case, ``actions`` an
object for one action and a list for several). These builders are also behind
:func:`flask_tropo.testing.session_payload` and
:func:`flask_tropo.testing.result_payload`.

Both transports POST a JSON document to an absolute URL and hand back the
status, the body and the content type; they never follow redirects (a ``3xx``
is a bad answer, as for the platform) and keep no cookies. Credentials in a
URL (``http://user:pass@host/voice``) are sent as HTTP Basic auth, as the
platform does; the ``auth`` option sends them with every request.

:meta private:
"""

from __future__ import annotations

import base64
import collections.abc as c
import datetime as dt
import json
import re
import secrets
import typing as t
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import unquote
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from werkzeug.test import Client

from .. import verbs as v
from ..document import parse_document
from ..exceptions import InvalidDocument
from ..exceptions import SimulationError

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import WSGIApplication

__all__ = [
    "DEFAULT_FROM",
    "DEFAULT_TO",
    "HTTPTransport",
    "Response",
    "Transport",
    "WSGITransport",
    "endpoint",
    "excerpt",
    "iso_timestamp",
    "launch_session",
    "new_id",
    "read_document",
    "result_document",
    "voice_session",
]

#: The caller of a simulated call or text, when none is given.
DEFAULT_FROM = "+14155550100"
#: The number dialled, when none is given.
DEFAULT_TO = "+14155550199"
#: The host named in simulated SIP headers and recording URLs.
SIP_HOST = "simulator.invalid"
_TAG = re.compile(r"<[^>]*>")


def new_id() -> str:
    """A fresh 32 hex digit id, like the platform's session and call ids."""
    return secrets.token_hex(16)


def iso_timestamp(moment: dt.datetime) -> str:
    """ISO-8601 in UTC with milliseconds and ``Z``: ``2017-04-27T08:55:49.252Z``.

    :param moment: an aware datetime (a naive one is taken as UTC).
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    moment = moment.astimezone(dt.timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def endpoint(address: str, *, channel: str, network: str) -> dict[str, t.Any]:
    """A caller-ID object (session ``to`` / ``from``).

    :param address: the number, SIP user or handle; also used as ``e164Id``
        and ``name``.
    :param channel: ``"VOICE"`` or ``"TEXT"``.
    :param network: ``"PSTN"``, ``"SIP"``, ``"SMS"``...
    """
    return {
        "id": address,
        "e164Id": address,
        "name": address,
        "channel": channel,
        "network": network,
    }


def _session(
    session_id: str, user_type: str, fields: dict[str, t.Any]
) -> dict[str, t.Any]:
    return {
        "session": {
            "id": session_id,
            "accountId": "1",
            "applicationId": "1",
            "timestamp": iso_timestamp(dt.datetime.now(dt.timezone.utc)),
            "userType": user_type,
            "initialText": None,
            "callId": new_id(),
            **fields,
        }
    }


def voice_session(
    *,
    from_: str = DEFAULT_FROM,
    to: str = DEFAULT_TO,
    channel: str = "VOICE",
    network: str = "PSTN",
    initial_text: str | None = None,
    headers: c.Mapping[str, str] | None = None,
) -> dict[str, t.Any]:
    """An inbound session document: a call (``VOICE``) or a text (``TEXT``),
    with SIP-like INVITE headers.

    :param from_: the caller.
    :param to: the number dialled.
    :param channel: ``"VOICE"`` or ``"TEXT"``.
    :param network: the network of both endpoints.
    :param initial_text: the first message of a text conversation.
    :param headers: SIP headers added to (or replacing) the simulated ones.
    """
    session_id = new_id()
    invite = {
        "Call-ID": secrets.token_hex(8),
        "CSeq": "1 INVITE",
        "Max-Forwards": "70",
        "Request URI": f"sip:{to}@{SIP_HOST}",
        "x-sid": session_id,
        "From": f"<sip:{from_}@{SIP_HOST}>;tag={secrets.token_hex(4)}",
        "To": f"<sip:{to}@{SIP_HOST}>",
        "Content-Type": "application/sdp",
        "Content-Length": "0",
    }
    fields = {
        "initialText": initial_text,
        "to": endpoint(to, channel=channel, network=network),
        "from": endpoint(from_, channel=channel, network=network),
        "headers": {**invite, **(headers or {})},
    }
    return _session(session_id, "HUMAN", fields)


def launch_session(
    parameters: c.Mapping[str, object] | None = None,
) -> dict[str, t.Any]:
    """A token-launched session document (Session API): ``userType`` ``NONE``,
    no ``to``/``from``, and ``parameters`` with ``token`` and ``action`` plus
    the given ones as the platform passes them: strings, booleans as
    ``"true"``/``"false"``, ``None`` values left out.

    :param parameters: the launch variables; they may replace ``token`` and
        ``action``.
    """
    values = {"token": "simulator-token", "action": "create"}
    for key, value in (parameters or {}).items():
        if isinstance(value, bool):
            values[key] = "true" if value else "false"
        elif value is not None:
            values[key] = str(value)
    return _session(new_id(), "NONE", {"parameters": values})


def result_document(
    *,
    session_id: str,
    call_id: str,
    state: str = "ANSWERED",
    session_duration: int = 0,
    sequence: int = 1,
    called_id: str | None = None,
    actions: c.Sequence[c.Mapping[str, t.Any]] = (),
    error: str | None = None,
) -> dict[str, t.Any]:
    """A result document ``{"result": {...}}``: ``complete``, unless it
    reports an ``error``.

    :param session_id: the session's ``id``.
    :param call_id: the session's ``callId``.
    :param state: ``"ANSWERED"``, ``"DISCONNECTED"`` or ``"FAILED"``.
    :param session_duration: whole seconds since the session started.
    :param sequence: 1-based number of this result in the session.
    :param called_id: the number dialled (``calledid``); left out when
        ``None``.
    :param actions: the actions of the document, in order: ``actions`` is
        ``{}`` for none, the object for one, a list for several.
    :param error: the platform's error, if it reports one.
    """
    result: dict[str, t.Any] = {
        "sessionId": session_id,
        "callId": call_id,
        "state": state,
        "sessionDuration": session_duration,
        "sequence": sequence,
        "complete": error is None,
        "error": error,
    }
    if called_id is not None:
        result["calledid"] = called_id
    listed = [dict(action) for action in actions]
    result["actions"] = listed[0] if len(listed) == 1 else listed or {}
    return {"result": result}


def excerpt(body: bytes, content_type: str = "", size: int = 200) -> str:
    """The start of a body on one line, tags removed from HTML."""
    text = body.decode("utf-8", "replace")
    if "html" in content_type:
        text = _TAG.sub(" ", text)
    text = " ".join(text.split())
    if not text:
        return "(empty body)"
    return repr(text if len(text) <= size else f"{text[:size]}...")


def read_document(answer: Response, url: str) -> list[v.Verb]:
    """The verbs of the app's answer, read with
    :func:`~flask_tropo.parse_document`.

    :param answer: what the app answered.
    :param url: where it was posted, for the error.
    :raises SimulationError: for a status other than 200, a body that is not
        JSON, or an invalid document.
    """
    status, body, content_type = answer.status, answer.body, answer.content_type
    if status != 200:
        raise SimulationError(
            f"the app answered {status}, not 200 with a WebAPI document:"
            f" {excerpt(body, content_type)}",
            url=url,
            status=status,
        )
    try:
        data = json.loads(body.decode("utf-8"))
    except ValueError:
        raise SimulationError(
            f"the answer is not JSON ({content_type or 'no content type'}):"
            f" {excerpt(body, content_type)}",
            url=url,
            status=status,
        ) from None
    try:
        return parse_document(data)
    except InvalidDocument as exc:
        raise SimulationError(
            f"invalid WebAPI document: {exc}", url=url, status=status
        ) from exc


#: The ``User-Agent`` of simulated requests.
USER_AGENT = "flask-tropo-simulator"
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True, slots=True)
class Response:
    """What the app answered."""

    #: The HTTP status code.
    status: int
    #: The raw body.
    body: bytes
    #: The media type, without parameters (``"application/json"``).
    content_type: str


class Transport(t.Protocol):
    """Something that POSTs JSON to the app, and uploads recordings."""

    #: Scheme and host that root-relative rules are joined to.
    base_url: str

    def post(self, url: str, payload: t.Mapping[str, t.Any]) -> Response:
        """POST ``payload`` as JSON to the absolute ``url``."""
        ...

    def send(self, url: str, body: bytes, headers: t.Mapping[str, str]) -> Response:
        """POST ``body`` with ``headers`` (its ``Content-Type`` among them) to
        the absolute ``url``: the other platforms' requests."""
        ...

    def upload(
        self,
        url: str,
        body: bytes,
        content_type: str,
        *,
        method: str = "POST",
        auth: tuple[str, str] | None = None,
    ) -> Response:
        """Send a recording to ``url``, with the upload target's own
        credentials (``auth``), not the call's."""
        ...


def _body(payload: t.Mapping[str, t.Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _request(
    url: str,
    auth: tuple[str, str] | None,
    extra: t.Mapping[str, str] | None = None,
) -> tuple[str, dict[str, str]]:
    """The URL without credentials, and the request headers: HTTP Basic
    credentials come from the URL (``http://user:pass@host/``), else
    ``auth``; ``extra`` headers replace the JSON ones."""
    parts = urlsplit(url)
    if parts.username is not None:
        auth = (unquote(parts.username), unquote(parts.password or ""))
        url = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
        **(extra or {}),
    }
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    return url, headers


def _origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port of ``url`` (the default port filled in)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


class _Shaped:
    """What both transports share: the shape of their requests. Internal."""

    auth: tuple[str, str] | None

    def post(self, url: str, payload: t.Mapping[str, t.Any]) -> Response:
        """POST ``payload`` as JSON to the absolute ``url``."""
        return self.send(url, _body(payload), {})

    def send(self, url: str, body: bytes, headers: t.Mapping[str, str]) -> Response:
        """POST ``body`` with ``headers`` to the absolute ``url``."""
        address, sent = _request(url, self._auth(url), headers)
        return self._send("POST", url, address, sent, body)

    def upload(
        self,
        url: str,
        body: bytes,
        content_type: str,
        *,
        method: str = "POST",
        auth: tuple[str, str] | None = None,
    ) -> Response:
        """Send a recording to ``url`` with the upload target's own
        credentials (``auth``), not the call's."""
        address, sent = _request(url, auth, {"Content-Type": content_type})
        return self._send(method, url, address, sent, body)

    def _auth(self, url: str) -> tuple[str, str] | None:
        return self.auth

    def _send(
        self, method: str, url: str, address: str, headers: dict[str, str], body: bytes
    ) -> Response:
        raise NotImplementedError


class WSGITransport(_Shaped):
    """Calls a Flask app (or any WSGI app) in process through
    :class:`werkzeug.test.Client`.

    Every URL goes to the app, whatever its host: the scheme and host of the
    URL become the request's, so absolute ``next`` URLs (for example built
    from ``TROPO_EXTERNAL_URL``) reach the app too.

    :param app: the Flask app or WSGI callable.
    :param auth: HTTP Basic ``(user, password)`` sent with every request.
    """

    base_url = "http://localhost"

    def __init__(
        self, app: WSGIApplication, *, auth: tuple[str, str] | None = None
    ) -> None:
        self.app = app
        self.auth = auth

    def _send(
        self, method: str, url: str, address: str, headers: dict[str, str], body: bytes
    ) -> Response:
        parts = urlsplit(address)
        path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
        client = Client(self.app, use_cookies=False)
        response = client.open(
            path,
            method=method,
            base_url=f"{parts.scheme}://{parts.netloc}",
            data=body,
            headers=headers,
        )
        try:
            return Response(
                response.status_code, response.get_data(), response.mimetype or ""
            )
        finally:
            response.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: t.Any, **kwargs: t.Any) -> None:
        return None


class HTTPTransport(_Shaped):
    """POSTs over real HTTP with :mod:`urllib.request`, to an app in any
    language.

    Proxies from the environment are used, except for loopback hosts.

    :param base_url: ``http://127.0.0.1:5000`` or any base URL.
    :param timeout: seconds to wait for each answer.
    :param auth: HTTP Basic ``(user, password)`` sent with every request to
        the origin of ``base_url`` (scheme, host and port), never elsewhere.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        auth: tuple[str, str] | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"Expected an http:// or https:// base URL, got {base_url!r}."
            )
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.auth = auth

    def _auth(self, url: str) -> tuple[str, str] | None:
        # The credentials go only where the call started: a next URL may
        # name any host.
        return self.auth if _origin(url) == _origin(self.base_url) else None

    def _send(
        self, method: str, url: str, address: str, headers: dict[str, str], body: bytes
    ) -> Response:
        request = urllib.request.Request(
            address, data=body, method=method, headers=headers
        )
        handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
        if urlsplit(address).hostname in _LOOPBACK:
            handlers.append(urllib.request.ProxyHandler({}))
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(request, timeout=self.timeout) as answer:
                return Response(
                    answer.status, answer.read(), answer.headers.get_content_type()
                )
        except urllib.error.HTTPError as error:
            try:
                body = error.read()
            finally:
                error.close()
            content_type = error.headers.get_content_type() if error.headers else ""
            return Response(error.code, body, content_type)
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise SimulationError(f"cannot reach the app: {reason}", url=url) from error
