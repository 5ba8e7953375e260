"""Test Tropo apps offline: the simulator and payload factories.

:class:`Simulator` plays the platform against a Flask app in process, or
against any WebAPI server (in any language) over real HTTP. It posts session
and result documents in the platform's shapes, runs the documents the app
answers with the platform's semantics, and records everything on the
:class:`Call`.

.. code-block:: python

    from flask_tropo.testing import Simulator

    def test_pin(app):
        call = Simulator(app).dial("/voice")
        assert call.heard == ["Enter your PIN"]
        call.press("1234")
        assert call.heard[-1] == "You entered 1234"
        assert call.ended

How calls run
-------------

-   **Handlers.** ``on`` handlers live for one document (the first ``on`` per
    event counts). ``continue`` is the catch-all: an event with no handler
    of its own falls through to it. A handler's ``say`` plays before its
    ``next`` is posted; a handler with a ``say`` and no ``next`` plays and
    then runs ``continue``. ``next`` URLs are resolved against the URL that
    served the document (:func:`urllib.parse.urljoin`: absolute,
    root-relative and document-relative all work).
-   **End of a document.** When the verbs run out, ``continue`` fires. With
    no ``continue`` (or one without ``next``) the platform hangs up: the
    document's ``hangup`` handler, if it has a ``next``, gets a result with
    state ``DISCONNECTED``; its answer is not run.
-   **ask.** The prompts without an ``event`` play, then the call waits.
    :meth:`Call.press` is one DTMF entry (as if the caller then paused, or
    pressed the terminator; keys after the terminator are dropped),
    :meth:`Call.speak` is speech, :meth:`Call.silence` a timeout. Input is
    matched by :mod:`flask_tropo.simulator.grammar` (``mode`` and
    ``terminator`` honoured). After a failed attempt that has a further
    attempt, the prompts whose ``event`` matches play (``nomatch``,
    ``nomatch:N`` with N the failed attempt's number, ``timeout``; several
    space-separated events in one string), then the prompts without one.
    After the last attempt ``incomplete`` fires at once, without a
    re-prompt; the rest of the document is skipped, unless the ask has
    ``required: false``. Success gives an action with ``name`` (when the
    verb has one), ``attempts``, ``disposition`` ``SUCCESS``, ``confidence``
    100, ``interpretation``, ``utterance``, ``value`` and ``concept``;
    failure an action with ``attempts``, ``disposition`` ``NOMATCH`` or
    ``TIMEOUT`` and ``confidence`` 0.
-   **Actions.** Every ask, record, transfer and call adds an action to the
    document's result, in order: ``actions`` is ``{}`` for none, an object
    for one, a list for several (a second ask waits for the first's action
    until the document posts).
-   **record.** Unevented prompts play, then the call waits.
    :meth:`Call.speak` is recorded (one second per word) and the recording
    goes on; the terminator key (``choices.terminator``, else ``#``) ends it,
    other keys are recorded; :meth:`Call.silence` ends it after
    ``maxSilence`` (5 s) of silence, which is part of the recording;
    ``maxTime`` (30 s) cuts it off. The action has ``disposition``
    ``SUCCESS``, an integer ``duration``, ``uploadStatus`` ``success`` and
    ``value`` ``http://simulator.invalid/recordings/<id>.<ext>`` (the
    platform's temporary copy). Nothing is uploaded: :attr:`Call.recordings`
    lists the upload URLs. Record prompts with ``event`` ``timeout`` never
    play. A caller who hangs up after speaking leaves the recording, and its
    action rides in the ``DISCONNECTED`` result.
-   **transfer and call** follow the simulator's ``transfer`` option.
    ``"answer"``: ring ``say`` plays (once), the far end answers after 5 s
    and stays 60 s, the action has ``disposition`` ``SUCCESS``,
    ``duration``, ``connectedDuration``, ``timestamp`` and ``calledid`` (and
    ``userType`` ``HUMAN`` with machine detection), and the document goes
    on. ``"busy"`` (no ring) and ``"no-answer"`` (rings for the verb's
    ``timeout``, default 30 s) fire ``incomplete`` with ``disposition``
    ``BUSY`` or ``TIMEOUT``. ``connect`` handlers are for the called party:
    they are logged, their ``ask`` taken as answered, their ``post`` not
    sent. ``call`` only works when there is no call yet (a launched
    session): the call it places makes ``say`` and friends possible; a
    failed call's result has state ``FAILED``.
-   **message** is sent to its first ``to`` and listed in
    :attr:`Call.messages`; the caller's call goes on. ``conference`` (the
    caller is alone and leaves at once), ``wait`` (advances the clock),
    ``startRecording``/``stopRecording`` (a recording in
    :attr:`Call.recordings`), ``answer`` and ``generalLogSecurity`` are
    logged in :attr:`Call.events`.
-   **Answering.** An inbound call is answered by the first ``answer``,
    ``say``, ``ask``, ``record``, ``transfer``, ``conference`` or
    ``startRecording``. ``redirect`` and ``reject`` only work before that,
    and end the call; after it they are a :exc:`SimulationError`, as they
    are in a launched session.
-   **Hanging up.** The ``hangup`` verb ends the call and posts nothing.
    :meth:`Call.hangup` fires the document's ``hangup`` handler (else
    ``continue``) with state ``DISCONNECTED`` and the actions completed so
    far; handler ``say`` is not played, and the app's answer is not run.
-   **error** is never fired by the simulator: a bad answer raises
    :exc:`SimulationError` in the test instead. Test an ``error`` handler by
    posting :func:`result_payload` with ``error`` set.
-   **Text sessions** (:meth:`Simulator.text`): the ``initialText`` answers
    the first ``ask`` of the session, whose prompt is then not sent; later
    asks send their prompt and wait for :meth:`Call.speak` (or
    :meth:`Call.reply`). Says are replies; both appear in :attr:`Call.heard`.
-   **Results** carry ``sessionId``, ``callId``, ``state``,
    ``sessionDuration`` (whole seconds on a simulated clock: a press or
    speak takes 1 s, silence the ask's ``timeout`` (30 s), recordings their
    length, ``wait`` its time, transfers as above; prompts take none),
    ``sequence`` (1-based), ``complete`` ``true``, ``error`` ``null``,
    ``calledid`` (the number dialled, or the ``to`` of a launched session's
    ``call``) and ``actions``.
-   **Bad answers.** A status other than 200, a body that is not JSON, or a
    document :func:`~flask_tropo.parse_document` refuses raises
    :exc:`SimulationError` naming the URL, the status and the problem (with
    the start of the body). The Content-Type is not checked. Redirects are
    not followed. In process, an exception in a view propagates when the
    app is testing (``TESTING`` or ``PROPAGATE_EXCEPTIONS``). A call that
    fetches more than 1000 documents raises :exc:`SimulationError`.
"""

from __future__ import annotations

import collections.abc as c
import contextlib
import typing as t

from .continuation import _CALL
from .continuation import _Call
from .exceptions import SimulationError as SimulationError
from .simulator import wire
from .simulator.core import Simulator as Simulator
from .simulator.engine import Call as Call
from .simulator.entries import Event as Event
from .simulator.entries import Recording as Recording
from .simulator.entries import SentMessage as SentMessage
from .simulator.flow import Failure as Failure
from .simulator.flow import Flow as Flow
from .simulator.flow import Path as Path
from .simulator.flow import Step as Step

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

_SPECIAL_KEYS = {"from_": "from", "called_id": "calledid"}


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
    call = _Call(session_id, dict(state or {}))
    token = _CALL.set(call)
    try:
        yield call.state
    finally:
        _CALL.reset(token)


def _wire_key(name: str) -> str:
    """The wire spelling of a field: ``initial_text`` gives ``initialText``,
    ``from_`` gives ``from``, ``called_id`` gives ``calledid``; camelCase
    names are kept.

    :param name: a snake_case or camelCase field name.
    """
    if name in _SPECIAL_KEYS:
        return _SPECIAL_KEYS[name]
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def session_payload(
    *,
    kind: t.Literal["voice", "text", "launch"] = "voice",
    **overrides: t.Any,
) -> dict[str, t.Any]:
    """A session document ``{"session": {...}}`` in the platform's shape, as
    the simulator sends it.

    .. code-block:: python

        session_payload(from_="+14155550123")
        session_payload(kind="text", initial_text="balance")
        session_payload(kind="launch", parameters={"num": "+14155550123"})

    :param kind: ``"voice"`` (an inbound call), ``"text"`` (an inbound SMS,
        ``initialText`` ``"hello"``) or ``"launch"`` (a token launch:
        ``userType`` ``NONE``, no ``to``/``from``; ``parameters`` given are
        added to ``token`` and ``action``, as strings).
    :param overrides: session fields, by wire name or snake_case name; they
        replace the defaults. ``to`` and ``from_`` given as strings become
        caller-ID objects.
    """
    fields = {_wire_key(key): value for key, value in overrides.items()}
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

    :param overrides: result fields, by wire name or snake_case name
        (``session_id``, ``called_id``); values are used as given, so
        ``actions`` stays an object or a list as you pass it.
    """
    document = wire.result_document(
        session_id=wire.new_id(), call_id=wire.new_id(), called_id=wire.DEFAULT_TO
    )
    document["result"].update(
        {_wire_key(key): value for key, value in overrides.items()}
    )
    return document
