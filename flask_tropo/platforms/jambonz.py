"""jambonz: JSON webhooks in, a JSON array of verbs out.

The application's call hook (``call_sid``) or messaging hook
(``message_sid``) starts a :class:`~flask_tropo.Session`; the gather, dial
and redirect hooks that carry a token continue the call
(:mod:`.emulation`); the application's call status hook reaches the app's
``on_hangup`` route. ``Jambonz-Signature`` (``t=<unix s>,v1=<hex
HMAC-SHA256 of "<t>." + the raw body>``) is checked when
``TROPO_JAMBONZ_WEBHOOK_SECRET`` is set, 300 seconds either way. Every
document is meant to pass ``@jambonz/verb-specifications``, the validator
the jambonz server runs (the test suite checks each one).

:meta private:
"""

from __future__ import annotations

import collections.abc as c
import datetime as dt
import hashlib
import hmac
import json
import time
import typing as t
from xml.sax.saxutils import escape

from flask import current_app

from .. import verbs as v
from ..continuation import NEXT_PARAM
from ..exceptions import InvalidPayload
from ..exceptions import InvalidSignature
from ..payloads import Endpoint
from ..payloads import Result
from ..payloads import Session
from . import policy
from .emulation import EmulatedPlatform
from .emulation import Entry

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Request
    from flask import Response

__all__ = ["JambonzPlatform"]

JSON = "application/json"
SIGNATURE = "Jambonz-Signature"
#: Seconds a signature's timestamp may be off, either way.
TOLERANCE = 300
#: jambonz's ``call_status`` as a Tropo result ``state``.
STATES = {
    "trying": "ANSWERED",
    "ringing": "ANSWERED",
    "early-media": "ANSWERED",
    "in-progress": "ANSWERED",
    "completed": "DISCONNECTED",
    "busy": "DISCONNECTED",
    "no-answer": "DISCONNECTED",
    "failed": "FAILED",
}
_OVER = frozenset({"completed", "busy", "no-answer", "failed"})
_DIALLED = {"completed": "answer", "busy": "busy", "no-answer": "no-answer"}


class JambonzPlatform(EmulatedPlatform):
    """jambonz webhooks (see :doc:`/platforms`)."""

    name = "jambonz"

    # -- reading -------------------------------------------------------------------

    def verify(self, request: Request) -> None:
        secret = current_app.config.get("TROPO_JAMBONZ_WEBHOOK_SECRET")
        if not secret:
            return
        header = request.headers.get(SIGNATURE, "")
        fields = [part.strip().partition("=") for part in header.split(",")]
        stamps = [value for key, _, value in fields if key == "t"]
        signatures = [value for key, _, value in fields if key == "v1"]
        if len(stamps) != 1 or not stamps[0].isdigit() or not signatures:
            raise InvalidSignature(
                SIGNATURE,
                "The request is not signed (t=<seconds>,v1=<hex>):"
                " TROPO_JAMBONZ_WEBHOOK_SECRET is set, so jambonz routes accept"
                " only requests jambonz signed.",
            )
        if abs(time.time() - int(stamps[0])) > TOLERANCE:
            raise InvalidSignature(
                SIGNATURE, f"The signature is more than {TOLERANCE} seconds old."
            )
        message = stamps[0].encode() + b"." + request.get_data()
        secrets = [secret] if isinstance(secret, str) else list(secret)
        for key in secrets:
            expected = hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
            if any(hmac.compare_digest(expected, given) for given in signatures):
                return
        raise InvalidSignature(
            SIGNATURE,
            "The signature does not match the body: check"
            " TROPO_JAMBONZ_WEBHOOK_SECRET (the account's webhook secret).",
        )

    def read(self, kind: t.Any, request: Request) -> Session | Result:
        body = _body(request)
        call_sid, message_sid = body.get("call_sid"), body.get("message_sid")
        sid = call_sid or message_sid
        if not isinstance(sid, str) or not sid:
            raise InvalidPayload(
                {
                    "call_sid": [
                        "Missing data for required field: jambonz posts call_sid"
                        " with every call hook (message_sid with messages)."
                    ]
                },
                body,
            )
        if kind != "session" or NEXT_PARAM in request.args:
            return Result(
                session_id=sid,
                call_id=_text(body.get("call_id")) or sid,
                state=STATES.get(_text(body.get("call_status")) or "", "ANSWERED"),
                called_id=_text(body.get("to")),
                user_type="HUMAN",
            )
        text = not call_sid
        channel = "TEXT" if text else "VOICE"
        sip: dict[str, t.Any] = body["sip"] if isinstance(body.get("sip"), dict) else {}
        given = sip.get("headers")
        headers = {
            str(key): str(value)
            for key, value in (given.items() if isinstance(given, dict) else ())
            if isinstance(value, (str, int, float))
        }
        if isinstance(sip.get("uri"), str):
            headers["Request URI"] = sip["uri"]
        data = body.get("customerData")
        parameters = (
            {str(key): str(value) for key, value in data.items() if value is not None}
            if isinstance(data, dict)
            else {}
        )
        network = "SMS" if text else None
        return Session(
            id=sid,
            account_id=_text(body.get("account_sid")),
            application_id=_text(body.get("application_sid")),
            timestamp=dt.datetime.now(dt.timezone.utc),
            user_type="HUMAN" if not parameters else "NONE",
            initial_text=_text(body.get("text")) if text else None,
            call_id=_text(body.get("call_id")) or sid,
            to=_endpoint(body.get("to"), channel, network),
            from_=_endpoint(
                body.get("from"), channel, network, body.get("caller_name")
            ),
            headers=headers,
            parameters=parameters,
        )

    def texting(self, request: Request) -> bool:
        body = _read(request)
        return not body.get("call_sid") and bool(body.get("message_sid"))

    def entry(self, request: Request) -> Entry:
        body = _read(request)
        reason = body.get("reason")
        if reason == "dtmfDetected" and isinstance(body.get("digits"), str):
            return Entry("press", body["digits"])
        speech = body.get("speech")
        if reason in ("speechDetected", "stt-low-confidence") and isinstance(
            speech, dict
        ):
            alternatives = speech.get("alternatives") or [{}]
            best = alternatives[0] if isinstance(alternatives[0], dict) else {}
            transcript = best.get("transcript")
            if isinstance(transcript, str) and transcript.strip():
                confidence = best.get("confidence")
                if not isinstance(confidence, (int, float)):
                    confidence = 0
                return Entry(
                    "speak", transcript, max(0, min(100, round(confidence * 100)))
                )
        return Entry("silence")

    def dialled(self, request: Request) -> tuple[str, int]:
        body = _read(request)
        outcome = _DIALLED.get(_text(body.get("dial_call_status")) or "", "failed")
        return outcome, _int(body.get("duration"))

    def ended(self, request: Request) -> int | None:
        body = _read(request)
        if body.get("call_status") not in _OVER:
            return None
        return _int(body.get("duration"))

    def error(self, request: Request) -> str:
        return "jambonz reported an error"

    # -- writing -------------------------------------------------------------------

    def writer(self, request: Request) -> Verbs:
        body = _read(request)
        return Verbs(not body.get("call_sid") and bool(body.get("message_sid")), body)

    def response(self, document: t.Any) -> Response:
        response: Response = current_app.response_class(
            json.dumps(document), mimetype=JSON
        )
        return response


def _body(request: Request) -> dict[str, t.Any]:
    if request.mimetype != JSON:
        raise InvalidPayload(
            {
                "Content-Type": [
                    f"jambonz posts {JSON}, got"
                    f" {request.mimetype or 'no content type'}."
                ]
            }
        )
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidPayload({"body": ["Not a JSON object, as jambonz posts."]})
    return body


def _read(request: Request) -> dict[str, t.Any]:
    """The body :func:`_body` checked when the request was read (Flask keeps
    the parsed JSON); an empty dict for a request that was not."""
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: object) -> int:
    return max(0, int(value)) if isinstance(value, (int, float)) else 0


def _endpoint(
    address: object, channel: str, network: str | None, name: object = None
) -> Endpoint | None:
    if not isinstance(address, str) or not address:
        return None
    return Endpoint(
        id=address,
        e164_id=address if address.startswith("+") else None,
        name=name if isinstance(name, str) and name else None,
        channel=channel,
        network=network or ("PSTN" if address[:1] in "+0123456789" else "SIP"),
    )


def _media(say: v.Say) -> list[str]:
    return [say.media] if isinstance(say.media, str) else list(say.media or ())


def _text_of(say: v.Say) -> str:
    if not say.as_:
        return say.value
    kind = policy.SAY_AS[say.as_]
    return f'<speak><say-as interpret-as="{kind}">{escape(say.value)}</say-as></speak>'


class Verbs:
    """One jambonz document: a list of verbs."""

    def __init__(self, text: bool, body: c.Mapping[str, t.Any]) -> None:
        self.text = text
        self.body = body
        self.verbs: list[dict[str, t.Any]] = []

    def _refuse(self, verb: str, option: str | None, why: str) -> Exception:
        return policy.refuse(verb, option, "jambonz", why)

    def _prompt(self, say: v.Say, voice: str | None) -> dict[str, t.Any]:
        """A say or play verb (a gather nests one without its ``verb``)."""
        if policy.is_audio(say.value):
            return {"verb": "play", "url": say.value}
        prompt: dict[str, t.Any] = {"verb": "say", "text": _text_of(say)}
        if say.voice or voice:
            prompt["synthesizer"] = {"vendor": "default", "voice": say.voice or voice}
        return prompt

    def say(self, say: v.Say, voice: str | None) -> None:
        if not self.text:
            if say.media:
                raise self._refuse("Say", "media", "attachments go only in texts")
            self.verbs.append(self._prompt(say, voice))
            return
        reply: dict[str, t.Any] = {
            "verb": "message",
            "to": self.body.get("from"),
            "from": self.body.get("to"),
            "text": say.value,
        }
        if say.media:
            reply["media"] = (
                [say.media] if isinstance(say.media, str) else list(say.media)
            )
        self.verbs.append(reply)

    def ask(self, ask: v.Ask, url: str, prompts: list[v.Say]) -> None:
        from ..simulator.grammar import parse_grammar

        choices = t.cast(v.Choices, ask.choices)
        gather = policy.gather_of(ask, parse_grammar(choices.value or ""))
        # A gather nests one prompt: the others play just before it.
        for say in prompts[:-1]:
            self.verbs.append(self._prompt(say, ask.voice))
        verb: dict[str, t.Any] = {
            "verb": "gather",
            "actionHook": url,
            "input": [
                name
                for name, on in (("digits", gather.dtmf), ("speech", gather.speech))
                if on
            ],
            "timeout": gather.timeout,
        }
        if gather.dtmf:
            if gather.num_digits is not None:
                verb["numDigits"] = gather.num_digits
            elif gather.min_digits is not None:
                verb["minDigits"], verb["maxDigits"] = (
                    gather.min_digits,
                    gather.max_digits,
                )
            if gather.finish_on_key:
                verb["finishOnKey"] = gather.finish_on_key
            if ask.interdigit_timeout is not None:
                verb["interDigitTimeout"] = policy.seconds(ask.interdigit_timeout, 0)
        if gather.speech:
            recognizer: dict[str, t.Any] = {"vendor": "default"}
            if ask.recognizer:
                recognizer["language"] = ask.recognizer
            if gather.hints:
                recognizer["hints"] = list(gather.hints)
            verb["recognizer"] = recognizer
            if ask.speech_complete_timeout is not None:
                verb["speechTimeout"] = policy.seconds(ask.speech_complete_timeout, 0)
        if ask.bargein is not None:
            verb["bargein"] = ask.bargein
            if gather.dtmf:
                verb["dtmfBargein"] = ask.bargein
        if prompts:
            prompt = self._prompt(prompts[-1], ask.voice)
            verb[prompt.pop("verb")] = prompt
        self.verbs.append(verb)

    def text_ask(self, url: str) -> None:
        raise self._refuse(
            "Ask", None, "a jambonz messaging hook can only answer with messages"
        )

    def dial(self, transfer: v.Transfer, url: str) -> None:
        targets = [transfer.to] if isinstance(transfer.to, str) else list(transfer.to)
        verb: dict[str, t.Any] = {
            "verb": "dial",
            "actionHook": url,
            "target": [
                {"type": "sip", "sipUri": target}
                if target.startswith("sip:")
                else {"type": "phone", "number": target.removeprefix("tel:")}
                for target in targets
            ],
            "timeout": policy.seconds(transfer.timeout, 30),
        }
        if transfer.from_:
            verb["callerId"] = transfer.from_
        if transfer.headers:
            verb["headers"] = dict(transfer.headers)
        self.verbs.append(verb)

    def conference(self, conference: v.Conference) -> None:
        verb: dict[str, t.Any] = {"verb": "conference", "name": conference.id}
        if conference.mute is not None:
            verb["joinMuted"] = conference.mute
        if conference.play_tones is not None:
            verb["distributeDtmf"] = conference.play_tones
        self.verbs.append(verb)

    def message(self, message: v.Message) -> None:
        says = t.cast("tuple[v.Say, ...]", message.say)
        media = [
            url
            for say in says
            for url in ([say.media] if isinstance(say.media, str) else say.media or ())
        ]
        verb: dict[str, t.Any] = {
            "verb": "message",
            "to": message.to if isinstance(message.to, str) else message.to[0],
            "from": message.from_ or self.body.get("to") or "",
            "text": " ".join(say.value for say in says),
        }
        if media:
            verb["media"] = media
        self.verbs.append(verb)

    def pause(self, wait: v.Wait) -> None:
        if wait.milliseconds and not self.text:
            self.verbs.append({"verb": "pause", "length": wait.milliseconds / 1000})

    def answer(self) -> None:
        if not self.text:
            self.verbs.append({"verb": "answer"})

    def hangup(self) -> None:
        if not self.text:
            self.verbs.append({"verb": "hangup"})

    def reject(self) -> None:
        if not self.text:
            self.verbs.append(
                {"verb": "sip:decline", "status": 603, "reason": "Decline"}
            )

    def redirect(self, url: str) -> None:
        if self.text:
            raise self._refuse(
                "On", "next", "a jambonz messaging hook can only answer with messages"
            )
        self.verbs.append({"verb": "redirect", "actionHook": url})

    def document(self) -> list[dict[str, t.Any]]:
        return self.verbs
