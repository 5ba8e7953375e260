"""What the simulated platform sends after a recording: the file, to each
upload target that is a flask-tropo recording route, and the text, to each
transcription URL that is a transcription route.

Those routes are told by the signed token in their URL (``tropo_token``);
other targets (a file server, ``mailto:``, another app's upload script) are
listed in :attr:`Recording.upload_urls <flask_tropo.testing.Recording>`, not
sent. The file is a short silent WAV made with :mod:`wave` (at most one
second, whatever the recording's length and ``format``); it is posted as a
multipart form with the file field ``filename``, or sent as the body of a
``PUT`` when the target's ``method`` is ``PUT``. The transcription is
``{"result": {"guid", "identifier", "transcription"}}``, the words spoken into
the recording. Both go before the verb's result, in order; an answer other
than ``2xx`` is a :exc:`~flask_tropo.testing.SimulationError`.

:meta private:
"""

from __future__ import annotations

import io
import typing as t
import uuid
import wave
from urllib.parse import parse_qs
from urllib.parse import urljoin
from urllib.parse import urlsplit

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from .. import verbs as v
from ..continuation import NEXT_PARAM
from ..exceptions import SimulationError
from . import wire

if t.TYPE_CHECKING:  # pragma: no cover
    from .line import Line
    from .line import Recording

__all__ = ["deliver", "wav"]

#: Frames per second of the WAV: telephone audio, 8 kHz.
RATE = 8000


def wav(seconds: float) -> bytes:
    """A silent mono 16-bit WAV of ``seconds`` (at most one second)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(RATE)
        file.writeframes(b"\0\0" * int(RATE * max(0.0, min(seconds, 1.0))))
    return out.getvalue()


def _signed(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and NEXT_PARAM in parse_qs(parts.query)


def deliver(
    transport: wire.Transport,
    line: Line,
    verb: v.Record | v.StartRecording,
    recording: Recording,
) -> None:
    """Upload ``recording`` and post its transcription to the flask-tropo
    routes among ``verb``'s targets (relative URLs are joined to the URL of
    the document being run)."""
    targets = verb.url if isinstance(verb.url, tuple) else (verb.url,)
    for target in targets:
        owner = target if isinstance(target, v.UploadTarget) else verb
        url = urljoin(line.document_url, str(getattr(target, "url", target)))
        method = getattr(target, "method", None) or verb.method or "POST"
        auth = None
        if owner.username is not None:
            auth = (owner.username, owner.password or "")
        if _signed(url):
            _upload(transport, line, url, method, auth, verb, recording)
    for url, identifier in _transcription_targets(verb):
        url = urljoin(line.document_url, url)
        if _signed(url):
            result = {
                "guid": str(uuid.uuid4()),
                "identifier": identifier,
                "transcription": recording.transcript,
            }
            answer = transport.post(url, {"result": result})
            _sent(line, "transcription", url, answer)


def _transcription_targets(
    verb: v.Record | v.StartRecording,
) -> list[tuple[str, str | None]]:
    if isinstance(verb, v.StartRecording):
        out = verb.transcription_out_uri
        return [(out, verb.transcription_id)] if isinstance(out, str) and out else []
    found = verb.transcription
    items = found if isinstance(found, tuple) else (found,) if found else ()
    return [(str(item.url), item.id) for item in items]


def _upload(
    transport: wire.Transport,
    line: Line,
    url: str,
    method: str,
    auth: tuple[str, str] | None,
    verb: v.Record | v.StartRecording,
    recording: Recording,
) -> None:
    data = wav(recording.duration)
    name = recording.url.rpartition("/")[2]
    if method == "PUT":
        body, content_type = data, recording.format
    else:
        storage = FileStorage(io.BytesIO(data), name, content_type=recording.format)
        boundary, body = encode_multipart({"filename": storage})
        content_type = f"multipart/form-data; boundary={boundary}"
    answer = transport.upload(url, body, content_type, method=method, auth=auth)
    _sent(line, verb.tropo_key, url, answer)


def _sent(line: Line, what: str, url: str, answer: wire.Response) -> None:
    line.log("recording", what, f"sent to {url}", url=url, status=answer.status)
    if not 200 <= answer.status < 300:
        raise SimulationError(
            f"the app answered {answer.status} to the {what} upload:"
            f" {wire.excerpt(answer.body, answer.content_type)}",
            url=url,
            status=answer.status,
        )
