"""The :class:`Platform` base class: what every platform implements, and the
:class:`Turn` an emulated platform's continuation takes."""

from __future__ import annotations

import collections.abc as c
import typing as t

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Flask
    from flask import Request
    from flask import Response

    from ..continuation import Links
    from ..payloads import Result
    from ..payloads import Session
    from ..verbs import Verb

__all__ = ["Kind", "NextUrl", "Platform", "Turn"]

#: The kinds of Tropo routes: the session route a call starts on, the result
#: routes ``next`` URLs point to, and the app-wide hangup and error routes.
Kind = t.Literal["session", "result", "hangup", "error"]
#: Turns a handler given as ``On(next=handler)`` into its URL.
NextUrl = c.Callable[[c.Callable[..., t.Any]], str]


class Platform:
    """How one platform's requests are read and its documents written.

    Subclasses set :attr:`name` and implement the methods; one instance
    serves every request (it keeps no per-request state).

    A platform without Tropo's semantics (:attr:`emulated`, Twilio and
    jambonz) runs them server-side: every URL it writes into a document
    carries, in its signed token, a *step* (a JSON dict: the verb that
    waits, the rest of the document, its ``On`` handlers) beside the call
    state; a request that brings a token back is given to :meth:`resume`
    with that step, which decides what answers it (see :class:`Turn`).
    """

    #: The name given as ``platform=`` when registering a blueprint.
    name: t.ClassVar[str]
    #: Whether Tropo's semantics are emulated server-side: the view then
    #: reads tokens with their step and calls :meth:`resume`.
    emulated: t.ClassVar[bool] = False

    def register(self, app: Flask) -> None:
        """Called when a blueprint is registered on ``app`` for this
        platform: import optional dependencies here, so that a missing one
        fails at registration. The default does nothing.

        :param app: the app.
        """

    def verify(self, request: Request) -> None:
        """Check that the platform sent ``request`` (its signature header),
        before anything else is read; raise a 403 if it did not. The default
        checks nothing.

        :param request: the request.
        """

    def read(self, kind: Kind, request: Request) -> Session | Result:
        """Read the request into the payload of a ``kind`` route. An
        emulated platform reads a request that carries a token (or comes to
        a hangup or error route) into a :class:`~flask_tropo.Result` of the
        call, without actions: :meth:`resume` completes it.

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
        :param next_url: resolves ``On(next=handler)`` to its signed URL; on
            an emulated platform, the request's
            :class:`~flask_tropo.continuation.Links`.
        :raise TropoError: a verb or option the platform cannot express.
        """
        raise NotImplementedError

    def response(self, document: t.Any) -> Response:
        """The response that carries ``document``.

        :param document: what :meth:`render` returned.
        """
        raise NotImplementedError

    def resume(
        self,
        kind: Kind,
        request: Request,
        result: Result,
        step: dict[str, t.Any] | None,
    ) -> Turn:
        """Emulated platforms: what a request that continues a call does.

        :param kind: the kind of the route the request came to.
        :param request: the request.
        :param result: what :meth:`read` returned.
        :param step: the step of the request's token; ``None`` without a
            token (a status callback to a hangup route, a fallback to an
            error route).
        """
        raise NotImplementedError

    def write(
        self,
        verbs: c.Sequence[Verb],
        links: Links,
        turn: Turn | None,
    ) -> t.Any:
        """Emulated platforms: :meth:`render`, continuing ``turn`` (the
        rest of a document, a re-prompt).

        :param verbs: the verbs to write.
        :param links: the request's links.
        :param turn: the continuation, or ``None`` for a new document.
        """
        raise NotImplementedError


class Turn:
    """What a request to an emulated platform does once its token is read:
    run a handler (the route's own or another of the document's), or answer
    at once without one (a re-prompt, the rest of a document). It renders
    like the platform that made it (:meth:`render`, :meth:`response`), so
    the view treats it as that platform.

    :param platform: the platform.
    :param payload: what the handler is given.
    :param endpoint: the endpoint whose handler runs; ``None`` for the
        route's own.
    :param answer: answer these verbs without running a handler.
    :param before: verbs played before the handler's (an ``On``'s ``say``).
    :param final: the call is over: the handler runs, its verbs are not
        played (a hangup).
    :param carry: what the next document continues with (the step's
        handlers and actions, the attempt), JSON.
    """

    __slots__ = (
        "platform",
        "payload",
        "endpoint",
        "answer",
        "before",
        "final",
        "carry",
    )

    def __init__(
        self,
        platform: Platform,
        payload: Session | Result,
        *,
        endpoint: str | None = None,
        answer: c.Sequence[Verb] | None = None,
        before: c.Sequence[Verb] = (),
        final: bool = False,
        carry: dict[str, t.Any] | None = None,
    ) -> None:
        self.platform = platform
        self.payload = payload
        self.endpoint = endpoint
        self.answer = None if answer is None else list(answer)
        self.before = tuple(before)
        self.final = final
        self.carry = carry or {}

    def render(self, verbs: c.Sequence[Verb], next_url: NextUrl) -> t.Any:
        """The platform's document of ``verbs`` in this turn."""
        return self.platform.write(verbs, t.cast("Links", next_url), self)

    def response(self, document: t.Any) -> Response:
        """The platform's response."""
        return self.platform.response(document)

    def __repr__(self) -> str:
        return f"<Turn {self.platform.name} endpoint={self.endpoint!r}>"
