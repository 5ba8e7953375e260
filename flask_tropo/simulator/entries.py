"""What a simulated call records: its event log, messages and recordings."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

__all__ = ["Event", "Recording", "SentMessage"]

#: The kinds of :class:`Event`.
EventKind = t.Literal[
    "post", "verb", "heard", "input", "event", "message", "recording", "note", "end"
]


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of :attr:`Call.events <flask_tropo.testing.Call.events>`, in
    the order things happened.

    ========== ================================ ===============================
    ``kind``   ``name``                         ``detail``
    ========== ================================ ===============================
    post       ``"session"`` or ``"result"``    ``url`` and ``status`` are set
    verb       the verb's wire key (``"ask"``)  a short summary
    heard      where it came from (``"say"``,   the text played or sent
               ``"ask"``, ``"on continue"``...)
    input      ``"press"``, ``"speak"``,        what was entered
               ``"silence"``, ``"hangup"``,
               ``"initialText"``
    event      the event (``"continue"``...)    what it did: the URL it posts
                                                to, a fall-through, no handler
    message    ``"message"``                    the recipient and text
    recording  ``"record"`` or                  the recording's URL
               ``"startRecording"``
    note       the verb or topic                something the simulator did not
                                                model, or skipped
    end        ``"call"``                       why the call ended
    ========== ================================ ===============================
    """

    #: What happened; see the table above.
    kind: EventKind
    #: The verb, event, input or document it is about.
    name: str
    #: Human-readable detail.
    detail: str = ""
    #: The URL posted to (``post`` entries, and ``event`` entries with a
    #: ``next``).
    url: str | None = None
    #: The HTTP status the app answered (``post`` entries).
    status: int | None = None

    def __str__(self) -> str:
        if self.kind == "post":
            return f"POST {self.url} [{self.name}] -> {self.status}"
        text = f"{self.kind} {self.name}"
        return f"{text}: {self.detail}" if self.detail else text


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A text or call sent by a ``message`` verb (:attr:`Call.messages
    <flask_tropo.testing.Call.messages>`).

    Only the first destination receives it, as on the platform (SMS goes to
    the first number; for voice the first to answer wins).
    """

    #: The recipient: the first ``to`` of the verb.
    to: str
    #: The says' values joined with a space.
    text: str
    #: ``"VOICE"`` (the default) or ``"TEXT"``.
    channel: str
    #: The verb's ``network``, else ``"SMS"`` for text and ``"PSTN"`` for
    #: voice.
    network: str
    #: The caller id (``from``), if given.
    from_: str | None = None
    #: The verb's ``name``, if given.
    name: str | None = None
    #: Each say's value, in order.
    says: tuple[str, ...] = ()
    #: MMS attachments of the says, in order.
    media: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Recording:
    """A recording made by ``record`` or by ``startRecording`` /
    ``stopRecording`` (:attr:`Call.recordings
    <flask_tropo.testing.Call.recordings>`).

    Nothing is uploaded: :attr:`upload_urls` lists where the platform would
    have sent the file.
    """

    #: The platform's temporary copy, the ``value`` of the record action:
    #: ``http://simulator.invalid/recordings/<id>.wav``.
    url: str
    #: Whole seconds recorded.
    duration: int
    #: ``"record"`` or ``"startRecording"``.
    verb: str
    #: ``"audio/wav"``, ``"audio/mp3"`` or ``"audio/au"``.
    format: str = "audio/wav"
    #: The verb's upload targets, as written.
    upload_urls: tuple[str, ...] = ()
    #: The words spoken into it (``speak`` while recording), joined.
    transcript: str = ""
    #: The verb's ``name``, if given.
    name: str | None = None
