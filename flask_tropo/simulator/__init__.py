"""The offline Tropo simulator: plays whole calls against a WebAPI app.

The public names are re-exported by :mod:`flask_tropo.testing`. The modules,
each importing only those listed above it:

``grammar``
    Tropo's ``choices`` grammar: :func:`~.grammar.parse_grammar`,
    :func:`~.grammar.match_input`; stands alone, for any platform.
``wire``
    What travels to and from the app: the session and result documents, the
    in-process and HTTP transports, reading an answer into verbs.
``line``
    One call's state shared by its verbs (clock, channel, answered) and its
    record: ``Event``, ``SentMessage``, ``Recording``.
``telephony``
    The verbs that do not wait: say, transfer, call, message, conference...
``call``
    ``Call``: runs documents, fires ``on`` handlers, and the verbs that wait
    on the caller (``ask``, ``record``).
``simulator``
    ``Simulator``: starts calls, texts and launches.
``console``
    ``flask tropo call``: a call played in a terminal.

The explorer and the tools built on it; ``Simulator.explore`` and the
``Flow.to_*`` methods import theirs when called:

``flow``
    What exploring finds: ``Flow``, ``Path``, ``Failure``, ``Step``.
``drawing``, ``report``
    A flow as Mermaid, DOT, SVG; the self-contained HTML page.
``apps``
    What the tools read of a Flask app: its Tropo routes, endpoint names.
``explore``
    Every path of a call, breadth first.
``commands``
    ``flask tropo graph`` and ``flask tropo phone``.
``phone``
    The phone page: its own server on 127.0.0.1, and the page's files.
"""

from __future__ import annotations

from .call import Call as Call
from .line import Event as Event
from .line import Recording as Recording
from .line import SentMessage as SentMessage
from .simulator import Simulator as Simulator

__all__ = ["Call", "Event", "Recording", "SentMessage", "Simulator"]
