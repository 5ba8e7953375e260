"""The example app, every flow played end to end by the simulator."""

from __future__ import annotations

import collections.abc as c
import contextlib
import io
import sqlite3
import typing as t
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.security import check_password_hash

from example_app import create_app
from example_app.db import SAMPLE_ACCOUNTS
from example_app.ivr import HOURS
from example_app.ivr import MENU_PROMPT
from example_app.ivr import SMS_HELP
from flask_tropo import call_state
from flask_tropo import signals
from flask_tropo.testing import Simulator
from flask_tropo.testing import result_payload
from flask_tropo.testing import session_payload
from flask_tropo.verbs import Ask
from flask_tropo.verbs import Record

if t.TYPE_CHECKING:  # pragma: no cover
    from flask.testing import FlaskClient

ADA = SAMPLE_ACCOUNTS[0]
GRACE = SAMPLE_ACCOUNTS[1]
WELCOME = "Welcome to the Acme support line."
ACCOUNT_PROMPT = "Please say or enter your six digit account number."
PIN_PROMPT = "Please enter your four digit PIN."
NO_MATCH = "Sorry, that account number and PIN do not match."
UPLOAD_PATH = "/ivr/voicemail-upload"
LOCKED = "For your security, please call again later. Goodbye."
ADMIN = ("admin", "admin password for tests")

Rows = list[tuple[t.Any, ...]]


def make_app(tmp_path: Path, **config: t.Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test secret",
            "EXAMPLE_ADMIN_PASSWORD": ADMIN[1],
            "EXAMPLE_DATABASE": tmp_path / "x.sqlite3",
            "EXAMPLE_RECORDINGS": tmp_path / "recordings",
            **config,
        }
    )


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(tmp_path)


def rows(app: Flask, sql: str, *params: t.Any) -> Rows:
    """Read the database the way an operator would, outside the app."""
    path = app.config["EXAMPLE_DATABASE"]
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute(sql, params).fetchall()


def call_log(app: Flask, session_id: str) -> Rows:
    return rows(
        app,
        "SELECT event, party, detail FROM call_log WHERE session_id = ? ORDER BY id",
        session_id,
    )


def events(app: Flask, session_id: str) -> list[str]:
    return [row[0] for row in call_log(app, session_id)]


@contextlib.contextmanager
def rendered(app: Flask) -> c.Iterator[list[dict[str, t.Any]]]:
    """Collect every document the app renders."""
    documents: list[dict[str, t.Any]] = []

    def receiver(sender: Flask, document: dict[str, t.Any], **extra: t.Any) -> None:
        documents.append(document)

    with signals.response_rendered.connected_to(receiver, app):
        yield documents


# -- the database and the site -------------------------------------------------


def test_database_created_with_sample_rows(app: Flask) -> None:
    assert Path(app.config["EXAMPLE_DATABASE"]).is_file()
    accounts = rows(
        app, "SELECT number, name, phone, balance_cents FROM account ORDER BY number"
    )
    assert accounts == [
        (a.number, a.name, a.phone, a.balance_cents) for a in SAMPLE_ACCOUNTS
    ]
    assert rows(app, "SELECT * FROM voicemail") == []
    assert rows(app, "SELECT * FROM call_log") == []


def test_sample_pins_are_stored_hashed(app: Flask) -> None:
    stored: dict[str, str] = dict(rows(app, "SELECT number, pin_hash FROM account"))
    for account in SAMPLE_ACCOUNTS:
        assert account.pin not in stored[account.number]
        assert check_password_hash(stored[account.number], account.pin)


def test_database_created_in_missing_folder(tmp_path: Path) -> None:
    app = make_app(tmp_path, EXAMPLE_DATABASE=tmp_path / "deep" / "er" / "db.sqlite3")
    assert len(rows(app, "SELECT * FROM account")) == len(SAMPLE_ACCOUNTS)


def test_existing_database_is_kept(app: Flask, tmp_path: Path) -> None:
    Simulator(app).dial("/ivr/voice").hangup()
    again = make_app(tmp_path)
    assert len(rows(again, "SELECT * FROM call_log")) == 2


def test_init_db_command_starts_over(app: Flask) -> None:
    Simulator(app).dial("/ivr/voice").hangup()
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "3 sample accounts" in result.output
    assert rows(app, "SELECT * FROM call_log") == []
    assert len(rows(app, "SELECT * FROM account")) == len(SAMPLE_ACCOUNTS)


def home(client: FlaskClient) -> str:
    response = client.get("/", auth=ADMIN)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_home_page(client: FlaskClient) -> None:
    assert client.get("/", auth=ADMIN).mimetype == "text/html"
    page = home(client)
    assert "<h1>Acme support line</h1>" in page
    for url in ("/ivr/voice", "/ivr/sms", "/ivr/remind"):
        assert f"<code>http://localhost{url}</code>" in page
    for account in SAMPLE_ACCOUNTS:
        assert account.number in page
    assert "No voicemails yet." in page
    assert "No calls yet." in page


def test_home_page_uses_external_url(tmp_path: Path) -> None:
    app = make_app(tmp_path, TROPO_EXTERNAL_URL="https://ivr.example.com/")
    assert "<code>https://ivr.example.com/ivr/voice</code>" in home(app.test_client())


@pytest.mark.tropo(transfer="busy")
def test_home_page_lists_voicemails_and_calls(
    tropo_sim: Simulator, client: FlaskClient
) -> None:
    call = tropo_sim.dial("/ivr/voice").press("2").speak("call me back").press("#")
    page = home(client)
    assert f'<a href="{call.recordings[0].url}" rel="noreferrer">' in page
    assert "call me back" in page  # the transcription
    assert "voicemail" in page and call.session_id[:8] in page
    assert "No calls yet." not in page


def test_only_tropo_routes_are_json(client: FlaskClient) -> None:
    assert client.get("/nowhere").mimetype == "text/html"
    response = client.get("/ivr/voice")
    assert response.status_code == 405
    assert response.get_json()["code"] == 405


def test_routes_command(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["tropo", "routes"])
    assert result.exit_code == 0, result.output
    for line in (
        "/ivr/voice           session  ivr.incoming_call",
        "/ivr/sms             session  ivr.incoming_text",
        "/ivr/remind          session  ivr.remind",
        "/ivr/hangup          hangup   ivr.hung_up",
        "/ivr/error           error    ivr.platform_error",
    ):
        assert " ".join(line.split()) in [
            " ".join(x.split()) for x in result.output.splitlines()
        ]


# -- greeting and main menu ----------------------------------------------------


def test_greeting_asks_for_a_department(tropo_sim: Simulator, app: Flask) -> None:
    call = tropo_sim.dial("/ivr/voice", from_="+14155550142")
    assert call.heard == [WELCOME, MENU_PROMPT]
    assert isinstance(call.waiting, Ask)
    assert call.waiting.name == "menu"
    assert call.waiting.attempts == 3
    assert call_log(app, call.session_id) == [
        ("call", "+14155550142", "dialled +14155550199")
    ]


@pytest.mark.parametrize(
    ("how", "entry", "heard"),
    [
        ("speak", "sales", "Our whole catalogue is at acme dot example slash shop."),
        ("press", "1", "Our whole catalogue is at acme dot example slash shop."),
        ("speak", "support", "Please hold while I connect you to an agent."),
        ("speak", "agent", "Please hold while I connect you to an agent."),
        ("press", "2", "Please hold while I connect you to an agent."),
        ("speak", "account", ACCOUNT_PROMPT),
        ("speak", "balance", ACCOUNT_PROMPT),
        ("press", "3", ACCOUNT_PROMPT),
    ],
)
def test_menu_by_speech_and_keypad(
    tropo_sim: Simulator, how: str, entry: str, heard: str
) -> None:
    call = tropo_sim.dial("/ivr/voice")
    call.speak(entry) if how == "speak" else call.press(entry)
    assert heard in call.heard
    action = call.results[0]["result"]["actions"]
    assert action["name"] == "menu"
    assert action["interpretation"] == entry


def test_menu_retries_with_nomatch_and_timeout_prompts(tropo_sim: Simulator) -> None:
    call = tropo_sim.dial("/ivr/voice")
    call.speak("pizza")
    assert call.heard[-2:] == ["Sorry, I did not understand.", MENU_PROMPT]
    call.silence()
    assert call.heard[-2:] == ["Sorry, I did not hear anything.", MENU_PROMPT]
    call.press("3")
    assert call.heard[-1] == ACCOUNT_PROMPT
    assert call.results[0]["result"]["actions"]["attempts"] == 3


@pytest.mark.parametrize(
    ("inputs", "disposition"),
    [(["pizza", "9", "coffee"], "NOMATCH"), (["", "", ""], "TIMEOUT")],
)
def test_menu_gives_up_after_three_attempts(
    tropo_sim: Simulator, app: Flask, inputs: list[str], disposition: str
) -> None:
    call = tropo_sim.dial("/ivr/voice")
    for entry in inputs:
        if not entry:
            call.silence()
        elif entry.isdigit():
            call.press(entry)
        else:
            call.speak(entry)
    assert call.ended
    assert call.heard.count(MENU_PROMPT) == 3
    assert call.heard[-1] == "Sorry we could not help you this time. Goodbye."
    action = call.results[-1]["result"]["actions"]
    assert action == {
        "name": "menu",
        "attempts": 3,
        "disposition": disposition,
        "confidence": 0,
    }
    assert events(app, call.session_id) == ["call", "gave up"]
    assert call_log(app, call.session_id)[-1][2] == disposition


# -- sales ---------------------------------------------------------------------


def test_sales_texts_the_shop_link(tropo_sim: Simulator) -> None:
    call = tropo_sim.dial("/ivr/voice", from_="+14155550142").speak("sales")
    assert call.ended
    assert call.heard[-2:] == [
        "We have sent you a text with the link.",
        "Thank you for calling Acme. Goodbye.",
    ]
    [message] = call.messages
    assert message.to == "+14155550142"
    assert message.channel == "TEXT"
    assert message.from_ == "+14155550199"
    assert "https://acme.example/shop" in message.text


def test_sales_sends_no_text_to_a_sip_caller(tropo_sim: Simulator) -> None:
    call = tropo_sim.dial("/ivr/voice", from_="sip:ada@example.com").press("1")
    assert call.ended
    assert call.messages == []
    assert "We have sent you a text with the link." not in call.heard


# -- account balance -----------------------------------------------------------


def test_balance_by_speech_and_keypad(tropo_sim: Simulator, app: Flask) -> None:
    call = tropo_sim.dial("/ivr/voice").speak("balance")
    call.speak("one zero zero zero zero two")
    assert call.heard[-1] == PIN_PROMPT
    call.press(GRACE.pin)
    assert call.ended
    assert call.heard[-3:] == [
        "Hello Grace.",
        "Your balance is $25.00.",
        "Thank you for calling Acme. Goodbye.",
    ]
    assert events(app, call.session_id) == ["call", "balance"]


def test_pin_is_asked_on_the_keypad_and_kept_out_of_logs(tropo_sim: Simulator) -> None:
    call = tropo_sim.dial("/ivr/voice").press("3").press(ADA.number)
    ask = call.waiting
    assert isinstance(ask, Ask)
    assert ask.name == "pin"
    assert ask.asr_log_security == "mask"
    assert ask.mask_template == "XXXX"
    call.speak("one two three four")
    assert call.heard[-2:] == ["Please use your keypad.", PIN_PROMPT]
    call.press(ADA.pin)
    assert call.heard[-2] == "Your balance is $1,234.56."


def test_call_state_holds_the_account_but_never_the_pin(
    tropo_sim: Simulator, app: Flask
) -> None:
    states: list[dict[str, t.Any]] = []

    def receiver(sender: Flask, **extra: t.Any) -> None:
        states.append(dict(call_state))

    with signals.result_received.connected_to(receiver, app):
        call = tropo_sim.dial("/ivr/voice").press("3").press(ADA.number)
        call.press("0000").press(ADA.number).press(ADA.pin)
    assert call.heard[-2] == "Your balance is $1,234.56."
    assert states[-1] == {"caller": ADA.phone, "account": ADA.number}
    for state in states:
        assert set(state) <= {"caller", "account"}
        assert "0000" not in state.values() and ADA.pin not in state.values()


def test_wrong_pin_then_right(tropo_sim: Simulator, app: Flask) -> None:
    call = tropo_sim.dial("/ivr/voice").press("3")
    call.press(ADA.number).press("9999")
    assert call.heard[-2:] == [NO_MATCH, ACCOUNT_PROMPT]
    call.press(ADA.number).press(ADA.pin)
    assert call.ended
    assert call.heard[-3] == "Hello Ada."
    assert call_log(app, call.session_id) == [
        ("call", ADA.phone, "dialled +14155550199"),
        ("wrong pin", ADA.phone, f"account {ADA.number}"),
        ("balance", ADA.phone, f"account {ADA.number}"),
    ]


def test_unknown_account_sounds_like_a_wrong_pin(tropo_sim: Simulator) -> None:
    call = tropo_sim.dial("/ivr/voice").press("3").press("999999").press(ADA.pin)
    assert call.heard[-2:] == [NO_MATCH, ACCOUNT_PROMPT]


def test_wrong_pins_up_to_the_limit_then_goodbye(
    tropo_sim: Simulator, app: Flask
) -> None:
    call = tropo_sim.dial("/ivr/voice").press("3")
    for pin in ("1111", "2222"):
        call.press(ADA.number).press(pin)
        assert call.heard[-2:] == [NO_MATCH, ACCOUNT_PROMPT]
    call.press(ADA.number).press(GRACE.pin)
    assert call.ended
    assert call.heard[-2:] == [NO_MATCH, LOCKED]
    assert events(app, call.session_id) == [
        "call",
        "wrong pin",
        "wrong pin",
        "pin locked",
    ]


def test_pin_limit_is_configurable(tmp_path: Path) -> None:
    app = make_app(tmp_path, EXAMPLE_PIN_TRIES=1)
    call = Simulator(app).dial("/ivr/voice").press("3").press(ADA.number).press("1111")
    assert call.ended
    assert call.heard[-1] == LOCKED


def test_account_number_retries_then_gives_up(tropo_sim: Simulator) -> None:
    call = tropo_sim.dial("/ivr/voice").press("3").press("12")
    assert call.heard[-2:] == [
        "That was not a six digit account number.",
        ACCOUNT_PROMPT,
    ]
    call.silence().press("1234567")
    assert call.ended
    assert call.heard[-1] == "Sorry we could not help you this time. Goodbye."


# -- support: transfer and voicemail -------------------------------------------


def test_transfer_answered(tropo_sim: Simulator, app: Flask) -> None:
    with rendered(app) as documents:
        call = tropo_sim.dial("/ivr/voice").speak("support")
    assert call.ended
    assert call.heard[-2:] == [
        "Please hold while I connect you to an agent.",
        "Your call is important to us. Please hold.",
    ]
    transfer = documents[1]["tropo"][1]["transfer"]
    assert transfer["to"] == "+14155550123"
    assert transfer["on"] == [
        {
            "event": "ring",
            "say": {"value": "Your call is important to us. Please hold."},
        }
    ]
    # The agent's call ends, the document runs out, the hangup handler runs.
    final = call.results[-1]["result"]
    assert final["state"] == "DISCONNECTED"
    assert final["actions"]["disposition"] == "SUCCESS"
    assert final["actions"]["calledid"] == "+14155550123"
    assert call_log(app, call.session_id)[-1] == ("hangup", ADA.phone, "after 66 s")
    assert rows(app, "SELECT * FROM voicemail") == []


def test_transfer_goes_to_the_configured_agent(tmp_path: Path) -> None:
    app = make_app(tmp_path, EXAMPLE_AGENT="sip:agent@acme.example")
    call = Simulator(app).dial("/ivr/voice").press("2")
    assert call.results[-1]["result"]["actions"]["calledid"] == "sip:agent@acme.example"


@pytest.mark.parametrize("outcome", ["busy", "no-answer"])
def test_nobody_answers_so_voicemail(
    tropo_simulator: c.Callable[..., Simulator], app: Flask, outcome: str
) -> None:
    call = tropo_simulator(transfer=outcome).dial("/ivr/voice").press("2")
    assert "Sorry, all our agents are busy." in call.heard
    ring = "Your call is important to us. Please hold."
    assert (ring in call.heard) is (outcome == "no-answer")
    record = call.waiting
    assert isinstance(record, Record)
    assert isinstance(record.url, str) and record.url.startswith(
        f"http://localhost{UPLOAD_PATH}?tropo_token="
    )
    assert record.username is None and record.password is None
    assert call.heard[-1] == (
        "Please leave a message after the beep, and press pound when you are done."
    )
    call.speak("Hi it is Ada please call me back").press("#")
    assert call.ended
    assert call.heard[-1] == "Thank you, we will call you back soon. Goodbye."
    [recording] = call.recordings
    assert recording.upload_urls == (record.url,)
    [(session_id, caller, url, duration, file, text)] = rows(
        app,
        "SELECT session_id, caller, recording_url, duration, file, transcript"
        " FROM voicemail",
    )
    assert (session_id, caller, url, duration) == (
        call.session_id,
        ADA.phone,
        recording.url,
        recording.duration,
    )
    assert text == "Hi it is Ada please call me back"
    saved = Path(app.config["EXAMPLE_RECORDINGS"]) / file
    assert file.startswith(call.session_id) and saved.read_bytes()[:4] == b"RIFF"
    assert recording.duration == 8
    assert events(app, call.session_id) == ["call", "no agent", "voicemail"]


@pytest.mark.tropo(transfer="busy")
def test_caller_who_hangs_up_after_the_message_leaves_a_voicemail(
    tropo_sim: Simulator, app: Flask
) -> None:
    call = tropo_sim.dial("/ivr/voice").press("2").speak("call me").hangup()
    assert call.ended
    [(caller, url, duration)] = rows(
        app, "SELECT caller, recording_url, duration FROM voicemail"
    )
    assert (caller, url, duration) == (ADA.phone, call.recordings[0].url, 2)
    assert events(app, call.session_id) == ["call", "no agent", "voicemail", "hangup"]


@pytest.mark.tropo(transfer="busy")
def test_hangup_before_the_message_leaves_no_voicemail(
    tropo_sim: Simulator, app: Flask
) -> None:
    call = tropo_sim.dial("/ivr/voice").press("2").hangup()
    assert call.ended
    assert rows(app, "SELECT * FROM voicemail") == []
    assert events(app, call.session_id) == ["call", "no agent", "hangup"]


def test_the_upload_route_takes_only_signed_uploads(
    client: FlaskClient, app: Flask
) -> None:
    """No more anonymous uploads of any size under any name: the route is a
    signed recording receiver."""
    data = {"filename": (io.BytesIO(b"RIFF...WAVE"), "../message 1.wav")}
    response = client.post(UPLOAD_PATH, data=data)
    assert response.status_code == 403
    assert response.get_json()["errors"]["tropo_token"]
    assert not Path(app.config["EXAMPLE_RECORDINGS"]).exists()


@pytest.mark.tropo(transfer="busy")
def test_an_upload_is_saved_under_a_name_of_its_own(
    tropo_sim: Simulator, app: Flask
) -> None:
    record = tropo_sim.dial("/ivr/voice").press("2").waiting
    assert isinstance(record, Record) and isinstance(record.url, str)
    client = app.test_client()
    data = {"filename": (io.BytesIO(b"RIFF...WAVE"), "../message 1.wav")}
    assert client.post(record.url, data=data).status_code == 204
    [saved] = Path(app.config["EXAMPLE_RECORDINGS"]).iterdir()
    assert saved.read_bytes() == b"RIFF...WAVE"
    assert "message" not in saved.name and saved.name.endswith(".wav")
    app.config["TROPO_MAX_RECORDING_BYTES"] = 1000
    big = {"filename": (io.BytesIO(b"x" * 1001), "big.wav")}
    assert client.post(record.url, data=big).status_code == 413
    assert len(list(Path(app.config["EXAMPLE_RECORDINGS"]).iterdir())) == 1


def test_upload_url_follows_external_url(tmp_path: Path) -> None:
    app = make_app(tmp_path, TROPO_EXTERNAL_URL="https://ivr.example.com")
    record = Simulator(app, transfer="busy").dial("/ivr/voice").press("2").waiting
    assert isinstance(record, Record) and isinstance(record.url, str)
    assert record.url.startswith(
        "https://ivr.example.com/ivr/voicemail-upload?tropo_token="
    )


# -- hangups and errors --------------------------------------------------------


def test_hangup_writes_the_call_log(tropo_sim: Simulator, app: Flask) -> None:
    call = tropo_sim.dial("/ivr/voice", from_="+14155550142").silence().hangup()
    assert call.ended
    assert call.results[-1]["result"]["state"] == "DISCONNECTED"
    assert call_log(app, call.session_id) == [
        ("call", "+14155550142", "dialled +14155550199"),
        ("hangup", "+14155550142", "after 7 s"),
    ]


def test_every_document_gets_the_hangup_and_error_handlers(
    tropo_sim: Simulator, app: Flask
) -> None:
    with rendered(app) as documents:
        tropo_sim.dial("/ivr/voice").press("3").press(ADA.number).press(ADA.pin)
    assert len(documents) == 4
    for document in documents:
        ons = {
            e["on"]["event"]: e["on"]["next"] for e in document["tropo"] if "on" in e
        }
        assert ons["hangup"].startswith("/ivr/hangup?tropo_token=")
        assert ons["error"].startswith("/ivr/error?tropo_token=")


def test_platform_error(
    client: FlaskClient, app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    session = session_payload(id="a" * 32, from_="+14155550142")
    document = client.post("/ivr/voice", json=session).get_json()
    [url] = [
        e["on"]["next"]
        for e in document["tropo"]
        if e.get("on", {}).get("event") == "error"
    ]
    result = result_payload(session_id="a" * 32, error="Could not fetch the document")
    answer = client.post(url, json=result).get_json()
    assert answer["tropo"][0] == {
        "say": {"value": "Sorry, something went wrong. Please call again later."}
    }
    assert call_log(app, "a" * 32)[-1] == (
        "error",
        "+14155550142",
        "Could not fetch the document",
    )
    assert "Could not fetch the document" in caplog.text


def test_result_routes_refuse_forged_posts(client: FlaskClient) -> None:
    response = client.post("/ivr/pin", json=result_payload())
    assert response.status_code == 403


# -- SMS -----------------------------------------------------------------------


ASK_PIN = "Text BALANCE, your account number and your PIN: BALANCE 100001 <PIN>."


@pytest.mark.parametrize(
    ("text", "sender", "reply"),
    [
        (
            f"BALANCE 100001 {ADA.pin}",
            ADA.phone,
            "Account 100001: your balance is $1,234.56.",
        ),
        (
            f"  balance   100002 {GRACE.pin} ",
            GRACE.phone,
            "Account 100002: your balance is $25.00.",
        ),
        # the caller id is no credential: the PIN is, from any phone
        (
            f"BALANCE 100001 {ADA.pin}",
            GRACE.phone,
            "Account 100001: your balance is $1,234.56.",
        ),  # fmt: skip
        (f"BALANCE 100001 {GRACE.pin}", ADA.phone, NO_MATCH),
        (f"BALANCE 999999 {ADA.pin}", ADA.phone, NO_MATCH),
        ("BALANCE 100001", ADA.phone, ASK_PIN),
        ("BALANCE", ADA.phone, ASK_PIN),
        ("HELP", ADA.phone, SMS_HELP),
        ("", ADA.phone, SMS_HELP),
        ("hours", ADA.phone, HOURS),
        ("pizza please", ADA.phone, f"Sorry, I do not know PIZZA. {SMS_HELP}"),
    ],
)
def test_sms_commands(
    tropo_sim: Simulator, app: Flask, text: str, sender: str, reply: str
) -> None:
    call = tropo_sim.text("/ivr/sms", text, from_=sender)
    assert call.ended
    assert call.heard == [reply]
    # the log keeps the command, never the PIN
    [(event, party, detail)] = call_log(app, call.session_id)
    assert (event, party) == ("text", sender)
    assert ADA.pin not in detail and GRACE.pin not in detail


def test_sms_route_called_by_voice(tropo_sim: Simulator) -> None:
    call = tropo_sim.dial("/ivr/sms")
    assert call.ended
    assert call.heard == ["This number only answers text messages. Goodbye."]


# -- reminders -----------------------------------------------------------------


def test_reminder_launch(tropo_sim: Simulator, app: Flask) -> None:
    with rendered(app) as documents:
        call = tropo_sim.launch(
            "/ivr/remind", to="+14155550142", message="Your table is ready."
        )
    assert call.ended
    assert call.heard == ["Your table is ready.", "Goodbye."]
    verbs = [e for e in call.events if e.kind == "verb"]
    assert [(e.name, e.detail) for e in verbs][0] == ("call", "to +14155550142")
    placed = documents[0]["tropo"][0]["call"]
    assert placed["to"] == "+14155550142"
    assert placed["from"] == "+14155550199"
    assert call_log(app, call.session_id) == [
        ("reminder", "+14155550142", "Your table is ready.")
    ]


def test_reminder_of_an_appointment(tropo_sim: Simulator) -> None:
    call = tropo_sim.launch(
        "/ivr/remind", to="14155550142", appointment="May 4 at 9 AM"
    )
    assert call.heard[0] == (
        "This is Acme reminding you of your appointment on May 4 at 9 AM."
    )


@pytest.mark.tropo(transfer="no-answer")
def test_reminder_not_answered(tropo_sim: Simulator, app: Flask) -> None:
    call = tropo_sim.launch("/ivr/remind", to="+14155550142", message="Hi")
    assert call.ended
    assert call.heard == []
    result = call.results[-1]["result"]
    assert result["state"] == "FAILED"
    assert result["actions"]["calledid"] == "+14155550142"
    assert events(app, call.session_id) == ["reminder", "reminder failed"]
    assert call_log(app, call.session_id)[-1] == (
        "reminder failed",
        "+14155550142",
        "TIMEOUT",
    )


@pytest.mark.parametrize(
    ("parameters", "problem"),
    [
        ({}, "'to' must be a phone number, got ''"),
        ({"to": "tomorrow", "message": "Hi"}, "'to' must be a phone number"),
        ({"to": "+14155550142"}, "give a 'message' or an 'appointment'"),
        ({"to": "+14155550142", "message": "  "}, "give a 'message'"),
        ({"to": "+14155550142", "message": "x" * 501}, "longer than 500 characters"),
    ],
)
def test_reminder_with_bad_parameters(
    tropo_sim: Simulator,
    app: Flask,
    caplog: pytest.LogCaptureFixture,
    parameters: dict[str, str],
    problem: str,
) -> None:
    with rendered(app) as documents:
        call = tropo_sim.launch("/ivr/remind", **parameters)
    assert call.ended
    assert call.heard == []
    assert documents[0]["tropo"][0] == {"hangup": None}
    [(event, _, detail)] = call_log(app, call.session_id)
    assert event == "launch refused"
    assert problem in detail
    assert problem in caplog.text


def test_home_page_draws_the_call_flow(client: FlaskClient) -> None:
    page = home(client)
    svg = page[page.index("<svg ") : page.index("</svg>") + len("</svg>")]
    for endpoint in (
        "ivr.incoming_call",
        "ivr.menu_choice",
        "ivr.account_entered",
        "ivr.pin_entered",
        "ivr.voicemail",
        "ivr.voicemail_left",
        "ivr.goodbye",
        "ivr.hung_up",
    ):
        assert f'data-endpoint="{endpoint}"' in svg
    assert "tf-node failed" not in svg
    assert "tf-node unreached" not in svg  # the reminder is another flow
    assert 'data-from="ivr.pin_entered" data-to="ivr.account_entered"' in svg
    assert "Please enter your four digit PIN." in svg  # the prompts are tooltips
    # exploring used a twin of the app: this app's call log is untouched
    assert "No calls yet." in page
