"""The checks of the ``TROPO_*`` configuration: the mistakes ``init_app``
refuses (with what to set instead) or warns about, and the deploy checklist
of ``flask tropo check``. Internal; may change at any time.
"""

from __future__ import annotations

import collections.abc as c
import typing as t
from urllib.parse import urlsplit

from .views import platforms_of

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Flask

__all__ = ["REQUEST_LINE", "check_config", "deploy_report", "weak_key"]

#: The longest request line gunicorn reads (``limit_request_line``); a
#: ``next`` URL must fit in it with its method and protocol.
REQUEST_LINE = 4094
#: ``POST <path>?tropo_token=<token> HTTP/1.1`` without path and token.
_FRAME = len("POST ?tropo_token= HTTP/1.1")
#: Room ``init_app`` keeps for the path of the routes, not all known yet.
_PATH_ROOM = 256
#: Keys published in tutorials and templates: signing with one is no secret.
_PLACEHOLDERS = frozenset(
    {
        "dev",
        "development",
        "test",
        "testing",
        "secret",
        "secret key",
        "secret-key",
        "secret_key",
        "change me",
        "changeme",
        "change-me",
        "change_me",
        "changethis",
        "please change me",
        "your secret key",
        "your-secret-key",
        "super secret",
        "supersecret",
        "key",
        "password",
    }
)
#: The signature key of each platform that signs its requests (issue 14).
_SIGNATURE_KEYS = {
    "twilio": "TROPO_TWILIO_AUTH_TOKEN",
    "jambonz": "TROPO_JAMBONZ_WEBHOOK_SECRET",
}


def weak_key(key: t.Any) -> str | None:
    """Why the signing key is weak, or ``None``: missing, a published
    placeholder, or under 16 bytes. Of a list of keys, the last signs."""
    if isinstance(key, (list, tuple)):
        key = key[-1] if key else None
    if not key:
        return "no secret key is set (TROPO_SECRET_KEY or SECRET_KEY)"
    raw = key.encode() if isinstance(key, str) else bytes(key)
    if raw.strip().lower().decode("utf-8", "replace") in _PLACEHOLDERS:
        return f"the secret key {key!r} is a published placeholder"
    if len(raw) < 16:
        return f"the secret key is {len(raw)} bytes, under 16"
    return None


def _room(limit: t.Any, path: int) -> int | None:
    """How many bytes a request line of a ``next`` URL with a ``path`` of
    ``path`` bytes is over :data:`REQUEST_LINE`; ``None`` when it fits."""
    over = _FRAME + path + limit - REQUEST_LINE
    return over if over > 0 else None


def check_config(app: Flask) -> None:
    """Refuse what cannot work, saying what to set; log a weak key outside
    debug and testing. Called by ``init_app``.

    :raise ValueError: ``TROPO_BASIC_AUTH`` is not two non-empty strings, or
        ``TROPO_MAX_STATE_BYTES`` leaves no room for a ``next`` URL.
    """
    config = app.config
    auth = config["TROPO_BASIC_AUTH"]
    if auth is not None and not (
        isinstance(auth, (list, tuple))
        and len(auth) == 2
        and all(isinstance(part, str) and part for part in auth)
    ):
        raise ValueError(
            "TROPO_BASIC_AUTH must be None or (user, password), two non-empty"
            f" strings, got {auth!r}: set it to, for example,"
            ' ("tropo", os.environ["TROPO_PASSWORD"]).'
        )
    limit = config["TROPO_MAX_STATE_BYTES"]
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(
                f"TROPO_MAX_STATE_BYTES must be a positive number of bytes, got"
                f" {limit!r}."
            )
        if _room(limit, _PATH_ROOM):
            most = REQUEST_LINE - _FRAME - _PATH_ROOM
            raise ValueError(
                f"TROPO_MAX_STATE_BYTES = {limit} leaves no room for a next URL"
                f" in a request line of {REQUEST_LINE} bytes (gunicorn's"
                " limit; longer ones are answered 414 and the call breaks):"
                f" set it to at most {most}, and keep large state in your"
                " database."
            )
    weak = weak_key(config["TROPO_SECRET_KEY"] or config["SECRET_KEY"])
    if weak and not (app.debug or app.testing):
        app.logger.warning(
            "flask-tropo: %s; anyone who knows it can forge the steps of a call."
            " Set TROPO_SECRET_KEY (or SECRET_KEY) to a long random value, for"
            " example secrets.token_hex(32).",
            weak,
        )


def deploy_report(app: Flask, rules: c.Sequence[str]) -> list[tuple[bool, str]]:
    """The deploy checklist: ``(ok, what)`` for each item.

    :param rules: the paths of the app's Tropo routes, as ``url_map`` has them.
    """
    config = app.config
    external = config["TROPO_EXTERNAL_URL"]
    if not external:
        url = (
            "TROPO_EXTERNAL_URL is not set: next URLs take the host each request"
            " names; set the public https:// address the platform calls"
        )
    elif urlsplit(external).scheme != "https":
        url = (
            f"TROPO_EXTERNAL_URL {external!r} is not https://: tokens and"
            " credentials travel in clear"
        )
    else:
        url = None
    return [
        _item(
            weak_key(config["TROPO_SECRET_KEY"] or config["SECRET_KEY"]),
            "the secret key is long and not a placeholder",
        ),
        _item(
            "debug mode is on: tracebacks and the debugger are public"
            if app.debug
            else None,
            "debug mode is off",
        ),
        _item(
            None
            if config["TROPO_VERIFY_NEXT"]
            else "TROPO_VERIFY_NEXT is off: anyone can post results to any step",
            "next tokens are checked",
        ),
        *_callers(app),
        _item(url, "TROPO_EXTERNAL_URL is an https:// address"),
        _state_room(config, rules),
    ]


def _item(problem: str | None, ok: str) -> tuple[bool, str]:
    """``(False, problem)``, or ``(True, ok)`` when there is none."""
    return (False, problem) if problem else (True, ok)


def _callers(app: Flask) -> list[tuple[bool, str]]:
    """Who may start calls: Basic auth, or each platform's signature."""
    config = app.config
    names = sorted({p.name for p in platforms_of(app).values()} or {"tropo"})
    report = []
    for name in names:
        key = _SIGNATURE_KEYS.get(name)
        if config["TROPO_BASIC_AUTH"]:
            report.append((True, f"{name} routes ask for HTTP Basic credentials"))
        elif key and config.get(key):
            report.append((True, f"{name} routes check the platform's signature"))
        else:
            what = f"set TROPO_BASIC_AUTH{f' or {key}' if key else ''}"
            report.append((False, f"{name} routes take requests from anyone: {what}"))
    return report


def _state_room(config: t.Any, rules: c.Sequence[str]) -> tuple[bool, str]:
    limit = config["TROPO_MAX_STATE_BYTES"]
    if limit is None:
        return (
            False,
            "TROPO_MAX_STATE_BYTES is None: a large call_state makes next URLs"
            f" longer than the {REQUEST_LINE} bytes of a request line",
        )
    prefix = urlsplit(config["TROPO_EXTERNAL_URL"] or "").path.rstrip("/")
    path = max((len(prefix + rule) for rule in rules), default=len(prefix) + 1)
    over = _room(limit, path)
    if over:
        return (
            False,
            f"TROPO_MAX_STATE_BYTES = {limit}: a next URL to the longest route"
            f" can be {over} bytes over the {REQUEST_LINE} bytes of a request"
            f" line; set at most {limit - over}",
        )
    return (
        True,
        f"a next URL with {limit} bytes of state fits a request line of"
        f" {REQUEST_LINE} bytes",
    )
