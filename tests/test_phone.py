"""The phone page's server and its JSON API, without a browser (the page
itself is played in Chromium by ``tests/browser``)."""

from __future__ import annotations

import configparser
import fnmatch
import json
import typing as t
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from explore_apps import MENU_PROMPT
from explore_apps import make_app
from explore_apps import menu_app
from explore_apps import pin_blueprint
from flask import Flask
from flask.testing import FlaskClient
from phone_server import phone_server

from flask_tropo.simulator.phone import create_phone_app
from flask_tropo.simulator.phone import server

ROOT = Path(__file__).parent.parent
TEST_IDS = {
    "route",
    "dial",
    "keys",
    "press",
    "speech",
    "speak",
    "silence",
    "hangup",
    "transcript",
    "status",
}


def phone(app: Flask) -> FlaskClient:
    return create_phone_app(app).test_client()


def start(client: FlaskClient, **body: t.Any) -> dict[str, t.Any]:
    response = client.post("/api/calls", json={"rule": "/voice", **body})
    assert response.status_code == 200, response.get_json()
    return t.cast(dict[str, t.Any], response.get_json())


def act(
    client: FlaskClient, state: dict[str, t.Any], action: str, value: str = ""
) -> t.Any:
    return client.post(
        f"/api/calls/{state['id']}", json={"action": action, "value": value}
    )


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.loads: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("data-testid"):
            self.ids.add(t.cast(str, found["data-testid"]))
        for key in ("src", "href"):
            if found.get(key):
                self.loads.append(t.cast(str, found[key]))


def test_page_and_its_files_come_from_the_package() -> None:
    client = phone(menu_app())
    with client.get("/") as page:
        assert page.status_code == 200 and page.mimetype == "text/html"
        parsed = _Page()
        parsed.feed(page.get_data(as_text=True))
    assert parsed.ids >= TEST_IDS
    assert sorted(parsed.loads) == ["static/phone.css", "static/phone.js"]
    for path in parsed.loads:
        with client.get("/" + path) as response:
            assert response.status_code == 200
            assert b"http://" not in response.data
            assert b"https://" not in response.data


def test_routes_and_graph() -> None:
    app = make_app(pin_blueprint())
    client = phone(app)
    assert client.get("/api/routes").get_json() == {
        "routes": [
            {"rule": "/pin", "endpoint": "pin.ask_pin"},
            {"rule": "/spoken", "endpoint": "pin.spoken"},
        ]
    }
    graph = client.get("/api/graph?rule=/pin").get_json()
    assert graph["svg"].startswith("<svg ")
    assert 'data-endpoint="pin.check"' in graph["svg"]
    assert graph["summary"].startswith("Explored /pin: ")
    missing = client.get("/api/graph?rule=/check")
    assert missing.status_code == 404
    assert missing.get_json() == {
        "error": "'/check' is not a session route of the app."
    }


def test_a_whole_call() -> None:
    client = phone(menu_app())
    state = start(client)
    assert state["heard"] == [MENU_PROMPT]
    assert state["status"] == "Waiting for the caller (ask)."
    assert state["endpoint"] == "menu.incoming"
    assert state["ended"] is False
    assert state["log"][0] == "POST http://localhost/voice [session] -> 200"
    [exchange] = state["exchanges"]
    assert exchange["request"]["session"]["to"]["channel"] == "VOICE"
    assert exchange["response"]["tropo"][0]["ask"]["say"]["value"] == MENU_PROMPT
    state = act(client, state, "press", "2 ").get_json()
    assert state["heard"][-1] == "Connecting you."
    assert (
        state["status"]
        == "Call ended: the document ran out (no handler for 'continue')."
    )
    assert state["visited"] == ["menu.incoming", "menu.choice"]
    assert state["taken"] == [["menu.incoming", "menu.choice"]]
    assert "> press 2" in state["log"]
    refused = act(client, state, "hangup")
    assert refused.status_code == 409
    assert refused.get_json() == {"error": "The call has ended."}


def test_speech_silence_and_hangup() -> None:
    client = phone(menu_app())
    state = start(client)
    state = act(client, state, "speak", " pizza ").get_json()
    assert state["heard"] == [MENU_PROMPT, MENU_PROMPT]
    state = act(client, state, "silence").get_json()
    assert state["heard"][-1] == "Goodbye."
    assert state["ended"]
    state = start(client)
    state = act(client, state, "hangup").get_json()
    assert state["status"] == "Call ended: the caller hung up."
    assert state["visited"][-1] == "menu.hung_up"


def test_a_text_conversation() -> None:
    app = make_app(pin_blueprint())
    client = phone(app)
    state = start(client, rule="/spoken", text="purple")
    # the first message answered the ask: no match, and the prompt was not sent
    assert state["text"] is True
    assert state["heard"] == ["Nothing is wrong."]
    assert state["ended"]


@pytest.mark.parametrize("testing", [True, False])
def test_a_failing_handler(testing: bool) -> None:
    client = phone(menu_app(TESTING=testing))
    state = act(client, start(client), "press", "3").get_json()
    assert state["ended"]
    assert "ZeroDivisionError" in state["error"]
    if testing:
        assert state["status"] == "Call ended: error."
    else:  # the apology was played
        assert state["status"].endswith("A handler failed.")
        assert len(state["heard"]) == 2


@pytest.mark.parametrize(
    ("url", "body", "status", "message"),
    [
        ("/api/calls", {"rule": "/choice"}, 400, 'Expected {"rule"'),
        ("/api/calls", [], 400, 'Expected {"rule"'),
        ("/api/calls", {"rule": "/voice", "text": ""}, 400, "'text' must be"),
        ("/api/calls/nope", {"action": "hangup"}, 404, "No such call."),
        ("CALL", {"action": "dance"}, 400, "'action' must be one of"),
        ("CALL", {"action": "press", "value": "12a"}, 400, "Press keys 0-9"),
        ("CALL", {"action": "press"}, 400, "Press keys 0-9"),
        ("CALL", {"action": "speak", "value": " "}, 400, "Say something"),
        ("CALL", {"action": "speak", "value": 5}, 400, "'value' must be a string"),
    ],
)
def test_refusals(url: str, body: t.Any, status: int, message: str) -> None:
    client = phone(menu_app())
    if url == "CALL":
        url = f"/api/calls/{start(client)['id']}"
    response = client.post(url, json=body)
    assert response.status_code == status
    assert message in response.get_json()["error"]


def test_old_calls_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "MAX_CALLS", 2)
    client = phone(menu_app())
    first, _, _ = start(client), start(client), start(client)
    assert act(client, first, "hangup").status_code == 404


def test_the_phone_is_not_part_of_the_app() -> None:
    app = menu_app()
    rules = sorted(rule.rule for rule in app.url_map.iter_rules())
    phone(app).post("/api/calls", json={"rule": "/voice"})
    assert sorted(rule.rule for rule in app.url_map.iter_rules()) == rules
    assert app.test_client().get("/api/routes").status_code == 404


@pytest.mark.slow
def test_flask_tropo_phone_serves_on_loopback(tmp_path: Path) -> None:
    (tmp_path / "menuapp.py").write_text(
        "from explore_apps import menu_app\napp = menu_app(TESTING=False)\n",
        encoding="utf-8",
    )
    with phone_server("menuapp", tmp_path) as url:
        assert url.startswith("http://127.0.0.1:")
        request = urllib.request.Request(
            url + "api/calls",
            data=json.dumps({"rule": "/voice"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert json.load(answer)["heard"] == [MENU_PROMPT]
    log = (tmp_path / "phone-server.log").read_text()
    assert f"The phone page: {url}" in log


def test_the_page_files_are_package_data() -> None:
    # setup.cfg ships them in the wheel: every file of static/ matches a glob
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    data = config["options.package_data"]["flask_tropo"]
    globs = [item.strip() for item in data.split(",")]
    package = ROOT / "flask_tropo"
    static = package / "simulator" / "phone" / "static"
    files = [p for p in static.rglob("*") if p.is_file()]
    assert {p.name for p in files} == {"phone.html", "phone.css", "phone.js"}
    for path in files:
        relative = path.relative_to(package).as_posix()
        assert any(fnmatch.fnmatch(relative, g) for g in globs), relative
