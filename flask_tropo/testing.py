"""Test Tropo apps offline: the :class:`Simulator`, which plays the platform
against a Flask app in process or any WebAPI server over HTTP, and payload
factories. :doc:`/testing` says how calls run.
"""

from __future__ import annotations

import collections.abc as c
import contextlib
import typing as t

from .continuation import CURRENT_CALL
from .continuation import ActiveCall
from .exceptions import SimulationError as SimulationError
from .simulator import wire
from .simulator.call import Call as Call
from .simulator.flow import Failure as Failure
from .simulator.flow import Flow as Flow
from .simulator.flow import Path as Path
from .simulator.flow import Step as Step
from .simulator.line import Event as Event
from .simulator.line import Recording as Recording
from .simulator.line import SentMessage as SentMessage
from .simulator.simulator import Simulator as Simulator

__all__ = [
    "Call",
    "call_state_for",
    "Event",
    "Failure",
    "Flow",
    "Path",
    "Recording",
    "SentMessage",
    "SimulationError",
    "Simulator",
    "Step",
    "result_payload",
    "session_payload",
]


@contextlib.contextmanager
def call_state_for(
    state: c.Mapping[str, t.Any] | None = None, *, session_id: str = "test-session"
) -> c.Iterator[dict[str, t.Any]]:
    """Give :data:`~flask_tropo.call_state` a value outside a request, to
    unit-test a handler by calling it.

    .. code-block:: python

        with call_state_for({"caller": "+14155550100"}) as state:
            verbs = route_call(Result.parse(payload))
        assert state["caller"] == "+14155550100"

    :param state: the state the handler finds; a copy is used.
    :param session_id: the session id of the pretend call.
    :return: the state dict, as the handler left it.
    """
    call = ActiveCall(session_id, dict(state or {}))
    token = CURRENT_CALL.set(call)
    try:
        yield call.state
    finally:
        CURRENT_CALL.reset(token)


def _by_wire_name(fields: c.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """``fields`` keyed by wire name: ``initialText`` for ``initial_text``,
    ``from`` for ``from_``, ``calledid`` for ``called_id``; camelCase names
    are kept."""
    wire_fields = {}
    for name, value in fields.items():
        head, *rest = name.split("_")  # from_ splits into "from" and ""
        camel = head + "".join(part[:1].upper() + part[1:] for part in rest)
        wire_fields["calledid" if name == "called_id" else camel] = value
    return wire_fields


def session_payload(
    *,
    kind: t.Literal["voice", "text", "launch"] = "voice",
    **overrides: t.Any,
) -> dict[str, t.Any]:
    """A session document ``{"session": {...}}`` as the simulator sends it.

    .. code-block:: python

        session_payload(from_="+14155550123")
        session_payload(kind="text", initial_text="balance")
        session_payload(kind="launch", parameters={"num": "+14155550123"})

    :param kind: ``"voice"`` (an inbound call), ``"text"`` (an inbound SMS,
        ``initialText`` ``"hello"``) or ``"launch"`` (a token launch:
        ``userType`` ``NONE``, no ``to``/``from``; ``parameters`` given are
        added to ``token`` and ``action``, as strings).
    :param overrides: session fields, by wire or snake_case name, replacing
        the defaults; ``to`` and ``from_`` strings become caller-ID objects.
    """
    fields = _by_wire_name(overrides)
    if kind == "launch":
        document = wire.launch_session(fields.pop("parameters", None))
    else:
        channel, network = ("TEXT", "SMS") if kind == "text" else ("VOICE", "PSTN")
        document = wire.voice_session(
            channel=channel,
            network=network,
            initial_text="hello" if kind == "text" else None,
        )
        for key in ("to", "from"):
            if isinstance(fields.get(key), str):
                fields[key] = wire.endpoint(
                    fields[key], channel=channel, network=network
                )
    document["session"].update(fields)
    return document


def result_payload(**overrides: t.Any) -> dict[str, t.Any]:
    """A result document ``{"result": {...}}`` in the platform's shape.

    The defaults: fresh ids, state ``ANSWERED``, ``sessionDuration`` 0,
    ``sequence`` 1, ``complete`` true, ``error`` null, ``calledid``
    ``+14155550199`` and ``actions`` ``{}``.

    .. code-block:: python

        result_payload(actions={"name": "pin", "value": "1234"})
        result_payload(state="DISCONNECTED")
        result_payload(error="Could not fetch the document")

    :param overrides: result fields, by wire or snake_case name, as given
        (``actions`` stays an object or a list).
    """
    document = wire.result_document(
        session_id=wire.new_id(), call_id=wire.new_id(), called_id=wire.DEFAULT_TO
    )
    document["result"].update(_by_wire_name(overrides))
    return document
