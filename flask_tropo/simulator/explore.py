"""Every path of a call: :meth:`Simulator.explore
<flask_tropo.testing.Simulator.explore>` and the :class:`Flow` it returns.

The explorer plays a call breadth first. Each node of the search is a
*plan*, the choices made so far; a plan is played from a fresh dial up to the
first choice past its end, where each possible choice makes a longer plan:

- at an ``ask``, every key of its grammar by keypad and by speech (as the
  mode allows), the values given for its name in ``inputs`` or one sample of
  an open option (``[N DIGITS]``, ``[ANY]``), one input that matches nothing,
  silence and a hang-up;
- at a ``record``, a recording (words, then silence) and silence;
- at a ``transfer`` or a ``call``, the far end answers, is busy or does not
  answer (the simulator asks :class:`_Replay` dial by dial).

A state is where the call waits or dials: the route of the document, the
verb, how many choices that document has seen and the prompts heard since
the last one. A path ends when the call ends, when it reaches a state that
some path already reached (each state is expanded once), after ``max_steps``
choices, or when a step fails.

:meta private:
"""

from __future__ import annotations

import collections.abc as c
import copy
import heapq
import itertools
import re
import threading
import typing as t
from types import MappingProxyType
from urllib.parse import urlsplit

from flask import Flask

from .. import signals
from .. import verbs as v
from ..views import platforms_of
from .apps import EndpointNames
from .flow import Failure
from .flow import Flow
from .flow import Path
from .flow import Step
from .grammar import DTMF_KEYS
from .grammar import Option
from .grammar import parse_grammar
from .line import TRANSFER_OUTCOMES

if t.TYPE_CHECKING:  # pragma: no cover
    from .call import Call
    from .line import Event
    from .simulator import Simulator

__all__ = ["explore"]

#: The words of the recording made at a ``record``.
RECORDED = "Hello, this is a test message."
#: The kinds of routes a ``next`` leads to, which should all be reached.
LINKED_KINDS = frozenset({"result", "hangup"})
_TOKEN = re.compile(r"tropo_token=[^&'\"\s)]+")


class _Cut(Exception):
    """Ends a play at the first choice past its plan; ``reason`` is
    ``None`` when the plan was only a step towards longer ones."""

    def __init__(self, reason: str | None) -> None:
        super().__init__(reason)
        self.reason = reason


class _Diverged(RuntimeError):
    """The app did not answer the same way when a plan was played again."""


class _Explorer:
    def __init__(
        self,
        sim: Simulator,
        rule: str,
        inputs: c.Mapping[str, tuple[str, ...]],
        max_steps: int,
        max_paths: int,
        start: c.Callable[[Simulator], Call],
    ) -> None:
        self.sim = sim
        self.rule = rule
        self.url = sim.url(rule)
        self.inputs = inputs
        self.start = start
        self.max_steps = max_steps
        self.max_paths = max_paths
        self.app = _flask_app(sim)
        self.endpoint = EndpointNames(self.app)
        self.visited: set[tuple[t.Hashable, ...]] = set()
        self.queue: list[tuple[int, int, tuple[Step, ...]]] = []
        self.order = itertools.count()
        self.paths: list[Path] = []
        self.failures: list[Failure] = []
        self.reached: dict[str, None] = {}
        self.edges: dict[tuple[str, str, str], None] = {}
        self.prompts: dict[str, dict[str, None]] = {}

    def push(self, plan: tuple[Step, ...]) -> None:
        heapq.heappush(self.queue, (len(plan), next(self.order), plan))

    def run(self) -> Flow:
        self.push(())
        while self.queue and len(self.paths) < self.max_paths:
            _, _, plan = heapq.heappop(self.queue)
            _Replay(self, plan).play()
        routes = self.endpoint.routes
        # Routes registered for Twilio or jambonz: a Tropo call never reaches them.
        platforms = platforms_of(self.app) if self.app is not None else {}
        unreached = dict.fromkeys(
            route.endpoint
            for route in routes
            if route.kind in LINKED_KINDS
            and route.endpoint not in self.reached
            and not getattr(
                platforms.get(route.endpoint.rpartition(".")[0]), "emulated", False
            )
        )
        return Flow(
            rule=self.rule,
            start=self.endpoint(self.url),
            paths=tuple(self.paths),
            failures=tuple(self.failures),
            endpoints=tuple(self.reached),
            unreached=tuple(unreached),
            edges=tuple(self.edges),
            prompts=MappingProxyType(
                {name: tuple(heard) for name, heard in self.prompts.items()}
            ),
            kinds=MappingProxyType({r.endpoint: r.kind for r in routes}),
            truncated=bool(self.queue),
        )


class _Replay:
    """One play of a plan: follows it, then stops at the next choice."""

    def __init__(self, explorer: _Explorer, plan: tuple[Step, ...]) -> None:
        self.explorer = explorer
        self.plan = plan
        self.taken: list[Step] = []
        self.events: list[Event] = []
        self.errors: list[BaseException] = []
        self.document = explorer.url  # the document being run
        self.requested = explorer.url  # the last URL posted to, or about to be
        self.choices_here = 0  # choices made in this document
        self.heard_since: list[str] = []  # prompts since the last choice
        self.thread = threading.get_ident()
        self.forward = explorer.sim.on_event

    # -- what the simulator reports -------------------------------------------

    def on_event(self, event: Event) -> None:
        self.events.append(event)
        explorer = self.explorer
        if event.kind == "post" and event.url:
            self.requested = self.document = event.url
            self.choices_here = 0
            explorer.reached.setdefault(explorer.endpoint(event.url))
        elif event.kind == "event" and event.url:
            self.requested = event.url
            edge = (
                explorer.endpoint(self.document),
                event.name,
                explorer.endpoint(event.url),
            )
            explorer.edges.setdefault(edge)
            explorer.reached.setdefault(edge[2])
        elif event.kind == "heard":
            self.heard_since.append(event.detail)
            name = explorer.endpoint(self.document)
            explorer.prompts.setdefault(name, {}).setdefault(event.detail)
        if self.forward is not None:
            self.forward(event)

    def on_failure(
        self, sender: t.Any, exception: BaseException, **extra: t.Any
    ) -> None:
        if threading.get_ident() == self.thread:
            self.errors.append(exception)

    # -- choices ----------------------------------------------------------------

    def state(self, verb: v.Verb) -> tuple[t.Hashable, ...]:
        return (
            urlsplit(self.document).path,
            _TOKEN.sub("tropo_token=", repr(verb)),
            self.choices_here,
            tuple(self.heard_since),
        )

    def choose(self, options: list[Step], verb: v.Verb) -> Step:
        index = len(self.taken)
        explorer = self.explorer
        if index < len(self.plan):
            step = self.plan[index]
            if step not in options:
                choices = ", ".join(map(str, options))
                raise _Diverged(
                    f"step {index + 1} ({step}) is no longer a choice ({choices}):"
                    " the app answered differently to the same inputs"
                )
        else:
            state = self.state(verb)
            if state in explorer.visited:
                raise _Cut("a state repeats")
            if index >= explorer.max_steps:
                raise _Cut("max_steps reached")
            explorer.visited.add(state)
            for option in options:
                explorer.push((*self.plan, option))
            raise _Cut(None)
        self.taken.append(step)
        self.choices_here += 1
        self.heard_since = []
        return step

    def far_end(self, verb: v.Transfer | v.Call) -> str:
        options = [Step("transfer", outcome) for outcome in TRANSFER_OUTCOMES]
        return self.choose(options, verb).value

    # -- playing ------------------------------------------------------------------

    def play(self) -> None:
        explorer = self.explorer
        sim = copy.copy(explorer.sim)
        sim.transfer = self.far_end
        sim.on_event = self.on_event
        failure: BaseException | None = None
        end = "failed"
        with signals.handler_failed.connected_to(self.on_failure):
            try:
                call = explorer.start(sim)
                while not call.ended and not self.errors:
                    waiting = t.cast("v.Ask | v.Record", call.waiting)
                    options = _options(waiting, explorer.inputs, call.is_text)
                    self.choose(options, waiting).apply(call)
                end = call.end_reason or "the call ended"
            except _Cut as cut:
                if cut.reason is None:
                    return
                end = cut.reason
            except Exception as exc:
                failure = exc
        if self.errors:
            failure = self.errors[0]
            end = "failed"
        path = Path(
            inputs=tuple(self.taken),
            heard=tuple(e.detail for e in self.events if e.kind == "heard"),
            endpoints=tuple(
                explorer.endpoint(e.url)
                for e in self.events
                if e.kind == "post" and e.url
            ),
            end=end,
        )
        explorer.paths.append(path)
        if failure is not None:
            where = explorer.endpoint(self.requested)
            explorer.failures.append(Failure(path, failure, where))


def _flask_app(sim: Simulator) -> Flask | None:
    """The Flask app a simulator calls in process, else ``None``."""
    app = getattr(sim.transport, "app", None)
    return app if isinstance(app, Flask) else None


def _options(
    waiting: v.Ask | v.Record, inputs: c.Mapping[str, tuple[str, ...]], text: bool
) -> list[Step]:
    """The choices where the call waits on ``waiting`` (in a text
    conversation, when ``text``: words only)."""
    if isinstance(waiting, v.Record):
        return [Step("record", RECORDED), Step("silence")]
    choices = t.cast(v.Choices, waiting.choices)
    grammar = parse_grammar(choices.value or "")
    mode = (choices.mode or "any").lower()
    keypad, speech = mode != "speech" and not text, mode != "dtmf"

    def matches(step: Step) -> bool:
        found = grammar.match(
            step.value,
            dtmf=step.kind == "press",
            mode=choices.mode,
            terminator=choices.terminator,
        )
        return found is not None

    given = inputs.get(waiting.name or "", ())
    steps: list[Step] = []
    for option in grammar.options:
        if option.kind != "choice" and given:
            found = [_entry(value, keypad) for value in given]
        else:
            found = [s for s in _samples(option, keypad, speech) if matches(s)]
        steps += [step for step in found if step not in steps]
    misses = [Step("press", keys) for keys in ("*", "0", "#")] if keypad else []
    misses += [Step("speak", "no such choice")] if speech else []
    steps += [step for step in misses if not matches(step)][:1]
    return [*steps, Step("silence"), Step("hangup")]


def _entry(value: str, keypad: bool) -> Step:
    """A value from ``inputs``: pressed when it is keys, else spoken."""
    keys = "".join(value.split())
    if keypad and keys and set(keys) <= DTMF_KEYS:
        return Step("press", keys)
    return Step("speak", value)


def _samples(option: Option, keypad: bool, speech: bool) -> list[Step]:
    """The inputs tried for one option of a grammar."""
    if option.kind == "choice":
        found = []
        keys = next((w for w in option.words if w and set(w) <= DTMF_KEYS), None)
        if keypad and keys is not None:
            found.append(Step("press", keys))
        if speech:
            found.append(Step("speak", option.value))
        return found
    if option.kind == "digits":
        digits = ("1234567890" * (option.low // 10 + 1))[: option.low]
        return [Step("press" if keypad else "speak", digits)]
    return [Step("press", "1") if keypad else Step("speak", "yes")]


def explore(
    sim: Simulator,
    rule: str,
    *,
    inputs: c.Mapping[str, str | c.Iterable[str]] | None = None,
    max_steps: int = 12,
    max_paths: int = 500,
    text: str | None = None,
    launch: c.Mapping[str, object] | None = None,
) -> Flow:
    """Play every path of a call to ``rule``; see :meth:`Simulator.explore
    <flask_tropo.testing.Simulator.explore>`."""
    if text is not None and launch is not None:
        raise ValueError("Give text or launch, not both.")
    if max_steps < 1 or max_paths < 1:
        raise ValueError(
            f"max_steps and max_paths must be at least 1, got {max_steps} and"
            f" {max_paths}."
        )
    values: dict[str, tuple[str, ...]] = {}
    for name, given in (inputs or {}).items():
        items = (given,) if isinstance(given, str) else tuple(given)
        if not items or not all(isinstance(i, str) and i.strip() for i in items):
            raise ValueError(
                f"inputs[{name!r}] must be a non-empty string or a list of them,"
                f" got {given!r}."
            )
        values[name] = items

    def start(sim: Simulator) -> Call:
        if text is not None:
            return sim.text(rule, text)
        return sim.dial(rule) if launch is None else sim.launch(rule, **launch)

    return _Explorer(sim, rule, values, max_steps, max_paths, start).run()
