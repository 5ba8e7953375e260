"""Signals sent while a Tropo route handles a request; see :doc:`/signals`.

The sender is always the app itself, never the ``current_app`` proxy, and they
are sent with ``_async_wrapper=app.ensure_sync`` so ``async def`` receivers
work.
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
Keyword arguments: ``session``, the :class:`~flask_tropo.Session`.
"""

result_received = _signals.signal("tropo-result-received")
"""A result payload was loaded and its ``next`` token accepted on a result,
hangup or error route, before the handler runs. Keyword arguments:
``result``, the :class:`~flask_tropo.Result`.
"""

response_rendered = _signals.signal("tropo-response-rendered")
"""A document, the handler's or the apology after a failure, is about to be
sent (not when a handler returns its own :class:`~flask.Response`). Keyword
arguments: ``document``, the ``{"tropo": [...]}`` dict.
"""

handler_failed = _signals.signal("tropo-handler-failed")
"""A handler raised (or returned something that cannot be rendered) and the
caller gets the apology document instead; not sent when the exception
propagates (``app.testing`` or ``TROPO_PROPAGATE_EXCEPTIONS``). Keyword
arguments: ``exception``, the exception.
"""

payload_rejected = _signals.signal("tropo-payload-rejected")
"""A request to a Tropo route is about to be refused with 400, 401, 403 or
413; the handler is not called. Keyword arguments: ``reason``, one of
``"invalid-payload"``, ``"unauthorized"``, ``"invalid-token"``,
``"too-large"``; ``errors``, the ``errors`` mapping of the JSON error body.
"""
