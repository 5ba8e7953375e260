"""The errors flask_tropo raises.

.. code-block:: text

    TropoError
    ├── InvalidPayload        (also werkzeug BadRequest, 400): a session or result
    │                         document that cannot be loaded
    ├── InvalidArgument       (also ValueError): a verb built with a value the
    │                         wire reference rules out
    ├── InvalidDocument       (also ValueError): a WebAPI document that cannot be
    │                         read back into verbs
    ├── InvalidNextToken      (also werkzeug Forbidden, 403): a result posted with a
    │                         missing, tampered, expired or foreign ``next`` token
    ├── InvalidSignature      (also werkzeug Forbidden, 403): a Twilio or jambonz
    │                         request without the platform's valid signature
    ├── HandlerReturnError    (also TypeError): a handler returned something that
    │                         is not a verb, a list of verbs or a response
    ├── StateTooLarge         call state too large to ride in a ``next`` URL
    └── SimulationError       the offline simulator got a bad answer from an app
"""

from __future__ import annotations

import typing as t

from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import Forbidden

__all__ = [
    "TropoError",
    "InvalidPayload",
    "InvalidArgument",
    "InvalidDocument",
    "InvalidNextToken",
    "InvalidSignature",
    "HandlerReturnError",
    "StateTooLarge",
    "SimulationError",
]


class TropoError(Exception):
    """Base class of every error raised by flask_tropo."""


class InvalidPayload(TropoError, BadRequest):
    """A session or result payload that cannot be loaded.

    It is a werkzeug :class:`~werkzeug.exceptions.BadRequest`, so when it
    escapes a view Flask answers ``400``; on Tropo routes the answer is the JSON
    error document described in :doc:`/errors`.

    :param messages: what is wrong, keyed by field (marshmallow's
        ``ValidationError.messages`` shape); never empty.
    :param data: the raw payload as received.
    """

    def __init__(self, messages: t.Mapping[str, t.Any], data: t.Any = None) -> None:
        #: What is wrong, keyed by wire field name.
        self.messages: dict[str, t.Any] = dict(messages) or {
            "_schema": ["Invalid payload."]
        }
        #: The payload as received.
        self.data = data
        super().__init__(description=_describe(self.messages))

    def __str__(self) -> str:
        return f"Invalid Tropo payload: {_describe(self.messages)}"


class InvalidArgument(TropoError, ValueError):
    """A verb was given a value the wire reference rules out; the message
    names the verb and the field: ``Ask.attempts: must be at least 1, got 0``.

    :param message: what is wrong.
    :param verb: the class name, for example ``"Ask"``.
    :param field: the Python field name, for example ``"attempts"``.
    """

    def __init__(self, message: str, *, verb: str, field: str) -> None:
        self.verb = verb
        self.field = field
        super().__init__(f"{verb}.{field}: {message}")


class InvalidDocument(TropoError, ValueError):
    """A WebAPI document that cannot be read into verb objects; the message
    names the element's index, the verb and the key.

    :param message: what is wrong.
    :param index: position of the element in the ``tropo`` array.
    :param verb: the element's verb key, when known.
    :param key: the offending key inside the verb, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        index: int | None = None,
        verb: str | None = None,
        key: str | None = None,
    ) -> None:
        self.index = index
        self.verb = verb
        self.key = key
        where = (None if index is None else f"tropo[{index}]", verb, key)
        prefix = ".".join(part for part in where if part is not None)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class InvalidNextToken(TropoError, Forbidden):
    """A result was posted with a missing, tampered, expired or foreign token.

    :param reason: why the token was refused.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(description=reason)

    def __str__(self) -> str:
        return f"Invalid next token: {self.reason}"


class InvalidSignature(TropoError, Forbidden):
    """A request to a Twilio or jambonz route without the platform's valid
    signature (``X-Twilio-Signature``, ``Jambonz-Signature``).

    :param header: the signature header.
    :param reason: why the request was refused.
    """

    def __init__(self, header: str, reason: str) -> None:
        self.header = header
        self.reason = reason
        super().__init__(description=reason)

    def __str__(self) -> str:
        return f"Invalid {self.header}: {self.reason}"


class HandlerReturnError(TropoError, TypeError):
    """A handler returned something that cannot be rendered."""


class StateTooLarge(TropoError):
    """The call state is too large to travel in a ``next`` URL."""


class SimulationError(TropoError):
    """The app under simulation answered something Tropo could not run.

    :param message: what went wrong.
    :param url: the URL that was posted to.
    :param status: the HTTP status the app answered, if any.
    """

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        self.message = message
        self.url = url
        self.status = status
        super().__init__(
            f"POST {url} -> {status if status is not None else '-'}: {message}"
        )


def _describe(messages: t.Mapping[str, t.Any]) -> str:
    parts = []
    for key, value in messages.items():
        if isinstance(value, t.Mapping):
            value = f"{{{_describe(value)}}}"
        elif isinstance(value, (list, tuple)):
            value = " ".join(map(str, value))
        parts.append(f"{key}: {value}")
    return "; ".join(parts)
