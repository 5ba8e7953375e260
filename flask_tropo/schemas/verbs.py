"""marshmallow schemas between the verb dataclasses and WebAPI JSON.

These schemas are the single declared mapping of every verb, in both
directions: ``dump`` writes the wire form that :func:`~flask_tropo.render`
returns, ``load`` reads any SDK dialect back into verb objects for
:func:`~flask_tropo.parse_document`. Every schema instance is built once, at
import; nothing here constructs a ``Schema`` per call.

Wire conventions (``DESIGN.md`` 3.2): ``None`` is left out; one ``say`` is an
object and several an array; ``Transfer.on`` is an array; numbers are written
as given.
"""

from __future__ import annotations

import collections.abc as c
import contextvars
import typing as t

from marshmallow import RAISE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import post_dump
from marshmallow import post_load
from marshmallow import pre_load

from .. import verbs as v
from ..exceptions import InvalidArgument
from ..exceptions import TropoError

__all__ = ["VERB_SCHEMAS", "dump_verb", "load_verb", "next_url_resolver"]

#: The resolver of callable ``next`` targets for the render in progress.
_next_url: contextvars.ContextVar[c.Callable[[c.Callable[..., t.Any]], str] | None] = (
    contextvars.ContextVar("flask_tropo_next_url", default=None)
)


class next_url_resolver:  # noqa: N801 - used like a function
    """Set the function that turns a handler into its ``next`` URL while
    rendering.

    .. code-block:: python

        with next_url_resolver(lambda handler: url_for(...)):
            data = dump_verb(verb)

    :param resolver: called with each callable ``next``; returns a URL.
    """

    def __init__(
        self, resolver: c.Callable[[c.Callable[..., t.Any]], str] | None
    ) -> None:
        self._resolver = resolver
        self._token: contextvars.Token[t.Any] | None = None

    def __enter__(self) -> None:
        self._token = _next_url.set(self._resolver)

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _next_url.reset(self._token)


# -- fields -------------------------------------------------------------------


class _StrictBool(fields.Field[bool]):
    """A JSON boolean, nothing else (no ``"true"`` strings, no ``1``)."""

    def _serialize(
        self, value: t.Any, attr: str | None, obj: t.Any, **kw: t.Any
    ) -> t.Any:
        return value

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kw: t.Any
    ) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Not a boolean (true or false).")
        return value


class _Number(fields.Field[float]):
    """A JSON number written as given: ``5`` stays ``5``, ``0.5`` stays ``0.5``."""

    def __init__(self, *, integer: bool = False, **kw: t.Any) -> None:
        super().__init__(**kw)
        self.integer = integer

    def _serialize(
        self, value: t.Any, attr: str | None, obj: t.Any, **kw: t.Any
    ) -> t.Any:
        return value

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kw: t.Any
    ) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError("Not a number.")
        if self.integer and not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise ValidationError("Not a whole number.")
        return value


class _StrOrList(fields.Field[t.Any]):
    """A string or a list of strings (``to``, ``allowSignals``, ``media``)."""

    def _serialize(
        self, value: t.Any, attr: str | None, obj: t.Any, **kw: t.Any
    ) -> t.Any:
        if value is None or isinstance(value, str):
            return value
        return list(value)

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kw: t.Any
    ) -> t.Any:
        if isinstance(value, str):
            return value
        if isinstance(value, list) and all(isinstance(i, str) for i in value):
            return tuple(value)
        raise ValidationError("Not a string or a list of strings.")


class _Headers(fields.Field[dict[str, str]]):
    """An object of header name to string value."""

    def _serialize(
        self, value: t.Any, attr: str | None, obj: t.Any, **kw: t.Any
    ) -> t.Any:
        return None if value is None else dict(value)

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kw: t.Any
    ) -> t.Any:
        if isinstance(value, dict) and all(isinstance(i, str) for i in value.values()):
            return value
        raise ValidationError("Not an object of header names to strings.")


class _OneOrMany(fields.Field[t.Any]):
    """Objects of one schema given as one object or a list of them.

    Dumps one as an object and several as a list (``say``), or always as a list
    with ``always_list`` (``Transfer.on``). Loads an object, a list, or with
    ``wrap_str`` a bare string (``"say": "Hi"``).
    """

    def __init__(
        self,
        schema: c.Callable[[], Schema],
        *,
        always_list: bool = False,
        wrap_str: str | None = None,
        collapse: bool = False,
        **kw: t.Any,
    ) -> None:
        super().__init__(**kw)
        self._schema = schema
        self.always_list = always_list
        self.wrap_str = wrap_str
        self.collapse = collapse

    def _serialize(
        self, value: t.Any, attr: str | None, obj: t.Any, **kw: t.Any
    ) -> t.Any:
        if value is None:
            return None
        schema = self._schema()
        if isinstance(value, tuple):
            items = [schema.dump(i) for i in value]
            return items[0] if len(items) == 1 and not self.always_list else items
        dumped = schema.dump(value)
        return [dumped] if self.always_list else dumped

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kw: t.Any
    ) -> t.Any:
        if isinstance(value, str) and self.wrap_str:
            value = {self.wrap_str: value}
        schema = self._schema()
        if isinstance(value, dict):
            loaded = schema.load(value)
            return loaded if self.collapse else (loaded,)
        if isinstance(value, list) and value:
            errors: dict[int, t.Any] = {}
            items = []
            for index, item in enumerate(value):
                if isinstance(item, str) and self.wrap_str:
                    item = {self.wrap_str: item}
                if not isinstance(item, dict):
                    errors[index] = ["Not an object."]
                    continue
                try:
                    items.append(schema.load(item))
                except ValidationError as exc:
                    errors[index] = exc.messages
            if errors:
                raise ValidationError(errors)
            if self.collapse and len(items) == 1:
                return items[0]
            return tuple(items)
        raise ValidationError("Not an object or a non-empty list of objects.")


class _FlagOrObject(fields.Field[t.Any]):
    """``true``/``false`` or an object (``machineDetection``, ``joinPrompt``)."""

    def __init__(self, schema: c.Callable[[], Schema], **kw: t.Any) -> None:
        super().__init__(**kw)
        self._schema = schema

    def _serialize(
        self, value: t.Any, attr: str | None, obj: t.Any, **kw: t.Any
    ) -> t.Any:
        if value is None or isinstance(value, bool):
            return value
        return self._schema().dump(value)

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kw: t.Any
    ) -> t.Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, dict):
            return self._schema().load(value)
        raise ValidationError("Not a boolean or an object.")


class _UploadUrl(fields.Field[t.Any]):
    """``url`` of record and startRecording: a string, an object or a list."""

    def _serialize(
        self, value: t.Any, attr: str | None, obj: t.Any, **kw: t.Any
    ) -> t.Any:
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, tuple):
            return [UPLOAD_TARGET.dump(i) for i in value]
        return UPLOAD_TARGET.dump(value)

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kw: t.Any
    ) -> t.Any:
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            return UPLOAD_TARGET.load(value)
        if (
            isinstance(value, list)
            and value
            and all(isinstance(i, dict) for i in value)
        ):
            targets = tuple(UPLOAD_TARGET.load(i) for i in value)
            return targets[0] if len(targets) == 1 else targets
        raise ValidationError("Not a URL, an object or a list of objects.")


class _Next(fields.Field[t.Any]):
    """``next`` of an ``on``: a URL, or a handler resolved while rendering."""

    def _serialize(
        self, value: t.Any, attr: str | None, obj: t.Any, **kw: t.Any
    ) -> t.Any:
        if value is None or isinstance(value, str):
            return value
        resolver = _next_url.get()
        if resolver is None:
            name = getattr(value, "__name__", repr(value))
            raise TropoError(
                f"On(next={name}) needs a URL for the handler: render inside a Tropo"
                " route (the extension resolves handlers), or pass"
                " render(..., next_url=...)."
            )
        return resolver(value)

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kw: t.Any
    ) -> t.Any:
        if not isinstance(value, str):
            raise ValidationError("Not a URL string.")
        return value


def _str(**kw: t.Any) -> fields.String:
    return fields.String(**kw)


# -- schemas ------------------------------------------------------------------


class _WireSchema(Schema):
    """Base of the verb schemas: unknown keys are refused on load, ``None`` is
    left out on dump, and ``post_load`` builds the dataclass.
    """

    model: t.ClassVar[type[t.Any]]

    class Meta:
        unknown = RAISE

    @post_dump
    def _drop_none(self, data: dict[str, t.Any], **kw: t.Any) -> dict[str, t.Any]:
        return {k: val for k, val in data.items() if val is not None}

    @post_load
    def _build(self, data: dict[str, t.Any], **kw: t.Any) -> t.Any:
        try:
            return self.model(**data)
        except InvalidArgument as exc:
            field = self.fields.get(exc.field)
            key = field.data_key if field is not None and field.data_key else exc.field
            raise ValidationError({key: [str(exc)]}) from exc
        except TypeError as exc:  # a required argument the schema did not mark
            raise ValidationError(str(exc)) from exc


class ChoicesSchema(_WireSchema):
    model = v.Choices
    value = _str()
    mode = _str()
    terminator = _str()

    @pre_load
    def _drop_empty_value(self, data: t.Any, **kw: t.Any) -> t.Any:
        # the Python SDK sends ``"value": ""`` beside a record terminator
        if isinstance(data, dict) and data.get("value") == "" and "terminator" in data:
            data = {k: val for k, val in data.items() if k != "value"}
        return data


class SaySchema(_WireSchema):
    model = v.Say
    value = _str(required=True)
    as_ = _str(data_key="as")
    voice = _str()
    name = _str()
    required = _StrictBool()
    allow_signals = _StrOrList(data_key="allowSignals")
    prompt_log_security = _str(data_key="promptLogSecurity")
    media = _StrOrList()
    event = _str()


def _says(**kw: t.Any) -> _OneOrMany:
    return _OneOrMany(lambda: SAY, wrap_str="value", **kw)


class TranscriptionSchema(_WireSchema):
    model = v.Transcription
    url = _str(required=True)
    id = _str()
    email_format = _str(data_key="emailFormat")
    language = _str()


class UploadTargetSchema(_WireSchema):
    model = v.UploadTarget
    url = _str(required=True)
    username = _str()
    password = _str()
    method = _str()


class MachineDetectionSchema(_WireSchema):
    model = v.MachineDetection
    introduction = _str()
    voice = _str()


class PromptSchema(_WireSchema):
    model = v.Prompt
    value = _str(required=True)
    voice = _str()


class AskSchema(_WireSchema):
    model = v.Ask
    choices = fields.Nested(ChoicesSchema, required=True)
    say = _says()
    attempts = _Number(integer=True)
    allow_signals = _StrOrList(data_key="allowSignals")
    bargein = _StrictBool()
    interdigit_timeout = _Number(data_key="interdigitTimeout")
    min_confidence = _Number(data_key="minConfidence")
    name = _str()
    recognizer = _str()
    required = _StrictBool()
    sensitivity = _Number()
    speech_complete_timeout = _Number(data_key="speechCompleteTimeout")
    speech_incomplete_timeout = _Number(data_key="speechIncompleteTimeout")
    timeout = _Number()
    voice = _str()
    prompt_log_security = _str(data_key="promptLogSecurity")
    asr_log_security = _str(data_key="asrLogSecurity")
    mask_template = _str(data_key="maskTemplate")

    @pre_load
    def _grammar_string(self, data: t.Any, **kw: t.Any) -> t.Any:
        # Python and Node SDKs accept a bare grammar string for choices
        if isinstance(data, dict) and isinstance(data.get("choices"), str):
            data = {**data, "choices": {"value": data["choices"]}}
        return data


class OnSchema(_WireSchema):
    model = v.On
    event = _str(required=True)
    next = _Next()
    say = _says()
    post = _str()
    ask = fields.Nested(AskSchema)


class RecordSchema(_WireSchema):
    model = v.Record
    url = _UploadUrl(required=True)
    attempts = _Number(integer=True)
    async_upload = _StrictBool(data_key="asyncUpload")
    allow_signals = _StrOrList(data_key="allowSignals")
    bargein = _StrictBool()
    beep = _StrictBool()
    choices = fields.Nested(ChoicesSchema)
    say = _says()
    format = _str()
    max_silence = _Number(data_key="maxSilence")
    max_time = _Number(data_key="maxTime")
    method = _str()
    min_confidence = _Number(data_key="minConfidence")
    name = _str()
    password = _str()
    username = _str()
    required = _StrictBool()
    timeout = _Number()
    transcription = _OneOrMany(lambda: TRANSCRIPTION, collapse=True)
    voice = _str()
    interdigit_timeout = _Number(data_key="interdigitTimeout")
    prompt_log_security = _str(data_key="promptLogSecurity")
    sensitivity = _Number()


class TransferSchema(_WireSchema):
    model = v.Transfer
    to = _StrOrList(required=True)
    from_ = _str(data_key="from")
    answer_on_media = _StrictBool(data_key="answerOnMedia")
    allow_signals = _StrOrList(data_key="allowSignals")
    choices = fields.Nested(ChoicesSchema)
    headers = _Headers()
    interdigit_timeout = _Number(data_key="interdigitTimeout")
    machine_detection = _FlagOrObject(
        lambda: MACHINE_DETECTION, data_key="machineDetection"
    )
    name = _str()
    on = _OneOrMany(lambda: ON, always_list=True)
    play_tones = _StrictBool(data_key="playTones")
    required = _StrictBool()
    ring_repeat = _Number(integer=True, data_key="ringRepeat")
    timeout = _Number()
    voice = _str()
    callback_url = _str(data_key="callbackUrl")
    prompt_log_security = _str(data_key="promptLogSecurity")
    label = _str()


class CallSchema(_WireSchema):
    model = v.Call
    to = _StrOrList(required=True)
    from_ = _str(data_key="from")
    network = _str()
    channel = _str()
    answer_on_media = _StrictBool(data_key="answerOnMedia")
    allow_signals = _StrOrList(data_key="allowSignals")
    headers = _Headers()
    name = _str()
    required = _StrictBool()
    timeout = _Number()
    machine_detection = _FlagOrObject(
        lambda: MACHINE_DETECTION, data_key="machineDetection"
    )
    voice = _str()
    callback_url = _str(data_key="callbackUrl")
    prompt_log_security = _str(data_key="promptLogSecurity")
    label = _str()


class MessageSchema(_WireSchema):
    model = v.Message
    say = _says(required=True)
    to = _StrOrList(required=True)
    answer_on_media = _StrictBool(data_key="answerOnMedia")
    channel = _str()
    from_ = _str(data_key="from")
    name = _str()
    network = _str()
    required = _StrictBool()
    timeout = _Number()
    voice = _str()
    prompt_log_security = _str(data_key="promptLogSecurity")
    headers = _Headers()


class ConferenceSchema(_WireSchema):
    model = v.Conference
    id = _str(required=True)
    name = _str()
    allow_signals = _StrOrList(data_key="allowSignals")
    interdigit_timeout = _Number(data_key="interdigitTimeout")
    mute = _StrictBool()
    play_tones = _StrictBool(data_key="playTones")
    required = _StrictBool()
    terminator = _str()
    join_prompt = _FlagOrObject(lambda: PROMPT, data_key="joinPrompt")
    leave_prompt = _FlagOrObject(lambda: PROMPT, data_key="leavePrompt")
    prompt_log_security = _str(data_key="promptLogSecurity")


class RedirectSchema(_WireSchema):
    model = v.Redirect
    to = _str(required=True)
    name = _str()
    required = _StrictBool()


class WaitSchema(_WireSchema):
    model = v.Wait
    milliseconds = _Number(integer=True, required=True)
    allow_signals = _StrOrList(data_key="allowSignals")


class StartRecordingSchema(_WireSchema):
    model = v.StartRecording
    url = _UploadUrl(required=True)
    async_upload = _StrictBool(data_key="asyncUpload")
    format = _str()
    method = _str()
    username = _str()
    password = _str()
    transcription_id = _str(data_key="transcriptionID")
    transcription_email_format = _str(data_key="transcriptionEmailFormat")
    transcription_language = _str(data_key="transcriptionLanguage")
    transcription_out_uri = _str(data_key="transcriptionOutURI")


class AnswerSchema(_WireSchema):
    model = v.Answer
    headers = _Headers()


class _EmptySchema(_WireSchema):
    """Verbs without options: written ``null``, read from ``null``, ``{}`` or
    the string ``"null"`` (the PHP SDK).
    """


class HangupSchema(_EmptySchema):
    model = v.Hangup


class RejectSchema(_EmptySchema):
    model = v.Reject


class StopRecordingSchema(_EmptySchema):
    model = v.StopRecording


SAY: SaySchema = SaySchema()
ON: OnSchema = OnSchema()
TRANSCRIPTION: TranscriptionSchema = TranscriptionSchema()
UPLOAD_TARGET: UploadTargetSchema = UploadTargetSchema()
MACHINE_DETECTION: MachineDetectionSchema = MachineDetectionSchema()
PROMPT: PromptSchema = PromptSchema()

#: One schema instance per verb class, built once at import.
VERB_SCHEMAS: dict[type[v.Verb], _WireSchema] = {
    v.Answer: AnswerSchema(),
    v.Ask: AskSchema(),
    v.Call: CallSchema(),
    v.Conference: ConferenceSchema(),
    v.Hangup: HangupSchema(),
    v.Message: MessageSchema(),
    v.On: ON,
    v.Record: RecordSchema(),
    v.Redirect: RedirectSchema(),
    v.Reject: RejectSchema(),
    v.Say: SAY,
    v.StartRecording: StartRecordingSchema(),
    v.StopRecording: StopRecordingSchema(),
    v.Transfer: TransferSchema(),
    v.Wait: WaitSchema(),
}
_EMPTY = (v.Hangup, v.Reject, v.StopRecording)


def dump_verb(verb: v.Verb) -> t.Any:
    """Write one verb's wire payload (the value under its key).

    :param verb: the verb to write.
    """
    if isinstance(verb, _EMPTY):
        return None
    if isinstance(verb, v.GeneralLogSecurity):
        return verb.state
    schema = VERB_SCHEMAS.get(type(verb))
    if schema is None:
        raise TypeError(f"{verb!r} is not a WebAPI verb.")
    return schema.dump(verb)


def load_verb(key: str, payload: t.Any) -> v.Verb:
    """Read one verb from its wire key and payload.

    :param key: the verb key, for example ``"say"``.
    :param payload: the value under the key.
    :raises ValidationError: with messages keyed by wire field.
    :raises KeyError: for an unknown verb key.
    """
    cls = v.VERBS[key]
    if cls in _EMPTY:
        if payload is None or payload == {} or payload == "null":
            return cls()
        raise ValidationError("Takes no options: write null.")
    if cls is v.GeneralLogSecurity:
        if isinstance(payload, dict) and set(payload) == {"state"}:
            payload = payload["state"]
        if not isinstance(payload, str):
            raise ValidationError('Must be the bare string "suppress" or "none".')
        try:
            return v.GeneralLogSecurity(payload)
        except InvalidArgument as exc:
            raise ValidationError(str(exc)) from exc
    if cls is v.Answer and payload is None:
        return v.Answer()
    if not isinstance(payload, dict):
        raise ValidationError("Not an object.")
    return t.cast(v.Verb, VERB_SCHEMAS[cls].load(payload))


def _warm_up() -> None:
    """Instantiate every nested schema now, so no ``Schema()`` is built while
    serving a request (marshmallow creates nested schemas lazily).
    """
    seen: set[int] = set()

    def visit(schema: Schema) -> None:
        if id(schema) in seen:
            return
        seen.add(id(schema))
        for field in schema.fields.values():
            if isinstance(field, fields.Nested):
                nested = field.schema
                visit(nested)
            elif isinstance(field, (_OneOrMany, _FlagOrObject)):
                visit(field._schema())

    for schema in VERB_SCHEMAS.values():
        visit(schema)
    visit(UPLOAD_TARGET)


_warm_up()
