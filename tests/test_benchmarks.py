"""The benchmark harness (``benchmarks/``) runs and checks what it times.

Nothing here asserts a timing: speed is measured by ``make bench``, never by
tests. These only show that every row is produced, that every route answers
200 with the document its floor answers, and that the harness refuses a run
in which a route does not.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from benchmarks import http_load
from benchmarks import routes
from benchmarks.run import main

KEYS = {row.key for row in routes.ROWS}
BY_KEY = {row.key: row for row in routes.ROWS}


def test_quick_run_prints_every_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "latest.json"
    argv = ["--quick", "--rounds", "1", "--batch-ms", "1", "--no-http"]
    assert main([*argv, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    results = json.loads(out.read_text())
    assert set(results["in_process"]) == KEYS
    assert "http" not in results
    assert len(results["parse_render"]) == 7
    for row in routes.ROWS:
        assert row.label in printed
        if row.floor is not None:
            assert results["in_process"][row.key]["ratio"] > 0
    budgeted = sum(row.budget is not None for row in routes.ROWS)
    assert budgeted == 7  # Tropo 3, Twilio 2, jambonz 2
    assert printed.count("PASS") + printed.count("OVER") == budgeted


def post_in_process(row: routes.Row, url: str) -> tuple[int, bytes]:
    with routes.create_app().test_client() as client:
        response = client.post(url, data=row.body, content_type=row.content_type)
        return response.status_code, response.data


def test_resolve_links_the_result_route_to_a_signed_url() -> None:
    urls = routes.resolve(routes.ROWS, post_in_process)
    assert urls["result"].startswith("/choice?")
    assert set(urls) == KEYS


def test_resolve_refuses_a_route_that_does_not_answer_200() -> None:
    unsigned = dataclasses.replace(BY_KEY["result"], url_from=None, path="/choice")
    with pytest.raises(RuntimeError, match="answered 403"):
        routes.resolve([BY_KEY["floor_result"], unsigned], post_in_process)


def test_resolve_refuses_a_route_that_answers_another_document() -> None:
    chained = dataclasses.replace(BY_KEY["chained"], same_as_floor=True)
    with pytest.raises(RuntimeError, match="does not answer its floor's document"):
        routes.resolve([BY_KEY["floor"], chained], post_in_process)


LOADS = ["python"] + (["wrk"] if shutil.which("wrk") else [])


@pytest.mark.slow
@pytest.mark.parametrize("name", LOADS)
def test_http_rows_under_gunicorn(name: str) -> None:
    label, load = http_load.choose_load(2, python=name == "python")
    assert label.startswith(name)
    results = http_load.measure(routes.ROWS, load, rounds=1, seconds=0.2)
    assert set(results) == KEYS
    assert all(result["rps"] > 0 for result in results.values())


@pytest.mark.slow
def test_http_load_counts_answers_that_are_not_200() -> None:
    _, load = http_load.choose_load(2, python=True)
    floor, result = BY_KEY["floor"], BY_KEY["result"]
    with http_load.gunicorn() as port:
        done, bad, seconds = load(port, floor.path, floor, 0.2)
        assert done > 0 and bad == 0 and seconds > 0
        done, bad, _ = load(port, "/choice", result, 0.2)  # no token: 403
        assert done > 0 and bad == done
