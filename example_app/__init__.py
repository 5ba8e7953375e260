"""Acme's support line, the flask-tropo example: an ordinary Flask site with
a voice and SMS line mounted three times, the same handlers on each
platform: Tropo's WebAPI under ``/ivr``, Twilio under ``/twilio/ivr`` and
jambonz under ``/jambonz/ivr`` (Twilio needs the ``flask-tropo[twilio]``
extra; see ``docs/platforms.rst`` to point a number at them).

.. code-block:: text

    $ flask --app example_app --debug run          # the site, on 127.0.0.1:5000
    $ python -m example_app.demo                   # calls played offline
    $ flask --app example_app --debug tropo routes # the Tropo routes

- :mod:`example_app.ivr`: the call flows, a :class:`~flask_tropo.TropoBlueprint`.
- :mod:`example_app.db`: accounts, voicemails and the call log in SQLite.
- :mod:`example_app.demo`: plays calls through the app with the simulator.
- :mod:`example_app.flow`: the voice line's call flow, drawn on the home page.

Configuration, besides Flask's and flask-tropo's keys. ``SECRET_KEY`` signs
the ``next`` URLs: set your own, long and random, in ``instance/config.py`` or
as ``FLASK_SECRET_KEY``; outside debug and testing the app refuses to start
with the placeholder ``"dev"`` or a short key.

- ``EXAMPLE_DATABASE``: the SQLite file, created with sample rows when
  missing; default ``example_app.sqlite3`` in the instance folder.
- ``EXAMPLE_RECORDINGS``: the folder voicemail uploads are saved in;
  default ``recordings`` in the instance folder.
- ``EXAMPLE_LINE_NUMBER``: the line's own number, the caller id of texts and
  reminder calls.
- ``EXAMPLE_AGENT``: where support calls are transferred.
- ``EXAMPLE_PIN_TRIES``: wrong PINs for an account, from any call or text,
  before PIN entry for it is locked; ``EXAMPLE_PIN_LOCKOUT``: for how many
  seconds (default 15 minutes).
- ``EXAMPLE_ADMIN_PASSWORD``: the password of the home page (HTTP Basic, user
  ``admin``), which shows the call log and the voicemails; without it the page
  is refused.
"""

from __future__ import annotations

import collections.abc as c
import hmac
import os
import typing as t

from flask import Flask
from flask import Response
from flask import current_app
from flask import render_template
from flask import request

from flask_tropo import Tropo

from . import db
from .flow import flow_svg
from .ivr import bp
from .ivr import external_url

__all__ = ["create_app", "register_platforms", "tropo"]

#: The extension, shared by every app the factory makes.
tropo = Tropo()


def create_app(test_config: c.Mapping[str, t.Any] | None = None) -> Flask:
    """Create the support line's app.

    :param test_config: config that replaces ``instance/config.py`` and the
        ``FLASK_*`` environment variables, for tests and the demo.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        # Only for trying it out: set a real secret in instance/config.py.
        SECRET_KEY="dev",
        EXAMPLE_DATABASE=os.path.join(app.instance_path, "example_app.sqlite3"),
        EXAMPLE_RECORDINGS=os.path.join(app.instance_path, "recordings"),
        EXAMPLE_LINE_NUMBER="+14155550199",
        EXAMPLE_AGENT="+14155550123",
        EXAMPLE_PIN_TRIES=3,
        EXAMPLE_PIN_LOCKOUT=15 * 60,
        EXAMPLE_ADMIN_PASSWORD=None,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)
    key = app.config.get("TROPO_SECRET_KEY") or app.config["SECRET_KEY"]
    if not (app.debug or app.testing) and (not key or key == "dev" or len(key) < 16):
        raise RuntimeError(
            "The support line signs the steps of its calls with SECRET_KEY, and"
            " it is the placeholder or too short: set a long random one"
            " (FLASK_SECRET_KEY=... or instance/config.py), or run with --debug."
        )

    tropo.init_app(app)
    app.register_blueprint(bp, url_prefix="/ivr")
    register_platforms(app)
    db.init_app(app)
    app.add_url_rule("/", view_func=index)
    return app


def register_platforms(app: Flask) -> None:
    """Mount the line for Twilio (``/twilio/ivr``) and jambonz
    (``/jambonz/ivr``) too: the same blueprint, registered once per
    platform."""
    app.register_blueprint(
        bp, url_prefix="/twilio/ivr", name="ivr_twilio", platform="twilio"
    )
    app.register_blueprint(
        bp, url_prefix="/jambonz/ivr", name="ivr_jambonz", platform="jambonz"
    )


def index() -> str | Response:
    """The home page, behind HTTP Basic auth (``admin`` and
    ``EXAMPLE_ADMIN_PASSWORD``): what the line does, its numbers, its call
    flow (:func:`example_app.flow.flow_svg`), and its activity."""
    config = current_app.config
    password = config["EXAMPLE_ADMIN_PASSWORD"]
    if not password:
        return Response(
            "Set EXAMPLE_ADMIN_PASSWORD to see the support line's activity.", 403
        )
    auth = request.authorization
    given = f"{auth.username}:{auth.password}" if auth and auth.type == "basic" else ""
    if not hmac.compare_digest(given.encode(), f"admin:{password}".encode()):
        return Response(
            "The support line's activity needs the admin password.",
            401,
            {"WWW-Authenticate": 'Basic realm="Acme support"'},
        )
    return render_template(
        "index.html",
        line=config["EXAMPLE_LINE_NUMBER"],
        agent=config["EXAMPLE_AGENT"],
        voice_url=external_url("ivr.incoming_call"),
        sms_url=external_url("ivr.incoming_text"),
        remind_url=external_url("ivr.remind"),
        accounts=db.SAMPLE_ACCOUNTS,
        voicemails=[(row, _web_link(row["recording_url"])) for row in db.voicemails()],
        calls=db.recent_calls(),
        flow=flow_svg(),
    )


def _web_link(url: str | None) -> str | None:
    """``url`` if it is an http(s) address, else ``None``: the platform's
    recording URL comes in a result anyone could post, so a ``javascript:``
    URL must not become a link."""
    if url and url.lower().startswith(("http://", "https://")):
        return url
    return None
