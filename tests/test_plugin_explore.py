"""The ``tropo_explore`` fixture, run in-process with pytester."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS_DIR = str(Path(__file__).parent)
CONFTEST = """
import sys

import pytest

sys.path.insert(0, {tests!r})
from explore_apps import menu_app


@pytest.fixture
def app():
    return menu_app()
"""

MENU_TESTS = """
def test_the_menu_fails(tropo_explore):
    flow = tropo_explore("/voice")
    assert flow.failures
    assert flow.unreached == ("menu.survey",)


def test_gate(tropo_explore):
    flow = tropo_explore("/voice", max_paths=50)
    assert not flow.failures, flow.summary()
"""

PIN_TESTS = """
import pytest
from explore_apps import make_app, pin_blueprint


@pytest.fixture
def app():
    return make_app(pin_blueprint())


def test_no_path_fails(tropo_explore):
    flow = tropo_explore("/pin", inputs={"pin": ["1234"]})
    assert not flow.failures, flow.summary()
"""


def test_tropo_explore(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST.format(tests=TESTS_DIR))
    pytester.makepyfile(test_menu=MENU_TESTS, test_pin=PIN_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=2, failed=1)
    # the gate's message is the flow's summary
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: Explored /voice: * paths, 5 endpoints reached,*",
            "*FAILED menu.choice after press 3: ZeroDivisionError*",
            "*Unreached: menu.survey*",
        ]
    )


def test_tropo_explore_needs_an_app_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_it(tropo_explore):\n    pass\n")
    result = pytester.runpytest("-p", "no:flask")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'app' not found*"])
