"""The simulator's record, startRecording and stopRecording."""

from __future__ import annotations

import re
import typing as t

import pytest
from sim_apps import HANGUP
from sim_apps import ScriptedApp
from sim_apps import on
from sim_apps import say
from sim_apps import tropo

from flask_tropo.testing import Call
from flask_tropo.testing import Recording
from flask_tropo.testing import SimulationError
from flask_tropo.testing import Simulator
from flask_tropo.verbs import Record

FAKE_URL = re.compile(r"^http://simulator\.invalid/recordings/[0-9a-f]{32}\.wav$")


def voicemail(**fields: t.Any) -> ScriptedApp:
    record = {
        "url": "http://example.invalid/upload",
        "name": "message",
        "say": [
            {"value": "Still there?", "event": "timeout"},
            {"value": "Leave a message after the beep."},
        ],
        **fields,
    }
    return ScriptedApp(
        {
            "/voice": tropo(
                {"record": record}, on("continue", "/saved"), on("hangup", "/gone")
            ),
            "/saved": tropo(say("Saved"), HANGUP),
            "/gone": tropo(),
        }
    )


def dial(app: ScriptedApp) -> Call:
    return Simulator(app.app).dial("/voice")


def test_record_waits_and_ends_on_the_terminator() -> None:
    app = voicemail()
    call = dial(app)
    assert call.heard == ["Leave a message after the beep."]
    assert isinstance(call.waiting, Record)
    call.speak("hi it is me call me back")
    assert isinstance(call.waiting, Record)  # still recording
    call.press("#")
    assert call.heard[-1] == "Saved" and call.ended
    action = app.results[-1]["actions"]
    assert action["name"] == "message"
    assert action["attempts"] == 1
    assert action["disposition"] == "SUCCESS"
    assert action["uploadStatus"] == "success"
    assert action["duration"] == 7 and isinstance(action["duration"], int)
    assert FAKE_URL.match(action["value"])
    assert call.recordings == [
        Recording(
            url=action["value"],
            duration=7,
            verb="record",
            format="audio/wav",
            upload_urls=("http://example.invalid/upload",),
            transcript="hi it is me call me back",
            name="message",
        )
    ]


def test_record_ends_on_silence_which_is_recorded() -> None:
    app = voicemail(maxSilence=3)
    call = dial(app).speak("hello there").silence()
    assert call.ended
    action = app.results[-1]["actions"]
    assert action["duration"] == 5
    assert app.results[-1]["sessionDuration"] == 5


def test_silence_alone_gives_a_recording_of_silence() -> None:
    app = voicemail()
    dial(app).silence()
    action = app.results[-1]["actions"]
    assert action["disposition"] == "SUCCESS"
    assert action["duration"] == 5
    assert FAKE_URL.match(action["value"])


def test_other_keys_are_recorded_and_the_custom_terminator_ends() -> None:
    app = voicemail(choices={"terminator": "*"})
    call = dial(app).press("#")
    assert not call.ended
    assert any(e.kind == "note" and "terminator" in e.detail for e in call.events)
    call.press("1*")
    assert call.ended and app.paths[-1] == "/saved"


def test_max_time_cuts_the_recording() -> None:
    app = voicemail(maxTime=4.0)
    call = dial(app).speak("one two three four five six")
    assert call.ended
    assert app.results[-1]["actions"]["duration"] == 4


@pytest.mark.parametrize(
    ("url", "uploads"),
    [
        (
            {"url": "ftp://files.invalid/a.wav", "username": "u"},
            ("ftp://files.invalid/a.wav",),
        ),
        (
            [{"url": "http://a.invalid/"}, {"url": "http://b.invalid/"}],
            ("http://a.invalid/", "http://b.invalid/"),
        ),
        ("/relative/upload.php", ("/relative/upload.php",)),
    ],
)
def test_upload_targets_are_listed_not_sent(
    url: t.Any, uploads: tuple[str, ...]
) -> None:
    app = voicemail(url=url)
    call = dial(app).press("#")
    assert call.recordings[0].upload_urls == uploads
    assert app.paths == ["/voice", "/saved"]


def test_format_gives_the_extension() -> None:
    app = voicemail(format="audio/mp3")
    call = dial(app).press("#")
    assert call.recordings[0].url.endswith(".mp3")
    assert call.recordings[0].format == "audio/mp3"


def test_hangup_while_recording_keeps_what_was_said() -> None:
    app = voicemail()
    call = dial(app).speak("sorry I missed you").hangup()
    assert call.ended and app.paths[-1] == "/gone"
    result = app.results[-1]
    assert result["state"] == "DISCONNECTED"
    assert result["actions"]["duration"] == 4
    assert len(call.recordings) == 1


def test_hangup_before_speaking_leaves_no_recording() -> None:
    app = voicemail()
    call = dial(app).hangup()
    assert app.results[-1]["actions"] == {}
    assert call.recordings == []


def test_record_on_a_text_channel_is_an_error() -> None:
    app = voicemail()
    with pytest.raises(SimulationError, match="text conversation cannot be recorded"):
        Simulator(app.app).text("/voice", "hi")


def test_start_and_stop_recording() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(
                {
                    "startRecording": {
                        "url": "http://example.invalid/calls",
                        "format": "audio/mp3",
                    }
                },
                say("This call is recorded."),
                {"wait": {"milliseconds": 3000}},
                {"stopRecording": None},
                say("Done"),
                HANGUP,
            )
        }
    )
    call = dial(app)
    assert call.heard == ["This call is recorded.", "Done"]
    (recording,) = call.recordings
    assert recording.verb == "startRecording"
    assert recording.duration == 3
    assert recording.url.endswith(".mp3")
    assert recording.upload_urls == ("http://example.invalid/calls",)
    assert [e.name for e in call.events if e.kind == "recording"] == ["startRecording"]


def test_recording_still_running_ends_with_the_call() -> None:
    app = ScriptedApp(
        {
            "/voice": tropo(
                {"startRecording": {"url": "http://example.invalid/calls"}},
                {"startRecording": {"url": "http://example.invalid/other"}},
                {"ask": {"choices": {"value": "1"}, "timeout": 10}},
            )
        }
    )
    call = dial(app).silence()
    assert call.ended
    (recording,) = call.recordings
    assert recording.duration == 10
    assert any(e.detail == "already recording" for e in call.events)


def test_stop_recording_without_a_recording_is_noted() -> None:
    app = ScriptedApp({"/voice": tropo({"stopRecording": "null"}, HANGUP)})
    call = dial(app)
    assert call.recordings == []
    assert any(e.detail == "nothing is being recorded" for e in call.events)
