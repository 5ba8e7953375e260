"""A Tropo route's response is built and served as werkzeug builds and serves
it: the same state, status, headers, body and ``close``, whatever an
``after_request`` function does to it."""

from __future__ import annotations

import collections.abc as c
import copy
import http.client
import json
import pickle
import threading
import typing as t
from functools import partial
from urllib.parse import urlsplit

import pytest
from conftest import _session
from flask import Flask
from flask import Response
from sim_apps import serving
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Response as WerkzeugResponse

from flask_tropo import Session
from flask_tropo import Tropo
from flask_tropo._response import _response_builder
from flask_tropo._response import _Served
from flask_tropo._response import _served_class
from flask_tropo.verbs import Say

BODY = b'{"tropo":[{"say":{"value":"Hello"}}]}\n'


def _serve(
    get_wsgi_response: c.Callable[
        [WerkzeugResponse, dict[str, t.Any]],
        tuple[t.Iterable[bytes], str, list[tuple[str, str]]],
    ],
    environ: dict[str, t.Any],
    response: WerkzeugResponse,
) -> tuple[str, list[tuple[str, str]], bytes]:
    """What ``get_wsgi_response`` serves for ``response``, closed."""
    app_iter, status, headers = get_wsgi_response(response, environ)
    try:
        body = b"".join(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    return status, headers, body


def _environ(method: str = "POST") -> dict[str, t.Any]:
    return EnvironBuilder(path="/voice", method=method).get_environ()


def _set_location(response: WerkzeugResponse) -> None:
    response.headers["Location"] = "/elsewhere/ü"


def _set_content_location(response: WerkzeugResponse) -> None:
    response.headers["Content-Location"] = "/here/ü"


def _drop_length(response: WerkzeugResponse) -> None:
    del response.headers["Content-Length"]


def _no_auto_length(response: WerkzeugResponse) -> None:
    del response.headers["Content-Length"]
    response.automatically_set_content_length = False


def _text_chunk(response: WerkzeugResponse) -> None:
    response.response = ["text, not bytes"]


def _stream(response: WerkzeugResponse) -> None:
    response.response = iter([b"a", b"b"])


def _passthrough(response: WerkzeugResponse) -> None:
    response.direct_passthrough = True


def _chunks(response: WerkzeugResponse) -> None:
    response.response = t.cast(t.Any, [b"one", bytearray(b"two")])
    del response.headers["Content-Length"]


def _other_headers(response: WerkzeugResponse) -> None:
    response.headers = Headers([("Content-Type", "text/plain")])


def _status(code: int) -> c.Callable[[WerkzeugResponse], None]:
    def change(response: WerkzeugResponse) -> None:
        response.status_code = code

    return change


CHANGES: dict[str, c.Callable[[WerkzeugResponse], None]] = {
    "none": lambda response: None,
    "header added": lambda response: response.headers.add("X-Trace", "7"),
    "data set": lambda response: response.set_data("Grüße"),
    "text chunk": _text_chunk,
    "stream": _stream,
    "passthrough": _passthrough,
    "chunks": _chunks,
    "location": _set_location,
    "content-location": _set_content_location,
    "no length": _drop_length,
    "no automatic length": _no_auto_length,
    "other headers": _other_headers,
    **{f"status {code}": _status(code) for code in (201, 204, 304, 404, 101)},
}


@pytest.mark.parametrize("method", ["POST", "HEAD"])
@pytest.mark.parametrize("change", CHANGES.values(), ids=list(CHANGES))
def test_served_as_werkzeug_serves(
    method: str, change: c.Callable[[WerkzeugResponse], None]
) -> None:
    build = _response_builder(Response, "application/json")
    responses = [build(BODY), build(BODY)]
    closed: list[int] = []
    for index, response in enumerate(responses):
        change(response)
        response.call_on_close(partial(closed.append, index))
    assert isinstance(responses[0], _Served)
    ours = _serve(type(responses[0]).get_wsgi_response, _environ(method), responses[0])
    theirs = _serve(WerkzeugResponse.get_wsgi_response, _environ(method), responses[1])
    assert ours == theirs
    # Closed as werkzeug closes (a passed-through list has no close).
    assert (0 in closed) == (1 in closed)
    if change is not _passthrough:
        assert closed == [0, 1]


def test_built_as_werkzeug_builds() -> None:
    built = _response_builder(Response, "application/json; charset=utf-8")(BODY)
    expected = Response(BODY, content_type="application/json; charset=utf-8")
    assert isinstance(built, Response)
    assert type(built).__name__ == "Response"
    assert built.headers == expected.headers
    assert list(built.headers) == list(expected.headers)
    assert {k: v for k, v in vars(built).items() if k != "headers"} == {
        k: v for k, v in vars(expected).items() if k != "headers"
    }
    assert repr(built) == repr(expected)


def test_header_value_checked_once() -> None:
    with pytest.raises(ValueError, match="newline"):
        _response_builder(Response, "application/json\r\nX-Evil: 1")


def test_pickles_and_copies_as_the_app_class() -> None:
    built = _response_builder(Response, "application/json")(BODY)
    built.headers["X-Trace"] = "7"
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        loaded = pickle.loads(pickle.dumps(built, protocol))
        assert type(loaded) is Response
        assert list(loaded.headers) == list(built.headers)
        assert loaded.get_data() == BODY
    assert type(copy.deepcopy(built)) is Response
    assert copy.deepcopy(built).get_data() == BODY


class _Tagged(Response):
    """Changes the construction: adds a header."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers["X-Tagged"] = "yes"


class _OwnHeaders(Response):
    """Changes how it is served."""

    def get_wsgi_headers(self, environ: t.Any) -> Headers:
        headers = super().get_wsgi_headers(environ)
        headers["X-Served"] = "by-me"
        return headers


class _Plain(Response):
    """Changes nothing."""


def _app(response_class: type[Response]) -> Flask:
    app = Flask(__name__)
    app.config["TROPO_SECRET_KEY"] = "serving tests"
    app.response_class = response_class
    tropo = Tropo()

    @tropo.on_session("/voice")
    def voice(session: Session) -> list[Say]:
        return [Say("Hello")]

    tropo.init_app(app)
    return app


@pytest.mark.parametrize(
    ("response_class", "header", "fast"),
    [
        (Response, None, True),
        (_Plain, None, True),
        (_Tagged, ("X-Tagged", "yes"), False),
        (_OwnHeaders, ("X-Served", "by-me"), False),
    ],
)
def test_app_response_class(
    response_class: type[Response], header: tuple[str, str] | None, fast: bool
) -> None:
    app = _app(response_class)
    seen: list[Response] = []

    @app.after_request
    def keep(response: Response) -> Response:
        seen.append(response)
        return response

    answer = app.test_client().post("/voice", json=_session())
    assert answer.status_code == 200
    assert answer.json == {"tropo": [{"say": {"value": "Hello"}}]}
    assert isinstance(seen[0], response_class)
    assert isinstance(seen[0], _Served) is fast
    if header is not None:
        assert answer.headers[header[0]] == header[1]


def test_over_http_with_after_request_and_call_on_close() -> None:
    """A real server on 127.0.0.1: headers added after the request are sent,
    the length is right, and ``call_on_close`` runs."""
    app = _app(Response)
    closed = threading.Event()

    @app.after_request
    def decorate(response: Response) -> Response:
        response.headers["X-Trace"] = "7"
        response.call_on_close(closed.set)
        return response

    with serving(app) as base:
        parts = urlsplit(base)
        connection = http.client.HTTPConnection("127.0.0.1", parts.port)
        try:
            connection.request(
                "POST",
                "/voice",
                body=json.dumps(_session()),
                headers={"Content-Type": "application/json"},
            )
            answer = connection.getresponse()
            body = answer.read()
        finally:
            connection.close()
    assert answer.status == 200
    assert answer.getheader("X-Trace") == "7"
    assert answer.getheader("Content-Type") == "application/json"
    assert int(answer.getheader("Content-Length") or -1) == len(body)
    assert json.loads(body) == {"tropo": [{"say": {"value": "Hello"}}]}
    # The server closes the response after sending it, in its own thread.
    assert closed.wait(timeout=10)


def test_served_by_werkzeug_when_the_probe_differs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A werkzeug whose internals changed (simulated): its own serving."""

    def other(self: t.Any, environ: t.Any) -> t.Any:
        return [b"other"], "200 OK", []

    monkeypatch.setattr(_Served, "get_wsgi_response", other)
    fresh = type("Fresh", (Response,), {})
    assert _served_class(fresh) is fresh
    built = _response_builder(fresh, "application/json")(BODY)
    assert type(built) is fresh
