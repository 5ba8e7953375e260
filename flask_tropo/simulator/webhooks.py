"""What the simulated Twilio and jambonz calls share: a :class:`Call` whose
requests are that platform's webhooks, whose documents run with that
platform's semantics, and whose end is reported to the app's status route.

The caller's side is the same as on Tropo (``press``, ``speak``,
``silence``, ``hangup``, ``heard``), so one test can play a call on every
platform and compare what was heard.

:meta private:
"""

from __future__ import annotations

import collections.abc as c
import re
import secrets
import typing as t

from .. import verbs as v
from ..exceptions import SimulationError
from . import wire
from .call import MAX_DOCUMENTS
from .call import Call
from .line import FarEnd
from .line import Input
from .telephony import CONNECTED_SECONDS
from .telephony import RING_SECONDS

if t.TYPE_CHECKING:  # pragma: no cover
    from .line import Event

__all__ = ["WebhookCall", "Gathered", "speech_text"]

_TAG = re.compile(r"<[^>]+>")
#: What a simulated recogniser reports for speech: it is always sure.
CONFIDENCE = 1.0


class Gathered(t.NamedTuple):
    """What a gather collected: ``press`` keys, ``speak`` words, or
    ``silence`` (nothing it takes)."""

    kind: str
    value: str = ""


def speech_text(text: str) -> str:
    """What a caller hears of a text that may be SSML."""
    return " ".join(_TAG.sub(" ", text).split())


def collect(
    entry: Input,
    *,
    dtmf: bool,
    speech: bool,
    finish_on_key: str,
    num_digits: int | None,
    max_digits: int | None = None,
) -> Gathered:
    """What a gather makes of one input: keys up to the finishing key and
    at most ``num_digits`` (or ``max_digits``); words when it takes speech;
    anything it does not take is silence."""
    if entry.kind == "press" and dtmf:
        keys = "".join(entry.value.split())
        if finish_on_key:
            keys = keys.partition(finish_on_key)[0]
        most = num_digits or max_digits
        if most:
            keys = keys[:most]
        return Gathered("press", keys) if keys else Gathered("silence")
    if entry.kind == "speak" and speech and entry.value.strip():
        return Gathered("speak", entry.value.strip())
    return Gathered("silence")


class WebhookCall(Call):
    """A call on a platform that sends webhooks: subclasses post the
    platform's requests and run its documents (:meth:`_documents`).

    :param transport: how requests reach the app.
    :param url: the session URL (voice URL, call hook, messaging URL).
    :param from\\_: the caller.
    :param to: the number called.
    :param text: the first message of a text conversation, else ``None``.
    :param status_url: the app's status route, posted when the call ends.
    :param secret: the platform's signing secret, when the app checks it.
    :param transfer: what the far end of each dial does.
    :param on_event: called with each event as it happens.
    """

    #: The platform's name.
    platform: t.ClassVar[str]
    #: The prefix of the platform's call ids.
    prefix: t.ClassVar[str] = ""

    def __init__(
        self,
        transport: wire.Transport,
        url: str,
        *,
        from_: str,
        to: str,
        text: str | None,
        status_url: str | None,
        secret: str | None,
        transfer: str | FarEnd,
        on_event: c.Callable[[Event], object] | None,
    ) -> None:
        channel = "VOICE" if text is None else "TEXT"
        session = wire.voice_session(
            from_=from_, to=to, channel=channel, initial_text=text
        )
        sid = self.prefix + secrets.token_hex(16)
        session["session"]["id"] = session["session"]["callId"] = sid
        self._status_url = status_url
        self._secret = secret
        self._text = text
        self._from, self._to = from_, to
        #: Every request posted, as sent: the form fields or JSON objects.
        self.requests: list[dict[str, t.Any]] = []
        super().__init__(transport, url, session, transfer=transfer, on_event=on_event)
        #: The webhook that started the call, as sent.
        self.session = self.requests[0] if self.requests else session

    # -- what subclasses provide -------------------------------------------------

    def _encode(
        self, url: str, fields: dict[str, t.Any]
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers (content type, signature) of a request."""
        raise NotImplementedError

    def _first(self) -> dict[str, t.Any]:
        """The fields of the webhook that starts the call."""
        raise NotImplementedError

    def _ended(self, reason: str) -> dict[str, t.Any]:
        """The fields of the status callback when the call is over."""
        raise NotImplementedError

    def _documents(
        self, url: str, answer: wire.Response
    ) -> c.Generator[v.Ask | v.Record, Input, tuple[str, dict[str, t.Any]] | None]:
        """Run one answer; return where to post next and what, or ``None``
        when the call is over."""
        raise NotImplementedError

    # -- the call ----------------------------------------------------------------

    def _run(
        self, url: str, payload: dict[str, t.Any]
    ) -> c.Generator[v.Ask | v.Record, Input, None]:
        fields, kind = self._first(), "session"
        for _ in range(MAX_DOCUMENTS):
            answer = self._send(url, fields, kind)
            following = yield from self._documents(url, answer)
            if following is None:
                break
            (url, fields), kind = following, "result"
        else:
            raise SimulationError(
                f"more than {MAX_DOCUMENTS} documents in one call; does the app loop?",
                url=url,
            )
        if not self.ended and self.end_reason is None:
            self._over("the document ran out")

    def _send(self, url: str, fields: dict[str, t.Any], kind: str) -> wire.Response:
        if len(self.requests) > 2 * MAX_DOCUMENTS:
            raise SimulationError(
                f"more than {2 * MAX_DOCUMENTS} requests in one call; does the app"
                " loop?",
                url=url,
            )
        body, headers = self._encode(url, fields)
        self.requests.append(fields)
        if kind == "result":
            self.results.append(fields)
        answer = self._transport.send(url, body, headers)
        self._line.log("post", kind, url=url, status=answer.status)
        return answer

    def _over(self, reason: str, *, by_caller: bool = False) -> None:
        """End the call and post the status callback (the app's hangup
        route), whose answer is not run."""
        self._end(reason)
        if self._status_url is None or self.is_text:
            return
        fields = self._ended("caller" if by_caller else self.platform)
        answer = self._send(self._status_url, fields, "status")
        if not 200 <= answer.status < 300:
            raise SimulationError(
                f"the app answered {answer.status} to the status callback:"
                f" {wire.excerpt(answer.body, answer.content_type)}",
                url=self._status_url,
                status=answer.status,
            )

    def _hear(self, text: str, source: str) -> None:
        self._line.heard.append(text)
        self._line.log("heard", source, text)

    def _dial(self, targets: list[str]) -> tuple[str, int]:
        """What the far end does: ``answer`` (then talks for a minute),
        ``busy`` or ``no-answer``; and the seconds connected."""
        outcome = self._line.far_end(v.Transfer(targets or ["unknown"]))
        word = {"answer": "answered", "busy": "is busy", "no-answer": "did not answer"}
        self._line.log("note", "dial", f"{', '.join(targets)} {word[outcome]}")
        if outcome == "answer":
            self._line.clock += RING_SECONDS + CONNECTED_SECONDS
            return outcome, CONNECTED_SECONDS
        self._line.clock += RING_SECONDS
        return outcome, 0

    @staticmethod
    def _waiting(dtmf: bool, speech: bool, terminator: str | None) -> v.Ask:
        """The :class:`~flask_tropo.verbs.Ask` that stands for a gather in
        :attr:`waiting`."""
        mode = "any" if dtmf and speech else "dtmf" if dtmf else "speech"
        return v.Ask(v.Choices("[ANY]", mode=mode, terminator=terminator or None))

    def _read(self, answer: wire.Response, url: str, kinds: tuple[str, ...]) -> str:
        """The body of a good answer, as text."""
        if answer.status != 200:
            raise SimulationError(
                f"the app answered {answer.status}, not 200 with a {self.platform}"
                f" document: {wire.excerpt(answer.body, answer.content_type)}",
                url=url,
                status=answer.status,
            )
        if answer.content_type not in kinds:
            excerpt = wire.excerpt(answer.body, answer.content_type)
            raise SimulationError(
                f"the answer is {answer.content_type or 'untyped'}, not"
                f" {' or '.join(kinds)}: {excerpt}",
                url=url,
                status=answer.status,
            )
        return answer.body.decode("utf-8")
