"""The benchmark runner: one process, interleaved rounds, medians.

Every benchmark is a function of no arguments. Each is first calibrated to a
batch size that runs for about ``--batch-ms``; then, for ``--rounds`` rounds,
every benchmark runs one batch, in an order rotated each round, so that drift
(CPU frequency, other processes) hits all of them alike. A benchmark's time is
the median over rounds of its time per call; its ratio is the median over
rounds of its time divided by its baseline's time in the same round.
"""

from __future__ import annotations

import argparse
import collections.abc as c
import cProfile
import dataclasses
import gc
import json
import os
import platform
import pstats
import sys
import time
import typing as t
from functools import partial
from importlib import metadata
from pathlib import Path

from flask_tropo.document import render
from flask_tropo.payloads import Result
from flask_tropo.payloads import Session
from flask_tropo.schemas import compiled
from flask_tropo.schemas import load_result as marshmallow_load_result
from flask_tropo.schemas import load_session as marshmallow_load_session
from flask_tropo.schemas.verbs import dump_verb as marshmallow_dump_verb
from flask_tropo.schemas.writer import write_document

from . import apps

DEFAULT_OUT = Path(__file__).parent / "results" / "latest.json"


@dataclasses.dataclass
class Bench:
    """One timed function.

    :param key: identifier in the JSON output.
    :param label: what the table prints.
    :param fn: the function timed, called without arguments.
    :param baseline: key of the benchmark this one is divided by.
    """

    key: str
    label: str
    fn: c.Callable[[], t.Any]
    baseline: str | None = None
    batch: int = 1
    samples: list[float] = dataclasses.field(default_factory=list)
    ratios: list[float] = dataclasses.field(default_factory=list)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _run_batch(fn: c.Callable[[], t.Any], count: int) -> float:
    """Seconds per call over ``count`` calls."""
    timer = time.perf_counter
    start = timer()
    for _ in range(count):
        fn()
    return (timer() - start) / count


def _calibrate(fn: c.Callable[[], t.Any], seconds: float) -> int:
    count = 1
    while True:
        per_call = _run_batch(fn, count)
        if per_call * count >= 0.005:
            return max(1, int(seconds / per_call))
        count *= 2


def measure(benches: list[Bench], rounds: int, batch_seconds: float) -> None:
    """Time every benchmark in interleaved rounds; fill ``samples`` (µs per
    call) and ``ratios``.
    """
    for bench in benches:
        bench.fn()  # warm up: first-call imports and caches
        bench.batch = _calibrate(bench.fn, batch_seconds)
    by_key = {bench.key: bench for bench in benches}
    for round_ in range(rounds):
        shift = round_ % len(benches)
        order = benches[shift:] + benches[:shift]
        this_round: dict[str, float] = {}
        for bench in order:
            gc.collect()
            this_round[bench.key] = _run_batch(bench.fn, bench.batch) * 1e6
        for bench in benches:
            bench.samples.append(this_round[bench.key])
            if bench.baseline is not None:
                base = this_round[by_key[bench.baseline].key]
                bench.ratios.append(this_round[bench.key] / base)


# -- the benchmarks -------------------------------------------------------------


def route_benches(app: t.Any) -> list[Bench]:
    """The whole request through ``app.wsgi_app``."""
    session = apps.session_document()
    result = apps.result_document()
    floor = apps.WSGICall(app, "/floor", session)
    floor_result = apps.WSGICall(app, "/floor", result)
    by_hand = apps.WSGICall(app, "/marshmallow", session)
    library = apps.WSGICall(app, "/library", session)
    pieces = [
        apps.WSGICall(app, f"/floor-{piece}", session)
        for piece in ("parse", "verbs", "render", "served")
    ]
    voice = apps.WSGICall(app, "/voice", session)
    chained = apps.WSGICall(app, "/chained", session)
    answer = chained.check()
    choice = apps.WSGICall(app, apps.next_url(answer), result)
    for call in (floor, floor_result, by_hand, library, voice, choice, *pieces):
        call.check()
    if voice.check() != apps.THREE_VERBS_LITERAL:
        raise RuntimeError("/voice does not answer the floor's document")
    floor_key, result_key = "route.floor", "route.floor_result"
    return [
        Bench(floor_key, "floor: hand-written route (session body)", floor),
        Bench("route.session", "session route, string next", voice, floor_key),
        Bench("route.chained", "session route, next=handler", chained, floor_key),
        Bench(result_key, "floor: hand-written route (result body)", floor_result),
        Bench("route.result", "result route (token, call_state)", choice, result_key),
        Bench("route.floor_parse", "floor + Session.parse", pieces[0], floor_key),
        Bench(
            "route.floor_verbs", "floor + building the 3 verbs", pieces[1], floor_key
        ),
        Bench(
            "route.floor_render",
            "floor + writing prebuilt verbs",
            pieces[2],
            floor_key,
        ),
        Bench(
            "route.floor_served",
            "floor, body read and Response served as a Tropo route's",
            pieces[3],
            floor_key,
        ),
        Bench("route.library", "parse + write in a plain route", library, floor_key),
        Bench(
            "route.marshmallow", "marshmallow by hand (reference)", by_hand, floor_key
        ),
    ]


def part_benches() -> list[Bench]:
    """Parse only and render only, against plain :mod:`json`."""
    session = json.dumps(apps.session_document()).encode()
    result = json.dumps(apps.result_document()).encode()
    verbs = apps.three_verbs()
    literal = apps.THREE_VERBS_LITERAL
    if render(verbs) != literal:
        raise RuntimeError("render() does not give the floor's document")
    encode = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode
    if json.loads(write_document(verbs, (True, True), encode)) != literal:
        raise RuntimeError("write_document() does not give the floor's document")

    def marshmallow_render() -> t.Any:
        return {"tropo": [{v.tropo_key: marshmallow_dump_verb(v)} for v in verbs]}

    return [
        Bench("parse.json_session", "json.loads(session)", lambda: json.loads(session)),
        Bench(
            "parse.session",
            "Session.parse(session)",
            lambda: Session.parse(session),
            "parse.json_session",
        ),
        Bench(
            "parse.marshmallow_session",
            "marshmallow load_session",
            lambda: marshmallow_load_session(session),
            "parse.json_session",
        ),
        Bench("parse.json_result", "json.loads(result)", lambda: json.loads(result)),
        Bench(
            "parse.result",
            "Result.parse(result)",
            lambda: Result.parse(result),
            "parse.json_result",
        ),
        Bench(
            "parse.marshmallow_result",
            "marshmallow load_result",
            lambda: marshmallow_load_result(result),
            "parse.json_result",
        ),
        Bench(
            "render.json", "json.dumps(literal, 3 verbs)", lambda: json.dumps(literal)
        ),
        Bench("render.render", "render(3 verbs)", lambda: render(verbs), "render.json"),
        Bench(
            "render.render_json",
            "json.dumps(render(3 verbs))",
            lambda: json.dumps(render(verbs)),
            "render.json",
        ),
        Bench(
            "render.write",
            "write_document(3 verbs): a route's body",
            lambda: write_document(verbs, (True, True), encode),
            "render.json",
        ),
        Bench(
            "render.marshmallow",
            "marshmallow dump (3 verbs)",
            marshmallow_render,
            "render.json",
        ),
        Bench(
            "render.build",
            "build the 3 verbs (handler code)",
            apps.three_verbs,
            "render.json",
        ),
    ]


HEADERS = (1, 10, 100, 1000)
VERBS = (1, 10, 100)
ACTIONS = (1, 10, 50)


def scaling_benches() -> list[Bench]:
    """Cost against the size of the payload or the document."""
    benches = []
    for count in HEADERS:
        body = json.dumps(apps.session_document(headers=count)).encode()
        benches += [
            Bench(f"headers.{count}.json", "", partial(json.loads, body)),
            Bench(
                f"headers.{count}",
                "",
                partial(Session.parse, body),
                f"headers.{count}.json",
            ),
        ]
    for count in VERBS:
        verbs = apps.many_verbs(count)
        wire = render(verbs)
        benches += [
            Bench(f"verbs.{count}.json", "", partial(json.dumps, wire)),
            Bench(f"verbs.{count}", "", partial(render, verbs), f"verbs.{count}.json"),
        ]
    for count in ACTIONS:
        body = json.dumps(apps.result_document(actions=count)).encode()
        benches += [
            Bench(f"actions.{count}.json", "", partial(json.loads, body)),
            Bench(
                f"actions.{count}",
                "",
                partial(Result.parse, body),
                f"actions.{count}.json",
            ),
        ]
    return benches


def _fit(sizes: c.Sequence[int], times: c.Sequence[float]) -> dict[str, float]:
    """Least-squares line ``time = fixed + per_item * size`` and its R²."""
    n = len(sizes)
    mean_x = sum(sizes) / n
    mean_y = sum(times) / n
    sxx = sum((x - mean_x) ** 2 for x in sizes)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(sizes, times, strict=True))
    slope = sxy / sxx
    fixed = mean_y - slope * mean_x
    ss_res = sum(
        (y - fixed - slope * x) ** 2 for x, y in zip(sizes, times, strict=True)
    )
    ss_tot = sum((y - mean_y) ** 2 for y in times)
    return {
        "fixed_us": fixed,
        "per_item_us": slope,
        "r2": 1 - ss_res / ss_tot if ss_tot else 1.0,
    }


def scaling_summary(by_key: dict[str, Bench]) -> dict[str, t.Any]:
    summary: dict[str, t.Any] = {}
    for name, sizes in (("headers", HEADERS), ("verbs", VERBS), ("actions", ACTIONS)):
        times = [_median(by_key[f"{name}.{n}"].samples) for n in sizes]
        plain = [_median(by_key[f"{name}.{n}.json"].samples) for n in sizes]
        steps = [
            (times[i + 1] - times[i]) / (sizes[i + 1] - sizes[i])
            for i in range(len(sizes) - 1)
        ]
        summary[name] = {
            "sizes": list(sizes),
            "us": times,
            "json_us": plain,
            "per_item_steps_us": steps,
            "fit": _fit(sizes, times),
        }
    return summary


# -- memory ---------------------------------------------------------------------


def rss_bytes() -> int:
    """Resident set size now (``/proc/self/statm``), else the peak
    (``resource``)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def rss_growth(app: t.Any, requests: int) -> dict[str, t.Any]:
    """RSS before and after ``requests`` requests, cycling through the session,
    chained and result routes."""
    session = apps.session_document()
    voice = apps.WSGICall(app, "/voice", session)
    chained = apps.WSGICall(app, "/chained", session)
    choice = apps.WSGICall(app, apps.next_url(chained.check()), apps.result_document())
    calls = (voice, chained, choice)
    for index in range(3000):
        calls[index % 3]()
    gc.collect()
    before = rss_bytes()
    checkpoints = []
    step = max(1, requests // 10)
    for index in range(requests):
        calls[index % 3]()
        if (index + 1) % step == 0:
            checkpoints.append(rss_bytes())
    gc.collect()
    after = rss_bytes()
    for call in calls:
        call.check()
    return {
        "requests": requests,
        "before_bytes": before,
        "after_bytes": after,
        "growth_bytes": after - before,
        "checkpoints_bytes": checkpoints,
    }


# -- report ---------------------------------------------------------------------


def machine() -> dict[str, t.Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass

    def version(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "flask": version("flask"),
        "werkzeug": version("werkzeug"),
        "marshmallow": version("marshmallow"),
        "orjson": version("orjson"),
        "orjson_used": compiled.HAVE_ORJSON and compiled._orjson is not None,
    }


def _row(bench: Bench) -> dict[str, t.Any]:
    row: dict[str, t.Any] = {
        "label": bench.label,
        "median_us": _median(bench.samples),
        "min_us": min(bench.samples),
        "max_us": max(bench.samples),
        "batch": bench.batch,
        "rounds": len(bench.samples),
    }
    if bench.baseline is not None:
        row["baseline"] = bench.baseline
        row["ratio"] = _median(bench.ratios)
    return row


def print_table(rows: dict[str, dict[str, t.Any]], keys: list[str]) -> None:
    width = max(len(rows[key]["label"]) for key in keys)
    print(f"  {'benchmark':<{width}}  {'µs':>9}  {'ratio':>6}")
    for key in keys:
        row = rows[key]
        ratio = f"{row['ratio']:.2f}x" if "ratio" in row else "1.00x"
        print(f"  {row['label']:<{width}}  {row['median_us']:9.2f}  {ratio:>6}")


def print_scaling(summary: dict[str, t.Any]) -> None:
    for name, data in summary.items():
        print(f"  {name}:")
        for size, us, plain in zip(
            data["sizes"], data["us"], data["json_us"], strict=True
        ):
            print(f"    {size:>5}  {us:10.2f} µs   (plain json {plain:9.2f} µs)")
        steps = ", ".join(f"{s:.3f}" for s in data["per_item_steps_us"])
        fit = data["fit"]
        print(
            f"    per item: {fit['per_item_us']:.3f} µs (steps {steps});"
            f" fixed {fit['fixed_us']:.2f} µs; R² {fit['r2']:.5f}"
        )


def profile(app: t.Any, calls: int) -> None:
    """cProfile the three flask_tropo routes and print where the time goes."""
    session = apps.session_document()
    voice = apps.WSGICall(app, "/voice", session)
    chained = apps.WSGICall(app, "/chained", session)
    choice = apps.WSGICall(app, apps.next_url(chained.check()), apps.result_document())
    for name, call in (("session", voice), ("chained", chained), ("result", choice)):
        for _ in range(200):
            call()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(calls):
            call()
        profiler.disable()
        print(f"\n== profile: {name} route, {calls} calls ==")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(40)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds, shorter")
    parser.add_argument("--rounds", type=int, help="rounds (default 21, quick 7)")
    parser.add_argument("--batch-ms", type=float, help="batch length (default 40)")
    parser.add_argument(
        "--rss-requests", type=int, help="requests of the RSS run (default 100000)"
    )
    parser.add_argument(
        "--json",
        choices=("auto", "stdlib"),
        default="auto",
        help="stdlib: do not use orjson even if it is installed",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results")
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="only time each step of the extension's view, warm",
    )
    parser.add_argument(
        "--profile",
        type=int,
        metavar="CALLS",
        help="only cProfile the flask_tropo routes, CALLS calls each",
    )
    args = parser.parse_args(argv)
    if args.json == "stdlib":
        compiled._orjson = None  # benchmark switch: the standard library path
    rounds = args.rounds or (7 if args.quick else 21)
    batch = (args.batch_ms or (15 if args.quick else 40)) / 1000
    rss_requests = args.rss_requests or (20_000 if args.quick else 100_000)

    if args.breakdown:
        from .breakdown import breakdown

        breakdown(2000 if args.quick else 10000)
        return 0
    app = apps.create_app()
    if args.profile:
        profile(app, args.profile)
        return 0
    info = machine()
    print(
        f"{info['cpu']}, {info['nproc']} CPUs, {info['implementation']}"
        f" {info['python']}; JSON: {'orjson' if info['orjson_used'] else 'stdlib'};"
        f" {rounds} rounds of ~{batch * 1000:.0f} ms batches"
    )
    started = time.perf_counter()
    routes = route_benches(app)
    parts = part_benches()
    scaling = scaling_benches()
    benches = routes + parts + scaling
    measure(benches, rounds, batch)
    by_key = {bench.key: bench for bench in benches}
    rows = {bench.key: _row(bench) for bench in benches}
    print("\nRoutes, through app.wsgi_app (ratio to the floor):")
    print_table(rows, [bench.key for bench in routes])
    print("\nParse and render only (ratio to plain json):")
    print_table(rows, [bench.key for bench in parts])
    summary = scaling_summary(by_key)
    print("\nScaling (Session.parse: headers; render: verbs; Result.parse: actions):")
    print_scaling(summary)
    print(f"\nRSS over {rss_requests} requests (session, chained, result in turn):")
    memory = rss_growth(app, rss_requests)
    print(
        f"  before {memory['before_bytes'] / 2**20:.2f} MiB, after"
        f" {memory['after_bytes'] / 2**20:.2f} MiB, growth"
        f" {memory['growth_bytes'] / 1024:+.0f} KiB"
    )
    elapsed = time.perf_counter() - started
    print(f"\n{elapsed:.0f} s")
    output = {
        "machine": info,
        "settings": {
            "rounds": rounds,
            "batch_ms": batch * 1000,
            "quick": args.quick,
            "json": args.json,
            "seconds": elapsed,
        },
        "benchmarks": rows,
        "scaling": summary,
        "rss": memory,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(output, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0
