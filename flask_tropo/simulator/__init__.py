"""The offline Tropo simulator: plays whole calls against a WebAPI app.

The public names are re-exported by :mod:`flask_tropo.testing`.
"""

from __future__ import annotations

from .core import Simulator as Simulator
from .engine import Call as Call
from .entries import Event as Event
from .entries import Recording as Recording
from .entries import SentMessage as SentMessage

__all__ = ["Call", "Event", "Recording", "SentMessage", "Simulator"]
