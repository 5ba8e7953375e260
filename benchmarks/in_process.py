"""In process: every row called through ``app.wsgi_app``; and the
interleaved rounds that both tables use.

Each call gets a copy of an environ built once by werkzeug's
``EnvironBuilder`` and a fresh ``BytesIO`` body, so that werkzeug reads the
body and serves the response as under a server.
"""

from __future__ import annotations

import collections.abc as c
import gc
import io
import json
import time
import typing as t
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.test import EnvironBuilder

from flask_tropo import Result
from flask_tropo import Session
from flask_tropo import render

from . import routes


class WSGIPost:
    """One prebuilt POST to ``app``; each call returns the answer's body, or
    raises if its status is not 200."""

    def __init__(self, app: Flask, url: str, row: routes.Row) -> None:
        parts = urlsplit(url)
        self.app, self.url, self.body, self.status = app, url, row.body, 0
        self.environ = EnvironBuilder(
            path=parts.path,
            query_string=parts.query,
            method="POST",
            data=row.body,
            content_type=row.content_type,
        ).get_environ()

    def _start_response(self, status: str, headers: t.Any, exc: t.Any = None) -> t.Any:
        self.status = int(status.split(" ", 1)[0])  # no write(): Flask never calls it

    def __call__(self) -> bytes:
        environ = {**self.environ, "wsgi.input": io.BytesIO(self.body)}
        response = self.app.wsgi_app(environ, self._start_response)
        try:
            answer = b"".join(response)
        finally:
            if hasattr(response, "close"):
                response.close()
        if self.status != 200:
            raise RuntimeError(f"{self.url} answered {self.status}: {answer!r}")
        return answer


class Timer(t.NamedTuple):
    """A function of no arguments, timed against the timer ``baseline``."""

    key: str
    label: str
    baseline: str | None
    fn: c.Callable[[], object]


#: What :func:`interleave` measures: key, label, key of the baseline.
Item = tuple[str, str, "str | None"]


def median(values: c.Sequence[float]) -> float:
    ordered, middle = sorted(values), len(values) // 2
    return (ordered[middle] + ordered[(len(values) - 1) // 2]) / 2


def rotated(items: c.Sequence[t.Any], shift: int) -> list[t.Any]:
    shift %= len(items)
    return [*items[shift:], *items[:shift]]


def interleave(
    items: c.Sequence[Item], measure: c.Callable[[str], float], rounds: int, unit: str
) -> dict[str, dict[str, t.Any]]:
    """``measure(key)`` of every item, ``rounds`` times, in an order rotated
    each round so that drift of the machine hits every item alike. Returns,
    per key, the median (as ``unit``) and the median and spread (min, max)
    of the ratios to the baseline measured in the same round."""
    if len({key for key, _, _ in items}) < len(items):
        raise ValueError("two items have the same key")
    values: dict[str, list[float]] = {key: [] for key, _, _ in items}
    ratios: dict[str, list[float]] = {key: [] for key, _, _ in items}
    for round_ in range(rounds):
        this_round = {key: measure(key) for key, _, _ in rotated(items, round_)}
        for key, _, baseline in items:
            values[key].append(this_round[key])
            if baseline is not None:
                ratios[key].append(this_round[key] / this_round[baseline])
    results: dict[str, dict[str, t.Any]] = {}
    for key, label, _ in items:
        results[key] = {"label": label, unit: median(values[key])}
        if ratios[key]:
            spread = [min(ratios[key]), max(ratios[key])]
            results[key] |= {"ratio": median(ratios[key]), "spread": spread}
    return results


def _seconds_per_call(fn: c.Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        fn()
    return (time.perf_counter() - start) / count


def time_calls(
    timers: c.Sequence[Timer], rounds: int, batch_seconds: float
) -> dict[str, dict[str, t.Any]]:
    """µs per call of every timer, in batches of about ``batch_seconds``."""
    batches: dict[str, int] = {}
    for timer in timers:
        count = 8
        while (per_call := _seconds_per_call(timer.fn, count)) * count < 0.005:
            count *= 2
        batches[timer.key] = max(1, int(batch_seconds / per_call))
    by_key = {timer.key: timer.fn for timer in timers}

    def measure(key: str) -> float:
        gc.collect()
        return _seconds_per_call(by_key[key], batches[key]) * 1e6

    return interleave([timer[:3] for timer in timers], measure, rounds, "us")


def route_timers(app: Flask, rows: c.Sequence[routes.Row]) -> list[Timer]:
    """A timer per row; every call is checked to answer 200."""
    urls = routes.resolve(rows, lambda row, url: (200, WSGIPost(app, url, row)()))
    return [
        Timer(row.key, row.label, row.floor, WSGIPost(app, urls[row.key], row))
        for row in rows
    ]


def parse_render_timers() -> list[Timer]:
    """Parsing and rendering alone, each timed against the :mod:`json` call
    before it: a diagnostic, not the budget."""
    verbs, literal = routes.three_verbs("/next"), routes.THREE_VERBS
    if render(verbs) != literal:
        raise RuntimeError("render() does not give the floor's document")
    session, result = routes.SESSION, routes.RESULT
    # (label, the json call it is compared with, the call)
    calls: list[tuple[str, str | None, c.Callable[[], object]]] = [
        ("json.loads(session)", None, lambda: json.loads(session)),
        (
            "Session.parse(session)",
            "json.loads(session)",
            lambda: Session.parse(session),
        ),
        ("json.loads(result)", None, lambda: json.loads(result)),
        ("Result.parse(result)", "json.loads(result)", lambda: Result.parse(result)),
        ("json.dumps(literal)", None, lambda: json.dumps(literal)),
        (
            "json.dumps(render(verbs))",
            "json.dumps(literal)",
            lambda: json.dumps(render(verbs)),
        ),
        ("building the three verbs", None, lambda: routes.three_verbs("/next")),
    ]
    return [Timer(label, label, base, fn) for label, base, fn in calls]
