"""pytest fixtures for Tropo apps, registered through the ``pytest11`` entry
point ``flask_tropo`` (disable with ``-p no:flask_tropo``).

All fixtures are named ``tropo_*``, none is autouse, and the plugin adds no
hooks beyond registering its marker. :func:`tropo_sim` uses your ``app``
fixture, the same contract as pytest-flask:

.. code-block:: python

    import pytest

    @pytest.fixture
    def app():
        return create_app({"TESTING": True})

    def test_pin(tropo_sim):
        call = tropo_sim.dial("/voice").press("1234")
        assert call.heard[-1] == "You entered 1234"

    @pytest.mark.tropo(transfer="busy")
    def test_busy(tropo_sim):
        call = tropo_sim.dial("/support")
        assert call.results[-1]["result"]["actions"]["disposition"] == "BUSY"

    def test_result_route(client, tropo_result_payload):
        payload = tropo_result_payload(actions={"name": "pin", "value": "1234"})
        assert client.post("/pin", json=payload).status_code == 200

    def test_no_path_fails(tropo_explore):
        flow = tropo_explore("/voice", inputs={"pin": ["1234"]})
        assert not flow.failures, flow.summary()
"""

from __future__ import annotations

import collections.abc as c
import typing as t

import pytest

if t.TYPE_CHECKING:  # pragma: no cover
    from .testing import Flow
    from .testing import Simulator

__all__ = [
    "tropo_explore",
    "tropo_result_payload",
    "tropo_session_payload",
    "tropo_sim",
    "tropo_simulator",
]

_MARKER = (
    "tropo(transfer='answer'): options of the tropo_sim simulator: transfer is"
    " 'answer', 'busy' or 'no-answer'."
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER)


@pytest.fixture
def tropo_simulator(
    request: pytest.FixtureRequest,
) -> c.Callable[..., Simulator]:
    """A factory of simulators: ``tropo_simulator(target=None, *,
    transfer="answer")``. Without a target it simulates against the ``app``
    fixture; give a base URL to call a running server over HTTP.
    """
    from .testing import Simulator

    def make(target: t.Any = None, **options: t.Any) -> Simulator:
        if target is None:
            target = request.getfixturevalue("app")
        return Simulator(target, **options)

    return make


@pytest.fixture
def tropo_sim(
    request: pytest.FixtureRequest,
    tropo_simulator: c.Callable[..., Simulator],
) -> Simulator:
    """A :class:`~flask_tropo.testing.Simulator` for the ``app`` fixture.

    Options come from the closest ``@pytest.mark.tropo(...)`` marker, for
    example ``@pytest.mark.tropo(transfer="busy")``.
    """
    marker = request.node.get_closest_marker("tropo")
    options = dict(marker.kwargs) if marker is not None else {}
    return tropo_simulator(**options)


@pytest.fixture
def tropo_explore(tropo_sim: Simulator) -> c.Callable[..., Flow]:
    """Explore every path of a call to a session route of the ``app``
    fixture: ``tropo_explore(rule, *, inputs=None, max_steps=12,
    max_paths=500)`` returns the :class:`~flask_tropo.testing.Flow` of
    :meth:`Simulator.explore <flask_tropo.testing.Simulator.explore>`.

    .. code-block:: python

        def test_no_path_fails(tropo_explore):
            flow = tropo_explore("/voice", inputs={"pin": ["1234"]})
            assert not flow.failures, flow.summary()
            assert not flow.unreached
    """
    return tropo_sim.explore


@pytest.fixture
def tropo_session_payload() -> c.Callable[..., dict[str, t.Any]]:
    """The factory :func:`flask_tropo.testing.session_payload`: a session
    document, ``kind="voice"``, ``"text"`` or ``"launch"``, with overrides.
    """
    from .testing import session_payload

    return session_payload


@pytest.fixture
def tropo_result_payload() -> c.Callable[..., dict[str, t.Any]]:
    """The factory :func:`flask_tropo.testing.result_payload`: a result
    document with overrides.
    """
    from .testing import result_payload

    return result_payload
