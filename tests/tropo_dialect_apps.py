"""WebAPI apps written without flask_tropo, answering raw JSON in the dialects
of the PHP and Java SDKs (``tropo-webapi.md`` 1.2 and 6.4, 6.6).

``create_app()`` serves both: the PHP app under ``/php/`` (say and on always
arrays, ``"hangup": "null"``, record ``url`` as an object, document-relative
``next`` URLs with query strings, ``text/html`` content type) and the Java app
under ``/java/`` (say always arrays, ``"mode": "DTMF"``, floats like
``30.0``, ``on`` as an object or an array, root-relative ``next`` URLs). It
also has a ``flask tropo call`` command of its own, so that the command can be
run in a subprocess with ``--app tests/tropo_dialect_apps.py``.
"""

from __future__ import annotations

import json
import typing as t

from flask import Flask
from flask import Response
from flask import abort
from flask import request
from flask.cli import AppGroup

from flask_tropo.simulator.console import call_command


def php(document: dict[str, t.Any]) -> Response:
    """PHP's echo of ``json_encode``: no JSON content type."""
    return Response(json.dumps(document), content_type="text/html; charset=UTF-8")


def _result() -> dict[str, t.Any]:
    return t.cast(dict[str, t.Any], request.get_json(force=True)["result"])


def php_index() -> Response:
    return php(
        {
            "tropo": [
                {"say": [{"value": "Welcome to PHP Pizza."}]},
                {
                    "ask": {
                        "attempts": 3,
                        "bargein": True,
                        "choices": {
                            "value": "pepperoni(pepperoni,1), cheese(cheese,2)",
                            "mode": "any",
                        },
                        "name": "pizza",
                        "say": [
                            {"value": "Sorry, I did not get that.", "event": "nomatch"},
                            {"value": "Are you still there?", "event": "timeout"},
                            {"value": "Say pepperoni or press 1, cheese or press 2."},
                        ],
                        "timeout": 5,
                        "required": True,
                    }
                },
                {
                    "on": [
                        {
                            "event": "continue",
                            "next": "order.php?uri=pizza",
                            "say": {"value": "Great choice."},
                        },
                        {"event": "incomplete", "next": "/php/bye.php"},
                        {"event": "hangup", "next": "hangup.php"},
                    ]
                },
            ]
        }
    )


def php_order() -> Response:
    if request.args.get("uri") != "pizza":
        abort(400)
    pizza = _result()["actions"]["value"]
    return php(
        {
            "tropo": [
                {"say": [{"value": f"One {pizza} pizza."}]},
                {
                    "record": {
                        "url": {"url": "http://example.invalid/upload_file.php"},
                        "name": "instructions",
                        "beep": True,
                        "maxSilence": 5,
                        "maxTime": 30,
                        "choices": {"terminator": "#"},
                        "say": [
                            {"value": "Record delivery instructions, then press pound."}
                        ],
                        "format": "audio/wav",
                    }
                },
                {"on": [{"event": "continue", "next": "done.php"}]},
            ]
        }
    )


def php_done() -> Response:
    seconds = _result()["actions"]["duration"]
    return php(
        {
            "tropo": [
                {"say": [{"value": f"Instructions of {seconds} seconds saved."}]},
                {"hangup": "null"},
            ]
        }
    )


def php_bye() -> Response:
    return php({"tropo": [{"say": [{"value": "Goodbye."}]}, {"hangup": "null"}]})


def java_start() -> dict[str, t.Any]:
    return {
        "tropo": [
            {"say": [{"value": "Welcome to Java Bank"}]},
            {
                "ask": {
                    "choices": {
                        "value": "[4 DIGITS]",
                        "mode": "DTMF",
                        "terminator": "#",
                    },
                    "attempts": 3,
                    "bargein": True,
                    "timeout": 10.0,
                    "interdigitTimeout": 5.0,
                    "name": "pin",
                    "required": True,
                    "say": [
                        {
                            "value": "Sorry, I did not hear anything.",
                            "event": "timeout",
                        },
                        {"value": "That was not four digits.", "event": "nomatch:1"},
                        {"value": "Last try.", "event": "nomatch:2"},
                        {"value": "Enter your PIN, then press pound."},
                    ],
                }
            },
            {
                "on": {
                    "event": "continue",
                    "next": "/java/check",
                    "say": [{"value": "Checking."}],
                }
            },
            {"on": [{"event": "incomplete", "next": "/java/locked"}]},
        ]
    }


def java_check() -> dict[str, t.Any]:
    pin = _result()["actions"]["interpretation"]
    return {
        "tropo": [
            {"say": [{"value": f"PIN {pin} accepted. Connecting you to an advisor."}]},
            {
                "transfer": {
                    "to": "tel:+14155550111",
                    "from": "14155550100",
                    "timeout": 60.0,
                    "answerOnMedia": False,
                    "required": True,
                    "allowSignals": ["exit", "quit"],
                    "machineDetection": False,
                    "choices": {"terminator": "0"},
                    "interdigitTimeout": 5.5,
                    "ringRepeat": 5,
                    "playTones": True,
                    "voice": "tom",
                    "name": "advisor",
                    "on": [
                        {
                            "event": "ring",
                            "say": [
                                {
                                    "value": "http://example.invalid/hold.mp3",
                                    "name": "say",
                                }
                            ],
                        },
                        {
                            "event": "connect",
                            "ask": {
                                "attempts": 3,
                                "say": [
                                    {"value": "Press 1 to accept.", "event": "nomatch"},
                                    {"value": "Press 1 to accept."},
                                ],
                                "required": True,
                                "bargein": True,
                                "timeout": 10.0,
                                "name": "ask",
                                "choices": {"value": "[1 DIGIT]", "mode": "DTMF"},
                            },
                        },
                    ],
                }
            },
            {"on": {"event": "continue", "next": "/java/done?how=connected"}},
            {"on": {"event": "incomplete", "next": "/java/done?how=missed"}},
        ]
    }


def java_done() -> dict[str, t.Any]:
    action = _result()["actions"]
    how = request.args["how"]
    return {
        "tropo": [
            {"say": [{"value": f"Transfer {how}: {action['disposition']}."}]},
            {"hangup": None},
        ]
    }


def java_locked() -> dict[str, t.Any]:
    disposition = _result()["actions"]["disposition"]
    return {
        "tropo": [
            {"say": [{"value": f"Your account is locked ({disposition})."}]},
            {"hangup": None},
        ]
    }


def create_app() -> Flask:
    """Both dialect apps, plus a ``tropo call`` command."""
    app = Flask(__name__)
    routes: dict[str, t.Callable[[], t.Any]] = {
        "/php/index.php": php_index,
        "/php/order.php": php_order,
        "/php/done.php": php_done,
        "/php/bye.php": php_bye,
        "/php/hangup.php": php_bye,
        "/java/start": java_start,
        "/java/check": java_check,
        "/java/done": java_done,
        "/java/locked": java_locked,
    }
    for rule, view in routes.items():
        app.add_url_rule(rule, view.__name__ + rule, view, methods=["POST"])
    group = AppGroup("tropo")
    group.add_command(call_command)
    app.cli.add_command(group)
    return app
