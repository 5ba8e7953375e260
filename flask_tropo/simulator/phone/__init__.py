"""The phone page of ``flask tropo phone``: a small server of its own, on
127.0.0.1, that plays calls against a Flask app through the offline
simulator, in a browser.

It is never registered on the app: :func:`create_phone_app` makes a
separate WSGI app that calls the target in process, and :func:`serve` runs
it with werkzeug's development server bound to the loopback address.
"""

from __future__ import annotations

from .server import create_phone_app as create_phone_app
from .server import serve as serve

__all__ = ["create_phone_app", "serve"]
