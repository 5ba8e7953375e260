"""A simulated Twilio call: form-encoded webhooks in Twilio's shapes, TwiML
run with Twilio's semantics.

- The voice webhook carries ``CallSid``, ``AccountSid``, ``From``, ``To``,
  ``CallStatus`` ``ringing``, ``Direction`` ``inbound`` and ``ApiVersion``;
  a text is a messaging webhook (``MessageSid``, ``Body``).
- ``<Say>`` and ``<Play>`` are heard (``<Play>`` as its URL);
  ``<Gather>`` plays its prompts and waits: keys (up to ``finishOnKey``, at
  most ``numDigits``) post ``Digits``, speech posts ``SpeechResult`` and
  ``Confidence``, both to ``action``; no input (silence, or input the gather
  does not take) falls through to the next verb. ``<Redirect>`` posts to its
  URL; ``<Dial>`` rings (``transfer=``) and posts ``DialCallStatus`` to its
  ``action``, or goes on without one; ``<Pause>`` passes time;
  ``<Hangup>``, ``<Reject>`` and the end of a document end the call.
  ``<Message>`` (Messaging TwiML) is a reply.
- When the call ends, the status callback posts ``CallStatus`` ``completed``
  and ``CallDuration`` to the status route.
- Requests are signed (``X-Twilio-Signature``, twilio's own
  ``RequestValidator``) when the app sets ``TROPO_TWILIO_AUTH_TOKEN``.

Every element and attribute is checked against what Twilio documents
(:data:`ELEMENTS`); anything else is a :exc:`SimulationError`.

:meta private:
"""

from __future__ import annotations

import collections.abc as c
import typing as t
import xml.etree.ElementTree as ET
from urllib.parse import urlencode
from urllib.parse import urljoin

from .. import verbs as v
from ..exceptions import SimulationError
from . import wire
from .line import Input
from .webhooks import CONFIDENCE
from .webhooks import WebhookCall
from .webhooks import collect

_ENDS = {
    "Hangup": "the app hung up",
    "Reject": "the app rejected the call",
    "hangup": "the app hung up",
    "sip:decline": "the app rejected the call",
}

__all__ = ["ELEMENTS", "TwilioCall", "parse_twiml"]

ACCOUNT = "AC" + "5" * 32
#: Each TwiML element this package may meet, its attributes and children
#: (``platforms.md`` section 2).
ELEMENTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Response": (
        frozenset(),
        frozenset(
            {
                "Say",
                "Play",
                "Pause",
                "Gather",
                "Dial",
                "Hangup",
                "Reject",
                "Redirect",
                "Message",
                "Record",
            }
        ),
    ),
    "Say": (frozenset({"voice", "loop", "language"}), frozenset({"say-as"})),
    "say-as": (frozenset({"interpret-as", "format"}), frozenset()),
    "Play": (frozenset({"loop", "digits"}), frozenset()),
    "Pause": (frozenset({"length"}), frozenset()),
    "Gather": (
        frozenset(
            {
                "action",
                "method",
                "input",
                "timeout",
                "speechTimeout",
                "finishOnKey",
                "numDigits",
                "hints",
                "language",
                "bargeIn",
                "actionOnEmptyResult",
            }
        ),
        frozenset({"Say", "Play", "Pause"}),
    ),
    "Dial": (
        frozenset(
            {
                "action",
                "method",
                "timeout",
                "hangupOnStar",
                "timeLimit",
                "callerId",
                "record",
                "answerOnBridge",
                "ringTone",
            }
        ),
        frozenset({"Number", "Sip", "Conference"}),
    ),
    "Number": (frozenset({"sendDigits", "url", "method"}), frozenset()),
    "Sip": (frozenset({"username", "password", "url", "method"}), frozenset()),
    "Conference": (
        frozenset({"muted", "beep", "startConferenceOnEnter", "endConferenceOnExit"}),
        frozenset(),
    ),
    "Hangup": (frozenset(), frozenset()),
    "Reject": (frozenset({"reason"}), frozenset()),
    "Redirect": (frozenset({"method"}), frozenset()),
    "Message": (
        frozenset({"to", "from", "action", "method"}),
        frozenset({"Body", "Media"}),
    ),
    "Body": (frozenset(), frozenset()),
    "Media": (frozenset(), frozenset()),
    "Record": (
        frozenset(
            {"action", "method", "timeout", "finishOnKey", "maxLength", "playBeep"}
        ),
        frozenset(),
    ),
}
_DIAL_STATUS = {"answer": "completed", "busy": "busy", "no-answer": "no-answer"}


def parse_twiml(text: str, url: str = "") -> ET.Element:
    """Parse a TwiML document and check every element and attribute
    against :data:`ELEMENTS`.

    :raises SimulationError: not XML, not rooted in ``<Response>``, or an
        element or attribute Twilio does not document there.
    """
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise SimulationError(
            f"the answer is not XML: {exc}", url=url, status=200
        ) from None
    if root.tag != "Response":
        raise SimulationError(
            f"TwiML is rooted in <Response>, not <{root.tag}>", url=url, status=200
        )
    _check(root, url)
    return root


def _check(element: ET.Element, url: str) -> None:
    attributes, children = ELEMENTS[element.tag]
    unknown = set(element.attrib) - attributes
    if unknown:
        raise SimulationError(
            f"<{element.tag}> has no attribute {sorted(unknown)[0]!r} in TwiML",
            url=url,
            status=200,
        )
    for child in element:
        if child.tag not in children:
            raise SimulationError(
                f"<{child.tag}> cannot be inside <{element.tag}> in TwiML",
                url=url,
                status=200,
            )
        _check(child, url)


def _describe(element: ET.Element) -> str:
    """A short summary of a TwiML verb for the event log."""
    if element.tag in ("Gather", "Dial"):
        shown = (f"{k}={v}" for k, v in element.attrib.items() if k not in _QUIET)
        targets = [
            (child.text or "").strip() for child in element if child.tag != "Say"
        ]
        return " ".join([*targets, *shown])
    return " ".join("".join(element.itertext()).split())


_QUIET = ("action", "method")


class TwilioCall(WebhookCall):
    """A call or text conversation as Twilio plays it."""

    platform = "twilio"
    prefix = "CA"

    def _first(self) -> dict[str, t.Any]:
        if self._text is not None:
            sid = "SM" + self.session_id[2:]
            self._session_id = sid
            return {
                "MessageSid": sid,
                "SmsSid": sid,
                "AccountSid": ACCOUNT,
                "From": self._from,
                "To": self._to,
                "Body": self._text,
                "NumMedia": "0",
                "SmsStatus": "received",
                "ApiVersion": "2010-04-01",
            }
        return {**self._call(), "CallStatus": "ringing", "Direction": "inbound"}

    def _call(self) -> dict[str, t.Any]:
        return {
            "CallSid": self.session_id,
            "AccountSid": ACCOUNT,
            "From": self._from,
            "To": self._to,
            "Caller": self._from,
            "Called": self._to,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
        }

    def _again(self) -> dict[str, t.Any]:
        """The fields of the next request of this call (a gather, a
        redirect): a text conversation posts its message again."""
        return self._first() if self._text is not None else self._call()

    def _ended(self, reason: str) -> dict[str, t.Any]:
        return {
            **self._call(),
            "CallStatus": "completed",
            "CallDuration": str(self.duration),
        }

    def _encode(
        self, url: str, fields: dict[str, t.Any]
    ) -> tuple[bytes, dict[str, str]]:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self._secret:
            from twilio.request_validator import RequestValidator

            headers["X-Twilio-Signature"] = RequestValidator(
                self._secret
            ).compute_signature(url, fields)
        return urlencode(fields).encode("ascii"), headers

    def _documents(
        self, url: str, answer: wire.Response
    ) -> c.Generator[v.Ask | v.Record, Input, tuple[str, dict[str, t.Any]] | None]:
        root = parse_twiml(
            self._read(answer, url, ("text/xml", "application/xml")), url
        )
        line = self._line
        for element in root:
            line.log("verb", element.tag.lower(), _describe(element))
            tag = element.tag
            if tag in ("Say", "Message"):
                text = (
                    element.findtext("Body")
                    if tag == "Message" and element.find("Body") is not None
                    else "".join(element.itertext())
                )
                self._hear(" ".join((text or "").split()), tag.lower())
            elif tag == "Play":
                self._hear((element.text or "").strip(), "play")
            elif tag == "Pause":
                line.clock += float(element.get("length", "1"))
            elif tag == "Redirect":
                return urljoin(url, (element.text or "").strip()), self._again()
            elif tag in ("Hangup", "Reject"):
                self._over(_ENDS[tag])
                return None
            elif tag == "Gather":
                following = yield from self._gather(url, element)
                if following is not None or self.end_reason is not None:
                    return following
            elif tag == "Dial":
                following = self._dial_element(url, element)
                if following is not None:
                    return following
            else:
                raise SimulationError(
                    f"the simulator does not run <{tag}>", url=url, status=200
                )
        return None

    def _gather(
        self, url: str, gather: ET.Element
    ) -> c.Generator[v.Ask | v.Record, Input, tuple[str, dict[str, t.Any]] | None]:
        for prompt in gather:
            if prompt.tag == "Say":
                self._hear(" ".join("".join(prompt.itertext()).split()), "gather")
            elif prompt.tag == "Play":
                self._hear((prompt.text or "").strip(), "gather")
        modes = (gather.get("input") or "dtmf").split()
        finish = gather.get("finishOnKey", "#")
        if self._text is not None:
            raise SimulationError(
                "<Gather> in a text conversation", url=url, status=200
            )
        entry = yield self._waiting("dtmf" in modes, "speech" in modes, finish)
        if entry.kind == "hangup":
            self._over("the caller hung up", by_caller=True)
            return None
        digits = gather.get("numDigits")
        got = collect(
            entry,
            dtmf="dtmf" in modes,
            speech="speech" in modes,
            finish_on_key=finish,
            num_digits=int(digits) if digits else None,
        )
        if got.kind == "silence":
            self._line.clock += float(gather.get("timeout", "5"))
            self._line.log("event", "gather", "no input: on to the next verb")
            return None
        self._line.clock += 1
        fields = self._call()
        if got.kind == "press":
            fields["Digits"] = got.value
        else:
            fields["SpeechResult"] = got.value
            fields["Confidence"] = str(CONFIDENCE)
        action = urljoin(url, gather.get("action") or url)
        return action, fields

    def _dial_element(
        self, url: str, dial: ET.Element
    ) -> tuple[str, dict[str, t.Any]] | None:
        targets = [(n.text or "").strip() for n in dial if n.tag in ("Number", "Sip")]
        if not targets:
            room = dial.findtext("Conference") or ""
            self._line.log(
                "note", "conference", f"joined room {room!r}; no one else is there"
            )
            return None
        outcome, seconds = self._dial(targets)
        action = dial.get("action")
        if action is None:
            return None
        fields = {
            **self._call(),
            "DialCallStatus": _DIAL_STATUS[outcome],
            "DialCallSid": "CA" + "0" * 32,
            "DialCallDuration": str(seconds),
        }
        return urljoin(url, action), fields
