"""Signals sent while a Tropo route handles a request.

The sender is always the app itself, never the ``current_app`` proxy. Receivers
should accept ``**extra`` so more keyword arguments can be added later:

.. code-block:: python

    from flask_tropo import signals

    @signals.session_received.connect_via(app)
    def log_call(sender, session, **extra):
        sender.logger.info("call %s from %s", session.id, session.from_)

``async def`` receivers work: signals are sent with
``_async_wrapper=app.ensure_sync``. Exceptions raised by receivers propagate,
as blinker intends.
"""

from __future__ import annotations

from blinker import Namespace

__all__ = [
    "session_received",
    "result_received",
    "response_rendered",
    "handler_failed",
    "payload_rejected",
]

_signals = Namespace()

session_received = _signals.signal("tropo-session-received")
"""A session payload was loaded on a session route, before the handler runs.

Sender: the app. Keyword arguments: ``session``, the
:class:`~flask_tropo.Session`.
"""

result_received = _signals.signal("tropo-result-received")
"""A result payload was loaded and its ``next`` token accepted on a result,
hangup or error route, before the handler runs.

Sender: the app. Keyword arguments: ``result``, the
:class:`~flask_tropo.Result`.
"""

response_rendered = _signals.signal("tropo-response-rendered")
"""A document was rendered and is about to be sent to Tropo (also the apology
document after a handler failed; not sent when a handler returns its own
:class:`~flask.Response`).

Sender: the app. Keyword arguments: ``document``, the ``{"tropo": [...]}``
dict.
"""

handler_failed = _signals.signal("tropo-handler-failed")
"""A handler raised (or returned something that cannot be rendered) and the
caller gets the apology document instead. Not sent when the exception
propagates (``app.testing`` or ``TROPO_PROPAGATE_EXCEPTIONS``).

Sender: the app. Keyword arguments: ``exception``, the exception.
"""

payload_rejected = _signals.signal("tropo-payload-rejected")
"""A request to a Tropo route is about to be refused with 400, 401, 403 or
413; the handler is not called.

Sender: the app. Keyword arguments: ``reason``, one of ``"invalid-payload"``,
``"unauthorized"``, ``"invalid-token"``, ``"too-large"``; ``errors``, the
``errors`` mapping of the JSON error body (field name to messages).
"""
