"""The :class:`Platform` base class: what every platform implements."""

from __future__ import annotations

import collections.abc as c
import typing as t

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Request
    from flask import Response

    from ..payloads import Result
    from ..payloads import Session
    from ..verbs import Verb

__all__ = ["Kind", "NextUrl", "Platform"]

#: The kinds of Tropo routes: the session route a call starts on, the result
#: routes ``next`` URLs point to, and the app-wide hangup and error routes.
Kind = t.Literal["session", "result", "hangup", "error"]
#: Turns a handler given as ``On(next=handler)`` into its URL.
NextUrl = c.Callable[[c.Callable[..., t.Any]], str]


class Platform:
    """How one platform's requests are read and its documents written.

    Subclasses set :attr:`name` and implement the methods; one instance
    serves every request (it keeps no per-request state).
    """

    #: The name given as ``platform=`` when registering a blueprint.
    name: t.ClassVar[str]

    def verify(self, request: Request) -> None:
        """Check that the platform sent ``request`` (its signature header),
        before anything else is read; raise a 403 if it did not. The default
        checks nothing.

        :param request: the request.
        """

    def read(self, kind: Kind, request: Request) -> Session | Result:
        """Read the request into the payload of a ``kind`` route.

        :param kind: the kind of the route.
        :param request: the request, its body limited to
            ``TROPO_MAX_CONTENT_LENGTH``.
        :raise InvalidPayload: the request is not what the platform sends.
        """
        raise NotImplementedError

    def render(self, verbs: c.Sequence[Verb], next_url: NextUrl) -> t.Any:
        """Write verbs as the platform's document (sent with the
        ``response_rendered`` signal).

        :param verbs: the verbs of the answer, default ``On`` handlers added.
        :param next_url: resolves ``On(next=handler)`` to its signed URL.
        :raise TropoError: a verb or option the platform cannot express.
        """
        raise NotImplementedError

    def response(self, document: t.Any) -> Response:
        """The response that carries ``document``.

        :param document: what :meth:`render` returned.
        """
        raise NotImplementedError
