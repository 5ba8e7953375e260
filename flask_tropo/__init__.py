"""Build Tropo WebAPI call flows as ordinary Flask handlers."""

from __future__ import annotations

from . import verbs as verbs
from .exceptions import InvalidDocument as InvalidDocument
from .exceptions import InvalidPayload as InvalidPayload
from .exceptions import TropoError as TropoError

__all__ = [
    "InvalidDocument",
    "InvalidPayload",
    "TropoError",
    "verbs",
]
