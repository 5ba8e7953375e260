"""Signed recording and transcription receivers (issue 13, item 16; DESIGN
3.10): ``Record(url=handler)``, ``StartRecording(url=handler)`` and
``Transcription(url=handler)`` render the route's signed URL, and the route
checks the token, the size and the file before the handler runs."""

from __future__ import annotations

import io
import logging
import typing as t
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask import Response

from flask_tropo import Recording
from flask_tropo import Result
from flask_tropo import Session
from flask_tropo import TranscriptionResult
from flask_tropo import Tropo
from flask_tropo import TropoBlueprint
from flask_tropo import call_state
from flask_tropo.testing import session_payload
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Record
from flask_tropo.verbs import StartRecording
from flask_tropo.verbs import Transcription
from flask_tropo.verbs import UploadTarget

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(28)
LIMIT = 1024


class Line:
    """An app whose session document records, uploading to ``saved`` and
    transcribing to ``transcribed``; what the receivers got."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client = app.test_client()
        self.recordings: list[tuple[Recording, bytes, dict[str, t.Any]]] = []
        self.texts: list[tuple[TranscriptionResult, dict[str, t.Any]]] = []
        self.answer: t.Any = None

    def start(self, **session: t.Any) -> tuple[str, dict[str, t.Any]]:
        """Post a session; its id and the document."""
        payload = session_payload(**session)
        document = self.client.post("/voice", json=payload).json
        assert document is not None
        return payload["session"]["id"], document

    def urls(self) -> tuple[str, str]:
        """The recording and transcription URLs of a new call's document."""
        _, document = self.start()
        record = document["tropo"][0]["record"]
        return record["url"], record["transcription"]["url"]

    def upload(self, url: str, data: bytes = WAV, **kwargs: t.Any) -> t.Any:
        files = {"filename": (io.BytesIO(data), "recording.wav", "audio/wav")}
        return self.client.post(url, data=files, **kwargs)


@pytest.fixture
def tropo_line(app: Flask) -> Line:
    app.config["TROPO_MAX_RECORDING_BYTES"] = LIMIT
    tropo = Tropo()
    line: Line

    @tropo.on_session("/voice")
    def incoming(session: Session) -> list[t.Any]:
        call_state["caller"] = session.from_.id if session.from_ else None
        return [
            Record(
                url=saved,
                name="voicemail",
                transcription=Transcription(url=transcribed, id="vm-1"),
            ),
            On("continue", next=done),
        ]

    @tropo.on_result("/done")
    def done(result: Result) -> Hangup:
        return Hangup()

    @tropo.on_recording("/recordings")
    def saved(recording: Recording) -> t.Any:
        line.recordings.append((recording, recording.read(), dict(call_state)))
        return line.answer

    @tropo.on_transcription("/transcriptions")
    async def transcribed(transcription: TranscriptionResult) -> None:
        line.texts.append((transcription, dict(call_state)))

    tropo.init_app(app)
    line = Line(app)
    return line


def _token(url: str) -> str:
    return urlsplit(url).query


def _refused(response: t.Any, status: int, key: str, words: str) -> None:
    assert response.status_code == status
    body = response.get_json()
    assert (body["code"], list(body["errors"])) == (status, [key])
    assert words in body["errors"][key][0]


def test_the_verbs_render_the_signed_urls(tropo_line: Line) -> None:
    recording_url, text_url = tropo_line.urls()
    assert urlsplit(recording_url).path == "/recordings"
    assert urlsplit(text_url).path == "/transcriptions"
    assert _token(recording_url).startswith("tropo_token=")
    assert _token(text_url).startswith("tropo_token=")


def test_a_recording_reaches_its_handler_with_the_call_state(tropo_line: Line) -> None:
    session_id, document = tropo_line.start(from_="+14155550100")
    url = document["tropo"][0]["record"]["url"]
    response = tropo_line.upload(url)
    assert (response.status_code, response.get_data()) == (204, b"")
    [(recording, data, state)] = tropo_line.recordings
    assert isinstance(recording, Recording)
    assert recording.session_id == session_id
    assert (recording.filename, recording.content_type) == (
        "recording.wav",
        "audio/wav",
    )
    assert data == WAV
    assert state == {"caller": "+14155550100"}


def test_a_recording_put_as_the_body(tropo_line: Line) -> None:
    url, _ = tropo_line.urls()
    response = tropo_line.client.put(url, data=WAV, content_type="audio/wav")
    assert response.status_code == 204
    [(recording, data, _)] = tropo_line.recordings
    assert (recording.filename, recording.content_type, data) == (
        None,
        "audio/wav",
        WAV,
    )


def test_a_multipart_put(tropo_line: Line) -> None:
    url, _ = tropo_line.urls()
    files = {"filename": (io.BytesIO(WAV), "a.wav", "audio/wav")}
    assert tropo_line.client.put(url, data=files).status_code == 204


def test_the_handler_may_answer(tropo_line: Line) -> None:
    tropo_line.answer = Response("stored", status=201)
    url, _ = tropo_line.urls()
    response = tropo_line.upload(url)
    assert (response.status_code, response.get_data()) == (201, b"stored")


@pytest.mark.parametrize(
    ("mangle", "words"),
    [
        (lambda url: url.partition("?")[0], "is missing"),
        (lambda url: url[:-2] + ("A" if url[-2] != "A" else "B") + url[-1], "altered"),
        (lambda url: url.replace("tropo_token=", "tropo_token=x"), "altered"),
    ],
    ids=["no token", "tampered", "garbled"],
)
def test_no_token_or_a_bad_one_is_a_403(
    tropo_line: Line, mangle: t.Callable[[str], str], words: str
) -> None:
    url, _ = tropo_line.urls()
    _refused(tropo_line.upload(mangle(url)), 403, "tropo_token", words)
    assert tropo_line.recordings == []


def test_a_token_of_another_route_is_a_403(tropo_line: Line) -> None:
    recording_url, text_url = tropo_line.urls()
    swapped = "/recordings?" + _token(text_url)
    _refused(tropo_line.upload(swapped), 403, "tropo_token", "another route")
    _, document = tropo_line.start()
    [next_url] = [e["on"]["next"] for e in document["tropo"] if "on" in e][:1]
    stolen = "/recordings?" + _token(next_url)
    _refused(tropo_line.upload(stolen), 403, "tropo_token", "another route")


def test_no_file_is_a_400(tropo_line: Line) -> None:
    url, _ = tropo_line.urls()
    client = tropo_line.client
    _refused(client.post(url, data={"other": "x"}), 400, "request", "'filename'")
    other_field = {"file": (io.BytesIO(WAV), "a.wav")}
    _refused(client.post(url, data=other_field), 400, "request", "'filename'")
    _refused(client.post(url), 400, "request", "Expected a recording")
    assert tropo_line.recordings == []


@pytest.mark.parametrize("chunked", [False, True])
def test_a_file_above_the_limit_is_a_413(tropo_line: Line, chunked: bool) -> None:
    url, _ = tropo_line.urls()
    if chunked:
        response = tropo_line.client.put(
            url,
            input_stream=io.BytesIO(b"x" * (LIMIT + 1)),
            content_type="audio/wav",
            headers={"Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},
        )
    else:
        response = tropo_line.upload(url, b"x" * (LIMIT + 1))
    _refused(response, 413, "body", "TROPO_MAX_RECORDING_BYTES")
    assert tropo_line.recordings == []


def test_a_far_larger_body_is_refused_by_its_length(tropo_line: Line) -> None:
    url, _ = tropo_line.urls()
    response = tropo_line.upload(url, b"x" * (200 * 1024))
    _refused(response, 413, "body", "TROPO_MAX_RECORDING_BYTES")


def test_a_file_at_the_limit_is_taken(tropo_line: Line) -> None:
    url, _ = tropo_line.urls()
    assert tropo_line.upload(url, b"x" * LIMIT).status_code == 204


def test_get_is_a_json_405(tropo_line: Line) -> None:
    url, _ = tropo_line.urls()
    _refused(tropo_line.client.get(url), 405, "method", "POST or PUT")


def test_a_transcription_reaches_its_handler(tropo_line: Line) -> None:
    session_id, document = tropo_line.start(from_="+14155550100")
    url = document["tropo"][0]["record"]["transcription"]["url"]
    body = {
        "result": {
            "guid": "b3d7f4c0",
            "identifier": "vm-1",
            "transcription": "please call me back",
            "confidence": 87,
        }
    }
    response = tropo_line.client.post(url, json=body)
    assert response.status_code == 204
    [(text, state)] = tropo_line.texts
    assert text == TranscriptionResult(
        session_id=session_id,
        identifier="vm-1",
        text="please call me back",
        confidence=87.0,
        guid="b3d7f4c0",
    )
    assert state == {"caller": "+14155550100"}


def test_a_bad_transcription_is_a_400(tropo_line: Line) -> None:
    _, url = tropo_line.urls()
    response = tropo_line.client.post(url, data=b"{not json")
    assert response.status_code == 400
    response = tropo_line.client.post(url, json={"result": {"confidence": "high"}})
    assert response.status_code == 400
    assert response.json["errors"] == {
        "result": {"confidence": ["Not a valid number."]}
    }
    assert tropo_line.texts == []


def test_a_transcription_without_a_token_is_a_403(tropo_line: Line) -> None:
    response = tropo_line.client.post("/transcriptions", json={"result": {}})
    _refused(response, 403, "tropo_token", "is missing")


def test_without_a_key_an_upload_is_a_403_and_the_log_says_what_to_set(
    tropo_line: Line, caplog: pytest.LogCaptureFixture
) -> None:
    url, _ = tropo_line.urls()
    tropo_line.app.config["SECRET_KEY"] = None
    with caplog.at_level(logging.ERROR, logger=tropo_line.app.logger.name):
        response = tropo_line.upload(url)
    _refused(response, 403, "tropo_token", "no secret key")
    assert "TROPO_SECRET_KEY" in caplog.records[-1].getMessage()


def test_basic_auth_is_not_asked_of_uploads(tropo_line: Line) -> None:
    """The platform sends no Basic credentials with an upload; the signed
    token is the credential."""
    tropo_line.app.config["TROPO_BASIC_AUTH"] = ("tropo", "s3cret")
    credentials = {"Authorization": "Basic dHJvcG86czNjcmV0"}  # tropo:s3cret
    payload = session_payload()
    response = tropo_line.client.post("/voice", json=payload, headers=credentials)
    url = response.json["tropo"][0]["record"]["url"]
    assert tropo_line.upload(url).status_code == 204


def test_start_recording_and_upload_targets_take_handlers(app: Flask) -> None:
    bp = TropoBlueprint("ivr", __name__)

    @bp.on_session("/voice")
    def incoming(session: Session) -> list[t.Any]:
        return [
            StartRecording(saved, transcription_out_uri=transcribed),
            Record(url=[UploadTarget(saved, method="PUT"), "https://b.example/up"]),
        ]

    @bp.on_recording("/saved")
    def saved(recording: Recording) -> None:  # pragma: no cover - not posted
        return None

    def transcribed(text: TranscriptionResult) -> None:  # pragma: no cover
        return None

    bp.add_transcription_rule("/text", view_func=transcribed)
    app.config["TROPO_EXTERNAL_URL"] = "https://ivr.example.com"
    Tropo(app)
    app.register_blueprint(bp, url_prefix="/ivr")
    document = app.test_client().post("/ivr/voice", json=session_payload()).json
    start, record = document["tropo"][0]["startRecording"], document["tropo"][1]
    assert start["url"].startswith("https://ivr.example.com/ivr/saved?tropo_token=")
    assert start["transcriptionOutURI"].startswith(
        "https://ivr.example.com/ivr/text?tropo_token="
    )
    [first, second] = record["record"]["url"]
    assert first["url"].startswith("https://ivr.example.com/ivr/saved?tropo_token=")
    assert (first["method"], second) == ("PUT", {"url": "https://b.example/up"})


def test_the_routes_are_listed_with_their_kinds(tropo_line: Line) -> None:
    result = tropo_line.app.test_cli_runner().invoke(args=["tropo", "routes"])
    lines = result.output.splitlines()
    assert "/recordings      recording      tropo.saved" in lines
    assert "/transcriptions  transcription  tropo.transcribed" in lines
