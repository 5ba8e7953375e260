"""A simulated jambonz call: JSON webhooks in jambonz's shapes, verb arrays
run with jambonz's semantics.

- The call hook gets ``call_sid``, ``call_id``, ``account_sid``,
  ``application_sid``, ``direction`` ``inbound``, ``from``, ``to``,
  ``caller_name``, ``call_status`` ``trying`` and ``sip`` (its ``headers``
  and ``uri``); a text goes to the messaging hook (``message_sid``,
  ``text``).
- The answer is a list of verbs, run in order (``{"verb": "say", ...}`` or
  ``{"say": {...}}``). ``say`` and ``play`` are heard (SSML read as its
  words, ``play`` as its URL); ``gather`` plays its prompt and waits, then
  always posts its ``actionHook``: ``reason`` ``dtmfDetected`` with
  ``digits``, ``speechDetected`` with ``speech.alternatives``, or
  ``timeout``. A non-empty answer replaces the verbs left; an empty one
  (``[]``) lets them run. ``dial`` rings (``transfer=``) and posts
  ``dial_call_status``; ``redirect`` posts and runs the answer; ``pause``
  passes time; ``hangup``, ``sip:decline`` and an empty stack end the call;
  ``message`` sends a text (in a text conversation, the reply).
- When the call ends, the call status hook gets ``call_status``
  ``completed``, ``duration`` and ``call_termination_by``.
- Requests carry ``Jambonz-Signature`` when the app sets
  ``TROPO_JAMBONZ_WEBHOOK_SECRET``.

:meta private:
"""

from __future__ import annotations

import collections.abc as c
import hashlib
import hmac
import json
import time
import typing as t
from urllib.parse import urljoin

from .. import verbs as v
from ..exceptions import SimulationError
from . import wire
from .line import Input
from .line import SentMessage
from .webhooks import CONFIDENCE
from .webhooks import WebhookCall
from .webhooks import collect
from .webhooks import speech_text

_ENDS = {
    "Hangup": "the app hung up",
    "Reject": "the app rejected the call",
    "hangup": "the app hung up",
    "sip:decline": "the app rejected the call",
}

__all__ = ["JambonzCall", "read_verbs"]

ACCOUNT = "9351f46a-678c-43f5-b8a6-d4eb58d131af"
APPLICATION = "0dddaabf-0a30-43e3-84e8-426873b1a78b"
_DIAL_STATUS = {
    "answer": ("completed", 200),
    "busy": ("busy", 486),
    "no-answer": ("no-answer", 487),
}


def read_verbs(text: str, url: str = "") -> list[dict[str, t.Any]]:
    """A jambonz document as a list of ``{"verb": name, ...}`` objects (the
    alternate ``{name: {...}}`` spelling read too).

    :raises SimulationError: not JSON, not a list, or an element that is
        not a verb.
    """
    try:
        data = json.loads(text)
    except ValueError:
        raise SimulationError("the answer is not JSON", url=url, status=200) from None
    if not isinstance(data, list):
        raise SimulationError("a jambonz document is a JSON array", url=url, status=200)
    verbs = []
    for index, item in enumerate(data):
        if isinstance(item, dict) and isinstance(item.get("verb"), str):
            verbs.append(item)
        elif isinstance(item, dict) and len(item) == 1:
            ((name, body),) = item.items()
            verbs.append({"verb": name, **(body if isinstance(body, dict) else {})})
        else:
            raise SimulationError(
                f"element {index} is not a verb: {item!r}", url=url, status=200
            )
    return verbs


def _describe(verb: c.Mapping[str, t.Any]) -> str:
    """A short summary of a jambonz verb for the event log."""
    if verb["verb"] in ("say", "play", "message"):
        return speech_text(str(verb.get("text") or verb.get("url") or ""))
    shown = (
        f"{key}={value}"
        for key, value in verb.items()
        if key not in ("verb", "actionHook", "say", "play")
    )
    return " ".join(shown)


class JambonzCall(WebhookCall):
    """A call or text conversation as jambonz plays it."""

    platform = "jambonz"

    def _first(self) -> dict[str, t.Any]:
        if self._text is not None:
            return {
                "message_sid": self.session_id,
                "account_sid": ACCOUNT,
                "application_sid": APPLICATION,
                "from": self._from,
                "to": self._to,
                "text": self._text,
                "carrier": "simulator",
            }
        headers = self.session["session"]["headers"]
        return {
            **self._call(),
            "call_status": "trying",
            "sip_status": 100,
            "sip_reason": "Trying",
            "caller_name": "",
            "sip": {"headers": dict(headers), "uri": headers.get("Request URI")},
        }

    def _call(self) -> dict[str, t.Any]:
        return {
            "call_sid": self.session_id,
            "call_id": self.call_id,
            "account_sid": ACCOUNT,
            "application_sid": APPLICATION,
            "direction": "inbound",
            "from": self._from,
            "to": self._to,
            "call_status": "in-progress",
            "sip_status": 200,
        }

    def _ended(self, reason: str) -> dict[str, t.Any]:
        return {
            **self._call(),
            "call_status": "completed",
            "duration": self.duration,
            "call_termination_by": reason,
        }

    def _encode(
        self, url: str, fields: dict[str, t.Any]
    ) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(fields, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json"}
        if self._secret:
            stamp = str(int(time.time()))
            digest = hmac.new(
                self._secret.encode(), stamp.encode() + b"." + body, hashlib.sha256
            ).hexdigest()
            headers["Jambonz-Signature"] = f"t={stamp},v1={digest}"
        return body, headers

    def _documents(
        self, url: str, answer: wire.Response
    ) -> c.Generator[v.Ask | v.Record, Input, tuple[str, dict[str, t.Any]] | None]:
        stack = read_verbs(self._read(answer, url, ("application/json",)), url)
        while stack:
            verb = stack.pop(0)
            name = verb["verb"]
            self._line.log("verb", name, _describe(verb))
            if name in ("say", "play"):
                self._prompt(verb, name)
            elif name == "pause":
                self._line.clock += float(verb.get("length", 0))
            elif name == "message":
                self._message(verb)
            elif name in ("hangup", "sip:decline"):
                self._over(_ENDS[name])
                return None
            elif name == "conference":
                self._line.log(
                    "note", "conference", f"joined room {verb.get('name')!r}"
                )
            elif name in ("answer", "tag", "config"):
                continue
            elif name == "redirect":
                return urljoin(url, verb["actionHook"]), self._call()
            elif name in ("gather", "dial"):
                if name == "gather":
                    fields = yield from self._gather(verb)
                else:
                    fields = self._dial_verb(verb)
                if fields is None:
                    return None
                hook = verb.get("actionHook")
                if hook is None:
                    continue
                target = urljoin(url, hook if isinstance(hook, str) else hook["url"])
                following = self._send(target, fields, "result")
                more = read_verbs(
                    self._read(following, target, ("application/json",)), target
                )
                if more:
                    stack, url = more, target
            else:
                raise SimulationError(
                    f"the simulator does not run the {name!r} verb", url=url, status=200
                )
        return None

    def _prompt(self, verb: c.Mapping[str, t.Any], source: str) -> None:
        if "url" in verb:
            self._hear(str(verb["url"]), source)
            return
        text = verb.get("text")
        if isinstance(text, list):  # jambonz picks one at random: the first here
            text = text[0] if text else ""
        self._hear(speech_text(str(text or "")), source)

    def _message(self, verb: c.Mapping[str, t.Any]) -> None:
        text = str(verb.get("text") or "")
        if self.is_text and verb.get("to") == self._from:
            self._hear(text, "message")
            return
        message = SentMessage(
            to=str(verb.get("to")),
            text=text,
            channel="TEXT",
            network="SMS",
            from_=verb.get("from"),
            says=(text,),
            media=tuple(verb.get("media") or ()),
        )
        self._line.messages.append(message)
        self._line.log("message", "message", f"to {message.to} (TEXT): {text}")

    def _gather(
        self, verb: c.Mapping[str, t.Any]
    ) -> c.Generator[v.Ask | v.Record, Input, dict[str, t.Any] | None]:
        for key in ("say", "play"):
            if isinstance(verb.get(key), dict):
                self._prompt(verb[key], "gather")
        modes = verb.get("input") or ["digits"]
        finish = verb.get("finishOnKey") or ""
        entry = yield self._waiting("digits" in modes, "speech" in modes, finish)
        if entry.kind == "hangup":
            self._over("the caller hung up", by_caller=True)
            return None
        got = collect(
            entry,
            dtmf="digits" in modes,
            speech="speech" in modes,
            finish_on_key=finish,
            num_digits=verb.get("numDigits"),
            max_digits=verb.get("maxDigits"),
        )
        fields = self._call()
        if got.kind == "press":
            self._line.clock += 1
            fields.update(reason="dtmfDetected", digits=got.value)
        elif got.kind == "speak":
            self._line.clock += 1
            alternative = {"transcript": got.value, "confidence": CONFIDENCE}
            fields.update(
                reason="speechDetected",
                speech={"is_final": True, "alternatives": [alternative]},
            )
        else:
            self._line.clock += float(verb.get("timeout", 15))
            fields["reason"] = "timeout"
        return fields

    def _dial_verb(self, verb: c.Mapping[str, t.Any]) -> dict[str, t.Any]:
        targets = [
            str(target.get("number") or target.get("sipUri") or target.get("name"))
            for target in verb.get("target") or ()
        ]
        outcome, seconds = self._dial(targets)
        status, sip = _DIAL_STATUS[outcome]
        return {
            **self._call(),
            "dial_call_status": status,
            "dial_sip_status": sip,
            "dial_call_sid": "dial-" + self.session_id[:8],
            "duration": seconds,
        }
