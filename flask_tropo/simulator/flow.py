r"""What exploring a call finds: the :class:`Flow` of
:meth:`Simulator.explore <flask_tropo.testing.Simulator.explore>`, its
:class:`Path`\ s, :class:`Failure`\ s and :class:`Step`\ s.

:meta private:
"""

from __future__ import annotations

import collections.abc as c
import typing as t
from dataclasses import dataclass

from .. import verbs as v

if t.TYPE_CHECKING:  # pragma: no cover
    from .call import Call

__all__ = ["Failure", "Flow", "Path", "Step"]

#: What a step is.
StepKind = t.Literal["press", "speak", "silence", "hangup", "record", "transfer"]


@dataclass(frozen=True, slots=True)
class Step:
    """One choice on a path: what the caller did where the call waited, or
    what the far end of a ``transfer`` or ``call`` did."""

    #: ``"press"``, ``"speak"``, ``"silence"``, ``"hangup"``, ``"record"``
    #: (words spoken into a ``record``, then silence) or ``"transfer"``.
    kind: StepKind
    #: The keys, the words, or the far end's ``"answer"``, ``"busy"`` or
    #: ``"no-answer"``.
    value: str = ""

    def __str__(self) -> str:
        if self.kind in ("speak", "record"):
            word = "say" if self.kind == "speak" else "record"
            return f"{word} {self.value!r}"
        return f"{self.kind} {self.value}".rstrip()

    def apply(self, call: Call) -> None:
        """Play this input on ``call`` (not a ``transfer`` step: the far end
        answers through the simulator's ``transfer`` option).

        :param call: a call waiting for the caller.
        """
        if self.kind == "press":
            call.press(self.value)
        elif self.kind == "speak":
            call.speak(self.value)
        elif self.kind == "silence":
            call.silence()
        elif self.kind == "hangup":
            call.hangup()
        elif self.kind == "record":
            call.speak(self.value)
            if isinstance(call.waiting, v.Record):
                call.silence()
        else:
            raise ValueError(f"{self} is not an input of the caller.")


@dataclass(frozen=True, slots=True)
class Path:
    """One path of a call, from the dial to its end."""

    #: The choices, in order.
    inputs: tuple[Step, ...]
    #: Every prompt heard, in order.
    heard: tuple[str, ...]
    #: The endpoint of each document fetched, in order.
    endpoints: tuple[str, ...]
    #: Why the path ends: how the call ended (``"the app hung up"``),
    #: ``"a state repeats"``, ``"max_steps reached"``, or ``"failed"``.
    end: str


@dataclass(frozen=True, slots=True)
class Failure:
    """A path whose last step raised or got a bad answer."""

    #: The path, up to the failure.
    path: Path
    #: What was raised: the handler's exception, or the
    #: :exc:`~flask_tropo.testing.SimulationError` of a bad answer.
    exception: BaseException
    #: The endpoint that failed (its URL path when it is not known).
    endpoint: str

    @property
    def inputs(self) -> tuple[Step, ...]:
        """The choices that reproduce it, from a fresh dial."""
        return self.path.inputs

    def __str__(self) -> str:
        steps = ", ".join(map(str, self.inputs))
        when = f"after {steps}" if steps else "at the dial"
        error = " ".join(str(self.exception).split())
        return f"{self.endpoint} {when}: {type(self.exception).__name__}: {error}"


@dataclass(frozen=True, eq=False)
class Flow:
    """Every path of a call from one session route, as
    :meth:`Simulator.explore <flask_tropo.testing.Simulator.explore>` found
    them, and the graph they draw: a node per endpoint, an edge per event
    that led from one endpoint's document to another's.

    Endpoints are the Flask endpoints of an app called in process
    (``"ivr.menu_choice"``), else URL paths.
    """

    #: The session route explored.
    rule: str
    #: The endpoint of the session route.
    start: str
    #: Every path, in the order found.
    paths: tuple[Path, ...]
    #: The paths that failed.
    failures: tuple[Failure, ...]
    #: The endpoints reached, in the order first reached.
    endpoints: tuple[str, ...]
    #: The result and hangup routes of the app that no path reached.
    unreached: tuple[str, ...]
    #: ``(from_endpoint, event, to_endpoint)``, in the order first taken.
    edges: tuple[tuple[str, str, str], ...]
    #: The prompts played by each endpoint's documents, in order.
    prompts: c.Mapping[str, tuple[str, ...]]
    #: The kind of each known Tropo endpoint: ``"session"``, ``"result"``...
    kinds: c.Mapping[str, str]
    #: Whether exploring stopped at ``max_paths`` with paths left to play.
    truncated: bool = False

    def __repr__(self) -> str:
        return (
            f"<Flow {self.rule!r} paths={len(self.paths)}"
            f" failures={len(self.failures)}>"
        )

    def distinct_failures(self) -> list[tuple[Failure, int]]:
        """Each distinct failure (endpoint, exception type and message) once,
        with the shortest inputs that reproduce it, and how many paths fail
        that way."""
        found: dict[tuple[str, str, str], list[Failure]] = {}
        for failure in self.failures:
            error = failure.exception
            key = (failure.endpoint, type(error).__name__, str(error))
            found.setdefault(key, []).append(failure)
        return [(group[0], len(group)) for group in found.values()]

    def summary(self) -> str:
        """A few lines for a terminal or an assertion message: what was
        played, each distinct failure and the unreached endpoints.

        .. code-block:: python

            assert not flow.failures, flow.summary()
        """
        lines = [
            f"Explored {self.rule}: {_count(self.paths, 'path')},"
            f" {_count(self.endpoints, 'endpoint')} reached,"
            f" {_count(self.failures, 'failing path')}."
        ]
        if self.truncated:
            lines.append("Stopped at max_paths: some paths were not played.")
        for failure, count in self.distinct_failures():
            more = f" ({count - 1} more path(s) fail the same way)" if count > 1 else ""
            lines.append(f"FAILED {failure}{more}")
        if self.unreached:
            lines.append(f"Unreached: {', '.join(self.unreached)}")
        return "\n".join(lines)

    def to_mermaid(self) -> str:
        """The graph as a Mermaid ``flowchart``."""
        from .drawing import to_mermaid

        return to_mermaid(self)

    def to_dot(self) -> str:
        """The graph in Graphviz's DOT language."""
        from .drawing import to_dot

        return to_dot(self)

    def to_svg(self) -> str:
        """The graph drawn as an SVG element, laid out here (no Graphviz)."""
        from .drawing import to_svg

        return to_svg(self)

    def to_html(self) -> str:
        """One self-contained HTML page, usable offline: the graph as SVG,
        each endpoint's prompts, each failure with its inputs."""
        from .report import to_html

        return to_html(self)


def _count(items: c.Sized, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
