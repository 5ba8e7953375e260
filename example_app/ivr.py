"""The Acme support line: a :class:`~flask_tropo.TropoBlueprint` that
:func:`example_app.create_app` mounts at ``/ivr``.

Point the Tropo application at these session routes:

=============== ========================================================
``/ivr/voice``  incoming calls: a greeting, then the main menu
``/ivr/sms``    incoming texts: ``BALANCE <account>``, ``HOURS``, ``HELP``
``/ivr/remind`` token launches: a reminder call, parameters ``to`` and
                ``message`` (or ``appointment``)
=============== ========================================================

The other Tropo routes are the result steps the handlers link to, and the
receivers of the voicemail's recording and text (``/ivr/voicemail-upload``,
``/ivr/voicemail-text``), reachable only through the signed URLs the
``Record`` verb renders.

Each handler returns verbs; ``On(event, next=handler)`` links the steps,
and :data:`~flask_tropo.call_state` carries what a call needs between them
(who called, the account number being checked), signed in the ``next`` URLs.
The PIN never goes in it, and wrong PINs are counted per account in the
database (a replayed ``next`` URL brings back its old state, not the count).
"""

from __future__ import annotations

import os
import re
import uuid

from flask import current_app
from flask import url_for
from werkzeug.security import check_password_hash

from flask_tropo import Endpoint
from flask_tropo import Recording
from flask_tropo import Result
from flask_tropo import Session
from flask_tropo import TranscriptionResult
from flask_tropo import TropoBlueprint
from flask_tropo import call_state
from flask_tropo.verbs import Ask
from flask_tropo.verbs import Call
from flask_tropo.verbs import Choices
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import Message
from flask_tropo.verbs import On
from flask_tropo.verbs import Record
from flask_tropo.verbs import Say
from flask_tropo.verbs import Transcription
from flask_tropo.verbs import Transfer
from flask_tropo.verbs import Verb

from . import db

__all__ = ["bp", "external_url"]

bp = TropoBlueprint("ivr", __name__)

#: The main menu's grammar: the value is the key, whether the caller said
#: a word or pressed a key.
MENU = "sales(sales, 1), support(support, agent, 2), account(account, balance, 3)"
MENU_PROMPT = (
    "For sales, say sales or press 1. For support, say support or press 2."
    " For your account balance, say account or press 3."
)
SMS_HELP = (
    "Acme support. Text BALANCE, your account number and your PIN, for example"
    " BALANCE 100001 <PIN>, or HOURS for our opening hours."
)
NO_MATCH = "Sorry, that account number and PIN do not match."
LOCKED = "For your security, please call again later. Goodbye."
HOURS = "Acme support is open Monday to Friday, 8 AM to 6 PM Pacific time."
GOODBYE = "Thank you for calling Acme. Goodbye."
#: A phone number in E.164 form, the leading plus optional.
PHONE = re.compile(r"^\+?[1-9][0-9]{6,14}$")
#: The longest reminder message accepted, in characters.
MAX_REMINDER = 500


# -- voice: greeting and main menu ---------------------------------------------


@bp.on_session("/voice")
def incoming_call(session: Session) -> list[Verb]:
    """Greet the caller and ask for a department."""
    caller = _address(session.from_)
    call_state["caller"] = caller
    db.log_call(session.id, "call", caller, f"dialled {_address(session.to)}")
    return [Say("Welcome to the Acme support line."), *_main_menu()]


def _main_menu() -> list[Verb]:
    return [
        Ask(
            MENU,
            say=[
                Say("Sorry, I did not understand.", event="nomatch"),
                Say("Sorry, I did not hear anything.", event="timeout"),
                MENU_PROMPT,
            ],
            name="menu",
            attempts=3,
            timeout=7,
        ),
        On("continue", next=menu_choice),
        On("incomplete", next=goodbye),
    ]


@bp.on_result("/menu")
def menu_choice(result: Result) -> list[Verb]:
    """Go where the caller asked: sales, support or the account balance."""
    choice = result.value
    if choice == "sales":
        return _sales()
    if choice == "support":
        return _support()
    # "account", the grammar's only other value.
    return _ask_account()


@bp.on_result("/goodbye")
def goodbye(result: Result) -> list[Verb]:
    """The caller gave no usable answer in all the attempts of an ask."""
    db.log_call(
        result.session_id,
        "gave up",
        _party(),
        result.disposition or "",
    )
    return [Say("Sorry we could not help you this time. Goodbye."), Hangup()]


# -- sales: a text with a link -------------------------------------------------


def _sales() -> list[Verb]:
    caller = call_state["caller"]
    verbs: list[Verb] = [Say("Our whole catalogue is at acme dot example slash shop.")]
    if PHONE.match(caller):
        verbs += [
            Message(
                "Acme shop: https://acme.example/shop",
                to=caller,
                from_=current_app.config["EXAMPLE_LINE_NUMBER"],
                channel="TEXT",
                network="SMS",
            ),
            Say("We have sent you a text with the link."),
        ]
    return [*verbs, Say(GOODBYE), Hangup()]


# -- support: an agent, else voicemail -----------------------------------------


def _support() -> list[Verb]:
    # An answered transfer lasts until someone hangs up; the document then
    # runs out and the default hangup handler logs the call.
    return [
        Say("Please hold while I connect you to an agent."),
        Transfer(
            current_app.config["EXAMPLE_AGENT"],
            name="agent",
            timeout=30,
            on=On("ring", say="Your call is important to us. Please hold."),
        ),
        On("incomplete", next=voicemail, say="Sorry, all our agents are busy."),
    ]


@bp.on_result("/voicemail")
def voicemail(result: Result) -> list[Verb]:
    """Nobody answered the transfer: record a message. The platform uploads
    it to :func:`voicemail_upload` and its text to :func:`voicemail_text`,
    through signed URLs."""
    db.log_call(
        result.session_id,
        "no agent",
        call_state["caller"],
        result.disposition or "",
    )
    return [
        Record(
            url=voicemail_upload,
            transcription=Transcription(url=voicemail_text, id="voicemail"),
            name="voicemail",
            say="Please leave a message after the beep, and press pound when"
            " you are done.",
            beep=True,
            choices="#",
            max_silence=5,
            max_time=120,
            format="audio/wav",
        ),
        On("continue", next=voicemail_left),
    ]


@bp.on_result("/voicemail-left")
def voicemail_left(result: Result) -> list[Verb]:
    """Save the voicemail and say goodbye."""
    _save_voicemail(result)
    return [Say("Thank you, we will call you back soon. Goodbye."), Hangup()]


@bp.on_recording("/voicemail-upload")
def voicemail_upload(recording: Recording) -> None:
    """Keep the recording the platform uploads, under a name of our own
    (never the uploaded one), at most ``TROPO_MAX_RECORDING_BYTES``."""
    folder = current_app.config["EXAMPLE_RECORDINGS"]
    os.makedirs(folder, exist_ok=True)
    name = f"{recording.session_id}-{uuid.uuid4().hex[:8]}.wav"
    recording.save(os.path.join(folder, name))
    db.save_voicemail(recording.session_id, call_state["caller"], file=name)


@bp.on_transcription("/voicemail-text")
def voicemail_text(transcription: TranscriptionResult) -> None:
    """Keep the text of a voicemail."""
    db.save_voicemail(
        str(transcription.session_id),
        call_state["caller"],
        transcript=transcription.text or "",
    )


def _save_voicemail(result: Result) -> bool:
    action = result.action("voicemail")
    if action is None or not action.value:
        return False
    caller = _party()
    duration = action.duration or 0
    db.save_voicemail(
        result.session_id, caller, recording_url=action.value, duration=duration
    )
    db.log_call(result.session_id, "voicemail", caller, f"{duration} s")
    return True


# -- account balance: account number, then PIN ---------------------------------


def _ask_account() -> list[Verb]:
    return [
        Ask(
            "[6 DIGITS]",
            say=[
                Say("That was not a six digit account number.", event="nomatch"),
                Say("Sorry, I did not hear anything.", event="timeout"),
                "Please say or enter your six digit account number.",
            ],
            name="account",
            attempts=3,
            timeout=10,
        ),
        On("continue", next=account_entered),
        On("incomplete", next=goodbye),
    ]


@bp.on_result("/account")
def account_entered(result: Result) -> list[Verb]:
    """Keep the account number, ask for the PIN on the keypad only."""
    call_state["account"] = result.value
    return [
        Ask(
            Choices("[4 DIGITS]", mode="dtmf"),
            say=[
                Say("Please use your keypad.", event="nomatch"),
                Say("Sorry, I did not hear anything.", event="timeout"),
                "Please enter your four digit PIN.",
            ],
            name="pin",
            attempts=3,
            timeout=10,
            # Keep the PIN out of Tropo's logs.
            asr_log_security="mask",
            mask_template="XXXX",
        ),
        On("continue", next=pin_entered),
        On("incomplete", next=goodbye),
    ]


@bp.on_result("/pin")
def pin_entered(result: Result) -> list[Verb]:
    """Check the PIN: say the balance, or try again; after
    ``EXAMPLE_PIN_TRIES`` wrong PINs for an account, from any call or text,
    PIN entry for it is locked for ``EXAMPLE_PIN_LOCKOUT`` seconds."""
    number = call_state["account"]
    caller = call_state["caller"]
    balance = _check_pin(number, result.value or "")
    if balance is not None:
        db.log_call(result.session_id, "balance", caller, f"account {number}")
        return [
            Say(f"Hello {balance[0]}."),
            Say(f"Your balance is {balance[1]}."),
            Say(GOODBYE),
            Hangup(),
        ]
    # The same answer for an unknown account and a wrong PIN: the line
    # does not tell which account numbers exist.
    if db.pin_locked(number):
        db.log_call(result.session_id, "pin locked", caller, f"account {number}")
        return [Say(NO_MATCH), Say(LOCKED), Hangup()]
    db.log_call(result.session_id, "wrong pin", caller, f"account {number}")
    return [Say(NO_MATCH), *_ask_account()]


def _check_pin(number: str, pin: str) -> tuple[str, str] | None:
    """The first name and balance of the account if ``pin`` is its PIN and
    PIN entry is not locked; else ``None``, the failure counted."""
    config = current_app.config
    if db.pin_locked(number):
        return None
    account = db.find_account(number)
    if account is not None and check_password_hash(account["pin_hash"], pin):
        db.pin_accepted(number)
        return account["name"].split()[0], _money(account["balance_cents"])
    db.pin_failed(number, config["EXAMPLE_PIN_TRIES"], config["EXAMPLE_PIN_LOCKOUT"])
    return None


# -- SMS -----------------------------------------------------------------------


@bp.on_session("/sms")
def incoming_text(session: Session) -> list[Verb]:
    """Answer a text: ``BALANCE <account>``, ``HOURS`` or ``HELP``."""
    sender = _address(session.from_)
    text = (session.initial_text or "").strip()
    words = text.split()
    if words[:1] and words[0].upper() == "BALANCE":
        words[2:] = ["****"] * len(words[2:])  # never log a PIN
    db.log_call(session.id, "text", sender, " ".join(words))
    if not session.is_text:
        return [Say("This number only answers text messages. Goodbye."), Hangup()]
    return [Say(_text_reply(sender, text)), Hangup()]


def _text_reply(sender: str, text: str) -> str:
    command, *arguments = text.split() or ["HELP"]
    command = command.upper()
    if command == "HELP":
        return SMS_HELP
    if command == "HOURS":
        return HOURS
    if command != "BALANCE":
        return f"Sorry, I do not know {command}. {SMS_HELP}"
    if len(arguments) != 2:
        return "Text BALANCE, your account number and your PIN: BALANCE 100001 <PIN>."
    # The caller id of a text can be forged: the PIN is the credential, with
    # the same count of wrong PINs as on the phone.
    number, pin = arguments
    balance = _check_pin(number, pin)
    if balance is None:
        locked = " PIN entry is locked for now: try again later."
        return NO_MATCH + (locked if db.pin_locked(number) else "")
    return f"Account {number}: your balance is {balance[1]}."


# -- reminders: token-launched outbound calls ----------------------------------


@bp.on_session("/remind")
def remind(session: Session) -> list[Verb]:
    """Call ``to`` and read a reminder. Launched through the Session API with
    the parameters ``to`` and ``message``, or ``appointment`` (a date and
    time, read in a standard sentence).
    """
    parameters = session.parameters
    to = parameters.get("to", "").strip()
    message = parameters.get("message", "").strip()
    if not message and parameters.get("appointment", "").strip():
        message = (
            "This is Acme reminding you of your appointment on"
            f" {parameters['appointment'].strip()}."
        )
    problem = None
    if not PHONE.match(to):
        problem = f"'to' must be a phone number, got {to!r}"
    elif not message:
        problem = "give a 'message' or an 'appointment'"
    elif len(message) > MAX_REMINDER:
        problem = f"the message is longer than {MAX_REMINDER} characters"
    if problem is not None:
        # There is no call to say anything on: log it and end the session.
        current_app.logger.warning("Reminder %s refused: %s.", session.id, problem)
        db.log_call(session.id, "launch refused", to or "-", problem)
        return [Hangup()]
    call_state["to"] = to
    db.log_call(session.id, "reminder", to, message)
    return [
        Call(to, from_=current_app.config["EXAMPLE_LINE_NUMBER"], name="reminder"),
        On("incomplete", next=reminder_failed),
        Say(message),
        Say("Goodbye."),
        Hangup(),
    ]


@bp.on_result("/remind-failed")
def reminder_failed(result: Result) -> Hangup:
    """The reminder call was not answered."""
    db.log_call(
        result.session_id,
        "reminder failed",
        call_state["to"],
        result.disposition or "",
    )
    return Hangup()


# -- hangups and platform errors, for every document of this blueprint ---------


@bp.on_hangup("/hangup")
def hung_up(result: Result) -> Hangup:
    """The call ended without a ``Hangup`` verb: the caller hung up, or a
    document ran out (after an agent's call, for one). flask-tropo adds
    ``On("hangup", next=hung_up)`` to every document of this blueprint.
    A caller who hangs up after leaving a message, instead of pressing pound,
    still leaves the voicemail.
    """
    _save_voicemail(result)
    db.log_call(
        result.session_id,
        "hangup",
        _party(),
        f"after {result.session_duration or 0} s",
    )
    return Hangup()


@bp.on_error("/error")
def platform_error(result: Result) -> list[Verb]:
    """Tropo reported an error (an upload or a document it could not
    fetch)."""
    current_app.logger.warning(
        "Tropo reported an error in session %s: %s", result.session_id, result.error
    )
    db.log_call(
        result.session_id,
        "error",
        _party(),
        result.error or "",
    )
    return [Say("Sorry, something went wrong. Please call again later."), Hangup()]


# -- helpers -------------------------------------------------------------------


def _address(endpoint: Endpoint | None) -> str:
    """The number (or SIP address) of a caller-ID object."""
    if endpoint is None or not endpoint.id:
        return "unknown"
    return endpoint.id


def _party() -> str:
    """Who the call is with: the caller, or who a reminder called."""
    return str(call_state.get("caller") or call_state.get("to") or "unknown")


def _money(cents: int) -> str:
    """``123456`` gives ``"$1,234.56"``, which text-to-speech reads well."""
    dollars, rest = divmod(cents, 100)
    return f"${dollars:,}.{rest:02d}"


def external_url(endpoint: str) -> str:
    """The absolute URL of a route, for the platform to reach: under
    ``TROPO_EXTERNAL_URL`` when it is set (behind a proxy), else on the host
    of the current request."""
    base: str | None = current_app.config["TROPO_EXTERNAL_URL"]
    if base:
        return base.rstrip("/") + url_for(endpoint)
    return url_for(endpoint, _external=True)
