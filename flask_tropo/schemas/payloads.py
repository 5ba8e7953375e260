"""Schemas of the session and result documents Tropo posts.

They are the single mapping between the wire JSON and the dataclasses of
:mod:`flask_tropo.payloads`, in both directions: loading builds the
dataclasses (unknown keys ignored), dumping gives the wire shape with
camelCase keys and ``None`` values left out.

The schema instances are built once, at import, nested schemas included, so
loading and dumping build no :class:`~marshmallow.Schema`.
"""

from __future__ import annotations

import collections.abc as c
import json
import typing as t

from marshmallow import EXCLUDE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import post_dump
from marshmallow import post_load

from ..exceptions import InvalidPayload
from ..payloads import Action
from ..payloads import Endpoint
from ..payloads import InitialMedia
from ..payloads import Result
from ..payloads import Session
from ..payloads import TranscriptionResult
from .fields import Actions
from .fields import Headers
from .fields import Parameters
from .fields import UTCDateTime
from .tables import LoadTable
from .tables import Slow

__all__ = [
    "ActionSchema",
    "EndpointSchema",
    "InitialMediaSchema",
    "ResultSchema",
    "SessionSchema",
    "dump_result",
    "dump_session",
    "load_result",
    "load_session",
    "load_transcription",
]


def _str() -> fields.String:
    """An optional string field. Internal."""
    return fields.String(allow_none=True)


def _int() -> fields.Integer:
    """An optional integer field that refuses floats and numeric strings.

    Internal.
    """
    return fields.Integer(strict=True, allow_none=True)


class _PayloadSchema(Schema):
    """Base of the payload schemas: unknown keys are ignored on load, and keys
    whose value is ``None`` (or an empty collection named in ``omit_empty``)
    are left out on dump. Internal.

    A loaded object becomes a ``model`` instance after :meth:`fold`, the
    steps the class attributes below declare; the fast path of
    :mod:`.tables` calls the same method. These schemas have no other hooks.
    """

    #: The dataclass a loaded object becomes.
    model: t.ClassVar[type[t.Any]]
    #: Legacy keys, ``{attribute: load-only attribute}``: the second is read
    #: as the first when the first is absent and the second is not ``null``.
    fallbacks: t.ClassVar[c.Mapping[str, str]] = {}
    #: Attributes for which ``null`` means the dataclass default.
    null_is_default: t.ClassVar[frozenset[str]] = frozenset()
    #: Attributes loaded as a list and kept as a tuple.
    tuples: t.ClassVar[frozenset[str]] = frozenset()
    omit_empty: t.ClassVar[frozenset[str]] = frozenset()
    error_messages = {"type": "Not a valid object."}

    class Meta:
        unknown = EXCLUDE

    def fold(self, data: dict[str, t.Any]) -> dict[str, t.Any]:
        """Apply ``fallbacks``, ``null_is_default`` and ``tuples`` to loaded
        ``data``, in place."""
        for attribute, legacy in self.fallbacks.items():
            value = data.pop(legacy, None)
            if attribute not in data and value is not None:
                data[attribute] = value
        for attribute in self.null_is_default:
            if attribute in data and data[attribute] is None:
                del data[attribute]
        for attribute in self.tuples:
            if attribute in data:
                data[attribute] = tuple(data[attribute])
        return data

    @post_load
    def _make(self, data: dict[str, t.Any], **kwargs: t.Any) -> t.Any:
        return self.model(**self.fold(data))

    @post_dump
    def _drop_empty(self, data: dict[str, t.Any], **kwargs: t.Any) -> dict[str, t.Any]:
        return {
            key: value
            for key, value in data.items()
            if value is not None and not (key in self.omit_empty and not value)
        }


class EndpointSchema(_PayloadSchema):
    """The ``to`` and ``from`` caller-ID objects of a session."""

    model = Endpoint

    id = _str()
    e164_id = fields.String(data_key="e164Id", allow_none=True)
    name = _str()
    channel = _str()
    network = _str()


class InitialMediaSchema(_PayloadSchema):
    """One part of an inbound MMS."""

    model = InitialMedia

    status = _str()
    media = _str()
    text = _str()
    disposition = _str()


class SessionSchema(_PayloadSchema):
    """The body of a session document (inside the ``session`` key)."""

    model = Session
    null_is_default = frozenset({"headers", "parameters", "initial_media"})
    tuples = frozenset({"initial_media"})
    omit_empty = frozenset({"headers", "parameters", "initialMedia"})

    id = fields.String(required=True)
    account_id = fields.String(data_key="accountId", allow_none=True)
    application_id = fields.String(data_key="applicationId", allow_none=True)
    timestamp = UTCDateTime(allow_none=True)
    user_type = fields.String(data_key="userType", allow_none=True)
    initial_text = fields.String(data_key="initialText", allow_none=True)
    call_id = fields.String(data_key="callId", allow_none=True)
    to = fields.Nested(EndpointSchema, allow_none=True)
    from_ = fields.Nested(EndpointSchema, data_key="from", allow_none=True)
    headers = Headers(allow_none=True)
    parameters = Parameters(allow_none=True)
    subject = _str()
    initial_media = fields.Nested(
        InitialMediaSchema,
        many=True,
        data_key="initialMedia",
        allow_none=True,
        error_messages={"type": "Not a valid list."},
    )


class ActionSchema(_PayloadSchema):
    """One element of a result's ``actions``."""

    model = Action

    name = _str()
    attempts = _int()
    disposition = _str()
    confidence = _int()
    interpretation = _str()
    utterance = _str()
    value = _str()
    concept = _str()
    xml = _str()
    upload_status = fields.String(data_key="uploadStatus", allow_none=True)
    duration = _int()
    connected_duration = fields.Integer(
        data_key="connectedDuration", strict=True, allow_none=True
    )
    url = _str()
    user_type = fields.String(data_key="userType", allow_none=True)
    timestamp = _str()
    called_id = fields.String(data_key="calledid", allow_none=True)
    transcription = fields.Raw(allow_none=True)


class ResultSchema(_PayloadSchema):
    """The body of a result document (inside the ``result`` key).

    The legacy key ``callState`` is read as ``state`` when ``state`` is
    absent.
    """

    model = Result
    fallbacks = {"state": "call_state"}
    null_is_default = frozenset({"actions"})

    session_id = fields.String(data_key="sessionId", required=True)
    call_id = fields.String(data_key="callId", allow_none=True)
    state = _str()
    call_state = fields.String(data_key="callState", allow_none=True, load_only=True)
    session_duration = fields.Integer(
        data_key="sessionDuration", strict=True, allow_none=True
    )
    sequence = _int()
    complete = fields.Boolean(allow_none=True)
    error = _str()
    called_id = fields.String(data_key="calledid", allow_none=True)
    user_type = fields.String(data_key="userType", allow_none=True)
    actions = Actions(ActionSchema, allow_none=True)


class _SessionEnvelopeSchema(Schema):
    """``{"session": {...}}``. Internal."""

    error_messages = {"type": 'Not a valid object: expected {"session": {...}}.'}

    class Meta:
        unknown = EXCLUDE

    session = fields.Nested(SessionSchema, required=True)


class _ResultEnvelopeSchema(Schema):
    """``{"result": {...}}``. Internal."""

    error_messages = {"type": 'Not a valid object: expected {"result": {...}}.'}

    class Meta:
        unknown = EXCLUDE

    result = fields.Nested(ResultSchema, required=True)


class TranscriptionSchema(_PayloadSchema):
    """The body of a transcription document (inside the ``result`` key), as
    the platform posts it to a ``Transcription`` URL."""

    model = TranscriptionResult

    identifier = _str()
    text = fields.String(data_key="transcription", allow_none=True)
    confidence = fields.Float(allow_none=True)
    guid = _str()


class _TranscriptionEnvelopeSchema(Schema):
    """``{"result": {...}}``. Internal."""

    error_messages = {"type": 'Not a valid object: expected {"result": {...}}.'}

    class Meta:
        unknown = EXCLUDE

    result = fields.Nested(TranscriptionSchema, required=True)


_transcription_envelope = _TranscriptionEnvelopeSchema()
_session_envelope = _SessionEnvelopeSchema()
_result_envelope = _ResultEnvelopeSchema()
# Built now (with every nested schema), so no request builds a Schema.
_session_table = LoadTable(SessionSchema())
_result_table = LoadTable(ResultSchema())


def load_session(data: c.Mapping[str, t.Any] | str | bytes) -> Session:
    """Load a session document; see :meth:`.Session.parse`.

    :param data: the document as a mapping, or its JSON text as ``str`` or
        UTF-8 ``bytes``.
    :raise InvalidPayload: the document cannot be loaded.
    """
    document = _decode(data)
    try:
        if type(document) is dict:
            return t.cast(Session, _session_table.load(document.get("session")))
    except Slow:
        pass
    session: Session = _load(_session_envelope, document, data)["session"]
    return session


def load_result(data: c.Mapping[str, t.Any] | str | bytes) -> Result:
    """Load a result document; see :meth:`.Result.parse`.

    :param data: the document as a mapping, or its JSON text as ``str`` or
        UTF-8 ``bytes``.
    :raise InvalidPayload: the document cannot be loaded.
    """
    document = _decode(data)
    try:
        if type(document) is dict:
            return t.cast(Result, _result_table.load(document.get("result")))
    except Slow:
        pass
    result: Result = _load(_result_envelope, document, data)["result"]
    return result


def load_transcription(
    data: c.Mapping[str, t.Any] | str | bytes,
) -> TranscriptionResult:
    """Load a transcription document; see :meth:`.TranscriptionResult.parse`.

    :param data: the document as a mapping, or its JSON text.
    :raise InvalidPayload: the document cannot be loaded.
    """
    document = _decode(data)
    loaded: TranscriptionResult = _load(_transcription_envelope, document, data)[
        "result"
    ]
    return loaded


def dump_session(session: Session) -> dict[str, t.Any]:
    """Dump a session as the platform posts it: ``{"session": {...}}``.

    Keys are camelCase, ``None`` values and empty ``headers``,
    ``parameters`` and ``initialMedia`` are left out, and the timestamp is
    ISO-8601 UTC with milliseconds and ``Z``.

    :param session: the session to dump.
    """
    dumped: dict[str, t.Any] = _session_envelope.dump({"session": session})
    return dumped


def dump_result(result: Result) -> dict[str, t.Any]:
    """Dump a result as the platform posts it: ``{"result": {...}}``.

    Keys are camelCase and ``None`` values are left out. ``actions`` is
    ``{}`` when there is none, an object for one and a list for several.

    :param result: the result to dump.
    """
    dumped: dict[str, t.Any] = _result_envelope.dump({"result": result})
    return dumped


def _load(schema: Schema, document: t.Any, data: t.Any) -> dict[str, t.Any]:
    """Load a decoded ``document`` with an envelope schema, turning every
    failure into :exc:`.InvalidPayload` that carries ``data``, the payload as
    received. Internal.
    """
    try:
        loaded: dict[str, t.Any] = schema.load(document)
    except ValidationError as error:
        messages = error.messages
        if not isinstance(messages, dict):
            messages = {"_schema": messages}
        raise InvalidPayload(messages, data) from error
    except (TypeError, AttributeError, ValueError, RecursionError) as error:
        # A mapping whose contents defeat the schema in a way marshmallow does
        # not word (a broken custom Mapping, say): still a bad payload.
        raise InvalidPayload(
            {"_schema": [f"Invalid payload: {error}"]}, data
        ) from error
    return loaded


def _decode(data: t.Any) -> t.Any:
    """Turn a ``str`` or ``bytes`` body into JSON data; pass anything else
    through for the schema to check. Internal.
    """
    text = data
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        try:
            # "utf-8-sig", without its codec's Python-level decode function:
            # one leading BOM is dropped.
            if raw[:3] == b"\xef\xbb\xbf":
                raw = raw[3:]
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidPayload(
                {"_schema": ["Body is not valid UTF-8."]}, data
            ) from error
    if not isinstance(text, str):
        return data
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        message = (
            f"Body is not valid JSON: {error.msg}"
            f" at line {error.lineno} column {error.colno}."
        )
        raise InvalidPayload({"_schema": [message]}, data) from error
    except (ValueError, RecursionError) as error:
        message = f"Body is not valid JSON: {error}."
        raise InvalidPayload({"_schema": [message]}, data) from error
