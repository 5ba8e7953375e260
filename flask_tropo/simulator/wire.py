"""The documents the simulator posts, built in the platform's shapes.

Session documents follow ``tropo-webapi.md`` section 3 (the 2017 shape: 32-hex
ids, ``applicationId``, ``e164Id``), result documents section 4 (keys in the
order of the captured samples, ``calledid`` in lower case, ``actions`` an
object for one action and a list for several).

These builders are also behind :func:`flask_tropo.testing.session_payload`
and :func:`flask_tropo.testing.result_payload`.

:meta private:
"""

from __future__ import annotations

import collections.abc as c
import datetime as dt
import secrets
import typing as t

__all__ = [
    "ACCOUNT_ID",
    "APPLICATION_ID",
    "DEFAULT_FROM",
    "DEFAULT_TO",
    "actions_field",
    "endpoint",
    "iso_timestamp",
    "launch_session",
    "new_id",
    "result_document",
    "sip_headers",
    "stringify",
    "voice_session",
]

#: The ``accountId`` of simulated sessions.
ACCOUNT_ID = "1"
#: The ``applicationId`` of simulated sessions.
APPLICATION_ID = "1"
#: The caller of a simulated call or text, when none is given.
DEFAULT_FROM = "+14155550100"
#: The number dialled, when none is given.
DEFAULT_TO = "+14155550199"
#: The host named in simulated SIP headers.
SIP_HOST = "simulator.invalid"


def new_id() -> str:
    """A fresh 32 hex digit id, like the platform's session and call ids."""
    return secrets.token_hex(16)


def iso_timestamp(moment: dt.datetime) -> str:
    """ISO-8601 in UTC with milliseconds and ``Z``: ``2017-04-27T08:55:49.252Z``.

    :param moment: an aware datetime (a naive one is taken as UTC).
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    moment = moment.astimezone(dt.timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def endpoint(address: str, *, channel: str, network: str) -> dict[str, t.Any]:
    """A caller-ID object (session ``to`` / ``from``).

    :param address: the number, SIP user or handle; also used as ``e164Id``
        and ``name``.
    :param channel: ``"VOICE"`` or ``"TEXT"``.
    :param network: ``"PSTN"``, ``"SIP"``, ``"SMS"``...
    """
    return {
        "id": address,
        "e164Id": address,
        "name": address,
        "channel": channel,
        "network": network,
    }


def sip_headers(session_id: str, *, from_: str, to: str) -> dict[str, str]:
    """SIP-like INVITE headers for an inbound session.

    :param session_id: echoed as ``x-sid``.
    :param from_: the caller.
    :param to: the number dialled.
    """
    return {
        "Call-ID": secrets.token_hex(8),
        "CSeq": "1 INVITE",
        "Max-Forwards": "70",
        "Request URI": f"sip:{to}@{SIP_HOST}",
        "x-sid": session_id,
        "From": f"<sip:{from_}@{SIP_HOST}>;tag={secrets.token_hex(4)}",
        "To": f"<sip:{to}@{SIP_HOST}>",
        "Content-Type": "application/sdp",
        "Content-Length": "0",
    }


def voice_session(
    *,
    from_: str = DEFAULT_FROM,
    to: str = DEFAULT_TO,
    channel: str = "VOICE",
    network: str = "PSTN",
    initial_text: str | None = None,
    headers: c.Mapping[str, str] | None = None,
    timestamp: dt.datetime | None = None,
) -> dict[str, t.Any]:
    """An inbound session document: a call (``VOICE``) or a text (``TEXT``).

    :param from_: the caller.
    :param to: the number dialled.
    :param channel: ``"VOICE"`` or ``"TEXT"``.
    :param network: the network of both endpoints.
    :param initial_text: the first message of a text conversation.
    :param headers: SIP headers added to (or replacing) the simulated ones.
    :param timestamp: when the session starts; now when not given.
    """
    session_id = new_id()
    return {
        "session": {
            "id": session_id,
            "accountId": ACCOUNT_ID,
            "applicationId": APPLICATION_ID,
            "timestamp": iso_timestamp(timestamp or _now()),
            "userType": "HUMAN",
            "initialText": initial_text,
            "callId": new_id(),
            "to": endpoint(to, channel=channel, network=network),
            "from": endpoint(from_, channel=channel, network=network),
            "headers": {
                **sip_headers(session_id, from_=from_, to=to),
                **(headers or {}),
            },
        }
    }


def launch_session(
    parameters: c.Mapping[str, object] | None = None,
    *,
    timestamp: dt.datetime | None = None,
) -> dict[str, t.Any]:
    """A token-launched session document (Session API): ``userType`` ``NONE``,
    no ``to``/``from``, and ``parameters`` with ``token`` and ``action`` plus
    the given ones, all stringified.

    :param parameters: the launch variables; they may replace ``token`` and
        ``action``.
    :param timestamp: when the session starts; now when not given.
    """
    values = {"token": "simulator-token", "action": "create"}
    values.update(stringify(parameters or {}))
    return {
        "session": {
            "id": new_id(),
            "accountId": ACCOUNT_ID,
            "applicationId": APPLICATION_ID,
            "timestamp": iso_timestamp(timestamp or _now()),
            "userType": "NONE",
            "initialText": None,
            "callId": new_id(),
            "parameters": values,
        }
    }


def stringify(values: c.Mapping[str, object]) -> dict[str, str]:
    """Launch parameters as the platform passes them: every value a string.

    Booleans become ``"true"``/``"false"``, ``None`` values are left out,
    everything else goes through :func:`str`.

    :param values: the parameters as given.
    """
    out: dict[str, str] = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        else:
            out[key] = str(value)
    return out


def actions_field(
    actions: c.Sequence[c.Mapping[str, t.Any]],
) -> dict[str, t.Any] | list[dict[str, t.Any]]:
    """A result's ``actions``: ``{}`` for none, the object for one, a list for
    several.

    :param actions: the actions of the document, in order.
    """
    if not actions:
        return {}
    if len(actions) == 1:
        return dict(actions[0])
    return [dict(action) for action in actions]


def result_document(
    *,
    session_id: str,
    call_id: str,
    state: str = "ANSWERED",
    session_duration: int = 0,
    sequence: int = 1,
    called_id: str | None = None,
    actions: c.Sequence[c.Mapping[str, t.Any]] = (),
    complete: bool = True,
    error: str | None = None,
) -> dict[str, t.Any]:
    """A result document ``{"result": {...}}``.

    :param session_id: the session's ``id``.
    :param call_id: the session's ``callId``.
    :param state: ``"ANSWERED"``, ``"DISCONNECTED"`` or ``"FAILED"``.
    :param session_duration: whole seconds since the session started.
    :param sequence: 1-based number of this result in the session.
    :param called_id: the number dialled (``calledid``); left out when
        ``None``.
    :param actions: the actions of the document, in order.
    :param complete: whether the action completed.
    :param error: the error message, ``None`` on success.
    """
    result: dict[str, t.Any] = {
        "sessionId": session_id,
        "callId": call_id,
        "state": state,
        "sessionDuration": session_duration,
        "sequence": sequence,
        "complete": complete,
        "error": error,
    }
    if called_id is not None:
        result["calledid"] = called_id
    result["actions"] = actions_field(actions)
    return {"result": result}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
