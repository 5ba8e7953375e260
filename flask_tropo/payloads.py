"""The documents Tropo posts to the app, as frozen dataclasses; what the
loaders promise is in :doc:`/payloads`. The wire keys are mapped to these
fields only in :mod:`flask_tropo.schemas`.
"""

from __future__ import annotations

import collections.abc as c
import datetime as dt
import typing as t
from dataclasses import dataclass
from dataclasses import field

from werkzeug.datastructures import FileStorage

__all__ = [
    "Action",
    "Endpoint",
    "InitialMedia",
    "Recording",
    "Result",
    "Session",
    "TranscriptionResult",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint:
    """One end of a session: the ``to`` or ``from`` caller-ID object."""

    #: The address: a number, SIP user or IM handle.
    id: str | None = None
    #: The address in E.164 form (wire ``e164Id``; sent since 2017).
    e164_id: str | None = None
    #: The display name, often ``"unknown"``.
    name: str | None = None
    #: ``"VOICE"`` or ``"TEXT"``.
    channel: str | None = None
    #: ``"SIP"``, ``"PSTN"``, ``"SMS"``, ``"MMS"``, ``"JABBER"`` and so on.
    network: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InitialMedia:
    """One part of an inbound MMS (wire ``initialMedia``)."""

    #: ``"success"`` or ``"failure"``.
    status: str | None = None
    #: URL or file name of the uploaded part.
    media: str | None = None
    #: Inline text of a text part.
    text: str | None = None
    #: Why the part failed to upload.
    disposition: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """The document Tropo posts when a call or text conversation starts; only
    ``id`` is required.
    """

    #: The session id (also a result's ``session_id``).
    id: str
    #: The Tropo account (wire ``accountId``).
    account_id: str | None = None
    #: The application (wire ``applicationId``; sent since 2017).
    application_id: str | None = None
    #: When the session started, as an aware datetime in UTC.
    timestamp: dt.datetime | None = None
    #: ``"HUMAN"``, ``"MACHINE"``, ``"FAX"``, ``"NONE"`` (token launches).
    user_type: str | None = None
    #: The first message of a text conversation (wire ``initialText``).
    initial_text: str | None = None
    #: The call id (wire ``callId``).
    call_id: str | None = None
    #: Who was called; ``None`` on token-launched sessions.
    to: Endpoint | None = None
    #: Who called (wire ``from``); ``None`` on token-launched sessions.
    from_: Endpoint | None = None
    #: SIP headers by name (the legacy list of ``{"key", "value"}`` too).
    headers: dict[str, str] = field(default_factory=dict)
    #: The variables of a token launch (Session API), all as strings.
    parameters: dict[str, str] = field(default_factory=dict)
    #: The subject of an inbound MMS.
    subject: str | None = None
    #: The parts of an inbound MMS (wire ``initialMedia``).
    initial_media: tuple[InitialMedia, ...] = ()

    @property
    def is_text(self) -> bool:
        """Whether this is a text conversation (channel ``TEXT``)."""
        return any(end and end.channel == "TEXT" for end in (self.from_, self.to))

    @property
    def is_launched(self) -> bool:
        """Whether the session was launched with a token (it has parameters)."""
        return bool(self.parameters)

    @classmethod
    def parse(cls, data: c.Mapping[str, t.Any] | str | bytes) -> Session:
        """Load a session document ``{"session": {...}}`` from a mapping or its
        JSON text (``str`` or UTF-8 ``bytes``).

        :raise InvalidPayload: its ``messages`` name the fields by wire name.
        """
        from .schemas.payloads import load_session  # the schemas import this module

        return load_session(data)


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    """The outcome of one named verb, an element of :attr:`Result.actions`."""

    #: The ``name`` given to the verb.
    name: str | None = None
    #: How many attempts were made.
    attempts: int | None = None
    #: ``"SUCCESS"``, ``"TIMEOUT"``, ``"NOMATCH"``, ``"FAILED"`` and so on.
    disposition: str | None = None
    #: Recognition confidence, 0 to 100.
    confidence: int | None = None
    #: What was recognised, e.g. the DTMF digits pressed.
    interpretation: str | None = None
    #: The raw recogniser text, e.g. ``"1 2 3 4"``.
    utterance: str | None = None
    #: The grammar result (``yes`` for ``yes(yes,y,1)``); a ``record``'s URL.
    value: str | None = None
    #: The grammar concept.
    concept: str | None = None
    #: The raw NLSML recognition result.
    xml: str | None = None
    #: A recording's ``"success"``, ``"failed"`` or ``"unavailable"``.
    upload_status: str | None = None
    #: Length in seconds (recordings, transfers).
    duration: int | None = None
    #: Seconds connected on a transfer or call (wire ``connectedDuration``).
    connected_duration: int | None = None
    #: A URL reported by the verb.
    url: str | None = None
    #: ``"HUMAN"`` or ``"MACHINE"``, from machine detection.
    user_type: str | None = None
    #: When the action happened, as sent (a string).
    timestamp: str | None = None
    #: The number dialled (wire ``calledid``, all lower case).
    called_id: str | None = None
    #: A transcription, in whatever JSON shape it arrived.
    transcription: t.Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    """The document Tropo posts to a ``next`` URL; only ``session_id`` is
    required.
    """

    #: The session id (wire ``sessionId``), the :attr:`Session.id`.
    session_id: str
    #: The call id (wire ``callId``).
    call_id: str | None = None
    #: The call state, ``"ANSWERED"``, ``"DISCONNECTED"``... (legacy ``callState``).
    state: str | None = None
    #: Seconds since the session started (wire ``sessionDuration``).
    session_duration: int | None = None
    #: 1-based counter of the results posted in this session.
    sequence: int | None = None
    #: Whether the action completed.
    complete: bool | None = None
    #: The error message, ``None`` on success.
    error: str | None = None
    #: The number dialled (wire ``calledid``, all lower case).
    called_id: str | None = None
    #: ``"HUMAN"`` or ``"MACHINE"``.
    user_type: str | None = None
    #: The named verbs' outcomes, in order (an object on the wire for just one).
    actions: tuple[Action, ...] = ()

    def action(self, name: str) -> Action | None:
        """The first action with the ``name`` given to its verb, or ``None``."""
        return next((action for action in self.actions if action.name == name), None)

    @property
    def value(self) -> str | None:
        """The first action's ``value`` (``None`` without actions)."""
        return self.actions[0].value if self.actions else None

    @property
    def interpretation(self) -> str | None:
        """The first action's ``interpretation`` (``None`` without actions)."""
        return self.actions[0].interpretation if self.actions else None

    @property
    def disposition(self) -> str | None:
        """The first action's ``disposition`` (``None`` without actions)."""
        return self.actions[0].disposition if self.actions else None

    @classmethod
    def parse(cls, data: c.Mapping[str, t.Any] | str | bytes) -> Result:
        """Load a result document ``{"result": {...}}`` from a mapping or its
        JSON text (``str`` or UTF-8 ``bytes``).

        :raise InvalidPayload: its ``messages`` name the fields by wire name.
        """
        from .schemas.payloads import load_result  # the schemas import this module

        return load_result(data)


class Recording(FileStorage):
    """A recording uploaded for ``Record(url=handler)`` or
    ``StartRecording(url=handler)``: a werkzeug
    :class:`~werkzeug.datastructures.FileStorage` (``filename``,
    ``content_type``, ``save(dst)``...) with its session.

    .. code-block:: python

        @tropo.on_recording("/recordings")
        def saved(recording):
            recording.save(folder / f"{recording.session_id}.wav")

    :param storage: the uploaded file.
    :param session_id: the session id, from the URL's signed token.
    """

    def __init__(self, storage: FileStorage, *, session_id: str) -> None:
        # content_type and content_length are read from the headers
        super().__init__(
            storage.stream, storage.filename, storage.name, headers=storage.headers
        )
        #: The session the recording was made in (the :attr:`Session.id`).
        self.session_id = session_id

    def __repr__(self) -> str:
        return f"<Recording {self.filename!r} ({self.content_type}) {self.session_id}>"


@dataclass(frozen=True, slots=True, kw_only=True)
class TranscriptionResult:
    """The text of a recording, posted to the route of
    ``Transcription(url=handler)``.
    """

    #: The session, from the URL's signed token (``None`` outside a route).
    session_id: str | None = None
    #: The ``id`` given to the :class:`~flask_tropo.verbs.Transcription`.
    identifier: str | None = None
    #: What was said (wire ``transcription``).
    text: str | None = None
    #: How sure the transcriber is, when it says.
    confidence: float | None = None
    #: The platform's id of this transcription.
    guid: str | None = None

    @classmethod
    def parse(cls, data: c.Mapping[str, t.Any] | str | bytes) -> TranscriptionResult:
        """Load a transcription document ``{"result": {"identifier",
        "transcription", ...}}`` from a mapping or its JSON text.

        :raise InvalidPayload: the document cannot be loaded.
        """
        from .schemas.payloads import load_transcription

        return load_transcription(data)
