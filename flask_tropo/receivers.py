"""The receivers of what the platform uploads for a verb: the recording of
``Record(url=handler)`` / ``StartRecording(url=handler)`` and the text of
``Transcription(url=handler)`` (DESIGN 3.10). Their URLs carry the same
signed token as ``next`` URLs; :data:`~flask_tropo.call_state` is restored
from it, the handler's answer goes to the platform, not to a caller.
Internal; may change at any time.
"""

from __future__ import annotations

import io
import typing as t
from dataclasses import replace

from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.wrappers import Response

from .continuation import CURRENT_CALL
from .continuation import NEXT_PARAM
from .continuation import ActiveCall
from .exceptions import InvalidNextToken
from .exceptions import InvalidPayload
from .payloads import Recording
from .payloads import TranscriptionResult
from .schemas.payloads import load_transcription
from .views import Route
from .views import _app_state
from .views import _read_body
from .views import _read_limited
from .views import _reject
from .views import _tokens

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Flask
    from flask import Request

__all__ = ["serve_upload"]

#: What a recording's multipart envelope may add to the file's size.
_ENVELOPE = 64 * 1024
_TOO_LARGE = (
    "The recording is larger than the {} bytes allowed (TROPO_MAX_RECORDING_BYTES)."
)


def serve_upload(
    app: Flask, req: Request, route: Route, view_args: dict[str, t.Any]
) -> Response:
    """A recording (multipart form, file field ``filename``, or a raw ``PUT``)
    or a transcription (JSON) the platform uploads to the signed URL that
    ``url=handler`` rendered. The token is the credential: the platform sends
    uploads without the Basic credentials of call steps."""
    state, config = _app_state(app), app.config
    methods = ["POST", "PUT"] if route.kind == "recording" else ["POST"]
    if req.method not in methods:
        raise MethodNotAllowed(
            valid_methods=methods,
            description=f"A {route.kind} route accepts {' or '.join(methods)}.",
        )
    try:
        session_id, restored = _tokens(app, state, config).open(
            config, req.args.get(NEXT_PARAM), req.endpoint or ""
        )
    except InvalidNextToken as exc:
        _reject(app, "invalid-token", exc)
        raise
    payload: Recording | TranscriptionResult
    if route.kind == "recording":
        payload = Recording(_upload(app, req), session_id=session_id)
    else:
        _read_body(app, config, req)
        try:
            payload = replace(load_transcription(req.get_data()), session_id=session_id)
        except InvalidPayload as exc:
            _reject(app, "invalid-payload", exc)
            raise
    token = CURRENT_CALL.set(ActiveCall(session_id, restored))
    try:
        rv = route.run(app, payload, view_args)
    finally:
        CURRENT_CALL.reset(token)
    return app.response_class(status=204) if rv is None else app.make_response(rv)


def _upload(app: Flask, req: Request) -> FileStorage:
    """The uploaded file, at most ``TROPO_MAX_RECORDING_BYTES``."""
    limit = app.config["TROPO_MAX_RECORDING_BYTES"]
    # The body may exceed the file by its multipart envelope; the file itself
    # is measured once parsed.
    req.max_content_length = None if limit is None else limit + _ENVELOPE
    storage = _read_limited(app, lambda: _file(req), _size, limit, _TOO_LARGE)
    if storage is None:
        missing = BadRequest(
            description="Expected a recording: a multipart upload with a file"
            " field named 'filename', or the file as the body of a PUT."
        )
        raise _reject(app, "no-file", missing)
    return storage


def _file(req: Request) -> FileStorage | None:
    storage = req.files.get("filename")
    if storage is None and req.mimetype != "multipart/form-data":
        data = req.get_data()  # a raw PUT (or POST) of the file itself
        if data:
            storage = FileStorage(io.BytesIO(data), content_type=req.mimetype)
    return storage


def _size(storage: FileStorage | None) -> int:
    if storage is None:
        return 0
    stream = storage.stream
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    return size
