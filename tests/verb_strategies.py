"""hypothesis strategies for verbs of every class with every option, as
each field accepts them; used by tests/test_roundtrip.py and
tests/test_dump_table.py.
"""

from __future__ import annotations

import dataclasses
import typing as t

from hypothesis import strategies as st

from flask_tropo import verbs as v

S = st.SearchStrategy
text = st.text(max_size=12)
word = st.text(min_size=1, max_size=12)
seconds = st.integers(0, 10**6) | st.floats(0, 1e6, allow_nan=False)
signals = text | st.lists(text, max_size=3)
headers = st.dictionaries(word, text, max_size=3)
key = st.sampled_from("0123456789*#")
log_security = st.sampled_from(["none", "suppress"])
to = word | st.lists(word, min_size=1, max_size=3)


def maybe(strategy: S[t.Any]) -> S[t.Any]:
    return st.none() | strategy


def build(
    cls: type,
    *args: S[t.Any],
    keywords: dict[str, S[t.Any]] | None = None,
    **options: S[t.Any],
) -> S[t.Any]:
    """``cls(*args, **keywords, **options)``, each option left out or given."""
    optional = {n: maybe(s) for n, s in options.items()}
    return st.builds(cls, *args, **(keywords or {}), **optional)


def say(events: S[str] | None = None) -> S[v.Say]:
    return build(
        v.Say,
        word,
        as_=st.sampled_from(["DATE", "DIGITS", "NUMBER"]),
        voice=text,
        name=text,
        required=st.booleans(),
        allow_signals=signals,
        prompt_log_security=log_security,
        media=text | st.lists(text, max_size=2),
        **({"event": events} if events is not None else {}),
    )


@st.composite
def prompts(draw: st.DrawFn, events: S[str]) -> t.Any:
    """A string, a Say or a list: event prompts first, as Tropo plays them."""
    first = draw(st.lists(say(events).filter(lambda s: s.event), max_size=2))
    plain = draw(st.lists(word | say(), min_size=0 if first else 1, max_size=2))
    items = first + plain
    return items[0] if len(items) == 1 and draw(st.booleans()) else items


ask_events = st.sampled_from(["timeout", "nomatch", "nomatch:2", "nomatch timeout"])
grammar = word | build(
    v.Choices, word, mode=st.sampled_from(["dtmf", "SPEECH", "Any"]), terminator=key
)
terminator = key | st.builds(v.Choices, terminator=key)
upload = word | build(
    v.UploadTarget,
    word,
    username=text,
    password=text,
    method=st.sampled_from(["POST", "PUT", "s3"]),
)
transcription = build(
    v.Transcription,
    word,
    id=text,
    email_format=st.sampled_from(["plain", "encoded", "omit"]),
    language=text,
)
machine_detection = st.booleans() | text | build(v.MachineDetection, text, voice=text)
join_prompt = st.booleans() | word | build(v.Prompt, word, voice=text)


@st.composite
def asks(draw: st.DrawFn) -> v.Ask:
    security = draw(maybe(st.sampled_from(["none", "suppress", "mask"])))
    masked = {"asr_log_security": st.just(security)}
    if security == "mask":
        masked["mask_template"] = st.text(alphabet="DX-", min_size=1, max_size=6)
    return t.cast(
        v.Ask,
        draw(
            build(
                v.Ask,
                grammar,
                keywords=masked,
                say=prompts(ask_events),
                attempts=st.integers(1, 5),
                allow_signals=signals,
                bargein=st.booleans(),
                interdigit_timeout=seconds,
                min_confidence=st.integers(0, 100),
                name=text,
                recognizer=text,
                required=st.booleans(),
                sensitivity=st.floats(0, 1),
                speech_complete_timeout=seconds,
                speech_incomplete_timeout=seconds,
                timeout=seconds,
                voice=text,
                prompt_log_security=log_security,
            )
        ),
    )


EVENTS = ("continue", "incomplete", "error", "hangup", "ring", "connect")
signal_name = word.filter(lambda w: w not in EVENTS)
on = st.one_of(
    build(
        v.On,
        st.sampled_from(["continue", "incomplete", "error", "hangup"]),
        next=word,
        say=prompts(st.nothing()),
    ),
    st.builds(v.On, signal_name, next=maybe(word), signal=st.just(True)),
)
transfer_on = build(
    v.On,
    st.sampled_from(["ring", "connect"]),
    next=word,
    say=prompts(st.nothing()),
    post=text,
    ask=word | asks(),
)

VERBS: dict[type[v.Verb], S[t.Any]] = {
    v.Answer: build(v.Answer, headers=headers),
    v.Ask: asks(),
    v.Call: build(
        v.Call,
        to,
        from_=text,
        network=text,
        channel=st.sampled_from(["VOICE", "TEXT"]),
        answer_on_media=st.booleans(),
        allow_signals=signals,
        headers=headers,
        name=text,
        required=st.booleans(),
        timeout=seconds,
        machine_detection=machine_detection,
        voice=text,
        callback_url=text,
        prompt_log_security=log_security,
        label=text,
    ),
    v.Conference: build(
        v.Conference,
        word,
        name=text,
        allow_signals=signals,
        interdigit_timeout=seconds,
        mute=st.booleans(),
        play_tones=st.booleans(),
        required=st.booleans(),
        terminator=key,
        join_prompt=join_prompt,
        leave_prompt=join_prompt,
        prompt_log_security=log_security,
    ),
    v.GeneralLogSecurity: st.builds(v.GeneralLogSecurity, log_security),
    v.Hangup: st.builds(v.Hangup),
    v.Message: build(
        v.Message,
        prompts(st.nothing()),
        to,
        answer_on_media=st.booleans(),
        channel=st.sampled_from(["VOICE", "TEXT"]),
        from_=text,
        name=text,
        network=text,
        required=st.booleans(),
        timeout=seconds,
        voice=text,
        prompt_log_security=log_security,
        headers=headers,
    ),
    v.On: on,
    v.Record: build(
        v.Record,
        keywords={"url": upload | st.lists(upload, min_size=1, max_size=3)},
        attempts=st.integers(1, 5),
        async_upload=st.booleans(),
        allow_signals=signals,
        bargein=st.booleans(),
        beep=st.booleans(),
        choices=terminator,
        say=prompts(st.just("timeout")),
        format=st.sampled_from(["audio/wav", "audio/mp3", "audio/au"]),
        max_silence=seconds,
        max_time=seconds,
        method=st.sampled_from(["POST", "PUT"]),
        min_confidence=st.integers(0, 100),
        name=text,
        password=text,
        username=text,
        required=st.booleans(),
        timeout=seconds,
        transcription=transcription | st.lists(transcription, min_size=1, max_size=2),
        voice=text,
        interdigit_timeout=seconds,
        prompt_log_security=log_security,
        sensitivity=st.floats(0, 1),
    ),
    v.Redirect: build(v.Redirect, word, name=text, required=st.booleans()),
    v.Reject: st.builds(v.Reject),
    v.Say: say(),
    v.StartRecording: build(
        v.StartRecording,
        upload | st.lists(upload, min_size=1, max_size=3),
        async_upload=st.booleans(),
        format=st.sampled_from(["audio/wav", "audio/mp3", "audio/au"]),
        method=st.sampled_from(["POST", "PUT"]),
        username=text,
        password=text,
        transcription_id=text,
        transcription_email_format=st.sampled_from(["plain", "encoded"]),
        transcription_language=text,
        transcription_out_uri=text,
    ),
    v.StopRecording: st.builds(v.StopRecording),
    v.Transfer: build(
        v.Transfer,
        to,
        from_=text,
        answer_on_media=st.booleans(),
        allow_signals=signals,
        choices=terminator,
        headers=headers,
        interdigit_timeout=seconds,
        machine_detection=machine_detection,
        name=text,
        on=transfer_on | st.lists(transfer_on, min_size=1, max_size=2),
        play_tones=st.booleans(),
        required=st.booleans(),
        ring_repeat=st.integers(0, 10),
        timeout=seconds,
        voice=text,
        callback_url=text,
        prompt_log_security=log_security,
        label=text,
    ),
    v.Wait: build(v.Wait, st.integers(0, 10**7), allow_signals=signals),
}


#: What a caller may pass for any option: JSON's values and Python's.
loose = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["true", "false", "yes", "0", "1", "", "#", "none", "POST"]),
    text,
    st.lists(text | st.integers(), max_size=2),
    st.dictionaries(text, text | st.integers(), max_size=2),
)


@st.composite
def one_option_changed(draw: st.DrawFn) -> tuple[v.Verb, str, t.Any]:
    verb = draw(st.one_of(*VERBS.values()))
    names = [f.name for f in dataclasses.fields(verb) if f.name != "_"]
    if not names:
        return verb, "", None
    return verb, draw(st.sampled_from(names)), draw(loose)
