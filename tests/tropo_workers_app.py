"""The example app as ``tests/test_workers.py`` serves it under gunicorn.

``gunicorn 'tropo_workers_app:create()'`` builds the support line of
:mod:`example_app` with the config the test passes in environment variables,
the same ``SECRET_KEY`` in every worker, and tells which worker served each
request: an ``X-Worker-Pid`` header, and a line ``pid path session-id status``
appended to the file ``TROPO_WORKERS_LOG`` (one ``write`` with ``O_APPEND``
per line, so the workers' lines never interleave).
"""

from __future__ import annotations

import json
import os
import typing as t

from flask import Flask
from flask import request
from werkzeug.wrappers import Response

from example_app import create_app


def create() -> Flask:
    """The example app, configured from ``TROPO_WORKERS_*`` variables."""
    app = create_app(
        {
            "SECRET_KEY": os.environ["TROPO_WORKERS_SECRET_KEY"],
            "EXAMPLE_DATABASE": os.environ["TROPO_WORKERS_DATABASE"],
            "EXAMPLE_RECORDINGS": os.environ["TROPO_WORKERS_RECORDINGS"],
            # Wrong PINs are counted per account, across calls and workers:
            # the calls here share three accounts, so none locks them.
            "EXAMPLE_PIN_TRIES": int(os.environ.get("TROPO_WORKERS_PIN_TRIES", 3)),
        }
    )
    log = os.environ["TROPO_WORKERS_LOG"]

    @app.after_request
    def served_by(response: Response) -> Response:
        pid = os.getpid()
        response.headers["X-Worker-Pid"] = str(pid)
        line = f"{pid} {request.path} {_session_id()} {response.status_code}\n"
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
        return response

    return app


def _session_id() -> str:
    """The session id of the posted session or result document, else ``-``."""
    try:
        document: t.Any = json.loads(request.get_data())
        inner = document.get("session") or document.get("result")
        return str(inner.get("id") or inner.get("sessionId"))
    except (ValueError, AttributeError):
        return "-"
