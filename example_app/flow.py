"""The support line's call flow, drawn for the home page.

Every path of ``/ivr/voice`` is played by flask-tropo's simulator
(:meth:`~flask_tropo.testing.Simulator.explore`) on a twin of the app made
by :func:`example_app.create_app` with a scratch database, so the explored
calls stay out of the real call log. It is drawn as SVG once per process and
kept; ``flask --app example_app tropo graph /ivr/voice`` draws the same
flow in a terminal.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import secrets
import tempfile

from markupsafe import Markup

from flask_tropo.testing import Simulator

__all__ = ["flow_svg"]


@functools.cache
def flow_svg() -> Markup:
    """The flow of ``/ivr/voice`` as an inline ``<svg>``."""
    from . import create_app

    with tempfile.TemporaryDirectory() as folder:
        twin = create_app(
            {
                "SECRET_KEY": secrets.token_hex(16),
                "EXAMPLE_DATABASE": os.path.join(folder, "flow.sqlite3"),
                "EXAMPLE_RECORDINGS": os.path.join(folder, "recordings"),
            }
        )
        # The sample account number (123456) is no account, so every PIN is
        # refused without checking a hash (scrypt is slow on purpose): the
        # drawing is the same, the page is quick.
        flow = Simulator(twin).explore("/ivr/voice")
    # the reminder's steps belong to /ivr/remind's flow, not to this one
    return Markup(dataclasses.replace(flow, unreached=()).to_svg())
