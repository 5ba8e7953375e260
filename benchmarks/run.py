"""Run the benchmarks, print the tables, write the results as JSON.

Measurements, never tests: a row over its budget prints ``OVER`` and the
exit status is still 0.
"""

from __future__ import annotations

import argparse
import collections.abc as c
import contextlib
import json
import os
import platform
import time
import typing as t
from importlib import metadata
from pathlib import Path

from . import http_load
from . import in_process
from . import routes


def machine() -> dict[str, t.Any]:
    """What the figures were measured on."""
    info: dict[str, t.Any] = {
        "cpu": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "python": f"{platform.python_implementation()} {platform.python_version()}",
    }
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as lines:
        for line in filter(lambda line: line.startswith("model name"), lines):
            info["cpu"] = line.split(":", 1)[1].strip()
    for name in ("flask", "werkzeug", "marshmallow", "itsdangerous", "gunicorn"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            info[name] = metadata.version(name)
    return info


def verdict(ratio: float, budget: tuple[float, float]) -> str:
    if ratio > budget[0]:
        return "OVER"
    return "PASS (stretch)" if ratio <= budget[1] else "PASS"


def print_table(header: c.Sequence[str], lines: c.Sequence[c.Sequence[str]]) -> None:
    """The first column left-aligned, the others right-aligned."""
    widths = [
        max(len(line[i]) for line in [header, *lines]) for i in range(len(header))
    ]
    for line in [header, *lines]:
        cells = [line[0].ljust(widths[0])]
        cells += [cell.rjust(w) for cell, w in zip(line[1:], widths[1:], strict=True)]
        print("  " + "  ".join(cells).rstrip())


def cells(result: dict[str, t.Any], value: str) -> list[str]:
    """Label, value, ratio and spread of one result."""
    ratio, spread = result.get("ratio"), result.get("spread")
    return [
        result["label"],
        value,
        f"{ratio:.2f}x" if ratio is not None else "",
        f"{spread[0]:.2f}-{spread[1]:.2f}" if spread else "",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    add = parser.add_argument
    add("--quick", action="store_true", help="fewer, shorter rounds")
    add("--rounds", type=int, help="in-process rounds (21; quick 7)")
    add("--batch-ms", type=float, help="in-process batch length (40; quick 15)")
    add("--no-http", action="store_true", help="skip the HTTP table")
    add("--http-rounds", type=int, help="HTTP rounds (5; quick 2)")
    add("--http-seconds", type=float, help="HTTP seconds per row, round (3; quick 1)")
    add("--connections", type=int, default=4, help="HTTP connections (4)")
    add("--python-client", action="store_true", help="no wrk, even if installed")
    add("--out", type=Path, default=Path(__file__).parent / "results" / "latest.json")
    args = parser.parse_args(argv)
    rounds = args.rounds or (7 if args.quick else 21)
    batch_ms = args.batch_ms or (15 if args.quick else 40)
    http_rounds = args.http_rounds or (2 if args.quick else 5)
    http_seconds = args.http_seconds or (1 if args.quick else 3)
    started = time.perf_counter()
    info = machine()
    print(
        f"{info['cpu']}, {info['cpus']} CPUs, {info['python']},"
        f" load average {info['load_average']:.2f}"
    )

    route_timers = in_process.route_timers(routes.create_app(), routes.ROWS)
    parse_timers = in_process.parse_render_timers()
    timed = in_process.time_calls(
        [*route_timers, *parse_timers], rounds, batch_ms / 1000
    )
    results: dict[str, t.Any] = {
        "machine": info,
        "settings": {"rounds": rounds, "batch_ms": batch_ms},
        "in_process": {timer.key: timed[timer.key] for timer in route_timers},
        "parse_render": {timer.key: timed[timer.key] for timer in parse_timers},
    }
    print(
        "\nIn process, through app.wsgi_app (one app, SECRET_KEY set); medians of"
        f" {rounds} interleaved rounds\nof ~{batch_ms:g} ms batches; ratio = route"
        " time / its floor's:"
    )
    lines = []
    for row in routes.ROWS:
        result, budget = results["in_process"][row.key], ["", ""]
        if row.budget:
            high, stretch = row.budget
            budget = [
                f"{high:.2f}x ({stretch:.2f}x)",
                verdict(result["ratio"], row.budget),
            ]
        lines.append([*cells(result, f"{result['us']:.1f}"), *budget])
    print_table(
        ["route", "µs", "ratio", "spread", "budget (stretch)", "verdict"], lines
    )
    print("\nParse and render only (a diagnostic, not the budget):")
    parse = results["parse_render"].values()
    print_table(
        ["call", "µs", "ratio", "spread"], [cells(r, f"{r['us']:.2f}") for r in parse]
    )

    if not args.no_http:
        name, load = http_load.choose_load(args.connections, args.python_client)
        served = http_load.measure(routes.ROWS, load, http_rounds, http_seconds)
        results["http"] = {"load": name, "connections": args.connections}
        results["http"] |= {"rounds": http_rounds, "seconds": http_seconds}
        results["http"]["rows"] = served
        print(
            f"\nOver HTTP: gunicorn, 2 sync workers, 127.0.0.1; load: {name},"
            f" {args.connections} connections;\nmedians of {http_rounds} interleaved"
            f" rounds of {http_seconds:g} s per row; ratio = throughput / its floor's:"
        )
        lines = [cells(r, f"{r['rps']:.0f}") for r in served.values()]
        print_table(["route", "req/s", "ratio", "spread"], lines)

    results["seconds"] = elapsed = time.perf_counter() - started
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n{elapsed:.0f} s; wrote {args.out}")
    return 0
