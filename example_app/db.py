"""The support line's data in SQLite: accounts, voicemails and the call log.

One connection per request, opened on first use by :func:`get_db` and
closed when the app context ends, as in Flask's tutorial. The database is
created with sample rows the first time the app starts (:func:`init_app`);
``flask --app example_app init-db`` starts it over.

Only the standard library's :mod:`sqlite3` is used. Timestamps are stored as
ISO 8601 text, so no converters are registered.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import typing as t

import click
from flask import current_app
from flask import g

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Flask

__all__ = [
    "SAMPLE_ACCOUNTS",
    "Account",
    "close_db",
    "create_database",
    "find_account",
    "get_db",
    "init_app",
    "log_call",
    "pin_accepted",
    "pin_failed",
    "pin_locked",
    "recent_calls",
    "save_voicemail",
    "voicemails",
]

SCHEMA = """
CREATE TABLE account (
    number TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    pin_hash TEXT NOT NULL,
    balance_cents INTEGER NOT NULL
);

CREATE TABLE voicemail (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL UNIQUE,
    caller TEXT NOT NULL,
    recording_url TEXT,
    duration INTEGER,
    file TEXT,
    transcript TEXT,
    created TEXT NOT NULL
);

CREATE TABLE pin_failure (
    account TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until TEXT
);

CREATE TABLE call_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    event TEXT NOT NULL,
    party TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL
);
"""


class Account(t.NamedTuple):
    """A sample account. The PIN is here in clear only so that the demo and
    the home page can tell you what to type; the database keeps its hash."""

    number: str
    name: str
    phone: str
    pin: str
    #: ``werkzeug.security.generate_password_hash(pin)``, computed once: scrypt
    #: is slow on purpose, too slow to run for every test database.
    pin_hash: str
    balance_cents: int


#: The rows :func:`create_database` adds.
SAMPLE_ACCOUNTS = (
    Account(
        "100001",
        "Ada Lovelace",
        "+14155550100",
        "1234",
        "scrypt:32768:8:1$75CX5Vb9fZv8D0kY$7cdc4c755e68ec20114c27a99fd170002f22c681"
        "8d743f400f2b9c70ffe963b591d17fda1909d013194e19bc5c1a507e00a46afac2ce684a12"
        "73476f1ac61ff6",
        123456,
    ),
    Account(
        "100002",
        "Grace Hopper",
        "+14155550101",
        "2468",
        "scrypt:32768:8:1$eonu8rADmi7NpShn$6ae47cccb58a83c553a0dd776323c207a9526471"
        "e7d9c5c6e341d471e0f21f8716bc481ece4143da7c33c8b704d0b6e6e16ee289db345cf818"
        "4b152ea17b898e",
        2500,
    ),
    Account(
        "100003",
        "Alan Turing",
        "+14155550102",
        "1357",
        "scrypt:32768:8:1$JqFXtYP2SEXHVt4P$c301d95d9a2103a34349404f9ccb3ab12bf3d703"
        "eedde99d6ef10b27dcc6822e1230dc0a94741b4bd37fe8ebcef11c0164fba36c9198c5e34a"
        "e34acd72a5f420",
        0,
    ),
)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _connect(path: str | os.PathLike[str]) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    return connection


def get_db() -> sqlite3.Connection:
    """The connection of the current app context, opened on first use at
    ``EXAMPLE_DATABASE``."""
    if "db" not in g:
        g.db = _connect(current_app.config["EXAMPLE_DATABASE"])
    return t.cast(sqlite3.Connection, g.db)


def close_db(exc: BaseException | None = None) -> None:
    """Close the connection of the current app context, if one was opened.

    :param exc: the exception that ended the context, if any.
    """
    db = g.pop("db", None)
    if db is not None:
        db.close()


def create_database(path: str | os.PathLike[str]) -> None:
    """Create the tables at ``path``, dropping what was there, and add
    :data:`SAMPLE_ACCOUNTS`.

    :param path: the database file; its folder is created if missing.
    """
    folder = os.path.dirname(os.fspath(path))
    if folder:
        os.makedirs(folder, exist_ok=True)
    connection = _connect(path)
    try:
        with connection:
            connection.executescript(
                "DROP TABLE IF EXISTS account;"
                " DROP TABLE IF EXISTS voicemail;"
                " DROP TABLE IF EXISTS pin_failure;"
                " DROP TABLE IF EXISTS call_log;" + SCHEMA
            )
            connection.executemany(
                "INSERT INTO account (number, name, phone, pin_hash, balance_cents)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (a.number, a.name, a.phone, a.pin_hash, a.balance_cents)
                    for a in SAMPLE_ACCOUNTS
                ],
            )
    finally:
        connection.close()


def log_call(session_id: str, event: str, party: str, detail: str = "") -> None:
    """Add a row to the call log.

    :param session_id: the Tropo session the row belongs to.
    :param event: what happened: ``"call"``, ``"text"``, ``"launch"``,
        ``"hangup"``...
    :param party: the caller, or who was called.
    :param detail: free text.
    """
    db = get_db()
    with db:
        db.execute(
            "INSERT INTO call_log (session_id, event, party, detail, created)"
            " VALUES (?, ?, ?, ?, ?)",
            (session_id, event, party, detail, _now()),
        )


def save_voicemail(session_id: str, caller: str, **fields: t.Any) -> None:
    """Add to the voicemail of a session (one per session), creating it: its
    recording as the platform reported it, the file uploaded, the text.

    :param session_id: the Tropo session it was left in.
    :param caller: who left it.
    :param fields: ``recording_url`` and ``duration`` (from the result),
        ``file`` (the upload, in ``EXAMPLE_RECORDINGS``), ``transcript``.
    """
    columns = [name for name in ("recording_url", "duration", "file", "transcript")
               if name in fields]  # fmt: skip
    updates = ", ".join(f"{name} = excluded.{name}" for name in columns)
    db = get_db()
    with db:
        db.execute(
            f"INSERT INTO voicemail (session_id, caller, created, {', '.join(columns)})"
            f" VALUES (?, ?, ?{', ?' * len(columns)})"
            f" ON CONFLICT(session_id) DO UPDATE SET {updates}",
            (session_id, caller, _now(), *(fields[name] for name in columns)),
        )


def pin_locked(number: str) -> bool:
    """Whether PIN entry is locked for this account number (after too many
    wrong PINs, from any call or text)."""
    row = (
        get_db()
        .execute("SELECT locked_until FROM pin_failure WHERE account = ?", (number,))
        .fetchone()
    )
    return row is not None and row[0] is not None and row[0] > _now()


def pin_failed(number: str, limit: int, lockout: int) -> bool:
    """Count a wrong PIN for this account number; at ``limit`` failures in a
    row, lock PIN entry for ``lockout`` seconds. Whether it is now locked.

    The count lives here, not in the call's state: a replayed ``next`` URL
    brings back its old state, but not this table's.
    """
    until = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=lockout)
    db = get_db()
    with db:
        db.execute(
            "INSERT INTO pin_failure (account, failures) VALUES (?, 1)"
            " ON CONFLICT(account) DO UPDATE SET failures = failures + 1",
            (number,),
        )
        db.execute(
            "UPDATE pin_failure SET failures = 0, locked_until = ?"
            " WHERE account = ? AND failures >= ?",
            (until.isoformat(timespec="seconds"), number, limit),
        )
    return pin_locked(number)


def pin_accepted(number: str) -> None:
    """A right PIN: the count of wrong ones starts over."""
    db = get_db()
    with db:
        db.execute("DELETE FROM pin_failure WHERE account = ?", (number,))


def find_account(number: str) -> sqlite3.Row | None:
    """The account with this number, or ``None``.

    :param number: the six digit account number.
    """
    row = get_db().execute("SELECT * FROM account WHERE number = ?", (number,))
    return t.cast("sqlite3.Row | None", row.fetchone())


def voicemails() -> list[sqlite3.Row]:
    """Every voicemail, newest first."""
    rows = get_db().execute("SELECT * FROM voicemail ORDER BY id DESC")
    return rows.fetchall()


def recent_calls(limit: int = 20) -> list[sqlite3.Row]:
    """The last rows of the call log, newest first.

    :param limit: how many.
    """
    rows = get_db().execute("SELECT * FROM call_log ORDER BY id DESC LIMIT ?", (limit,))
    return rows.fetchall()


@click.command("init-db")
def init_db_command() -> None:
    """Drop the support line's tables and create them with sample rows."""
    path = current_app.config["EXAMPLE_DATABASE"]
    create_database(path)
    click.echo(f"Created {path} with {len(SAMPLE_ACCOUNTS)} sample accounts.")


def init_app(app: Flask) -> None:
    """Close connections at teardown, add the ``init-db`` command, and create
    the database with sample rows if ``EXAMPLE_DATABASE`` does not exist.

    :param app: the app.
    """
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
    if not os.path.exists(app.config["EXAMPLE_DATABASE"]):
        create_database(app.config["EXAMPLE_DATABASE"])
