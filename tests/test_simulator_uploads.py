"""The simulator sends a recording's file and text to the app's signed
receivers, so a whole voicemail flow plays in a test (issue 13, item 16)."""

from __future__ import annotations

import io
import typing as t
import wave

import pytest
from flask import Flask

from flask_tropo import Recording
from flask_tropo import Result
from flask_tropo import Session
from flask_tropo import TranscriptionResult
from flask_tropo import Tropo
from flask_tropo import call_state
from flask_tropo.testing import SimulationError
from flask_tropo.testing import Simulator
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Record
from flask_tropo.verbs import Say
from flask_tropo.verbs import StartRecording
from flask_tropo.verbs import StopRecording
from flask_tropo.verbs import Transcription
from flask_tropo.verbs import UploadTarget


class Voicemail:
    def __init__(self) -> None:
        self.files: list[tuple[str, str | None, str | None, bytes, dict[str, t.Any]]]
        self.files = []
        self.texts: list[tuple[TranscriptionResult, dict[str, t.Any]]] = []


@pytest.fixture
def tropo_voicemail(app: Flask) -> tuple[Flask, Voicemail]:
    box = Voicemail()
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> list[t.Any]:
        call_state["caller"] = session.from_.id if session.from_ else None
        return [
            Record(
                url=saved,
                say="Leave a message after the beep.",
                name="voicemail",
                transcription=Transcription(url=transcribed, id="vm"),
            ),
            On("continue", next=thanks),
        ]

    @tropo.on_result("/thanks")
    def thanks(result: Result) -> list[t.Any]:
        return [Say("Thank you."), Hangup()]

    @tropo.on_recording("/saved")
    def saved(recording: Recording) -> None:
        box.files.append(
            (
                recording.session_id,
                recording.filename,
                recording.content_type,
                recording.read(),
                dict(call_state),
            )
        )

    @tropo.on_transcription("/transcribed")
    def transcribed(text: TranscriptionResult) -> None:
        box.texts.append((text, dict(call_state)))

    tropo.init_app(app)
    return app, box


def test_a_voicemail_plays_end_to_end(tropo_voicemail: tuple[Flask, Voicemail]) -> None:
    app, box = tropo_voicemail
    call = Simulator(app).dial("/voice", from_="+14155550100")
    call.speak("please call me back").silence()
    assert call.heard == ["Leave a message after the beep.", "Thank you."]
    assert call.ended
    [(session_id, filename, content_type, data, state)] = box.files
    assert session_id == call.session_id
    assert state == {"caller": "+14155550100"}
    assert content_type == "audio/wav" and filename and filename.endswith(".wav")
    with wave.open(io.BytesIO(data)) as audio:
        assert (audio.getnchannels(), audio.getframerate()) == (1, 8000)
        assert audio.getnframes() == 8000  # a second at most
    [(text, text_state)] = box.texts
    assert (text.session_id, text.identifier, text.text) == (
        call.session_id,
        "vm",
        "please call me back",
    )
    assert text_state == {"caller": "+14155550100"}
    sent = [e for e in call.events if e.kind == "recording" and e.url]
    assert [(e.name, e.status) for e in sent] == [
        ("record", 204),
        ("transcription", 204),
    ]
    # uploads go before the result that ends the record
    assert [e.kind for e in call.events].index("recording") < [
        e.kind for e in call.events
    ].index("post", 1)


def test_a_put_target_and_start_recording(app: Flask) -> None:
    got: list[tuple[str, str | None]] = []
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> list[t.Any]:
        return [
            StartRecording(UploadTarget(saved, method="PUT"), format="audio/mp3"),
            Say("This call is recorded."),
            StopRecording(),
            Hangup(),
        ]

    @tropo.on_recording("/saved")
    def saved(recording: Recording) -> None:
        from flask import request

        got.append((request.method, recording.content_type))

    tropo.init_app(app)
    call = Simulator(app).dial("/voice")
    assert call.ended
    assert got == [("PUT", "audio/mp3")]


def test_targets_that_are_no_receivers_are_listed_not_sent(
    tropo_voicemail: tuple[Flask, Voicemail], app: Flask
) -> None:
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> list[t.Any]:
        return [Record(url="/plain-upload"), Hangup()]

    other = Flask(__name__)
    other.config["SECRET_KEY"] = "another test key"
    tropo.init_app(other)
    call = Simulator(other).dial("/voice").silence()
    assert call.recordings[0].upload_urls == ("/plain-upload",)
    assert [e for e in call.events if e.kind == "recording" and e.url] == []


def test_a_refused_upload_is_a_simulation_error(
    tropo_voicemail: tuple[Flask, Voicemail],
) -> None:
    app, box = tropo_voicemail
    app.config["TROPO_MAX_RECORDING_BYTES"] = 100
    with pytest.raises(SimulationError) as info:
        Simulator(app).dial("/voice").speak("hello").silence()
    assert info.value.status == 413
    assert "the app answered 413 to the record upload" in str(info.value)
    assert box.files == []
