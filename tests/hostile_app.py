"""The app ``tests/test_gunicorn.py`` and ``tests/test_hostile_gunicorn.py``
serve under gunicorn: a session route whose document records to a recording
receiver and links to a result route, all keeping nothing, so a hostile
request can only be refused or answered.

``gunicorn 'hostile_app:create()'`` reads its key from ``TROPO_HOSTILE_KEY``;
recordings are limited to 64 KiB.
"""

from __future__ import annotations

import os

from flask import Flask

from flask_tropo import Recording
from flask_tropo import Result
from flask_tropo import Session
from flask_tropo import Tropo
from flask_tropo import call_state
from flask_tropo.verbs import Ask
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Record
from flask_tropo.verbs import Say
from flask_tropo.verbs import Verb


def create() -> Flask:
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> list[Verb]:
        call_state["caller"] = session.from_.id if session.from_ else None
        return [
            Ask("[4 DIGITS]", say="Your PIN?", name="pin"),
            On("continue", next=answered),
        ]

    @tropo.on_result("/answered")
    def answered(result: Result) -> list[Verb]:
        return [Say(f"You entered {result.value}."), Record(url=saved), Hangup()]

    @tropo.on_recording("/saved")
    def saved(recording: Recording) -> None:
        recording.stream.read()

    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ["TROPO_HOSTILE_KEY"]
    app.config["TROPO_MAX_RECORDING_BYTES"] = 64 * 1024
    tropo.init_app(app)
    return app
