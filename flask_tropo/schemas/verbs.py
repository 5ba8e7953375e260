"""marshmallow schemas between the verb dataclasses and WebAPI JSON.

These schemas are the single declared mapping of every verb, in both
directions: ``dump`` writes the wire form that :func:`~flask_tropo.render`
returns (the conventions of ``docs/verbs.rst``), ``load`` reads any SDK
dialect back into verb objects for :func:`~flask_tropo.parse_document`. Every
schema instance is built once, at import; nothing here constructs a
``Schema`` per call.
"""

from __future__ import annotations

import typing as t

from marshmallow import RAISE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import post_dump
from marshmallow import post_load
from marshmallow import pre_load

from .. import verbs as v
from .._checks import EVENTS
from ..exceptions import InvalidArgument
from .fields import Headers
from .tables import DumpTable
from .verb_fields import FlagOrObject
from .verb_fields import Next
from .verb_fields import Number
from .verb_fields import OneOrMany
from .verb_fields import StrictBool
from .verb_fields import StrOrList
from .verb_fields import UploadUrl

__all__ = ["VERB_SCHEMAS", "WireSchema", "dump_verb", "load_verb"]


_str = fields.String


class WireSchema(Schema):
    """Base of the verb schemas: unknown keys are refused on load, ``None`` is
    left out on dump (:mod:`~flask_tropo.schemas.tables` relies on it), and
    ``post_load`` builds the dataclass.
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


class ChoicesSchema(WireSchema):
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


class SaySchema(WireSchema):
    model = v.Say
    value = _str(required=True)
    as_ = _str(data_key="as")
    voice = _str()
    name = _str()
    required = StrictBool()
    allow_signals = StrOrList(data_key="allowSignals")
    prompt_log_security = _str(data_key="promptLogSecurity")
    media = StrOrList()
    event = _str()


def _says(**kw: t.Any) -> OneOrMany:
    return OneOrMany(lambda: VERB_SCHEMAS[v.Say], wrap_str="value", **kw)


class TranscriptionSchema(WireSchema):
    model = v.Transcription
    url = Next(required=True)
    id = _str()
    email_format = _str(data_key="emailFormat")
    language = _str()


class UploadTargetSchema(WireSchema):
    model = v.UploadTarget
    url = Next(required=True)
    username = _str()
    password = _str()
    method = _str()


class MachineDetectionSchema(WireSchema):
    model = v.MachineDetection
    introduction = _str()
    voice = _str()


class PromptSchema(WireSchema):
    model = v.Prompt
    value = _str(required=True)
    voice = _str()


class AskSchema(WireSchema):
    model = v.Ask
    choices = fields.Nested(ChoicesSchema, required=True)
    say = _says()
    attempts = Number(integer=True)
    allow_signals = StrOrList(data_key="allowSignals")
    bargein = StrictBool()
    interdigit_timeout = Number(data_key="interdigitTimeout")
    min_confidence = Number(data_key="minConfidence")
    name = _str()
    recognizer = _str()
    required = StrictBool()
    sensitivity = Number()
    speech_complete_timeout = Number(data_key="speechCompleteTimeout")
    speech_incomplete_timeout = Number(data_key="speechIncompleteTimeout")
    timeout = Number()
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


class OnSchema(WireSchema):
    model = v.On
    event = _str(required=True)
    next = Next()
    say = _says()
    post = _str()
    ask = fields.Nested(AskSchema)

    @post_load
    def _build(self, data: dict[str, t.Any], **kw: t.Any) -> t.Any:
        # an event Tropo does not send is a signal's name (not on the wire)
        if data.get("event") not in EVENTS:
            data["signal"] = True
        return super()._build(data, **kw)


class RecordSchema(WireSchema):
    model = v.Record
    url = UploadUrl(lambda: UPLOAD_TARGET, required=True)
    attempts = Number(integer=True)
    async_upload = StrictBool(data_key="asyncUpload")
    allow_signals = StrOrList(data_key="allowSignals")
    bargein = StrictBool()
    beep = StrictBool()
    choices = fields.Nested(ChoicesSchema)
    say = _says()
    format = _str()
    max_silence = Number(data_key="maxSilence")
    max_time = Number(data_key="maxTime")
    method = _str()
    min_confidence = Number(data_key="minConfidence")
    name = _str()
    password = _str()
    username = _str()
    required = StrictBool()
    timeout = Number()
    transcription = OneOrMany(lambda: TRANSCRIPTION, collapse=True)
    voice = _str()
    interdigit_timeout = Number(data_key="interdigitTimeout")
    prompt_log_security = _str(data_key="promptLogSecurity")
    sensitivity = Number()


class TransferSchema(WireSchema):
    model = v.Transfer
    to = StrOrList(required=True)
    from_ = _str(data_key="from")
    answer_on_media = StrictBool(data_key="answerOnMedia")
    allow_signals = StrOrList(data_key="allowSignals")
    choices = fields.Nested(ChoicesSchema)
    headers = Headers()
    interdigit_timeout = Number(data_key="interdigitTimeout")
    machine_detection = FlagOrObject(
        lambda: MACHINE_DETECTION, data_key="machineDetection"
    )
    name = _str()
    on = OneOrMany(lambda: VERB_SCHEMAS[v.On], always_list=True)
    play_tones = StrictBool(data_key="playTones")
    required = StrictBool()
    ring_repeat = Number(integer=True, data_key="ringRepeat")
    timeout = Number()
    voice = _str()
    callback_url = _str(data_key="callbackUrl")
    prompt_log_security = _str(data_key="promptLogSecurity")
    label = _str()


class CallSchema(WireSchema):
    model = v.Call
    to = StrOrList(required=True)
    from_ = _str(data_key="from")
    network = _str()
    channel = _str()
    answer_on_media = StrictBool(data_key="answerOnMedia")
    allow_signals = StrOrList(data_key="allowSignals")
    headers = Headers()
    name = _str()
    required = StrictBool()
    timeout = Number()
    machine_detection = FlagOrObject(
        lambda: MACHINE_DETECTION, data_key="machineDetection"
    )
    voice = _str()
    callback_url = _str(data_key="callbackUrl")
    prompt_log_security = _str(data_key="promptLogSecurity")
    label = _str()


class MessageSchema(WireSchema):
    model = v.Message
    say = _says(required=True)
    to = StrOrList(required=True)
    answer_on_media = StrictBool(data_key="answerOnMedia")
    channel = _str()
    from_ = _str(data_key="from")
    name = _str()
    network = _str()
    required = StrictBool()
    timeout = Number()
    voice = _str()
    prompt_log_security = _str(data_key="promptLogSecurity")
    headers = Headers()


class ConferenceSchema(WireSchema):
    model = v.Conference
    id = _str(required=True)
    name = _str()
    allow_signals = StrOrList(data_key="allowSignals")
    interdigit_timeout = Number(data_key="interdigitTimeout")
    mute = StrictBool()
    play_tones = StrictBool(data_key="playTones")
    required = StrictBool()
    terminator = _str()
    join_prompt = FlagOrObject(lambda: PROMPT, data_key="joinPrompt")
    leave_prompt = FlagOrObject(lambda: PROMPT, data_key="leavePrompt")
    prompt_log_security = _str(data_key="promptLogSecurity")


class RedirectSchema(WireSchema):
    model = v.Redirect
    to = _str(required=True)
    name = _str()
    required = StrictBool()


class WaitSchema(WireSchema):
    model = v.Wait
    milliseconds = Number(integer=True, required=True)
    allow_signals = StrOrList(data_key="allowSignals")


class StartRecordingSchema(WireSchema):
    model = v.StartRecording
    url = UploadUrl(lambda: UPLOAD_TARGET, required=True)
    async_upload = StrictBool(data_key="asyncUpload")
    format = _str()
    method = _str()
    username = _str()
    password = _str()
    transcription_id = _str(data_key="transcriptionID")
    transcription_email_format = _str(data_key="transcriptionEmailFormat")
    transcription_language = _str(data_key="transcriptionLanguage")
    transcription_out_uri = Next(data_key="transcriptionOutURI")


class AnswerSchema(WireSchema):
    model = v.Answer
    headers = Headers()


TRANSCRIPTION: TranscriptionSchema = TranscriptionSchema()
UPLOAD_TARGET: UploadTargetSchema = UploadTargetSchema()
MACHINE_DETECTION: MachineDetectionSchema = MachineDetectionSchema()
PROMPT: PromptSchema = PromptSchema()

#: One schema instance per verb class with options, built once at import;
#: :func:`dump_verb` and :func:`load_verb` map the others.
VERB_SCHEMAS: dict[type[v.Verb], WireSchema] = {
    schema.model: schema()
    for schema in WireSchema.__subclasses__()
    if issubclass(schema.model, v.Verb)
}
#: Verbs without options: written ``null``, read from ``null``, ``{}`` or the
#: PHP SDK's ``"null"``.
_EMPTY = (v.Hangup, v.Reject, v.StopRecording)


#: The fast dump path of each verb schema (see :mod:`.tables`), built once.
_TABLES: dict[type[v.Verb], DumpTable] = {
    cls: DumpTable(schema) for cls, schema in VERB_SCHEMAS.items()
}


def dump_verb(verb: v.Verb) -> t.Any:
    """Write one verb's wire payload (the value under its key), as its schema
    dumps it.

    :param verb: the verb to write.
    :raise TypeError: ``verb`` is not a verb of this package.
    """
    if isinstance(verb, _EMPTY):
        return None
    if isinstance(verb, v.GeneralLogSecurity):
        return verb.state
    table = _TABLES.get(type(verb))
    if table is None:
        raise TypeError(f"{verb!r} is not a WebAPI verb.")
    return table.dump(verb)


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
            return v.GeneralLogSecurity(t.cast(t.Any, payload))
        except InvalidArgument as exc:
            raise ValidationError(str(exc)) from exc
    if cls is v.Answer and payload is None:
        return v.Answer()
    if not isinstance(payload, dict):
        raise ValidationError("Not an object.")
    return t.cast(v.Verb, VERB_SCHEMAS[cls].load(payload))
