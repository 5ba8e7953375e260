"""Twilio: form-encoded webhooks in, TwiML out.

A voice webhook (``CallSid``) or a messaging webhook (``MessageSid``) starts
a :class:`~flask_tropo.Session`; the ``<Gather>``, ``<Dial>`` and
``<Redirect>`` posts that carry a token continue the call
(:mod:`.emulation`); the number's status callback reaches the app's
``on_hangup`` route and its fallback URL the ``on_error`` route. TwiML is
written with :mod:`xml.etree.ElementTree`; ``X-Twilio-Signature`` is checked
with twilio's own ``RequestValidator`` when ``TROPO_TWILIO_AUTH_TOKEN`` is
set. The ``twilio`` package (the ``flask-tropo[twilio]`` extra) is imported
when a blueprint is registered for Twilio.

:meta private:
"""

from __future__ import annotations

import datetime as dt
import functools
import typing as t
import xml.etree.ElementTree as ET

from flask import current_app

from .. import verbs as v
from ..continuation import NEXT_PARAM
from ..exceptions import InvalidPayload
from ..exceptions import InvalidSignature
from ..payloads import Endpoint
from ..payloads import InitialMedia
from ..payloads import Result
from ..payloads import Session
from . import policy
from .emulation import EmulatedPlatform
from .emulation import Entry

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Flask
    from flask import Request
    from flask import Response

__all__ = ["TwilioPlatform"]

FORM = "application/x-www-form-urlencoded"
SIGNATURE = "X-Twilio-Signature"
SETTINGS = "X-Twilio-Webhooks-Signature-Settings"
#: Twilio's ``CallStatus`` as a Tropo result ``state``.
STATES = {
    "queued": "ANSWERED",
    "ringing": "ANSWERED",
    "in-progress": "ANSWERED",
    "completed": "DISCONNECTED",
    "busy": "DISCONNECTED",
    "no-answer": "DISCONNECTED",
    "canceled": "DISCONNECTED",
    "failed": "FAILED",
}
_OVER = frozenset({"completed", "busy", "no-answer", "canceled", "failed"})
_DIALLED = {
    "completed": "answer",
    "answered": "answer",
    "busy": "busy",
    "no-answer": "no-answer",
}
_EXTRA = (
    "The twilio platform needs the twilio package: install the extra,"
    " pip install 'flask-tropo[twilio]'."
)


class TwilioPlatform(EmulatedPlatform):
    """Twilio Programmable Voice and Messaging (see :doc:`/platforms`)."""

    name = "twilio"

    def register(self, app: Flask) -> None:
        _validator_class()

    # -- reading -------------------------------------------------------------------

    def verify(self, request: Request) -> None:
        token = current_app.config.get("TROPO_TWILIO_AUTH_TOKEN")
        if not token:
            return
        signature = request.headers.get(SIGNATURE)
        if not signature:
            raise InvalidSignature(
                SIGNATURE,
                "The request is not signed: TROPO_TWILIO_AUTH_TOKEN is set, so"
                " Twilio routes accept only requests Twilio signed.",
            )
        from twilio.request_validator import get_signature_algorithm

        url = called_url(request)
        params = request.form if request.mimetype == FORM else {}
        algorithm = get_signature_algorithm(request.headers.get(SETTINGS))
        valid = _validator(token).validate(url, params, signature, algorithm=algorithm)
        if not valid:
            raise InvalidSignature(
                SIGNATURE,
                f"The signature does not match the request to {url}: check"
                " TROPO_TWILIO_AUTH_TOKEN and, behind a proxy, TROPO_EXTERNAL_URL.",
            )

    def read(self, kind: t.Any, request: Request) -> Session | Result:
        form = _form(request)
        call_sid, message_sid = form.get("CallSid"), form.get("MessageSid")
        sid = call_sid or message_sid
        if not sid:
            raise InvalidPayload(
                {
                    "CallSid": [
                        "Missing data for required field: Twilio posts CallSid"
                        " with every voice request (MessageSid with messages)."
                    ]
                },
                dict(form),
            )
        if kind != "session" or NEXT_PARAM in request.args:
            return Result(
                session_id=sid,
                call_id=sid,
                state=STATES.get(form.get("CallStatus", ""), "ANSWERED"),
                called_id=form.get("To") or None,
                user_type="HUMAN",
            )
        text = call_sid is None
        channel = "TEXT" if text else "VOICE"
        media = _media(form) if text else ()
        network = ("MMS" if media else "SMS") if text else None
        parameters: dict[str, str] = {}
        if form.get("Direction") == "outbound-api":
            parameters = {k: v for k, v in request.args.items() if k != NEXT_PARAM}
        return Session(
            id=sid,
            account_id=form.get("AccountSid"),
            application_id=form.get("ApplicationSid"),
            timestamp=dt.datetime.now(dt.timezone.utc),
            user_type="HUMAN" if not parameters else "NONE",
            initial_text=form.get("Body") if text else None,
            call_id=sid,
            to=_endpoint(form.get("To"), channel, network),
            from_=_endpoint(form.get("From"), channel, network, form.get("CallerName")),
            parameters=parameters,
            initial_media=media,
        )

    def texting(self, request: Request) -> bool:
        form = request.form
        return "CallSid" not in form and "MessageSid" in form

    def entry(self, request: Request) -> Entry:
        form = request.form
        if self.texting(request):
            body = form.get("Body", "")
            return Entry("speak", body) if body.strip() else Entry("silence")
        speech = form.get("SpeechResult")
        if speech:
            try:
                confidence = round(float(form.get("Confidence", "0")) * 100)
            except ValueError:
                confidence = 0
            return Entry("speak", speech, max(0, min(100, confidence)))
        digits = form.get("Digits")
        if digits and digits != "hangup":
            return Entry("press", digits)
        return Entry("silence")

    def dialled(self, request: Request) -> tuple[str, int]:
        form = request.form
        outcome = _DIALLED.get(form.get("DialCallStatus", ""), "failed")
        return outcome, _int(form.get("DialCallDuration"))

    def ended(self, request: Request) -> int | None:
        form = request.form
        if form.get("CallStatus") not in _OVER:
            return None
        return _int(form.get("CallDuration"))

    def error(self, request: Request) -> str:
        form = request.form
        code: str = form.get("ErrorCode", "unknown")
        url: str = form.get("ErrorUrl", "")
        return f"Twilio error {code}" + (f" at {url}" if url else "")

    # -- writing -------------------------------------------------------------------

    def writer(self, request: Request) -> TwiML:
        return TwiML(self.texting(request), request)

    def response(self, document: t.Any) -> Response:
        response: Response = current_app.response_class(document, mimetype="text/xml")
        return response


def called_url(request: Request) -> str:
    """The URL Twilio called: ``TROPO_EXTERNAL_URL`` and the path and query
    when it is set (behind a proxy), else the request's own."""
    external: str | None = current_app.config.get("TROPO_EXTERNAL_URL")
    if not external:
        return request.url
    query = request.query_string.decode("latin-1")
    path = request.script_root + request.path
    return external.rstrip("/") + path + (f"?{query}" if query else "")


def _validator_class() -> t.Any:
    try:
        from twilio.request_validator import RequestValidator
    except ImportError as exc:
        raise ImportError(_EXTRA) from exc
    return RequestValidator


@functools.lru_cache(maxsize=8)
def _validator(token: str) -> t.Any:
    return _validator_class()(token)


def _form(request: Request) -> t.Any:
    if request.mimetype != FORM:
        raise InvalidPayload(
            {
                "Content-Type": [
                    f"Twilio posts {FORM}, got {request.mimetype or 'no content type'}."
                ]
            }
        )
    try:
        request.get_data().decode("ascii")
    except UnicodeDecodeError:
        raise InvalidPayload(
            {"body": ["Not form-encoded: the body has bytes outside ASCII."]}
        ) from None
    return request.form


def _endpoint(
    address: str | None, channel: str, network: str | None, name: str | None = None
) -> Endpoint | None:
    if not address:
        return None
    if network is None:
        network = "PSTN" if address[:1] in "+0123456789" else "SIP"
    return Endpoint(
        id=address,
        e164_id=address if address.startswith("+") else None,
        name=name or None,
        channel=channel,
        network=network,
    )


def _media(form: t.Any) -> tuple[InitialMedia, ...]:
    count = _int(form.get("NumMedia"))
    return tuple(
        InitialMedia(status="success", media=form.get(f"MediaUrl{n}"))
        for n in range(min(count, 10))
        if form.get(f"MediaUrl{n}")
    )


def _int(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0


class TwiML:
    """One TwiML document: ``<Response>`` for a call, Messaging TwiML for a
    text conversation."""

    def __init__(self, text: bool, request: Request) -> None:
        self.text = text
        self.root = ET.Element("Response")

    def _refuse(self, verb: str, option: str | None, why: str) -> Exception:
        return policy.refuse(verb, option, "twilio", why)

    def _prompt(self, parent: ET.Element, say: v.Say, voice: str | None) -> None:
        if policy.is_audio(say.value):
            ET.SubElement(parent, "Play").text = say.value
            return
        element = ET.SubElement(parent, "Say")
        if say.voice or voice:
            element.set("voice", t.cast(str, say.voice or voice))
        if say.as_:
            spoken = ET.SubElement(element, "say-as")
            spoken.set("interpret-as", policy.SAY_AS[say.as_])
            spoken.text = say.value
        else:
            element.text = say.value

    def say(self, say: v.Say, voice: str | None) -> None:
        if not self.text:
            if say.media:
                raise self._refuse("Say", "media", "attachments go only in texts")
            self._prompt(self.root, say, voice)
            return
        message = ET.SubElement(self.root, "Message")
        media = [say.media] if isinstance(say.media, str) else list(say.media or ())
        if not media:
            message.text = say.value
            return
        ET.SubElement(message, "Body").text = say.value
        for url in media:
            ET.SubElement(message, "Media").text = url

    def ask(self, ask: v.Ask, url: str, prompts: list[v.Say]) -> None:
        from ..simulator.grammar import parse_grammar

        choices = t.cast(v.Choices, ask.choices)
        gather = policy.gather_of(ask, parse_grammar(choices.value or ""))
        attributes = {
            "action": url,
            "method": "POST",
            "input": " ".join(
                name
                for name, on in (("dtmf", gather.dtmf), ("speech", gather.speech))
                if on
            ),
            "timeout": str(gather.timeout),
            "finishOnKey": gather.finish_on_key or "",
        }
        if gather.num_digits is not None and gather.dtmf:
            attributes["numDigits"] = str(gather.num_digits)
        if gather.speech and gather.hints:
            attributes["hints"] = ", ".join(gather.hints)
        if ask.recognizer:
            language, _, region = ask.recognizer.partition("-")
            attributes["language"] = (
                f"{language}-{region.upper()}" if region else language
            )
        if ask.speech_complete_timeout is not None:
            attributes["speechTimeout"] = str(
                policy.seconds(ask.speech_complete_timeout, 0)
            )
        if ask.bargein is not None:
            attributes["bargeIn"] = "true" if ask.bargein else "false"
        element = ET.SubElement(self.root, "Gather", attributes)
        for say in prompts:
            self._prompt(element, say, ask.voice)
        # No input: Twilio goes on to the next verb, which posts the same step.
        self.redirect(url)

    def text_ask(self, url: str) -> None:
        self.redirect(url)

    def dial(self, transfer: v.Transfer, url: str) -> None:
        attributes = {
            "action": url,
            "method": "POST",
            "timeout": str(policy.seconds(transfer.timeout, 30)),
        }
        if transfer.from_:
            attributes["callerId"] = transfer.from_
        choices = t.cast("v.Choices | None", transfer.choices)
        if choices is not None and choices.terminator:
            if choices.terminator != "*":
                raise self._refuse(
                    "Transfer",
                    "choices",
                    "the only key that ends a dial is * (hangupOnStar)",
                )
            attributes["hangupOnStar"] = "true"
        targets = [transfer.to] if isinstance(transfer.to, str) else list(transfer.to)
        if len(targets) > 10:
            raise self._refuse("Transfer", "to", "a dial rings at most 10 numbers")
        dial = ET.SubElement(self.root, "Dial", attributes)
        for target in targets:
            if target.startswith("sip:"):
                ET.SubElement(dial, "Sip").text = target
            else:
                ET.SubElement(dial, "Number").text = target.removeprefix("tel:")

    def conference(self, conference: v.Conference) -> None:
        dial = ET.SubElement(self.root, "Dial")
        room = ET.SubElement(dial, "Conference")
        if conference.mute is not None:
            room.set("muted", "true" if conference.mute else "false")
        room.text = conference.id

    def message(self, message: v.Message) -> None:
        if not self.text:
            raise self._refuse(
                "Message",
                None,
                "a text during a call needs Twilio's REST API (<Sms> is deprecated)",
            )
        says = t.cast("tuple[v.Say, ...]", message.say)
        to = message.to if isinstance(message.to, str) else message.to[0]
        element = ET.SubElement(self.root, "Message", {"to": to})
        if message.from_:
            element.set("from", message.from_)
        element.text = " ".join(say.value for say in says)

    def pause(self, wait: v.Wait) -> None:
        length = policy.seconds(wait.milliseconds / 1000, 0)
        if length and not self.text:
            ET.SubElement(self.root, "Pause", {"length": str(length)})

    def answer(self) -> None:
        pass  # any TwiML but a first <Reject> answers the call

    def hangup(self) -> None:
        if not self.text:
            ET.SubElement(self.root, "Hangup")

    def reject(self) -> None:
        if not self.text:
            ET.SubElement(self.root, "Reject", {"reason": "rejected"})

    def redirect(self, url: str) -> None:
        ET.SubElement(self.root, "Redirect", {"method": "POST"}).text = url

    def document(self) -> str:
        return '<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(
            self.root, encoding="unicode"
        )
