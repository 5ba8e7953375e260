"""pytest fixtures for Tropo apps, registered through the ``pytest11`` entry
point ``flask_tropo`` (disable with ``-p no:flask_tropo``); see :doc:`/testing`.

All fixtures are named ``tropo_*``, none is autouse, and the plugin adds no
hooks beyond registering its marker. They use your ``app`` fixture, as
pytest-flask does. :mod:`flask_tropo.testing` is imported by the fixtures, not
when pytest loads the plugin.
"""

from __future__ import annotations

import collections.abc as c
import typing as t

import pytest

if t.TYPE_CHECKING:  # pragma: no cover
    from .testing import Flow
    from .testing import Simulator


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "tropo(transfer='answer'): options of the tropo_sim simulator: transfer"
        " is 'answer', 'busy' or 'no-answer'.",
    )


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
    """A :class:`~flask_tropo.testing.Simulator` for the ``app`` fixture, with
    the options of the closest ``@pytest.mark.tropo(transfer=...)`` marker.
    """
    marker = request.node.get_closest_marker("tropo")
    return tropo_simulator(**(marker.kwargs if marker is not None else {}))


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
    """
    return tropo_sim.explore


@pytest.fixture
def tropo_session_payload() -> c.Callable[..., dict[str, t.Any]]:
    """The factory :func:`flask_tropo.testing.session_payload`."""
    from .testing import session_payload

    return session_payload


@pytest.fixture
def tropo_result_payload() -> c.Callable[..., dict[str, t.Any]]:
    """The factory :func:`flask_tropo.testing.result_payload`."""
    from .testing import result_payload

    return result_payload
