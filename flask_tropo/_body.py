"""The body of a request to a Tropo route, read as werkzeug reads it.

A Tropo route reads its body with ``request.max_content_length`` set to
``TROPO_MAX_CONTENT_LENGTH + 1`` (one byte more than allowed tells a body at
the limit from a longer one). Werkzeug's ``request.get_data()`` wraps
``wsgi.input`` in a :class:`~werkzeug.wsgi.LimitedStream` and reads it in
chunks through that wrapper (see the performance page for the cost). For the usual
request (a plain ``Content-Length`` within the limit, or a server that
terminates the input stream), :func:`read_body` reads ``wsgi.input``
directly, with the same outcome: the same bytes, a
:exc:`~werkzeug.exceptions.ClientDisconnected` when the client sends less
than it announced or the stream fails, and ``request.get_data()``,
``request.get_json()`` and ``request.stream`` giving afterwards what they
give after werkzeug has read the body. Any other request (a chunked body on
a server that does not terminate it, a ``Content-Length`` werkzeug would
read differently or refuse, a body already read, a request class that reads
its body its own way) is read by werkzeug.

Internal; may change at any time.
"""

from __future__ import annotations

import typing as t
from inspect import getattr_static
from io import BytesIO

from werkzeug.exceptions import ClientDisconnected
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.test import create_environ
from werkzeug.wrappers import Request as _WerkzeugRequest
from werkzeug.wsgi import LimitedStream

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Request

__all__ = ["read_body"]

#: The members of werkzeug's request that read the body: a request class
#: that overrides one of them reads its body its own way.
_READERS = ("get_data", "stream", "_get_stream_for_parsing")
#: Whether a request class reads its body as werkzeug's does, by class.
_PLAIN: dict[type[t.Any], bool] = {}


def _plain(cls: type[t.Any]) -> bool:
    found = _PLAIN.get(cls)
    if found is None:
        found = _PLAIN[cls] = all(
            getattr_static(cls, name) is getattr_static(_WerkzeugRequest, name)
            for name in _READERS
        ) and _keeps_body(cls)
    return found


def _keeps_body(cls: type[t.Any]) -> bool:
    """Whether a request of ``cls`` with its body set as :func:`read_body`
    sets it reads as werkzeug's does once it has read its body."""
    stream = BytesIO(b"unread")
    try:
        req = cls(create_environ(method="POST", input_stream=stream))
        state = req.__dict__
        state["_cached_data"] = b"probe"
        state["stream"] = BytesIO()
        return bool(
            req.get_data() == b"probe"
            and req.stream.read() == b""
            and stream.tell() == 0
        )
    except Exception:  # a werkzeug whose internals changed: read its way
        return False


def read_body(req: Request, limit: int) -> bytes | None:
    """Read the body of ``req`` as ``req.get_data()`` reads it with
    ``req.max_content_length == limit + 1``, which the caller has set.

    Returns the body (more than ``limit`` bytes means it is too large), or
    ``None`` where werkzeug refuses the body as too large. A request that
    is not read here is read by werkzeug.

    :raise ClientDisconnected: the client sent less than its
        ``Content-Length``, or reading the stream failed.
    """
    state = req.__dict__
    if (
        "_cached_data" in state
        or "stream" in state
        or state.get("shallow")
        or not _plain(type(req))
    ):
        return _get_data(req)
    body = _read_input(req.environ, limit)
    if body is None:
        return _get_data(req)
    # What werkzeug leaves: the body cached, the stream read to its end (to
    # its limit, for a body too large: reading on is refused).
    state["_cached_data"] = body
    if len(body) <= limit:
        state["stream"] = BytesIO()
    else:
        state["stream"] = LimitedStream(BytesIO(), 0, is_max=True)
    return body


def _get_data(req: Request) -> bytes | None:
    """Werkzeug's read; ``None`` for a body werkzeug refuses as too large."""
    try:
        return req.get_data()
    except RequestEntityTooLarge:
        return None


def _read_input(environ: dict[str, t.Any], limit: int) -> bytes | None:
    """The body read straight from ``wsgi.input``, or ``None`` (nothing read)
    for a request werkzeug should read."""
    if "HTTP_TRANSFER_ENCODING" in environ:
        return None
    length = environ.get("CONTENT_LENGTH")
    if length is not None:
        # Werkzeug also strips blanks and reads "-1" as 0: it decides those.
        if not (length.isdigit() and length.isascii()):
            return None
        size = int(length)
        if size > limit:
            return None  # werkzeug refuses it, or reads it and it is refused
    stream = environ["wsgi.input"]
    if "wsgi.input_terminated" in environ:
        # Werkzeug reads up to the limit plus one, until the stream ends.
        return _read(stream, limit + 1, exact=False)
    if length is None:
        return None  # werkzeug reads nothing
    if size == 0:
        return b""
    return _read(stream, size, exact=True)


def _read(stream: t.IO[bytes], size: int, exact: bool) -> bytes:
    """Up to ``size`` bytes of ``stream``, until it ends; ``exact``: the
    client announced ``size`` bytes, and fewer is a disconnection.
    """
    try:
        data = stream.read(size)
        got = len(data)
        if got < size:
            parts = [data]
            while got < size:
                chunk = stream.read(size - got)
                if not chunk:
                    if exact:
                        raise ClientDisconnected()
                    break
                parts.append(chunk)
                got += len(chunk)
            data = b"".join(parts)
    except (OSError, ValueError) as exc:
        raise ClientDisconnected() from exc
    return data if type(data) is bytes else bytes(data)
