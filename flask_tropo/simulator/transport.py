"""How the simulator reaches the app: in process, or over real HTTP.

Both transports POST a JSON document to an absolute URL and hand back the
status, the body and the content type; they never follow redirects (a ``3xx``
is a bad answer, as for the platform) and keep no cookies. Credentials in a
URL (``http://user:pass@host/voice``) are sent as HTTP Basic auth, as the
platform does; the ``auth`` option sends them with every request.

:meta private:
"""

from __future__ import annotations

import base64
import json
import typing as t
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import unquote
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from werkzeug.test import Client

from ..exceptions import SimulationError

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import WSGIApplication

__all__ = ["HTTPTransport", "Response", "Transport", "WSGITransport"]

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
    """Something that POSTs JSON to the app."""

    #: Scheme and host that root-relative rules are joined to.
    base_url: str

    def post(self, url: str, payload: t.Mapping[str, t.Any]) -> Response:
        """POST ``payload`` as JSON to the absolute ``url``."""
        ...


def _body(payload: t.Mapping[str, t.Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _request(url: str, auth: tuple[str, str] | None) -> tuple[str, dict[str, str]]:
    """The URL without credentials, and the request headers: HTTP Basic
    credentials come from the URL (``http://user:pass@host/``), else
    ``auth``."""
    parts = urlsplit(url)
    if parts.username is not None:
        auth = (unquote(parts.username), unquote(parts.password or ""))
        url = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    return url, headers


class WSGITransport:
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

    def post(self, url: str, payload: t.Mapping[str, t.Any]) -> Response:
        url, headers = _request(url, self.auth)
        parts = urlsplit(url)
        path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
        client = Client(self.app, use_cookies=False)
        response = client.post(
            path,
            base_url=f"{parts.scheme}://{parts.netloc}",
            data=_body(payload),
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


class HTTPTransport:
    """POSTs over real HTTP with :mod:`urllib.request`, to an app in any
    language.

    Proxies from the environment are used, except for loopback hosts.

    :param base_url: ``http://127.0.0.1:5000`` or any base URL.
    :param timeout: seconds to wait for each answer.
    :param auth: HTTP Basic ``(user, password)`` sent with every request.
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

    def post(self, url: str, payload: t.Mapping[str, t.Any]) -> Response:
        address, headers = _request(url, self.auth)
        request = urllib.request.Request(
            address, data=_body(payload), method="POST", headers=headers
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
