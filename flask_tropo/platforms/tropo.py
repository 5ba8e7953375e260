"""The Tropo WebAPI: JSON documents in and out (``tropo-webapi.md``)."""

from __future__ import annotations

import collections.abc as c
import typing as t

from flask import current_app

from ..document import render
from ..schemas.payloads import load_result
from ..schemas.payloads import load_session
from .base import Kind
from .base import NextUrl
from .base import Platform

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Request
    from flask import Response

    from ..payloads import Result
    from ..payloads import Session
    from ..verbs import Verb

__all__ = ["TropoPlatform"]


class TropoPlatform(Platform):
    """Tropo's WebAPI: a session or result document posted as JSON, answered
    with ``{"tropo": [...]}`` through the app's JSON provider.
    """

    name = "tropo"

    def read(self, kind: Kind, request: Request) -> Session | Result:
        body = request.get_data()
        return load_session(body) if kind == "session" else load_result(body)

    def render(self, verbs: c.Sequence[Verb], next_url: NextUrl) -> dict[str, t.Any]:
        return render(verbs, next_url=next_url)

    def response(self, document: t.Any) -> Response:
        return t.cast("Response", current_app.json.response(document))
