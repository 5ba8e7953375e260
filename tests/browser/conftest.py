"""Headless Chromium, driven by selenium, against ``flask tropo phone``.

These tests run with ``make test-browser`` (``pytest tests/browser``), not
with ``make test``: the default run does not recurse into this folder
(``norecursedirs`` in ``pyproject.toml``). They need Debian's ``chromium``
and ``chromium-driver`` (``/usr/bin/chromium``, ``/usr/bin/chromedriver``)
and ``selenium`` (the ``browser`` extra).
"""

from __future__ import annotations

import collections.abc as c
from pathlib import Path

import pytest
from phone_server import phone_server
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)


@pytest.fixture(scope="session")
def phone_url(tmp_path_factory: pytest.TempPathFactory) -> c.Iterator[str]:
    """The phone page of the example app, with a scratch database."""
    folder = tmp_path_factory.mktemp("phone")
    env = {
        "FLASK_SECRET_KEY": "browser tests secret key",
        "FLASK_EXAMPLE_DATABASE": str(folder / "example.sqlite3"),
        "FLASK_EXAMPLE_RECORDINGS": str(folder / "recordings"),
    }
    with phone_server("example_app", folder, env) as url:
        yield url


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> c.Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tmp_path_factory.mktemp("chromium-profile")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def docs_static() -> Path:
    return Path(__file__).parent.parent.parent / "docs" / "_static"
