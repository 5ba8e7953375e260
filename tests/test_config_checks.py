"""Configuration checked in ``init_app``, and ``flask tropo check``, the
deploy checklist (issue 13, item 12)."""

from __future__ import annotations

import logging
import secrets
import typing as t

import pytest
from flask import Flask

from flask_tropo import Result
from flask_tropo import Session
from flask_tropo import Tropo
from flask_tropo import call_state
from flask_tropo.config_checks import REQUEST_LINE
from flask_tropo.testing import session_payload
from flask_tropo.verbs import Hangup
from flask_tropo.verbs import On
from flask_tropo.verbs import Say

GOOD_KEY = "f3c1b0e5a8d94e7c9b2a6d5e4f3a2b1c"


@pytest.mark.parametrize(
    "auth",
    [
        ("tropo", None),
        ("tropo", ""),
        ("", "s3cret"),
        "tropo:s3cret",
        ("a", "b", "c"),
        ("tropo", 1234),
    ],  # fmt: skip
)
def test_basic_auth_must_be_two_non_empty_strings(app: Flask, auth: t.Any) -> None:
    app.config["TROPO_BASIC_AUTH"] = auth
    with pytest.raises(ValueError) as info:
        Tropo(app)
    assert str(info.value).startswith(
        "TROPO_BASIC_AUTH must be None or (user, password), two non-empty strings,"
        f" got {auth!r}"
    )
    assert "tropo" not in app.extensions


@pytest.mark.parametrize("auth", [None, ("tropo", "s3cret"), ["tropo", "s3cret"]])
def test_basic_auth_accepted(app: Flask, auth: t.Any) -> None:
    app.config["TROPO_BASIC_AUTH"] = auth
    Tropo(app)


@pytest.mark.parametrize("limit", [8192, 3812, 0, -1, "2048", 2048.0, True])
def test_state_bytes_must_leave_room_for_a_next_url(app: Flask, limit: t.Any) -> None:
    app.config["TROPO_MAX_STATE_BYTES"] = limit
    with pytest.raises(ValueError, match="TROPO_MAX_STATE_BYTES"):
        Tropo(app)


@pytest.mark.parametrize("limit", [None, 1, 2048, 3811])
def test_state_bytes_accepted(app: Flask, limit: t.Any) -> None:
    app.config["TROPO_MAX_STATE_BYTES"] = limit
    Tropo(app)


def test_the_largest_state_allowed_fits_a_request_line(app: Flask) -> None:
    """With the largest TROPO_MAX_STATE_BYTES init_app accepts, the request
    line of a next URL to a 256-byte path fits gunicorn's 4,094 bytes."""
    app.config["TROPO_MAX_STATE_BYTES"] = 3811
    tropo = Tropo()
    rule = "/" + "r" * 255

    @tropo.on_session("/voice")
    def incoming(session: Session) -> list[t.Any]:
        # random text does not compress: the token grows to the limit
        call_state["blob"] = secrets.token_urlsafe(2000)
        return [Say("Hi"), On("continue", next=step)]

    def step(result: Result) -> Hangup:  # pragma: no cover - never posted
        return Hangup()

    tropo.add_result_rule(rule, "step", step)
    tropo.init_app(app)
    document = app.test_client().post("/voice", json=session_payload()).json
    [url] = [e["on"]["next"] for e in document["tropo"] if "on" in e]
    path, _, token = url.partition("?tropo_token=")
    assert len(path) == 256 and 2000 < len(token) <= 3811
    # the longest token the limit lets through still fits
    assert len(f"POST {path}?tropo_token={'t' * 3811} HTTP/1.1") <= REQUEST_LINE


@pytest.mark.parametrize(
    ("key", "warned"),
    [
        ("dev", "the secret key 'dev' is a published placeholder"),
        ("Change Me", "the secret key 'Change Me' is a published placeholder"),
        ("short key", "the secret key is 9 bytes, under 16"),
        (None, "no secret key is set (TROPO_SECRET_KEY or SECRET_KEY)"),
        (GOOD_KEY, None),
        (["dev", GOOD_KEY], None),  # the last key signs
    ],
)
def test_a_weak_key_is_logged_outside_debug_and_testing(
    app: Flask, caplog: pytest.LogCaptureFixture, key: t.Any, warned: str | None
) -> None:
    app.config.update(SECRET_KEY=key, TESTING=False)
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        Tropo(app)
    messages = [r.getMessage() for r in caplog.records]
    if warned is None:
        assert messages == []
    else:
        [message] = messages
        assert message.startswith(f"flask-tropo: {warned}; anyone who knows it")
        assert "Set TROPO_SECRET_KEY (or SECRET_KEY)" in message


@pytest.mark.parametrize("mode", ["TESTING", "DEBUG"])
def test_no_warning_in_debug_or_testing(
    app: Flask, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    app.config.update(SECRET_KEY="dev", TESTING=mode == "TESTING")
    app.debug = mode == "DEBUG"
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        Tropo(app)
    assert caplog.records == []


# -- flask tropo check -------------------------------------------------------------


def _line(app: Flask) -> Tropo:
    tropo = Tropo()

    @tropo.on_session("/voice")
    def incoming(session: Session) -> list[t.Any]:
        return [Say("Hi"), On("continue", next=done)]

    @tropo.on_result("/done")
    def done(result: Result) -> Hangup:
        return Hangup()

    tropo.init_app(app)
    return tropo


def test_check_passes_a_deployable_app(app: Flask) -> None:
    app.config.update(
        SECRET_KEY=GOOD_KEY,
        TROPO_BASIC_AUTH=("tropo", "s3cret"),
        TROPO_EXTERNAL_URL="https://ivr.example.com",
    )
    _line(app)
    result = app.test_cli_runner().invoke(args=["tropo", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "ok  the secret key is long and not a placeholder",
        "ok  debug mode is off",
        "ok  next tokens are checked",
        "ok  tropo routes ask for HTTP Basic credentials",
        "ok  TROPO_EXTERNAL_URL is an https:// address",
        f"ok  a next URL with 2048 bytes of state fits a request line of"
        f" {REQUEST_LINE} bytes",
    ]


def test_check_lists_what_to_fix_and_exits_1(app: Flask) -> None:
    app.config.update(SECRET_KEY="dev", TROPO_VERIFY_NEXT=False)
    _line(app)
    app.config.update(TROPO_MAX_STATE_BYTES=None)
    app.debug = True
    result = app.test_cli_runner().invoke(args=["tropo", "check"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "FIX  the secret key 'dev' is a published placeholder",
        "FIX  debug mode is on: tracebacks and the debugger are public",
        "FIX  TROPO_VERIFY_NEXT is off: anyone can post results to any step",
        "FIX  tropo routes take requests from anyone: set TROPO_BASIC_AUTH",
        "FIX  TROPO_EXTERNAL_URL is not set: next URLs take the host each request"
        " names; set the public https:// address the platform calls",
        f"FIX  TROPO_MAX_STATE_BYTES is None: a large call_state makes next URLs"
        f" longer than the {REQUEST_LINE} bytes of a request line",
        "Error: 6 items to fix before deploying.",
    ]


def test_check_measures_the_longest_route_and_the_external_prefix(app: Flask) -> None:
    app.config.update(
        SECRET_KEY=GOOD_KEY,
        TROPO_BASIC_AUTH=("tropo", "s3cret"),
        TROPO_EXTERNAL_URL="http://ivr.example.com/" + "p" * 100,
        TROPO_MAX_STATE_BYTES=3811,
    )
    tropo = _line(app)
    assert tropo.blueprint.tropo_routes
    result = app.test_cli_runner().invoke(args=["tropo", "check"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[4] == (
        "FIX  TROPO_EXTERNAL_URL 'http://ivr.example.com/" + "p" * 100 + "' is not"
        " https://: tokens and credentials travel in clear"
    )
    # "/ppp...ppp/voice" is 107 bytes: 27 + 107 + 3811 = 3945, it fits
    assert lines[5].startswith("ok  a next URL with 3811 bytes of state fits")
