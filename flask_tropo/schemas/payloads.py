"""Schemas of the session, result and transcription documents Tropo posts.

They are the single mapping between the wire JSON and the dataclasses of
:mod:`flask_tropo.payloads`, in both directions: loading builds the
dataclasses (unknown keys ignored), dumping gives the wire shape with
camelCase keys and ``None`` values left out. The schema instances are built
once, at import, so loading and dumping build no :class:`~marshmallow.Schema`.
"""

from __future__ import annotations

import collections.abc as c
import functools
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

_str = functools.partial(fields.String, allow_none=True)
#: An optional integer that refuses floats and numeric strings.
_int = functools.partial(fields.Integer, strict=True, allow_none=True)


class _PayloadSchema(Schema):
    """Base of the payload schemas: unknown keys are ignored on load, and keys
    whose value is ``None`` (or an empty collection named in ``omit_empty``)
    are left out on dump. A loaded object becomes a ``model`` after
    :meth:`fold`, which the fast path of :mod:`.tables` calls too.
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
    e164_id = _str(data_key="e164Id")
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
    account_id = _str(data_key="accountId")
    application_id = _str(data_key="applicationId")
    timestamp = UTCDateTime(allow_none=True)
    user_type = _str(data_key="userType")
    initial_text = _str(data_key="initialText")
    call_id = _str(data_key="callId")
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
    upload_status = _str(data_key="uploadStatus")
    duration = _int()
    connected_duration = _int(data_key="connectedDuration")
    url = _str()
    user_type = _str(data_key="userType")
    timestamp = _str()
    called_id = _str(data_key="calledid")
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
    call_id = _str(data_key="callId")
    state = _str()
    call_state = _str(data_key="callState", load_only=True)
    session_duration = _int(data_key="sessionDuration")
    sequence = _int()
    complete = fields.Boolean(allow_none=True)
    error = _str()
    called_id = _str(data_key="calledid")
    user_type = _str(data_key="userType")
    actions = Actions(ActionSchema, allow_none=True)


class TranscriptionSchema(_PayloadSchema):
    """The body of a transcription document (inside the ``result`` key), as
    the platform posts it to a ``Transcription`` URL."""

    model = TranscriptionResult

    identifier = _str()
    text = _str(data_key="transcription")
    confidence = fields.Float(allow_none=True)
    guid = _str()


class _Envelope(Schema):
    class Meta:
        unknown = EXCLUDE


def _envelope(key: str, schema: type[Schema]) -> Schema:
    """The schema of ``{key: {...}}`` around ``schema``."""
    message = f'Not a valid object: expected {{"{key}": {{...}}}}.'
    attrs = {
        key: fields.Nested(schema, required=True),
        "error_messages": {"type": message},
    }
    envelope: type[Schema] = type(f"{schema.__name__}Envelope", (_Envelope,), attrs)
    return envelope()


_session_envelope = _envelope("session", SessionSchema)
_result_envelope = _envelope("result", ResultSchema)
_transcription_envelope = _envelope("result", TranscriptionSchema)
# Built now (with every nested schema), so no request builds a Schema.
_session_table = LoadTable(SessionSchema())
_result_table = LoadTable(ResultSchema())


def load_session(data: c.Mapping[str, t.Any] | str | bytes) -> Session:
    """Load a session document; see :meth:`.Session.parse`.

    :param data: the document as a mapping, or its JSON text as ``str`` or
        UTF-8 ``bytes``.
    :raise InvalidPayload: the document cannot be loaded.
    """
    return t.cast(Session, _read(data, "session", _session_envelope, _session_table))


def load_result(data: c.Mapping[str, t.Any] | str | bytes) -> Result:
    """Load a result document as :func:`load_session` loads a session; see
    :meth:`.Result.parse`."""
    return t.cast(Result, _read(data, "result", _result_envelope, _result_table))


def load_transcription(
    data: c.Mapping[str, t.Any] | str | bytes,
) -> TranscriptionResult:
    """Load a transcription document as :func:`load_session` loads a
    session; see :meth:`.TranscriptionResult.parse`."""
    loaded = _read(data, "result", _transcription_envelope)
    return t.cast(TranscriptionResult, loaded)


def _read(
    data: t.Any, key: str, envelope: Schema, table: LoadTable | None = None
) -> t.Any:
    """The object under ``key`` in ``data``: loaded by the fast ``table``
    when it can, else by the ``envelope`` schema."""
    document = _decode(data)
    try:
        if table is not None and type(document) is dict:
            return table.load(document.get(key))
    except Slow:
        pass
    return _load(envelope, document, data)[key]


def dump_session(session: Session) -> dict[str, t.Any]:
    """Dump a session as the platform posts it: ``{"session": {...}}``.

    Keys are camelCase, ``None`` values and empty ``headers``,
    ``parameters`` and ``initialMedia`` are left out, and the timestamp is
    ISO-8601 UTC with milliseconds and ``Z``.

    :param session: the session to dump.
    """
    return t.cast(dict[str, t.Any], _session_envelope.dump({"session": session}))


def dump_result(result: Result) -> dict[str, t.Any]:
    """Dump a result as the platform posts it: ``{"result": {...}}``.

    Keys are camelCase and ``None`` values are left out. ``actions`` is
    ``{}`` when there is none, an object for one and a list for several.

    :param result: the result to dump.
    """
    return t.cast(dict[str, t.Any], _result_envelope.dump({"result": result}))


def _load(schema: Schema, document: t.Any, data: t.Any) -> dict[str, t.Any]:
    """Load a decoded ``document`` with an envelope schema, turning every
    failure into :exc:`.InvalidPayload` that carries ``data``, the payload as
    received.
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
        raise _invalid(f"Invalid payload: {error}", data) from error
    return loaded


def _decode(data: t.Any) -> t.Any:
    """Turn a ``str`` or ``bytes`` body into JSON data; pass anything else
    through for the schema to check.
    """
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        # "utf-8-sig", without its codec's Python-level decode function: one
        # leading BOM is dropped.
        if raw[:3] == b"\xef\xbb\xbf":
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _invalid("Body is not valid UTF-8.", data) from error
    elif isinstance(data, str):
        text = data
    else:
        return data
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f"at line {error.lineno} column {error.colno}"
        raise _invalid(f"Body is not valid JSON: {error.msg} {where}.", data) from error
    except (ValueError, RecursionError) as error:
        raise _invalid(f"Body is not valid JSON: {error}.", data) from error


def _invalid(message: str, data: t.Any) -> InvalidPayload:
    return InvalidPayload({"_schema": [message]}, data)
