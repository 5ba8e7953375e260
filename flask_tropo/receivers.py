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

from flask import Flask
from flask import current_app
from flask import request
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import RequestEntityTooLarge
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
from .views import _reject

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Request
    from flask.config import Config

__all__ = ["serve_upload"]

#: What a recording's multipart envelope may add to the file's size.
_ENVELOPE = 64 * 1024


def serve_upload(route: Route, view_args: dict[str, t.Any]) -> Response:
    """A recording (multipart form, file field ``filename``, or a raw ``PUT``)
    or a transcription (JSON) the platform uploads to the signed URL that
    ``url=handler`` rendered. The token is the credential: the platform sends
    uploads without the Basic credentials of call steps."""
    app: Flask = current_app.ensure_sync.__self__  # type: ignore[attr-defined]
    req: Request = request.environ.get("werkzeug.request", request)
    state, config = _app_state(app), app.config
    methods = ["POST", "PUT"] if route.kind == "recording" else ["POST"]
    if req.method not in methods:
        raise MethodNotAllowed(
            valid_methods=methods,
            description=f"A {route.kind} route accepts {' or '.join(methods)}.",
        )
    try:
        try:
            tokens = state.tokens(config)
        except RuntimeError as missing:  # no key: the app's fault, not a 500
            app.logger.error("An upload was refused with 403: %s", missing)
            raise InvalidNextToken(
                "This app has no secret key to check upload tokens with."
            ) from None
        session_id, restored = tokens.open(
            config, req.args.get(NEXT_PARAM), req.endpoint or ""
        )
    except InvalidNextToken as exc:
        _reject(app, "invalid-token", exc)
        raise
    payload: Recording | TranscriptionResult
    if route.kind == "recording":
        payload = Recording(_upload(app, config, req), session_id=session_id)
    else:
        _read_body(app, config, req)
        try:
            payload = replace(load_transcription(req.get_data()), session_id=session_id)
        except InvalidPayload as exc:
            _reject(app, "invalid-payload", exc)
            raise
    token = CURRENT_CALL.set(ActiveCall(session_id, restored))
    try:
        handler = route.handler
        if route.coroutine or type(app).ensure_sync is not Flask.ensure_sync:
            handler = app.ensure_sync(handler)
        rv = handler(payload, **view_args)
    finally:
        CURRENT_CALL.reset(token)
    return app.response_class(status=204) if rv is None else app.make_response(rv)


def _upload(app: Flask, config: Config, req: Request) -> FileStorage:
    """The uploaded file, at most ``TROPO_MAX_RECORDING_BYTES``."""
    limit = config["TROPO_MAX_RECORDING_BYTES"]
    # The body may exceed the file by its multipart envelope; the file itself
    # is measured once parsed.
    req.max_content_length = None if limit is None else limit + _ENVELOPE
    try:
        storage = req.files.get("filename")
        if storage is None and req.mimetype != "multipart/form-data":
            data = req.get_data()  # a raw PUT (or POST) of the file itself
            if data:
                storage = FileStorage(io.BytesIO(data), content_type=req.mimetype)
    except RequestEntityTooLarge:
        storage, size = None, -1
    except HTTPException:
        raise
    except Exception as error:  # the server could not read the body
        exc = BadRequest(description=f"The request body could not be read: {error}.")
        _reject(app, "unreadable-body", exc)
        raise exc from error
    else:
        size = _size(storage)
    if limit is not None and not 0 <= size <= limit:
        too_large = RequestEntityTooLarge(
            description=f"The recording is larger than the {limit} bytes allowed"
            " (TROPO_MAX_RECORDING_BYTES)."
        )
        _reject(app, "too-large", too_large)
        raise too_large
    if storage is None:
        missing = BadRequest(
            description="Expected a recording: a multipart upload with a file"
            " field named 'filename', or the file as the body of a PUT."
        )
        _reject(app, "no-file", missing)
        raise missing
    return storage


def _size(storage: FileStorage | None) -> int:
    if storage is None:
        return 0
    stream = storage.stream
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    return size
