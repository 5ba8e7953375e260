"""Build Tropo WebAPI call flows as ordinary Flask handlers."""

from __future__ import annotations

from . import signals as signals
from . import verbs as verbs
from .blueprint import TropoBlueprint as TropoBlueprint
from .continuation import call_state as call_state
from .document import parse_document as parse_document
from .document import render as render
from .exceptions import InvalidDocument as InvalidDocument
from .exceptions import InvalidPayload as InvalidPayload
from .exceptions import TropoError as TropoError
from .extension import Tropo as Tropo
from .payloads import Action as Action
from .payloads import Endpoint as Endpoint
from .payloads import Recording as Recording
from .payloads import Result as Result
from .payloads import Session as Session
from .payloads import TranscriptionResult as TranscriptionResult

__all__ = [
    "Action",
    "Endpoint",
    "InvalidDocument",
    "InvalidPayload",
    "Recording",
    "Result",
    "Session",
    "TranscriptionResult",
    "Tropo",
    "TropoBlueprint",
    "TropoError",
    "call_state",
    "parse_document",
    "render",
    "signals",
    "verbs",
]
