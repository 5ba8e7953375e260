"""The response of a Tropo route: the verbs a handler returned, written as
Flask's JSON provider would write ``render(verbs)``.

For Flask's :class:`~flask.json.provider.DefaultJSONProvider` the body is
written here with the provider's settings (``default``, ``ensure_ascii``,
``sort_keys``, layout), by a :class:`json.JSONEncoder` built once per set of
settings; compact bodies are written straight from the verbs by the compiled
writers of :mod:`flask_tropo.schemas.writer`. Any other provider writes the
document itself.

A compact body's ``Response`` is built as the state that
``app.response_class(body, content_type=...)`` builds, set directly
(:func:`_response_builder`), and served as werkzeug serves it, without
copying and rereading its headers (:class:`_Served`); each checks once per
response class that werkzeug's way is the class's own.

Internal; may change at any time.
"""

from __future__ import annotations

import collections.abc as c
import json
import typing as t
from functools import partial

from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import Headers
from werkzeug.utils import get_content_type
from werkzeug.wrappers import Response

from . import signals
from .document import render
from .schemas.verbs import _next_url
from .schemas.writer import Style
from .schemas.writer import write_document
from .verbs import Verb

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Flask

    from .continuation import _Linker


#: JSON encoders by the settings of a DefaultJSONProvider: (default,
#: ensure_ascii, sort_keys, indented).
_ENCODERS: dict[tuple[t.Any, ...], json.JSONEncoder] = {}


def _json_encoder(
    default: t.Any, ensure_ascii: bool, sort_keys: bool, indent: bool
) -> json.JSONEncoder:
    """The encoder of these provider settings, built once: compact, or
    indented by 2 as the provider indents.

    :meta private:
    """
    key = (default, ensure_ascii, sort_keys, indent)
    encoder = _ENCODERS.get(key)
    if encoder is None:
        if len(_ENCODERS) >= 16:
            _ENCODERS.clear()
        encoder = _ENCODERS[key] = json.JSONEncoder(
            default=default,
            ensure_ascii=ensure_ascii,
            sort_keys=sort_keys,
            indent=2 if indent else None,
            separators=None if indent else (",", ":"),
        )
    return encoder


def _encoder(
    app: Flask, provider: DefaultJSONProvider
) -> tuple[json.JSONEncoder, bool]:
    """The encoder that writes as ``provider`` does, and whether it indents.

    :meta private:
    """
    compact = provider.compact
    indent = bool(compact is False or (compact is None and app.debug))
    encoder = _json_encoder(
        provider.default, provider.ensure_ascii, provider.sort_keys, indent
    )
    return encoder, indent


def _document_response(
    app: Flask, verbs: list[Verb], linker: _Linker
) -> tuple[Response, dict[str, t.Any] | None]:
    """``app.make_response(render(verbs, next_url=linker))``, and the document
    if it was built.

    For Flask's :class:`~flask.json.provider.DefaultJSONProvider` writing
    compact JSON, and no receiver of
    :data:`~flask_tropo.signals.response_rendered` to hand the document to,
    the text is written straight from the verbs by the compiled writers of
    :mod:`flask_tropo.schemas.writer`, the same bytes without the dict.

    :meta private:
    """
    provider = app.json
    if (
        type(provider) is DefaultJSONProvider
        and not signals.response_rendered.receivers
    ):
        compact = provider.compact
        if compact or (compact is None and not app.debug):
            key = (
                provider.default,
                provider.ensure_ascii,
                provider.sort_keys,
                provider.mimetype,
                app.response_class,
            )
            encode, style, build = _WRITERS.get(key) or _writer(key)
            token = _next_url.set(linker)
            try:
                text = write_document(verbs, style, encode)
            finally:
                _next_url.reset(token)
            return build(f"{text}\n".encode()), None
    document = render(verbs, next_url=linker)
    return _json_response(app, document), document


#: What writes a compact body, by the settings of a DefaultJSONProvider
#: (default, ensure_ascii, sort_keys, mimetype) and the app's
#: ``response_class``: the provider's ``encode`` for other values, the
#: writers' style, and what makes the response of a body.
_WRITERS: dict[
    tuple[t.Any, ...],
    tuple[c.Callable[[t.Any], str], Style, c.Callable[[bytes], Response]],
] = {}


def _writer(
    key: tuple[t.Any, ...],
) -> tuple[c.Callable[[t.Any], str], Style, c.Callable[[bytes], Response]]:
    default, ensure_ascii, sort_keys, mimetype, response_class = key
    encoder = _json_encoder(default, ensure_ascii, sort_keys, False)
    content_type = get_content_type(mimetype, "utf-8")
    if len(_WRITERS) >= 16:
        _WRITERS.clear()
    found = _WRITERS[key] = (
        encoder.encode,
        (bool(sort_keys), bool(ensure_ascii)),
        _response_builder(response_class, content_type),
    )
    return found


def _response_builder(
    response_class: type[Response], content_type: str
) -> c.Callable[[bytes], Response]:
    """What gives ``response_class(body, content_type=content_type)`` for a
    body of bytes, served as :class:`_Served` serves it when the class allows.

    Werkzeug's constructor goes through the header, status and body setters;
    the response it builds is a plain state: two headers, the status, the
    body in a list. When a probe shows that ``response_class`` builds exactly
    that state (werkzeug's and Flask's own classes, and subclasses that don't
    change the construction), the builder sets that state directly, about
    2 µs less per request; for any other class it calls the constructor.

    :meta private:
    """
    probe_body = b'{"tropo":[]}\n'
    # Also checks the header value once, as the constructor does.
    expected = response_class(probe_body, content_type=content_type)
    cls = _served_class(response_class)
    new = object.__new__
    new_headers = Headers.__new__

    def build(body: bytes) -> Response:
        headers = new_headers(Headers)
        headers._list = [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
        ]
        response = new(cls)
        state = response.__dict__
        state["headers"] = headers
        state["_status"] = "200 OK"
        state["_status_code"] = 200
        state["direct_passthrough"] = False
        state["_on_close"] = []
        state["response"] = [body]
        return response

    if _same_state(expected, build(probe_body)):
        return build
    return partial(response_class, content_type=content_type)


def _same_state(expected: Response, built: Response) -> bool:
    """Whether ``built`` holds what the constructor built in ``expected``."""
    try:
        return (
            type(expected.headers) is Headers
            and expected.headers._list == built.headers._list
            and vars(expected).keys() == vars(built).keys()
            and all(
                value == vars(built)[name]
                for name, value in vars(expected).items()
                if name != "headers"
            )
        )
    except AttributeError:  # a werkzeug that keeps its headers another way
        return False


# -- serving -------------------------------------------------------------------

_WERKZEUG = Response
#: What werkzeug's ``get_wsgi_response`` is made of: a class that changes
#: none of them is served by :class:`_Served`'s fast path.
_SERVING = (
    "get_wsgi_response",
    "get_wsgi_headers",
    "get_app_iter",
    "iter_encoded",
    "close",
    "status",
    "status_code",
    "is_sequence",
)
#: The response classes of Tropo routes, by the app's ``response_class``.
_SERVED: dict[type[Response], type[Response]] = {}


class _Served:
    """A mixin that serves a buffered response of bytes as werkzeug's
    :meth:`~werkzeug.wrappers.Response.get_wsgi_response` does, without
    copying and rereading its headers: the same status, headers and body,
    and ``close`` calls the response's ``close``. Anything werkzeug would
    change (a ``HEAD`` request, a 1xx, 204 or 304 status, a ``Location`` or
    ``Content-Location`` header) and any other body (streamed, text,
    passed through) is served by werkzeug.

    A response of this class pickles and copies as one of the app's
    ``response_class``.

    :meta private:
    """

    __slots__ = ()
    #: The app's ``response_class`` this class serves faster.
    _served_base: t.ClassVar[type[Response]]

    def get_wsgi_response(
        self, environ: t.Any
    ) -> tuple[t.Iterable[bytes], str, list[tuple[str, str]]]:
        state = self.__dict__
        body = state.get("response")
        headers = state.get("headers")
        status = state.get("_status_code")
        if (
            type(body) is list
            and type(headers) is Headers
            and type(status) is int
            and 200 <= status
            and status != 204
            and status != 304
            and all(map(bytes.__instancecheck__, body))
            and not state.get("direct_passthrough")
            and environ["REQUEST_METHOD"] != "HEAD"
        ):
            items = headers._list
            length = True
            for key, _ in items:
                name = key.lower()
                if name == "content-length":
                    length = False
                elif name == "location" or name == "content-location":
                    break
            else:
                wsgi_headers = items[:]
                if length and self.automatically_set_content_length:  # type: ignore[attr-defined]
                    wsgi_headers.append(("Content-Length", str(sum(map(len, body)))))
                return _Body(body, self.close), state["_status"], wsgi_headers  # type: ignore[attr-defined]
        return super().get_wsgi_response(environ)  # type: ignore[misc,no-any-return]

    def __reduce_ex__(self, protocol: t.SupportsIndex) -> t.Any:
        # As an object of the app's class: this one has no importable name.
        return _rebuilt, (self._served_base, vars(self))


def _rebuilt(cls: type[Response], state: dict[str, t.Any]) -> Response:
    """A response of ``cls`` with ``state``: how a served response unpickles.

    :meta private:
    """
    response = object.__new__(cls)
    response.__dict__.update(state)
    return response


class _Body:
    """The WSGI iterable of a served body: its chunks, and ``close``.

    :meta private:
    """

    __slots__ = ("_chunks", "close")

    def __init__(self, chunks: list[bytes], close: c.Callable[[], None]) -> None:
        self._chunks = chunks
        self.close = close

    def __iter__(self) -> c.Iterator[bytes]:
        return iter(self._chunks)


def _served_class(response_class: type[Response]) -> type[Response]:
    """The subclass of ``response_class`` with :class:`_Served`'s fast path,
    or ``response_class`` itself when it changes how a response is served.

    :meta private:
    """
    found = _SERVED.get(response_class)
    if found is None:
        if all(
            getattr(response_class, name) is getattr(_WERKZEUG, name)
            for name in _SERVING
        ):
            found = type(
                response_class.__name__,
                (_Served, response_class),
                {
                    "__module__": response_class.__module__,
                    "__qualname__": response_class.__qualname__,
                    "__doc__": response_class.__doc__,
                    "_served_base": response_class,
                },
            )
            if not _serves_alike(found, response_class):
                found = response_class
        else:
            found = response_class
        _SERVED[response_class] = found
    return found


def _serves_alike(served: type[Response], response_class: type[Response]) -> bool:
    """Whether a probe response is served by ``served`` as by werkzeug."""
    environ = {"REQUEST_METHOD": "POST"}
    answers = []
    try:
        for cls, serve in (
            (served, served.get_wsgi_response),
            (response_class, response_class.get_wsgi_response),
        ):
            response = cls(b'{"tropo":[]}\n', content_type="application/json")
            response.headers["X-Probe"] = "1"
            app_iter, status, headers = serve(response, environ)
            answers.append((b"".join(app_iter), status, headers))
            close = getattr(app_iter, "close", None)
            if close is not None:
                close()
    except Exception:  # a werkzeug whose internals changed: serve its way
        return False
    return answers[0] == answers[1]


def _json_response(app: Flask, document: dict[str, t.Any]) -> Response:
    """``app.make_response(document)``: the document written by the app's
    JSON provider.

    For Flask's :class:`~flask.json.provider.DefaultJSONProvider`, the same
    body, ``json.dumps`` with the provider's ``default``, ``ensure_ascii``,
    ``sort_keys`` and layout, plus a newline, is written here by an encoder
    built once for those settings; any other provider writes it itself.

    :meta private:
    """
    provider = app.json
    if type(provider) is not DefaultJSONProvider:
        return app.make_response(document)
    encoder, _ = _encoder(app, provider)
    return app.response_class(
        f"{encoder.encode(document)}\n", mimetype=provider.mimetype
    )
