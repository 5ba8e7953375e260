"""``flask tropo routes``."""

from __future__ import annotations

from flask import Flask

from flask_tropo.blueprint import TropoBlueprint
from flask_tropo.cli import cli
from flask_tropo.extension import Tropo
from flask_tropo.verbs import Hangup


def test_routes_lists_every_tropo_route(app: Flask) -> None:
    tropo = Tropo()
    tropo.add_session_rule("/voice", "incoming", lambda s: Hangup())
    tropo.add_result_rule("/pin", "check_pin", lambda r: Hangup())
    tropo.add_hangup_rule("/hangup", "hung_up", lambda r: Hangup())
    tropo.init_app(app)
    bp = TropoBlueprint("ivr", __name__)
    bp.add_error_rule("/error", "failed", lambda r: Hangup())
    app.register_blueprint(bp, url_prefix="/ivr")

    @app.route("/page")
    def page() -> str:
        return "not a Tropo route"

    result = app.test_cli_runner().invoke(args=["tropo", "routes"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Rule        Kind     Endpoint",
        "----------  -------  ---------------",
        "/voice      session  tropo.incoming",
        "/pin        result   tropo.check_pin",
        "/hangup     hangup   tropo.hung_up",
        "/ivr/error  error    ivr.failed",
    ]


def test_no_routes(app: Flask) -> None:
    Tropo(app)
    result = app.test_cli_runner().invoke(args=["tropo", "routes"])
    assert result.exit_code == 0
    assert result.output.startswith("No Tropo routes are registered on this app")


def test_without_the_extension(app: Flask) -> None:
    app.cli.add_command(cli)
    result = app.test_cli_runner().invoke(args=["tropo", "routes"])
    assert result.exit_code == 1
    assert "Error: The Tropo extension is not initialized" in result.output
