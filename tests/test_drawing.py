"""Drawing a Flow: Mermaid, DOT, the SVG laid out in Python, the HTML page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from explore_apps import menu_app

from flask_tropo.simulator.drawing import layout
from flask_tropo.testing import Failure
from flask_tropo.testing import Flow
from flask_tropo.testing import Path
from flask_tropo.testing import Simulator
from flask_tropo.testing import Step

SVG = "{http://www.w3.org/2000/svg}"


def made_flow() -> Flow:
    """A flow with a loop, a self loop, a long edge, a failure, an orphan and
    names and prompts that need escaping."""
    path = Path((Step("press", "1"),), ('Hi <there> & "you"',), ("start",), "failed")
    return Flow(
        rule="/voice",
        start="start",
        paths=(path,),
        failures=(Failure(path, ValueError("bad <value>"), 'odd "name"'),),
        endpoints=("start", "menu", 'odd "name"', "end"),
        unreached=("orphan",),
        edges=(
            ("start", "continue", "menu"),
            ("menu", "continue", 'odd "name"'),
            ('odd "name"', "incomplete", "menu"),
            ("menu", "continue", "menu"),
            ("start", "hangup", "end"),
            ("menu", "hangup", "end"),
        ),
        prompts={"start": ('Hi <there> & "you"',)},
        kinds={"start": "session", "menu": "result", "orphan": "result"},
    )


def test_mermaid() -> None:
    text = made_flow().to_mermaid()
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    assert '    n0["start<br/>session"]' in lines
    assert '    n2["odd #quot;name#quot;<br/>failed"]' in lines
    assert '    n0 -->|"continue"| n1' in lines
    assert '    n1 -->|"continue"| n1' in lines
    assert "    class n2 failed" in lines
    assert "    class n4 unreached" in lines
    assert "    class n0 start" in lines


def test_dot() -> None:
    text = made_flow().to_dot()
    assert text.startswith('digraph "/voice" {\n')
    assert text.endswith("}\n")
    assert '"odd \\"name\\"" [label="odd \\"name\\"\\nfailed", color=' in text
    assert '"menu" -> "odd \\"name\\"" [label="continue"];' in text
    assert '"orphan" [label="orphan\\nresult · unreached", color="#999999"' in text
    # every statement is closed, every quote paired
    body = text.splitlines()[1:-1]
    assert all(line.rstrip().endswith(";") for line in body)
    assert all(len(re.findall(r'(?<!\\)"', line)) % 2 == 0 for line in body)


def test_svg_is_well_formed_and_names_its_parts() -> None:
    flow = made_flow()
    root = ET.fromstring(flow.to_svg())
    nodes = {
        g.get("data-endpoint"): g.get("class")
        for g in root.iter(f"{SVG}g")
        if "tf-node" in (g.get("class") or "")
    }
    assert nodes == {
        "start": "tf-node start",
        "menu": "tf-node",
        'odd "name"': "tf-node failed",
        "end": "tf-node",
        "orphan": "tf-node unreached",
    }
    edges = [
        (g.get("data-from"), g.get("data-to"), "".join(g.itertext()))
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "tf-edge"
    ]
    assert ("start", "menu", "continue") in edges
    assert ("menu", "end", "hangup") in edges
    assert len(edges) == 6
    titles = [g.findtext(f"{SVG}title") for g in root.iter(f"{SVG}g")]
    assert 'start\nHi <there> & "you"' in titles


def test_layout_puts_boxes_apart_and_edges_down() -> None:
    flow = Simulator(menu_app()).explore("/voice")
    drawn = layout(flow)
    boxes = list(drawn.boxes.values())
    assert {box.name for box in boxes} == {*flow.endpoints, *flow.unreached}
    for a in boxes:
        for b in boxes:
            if a is not b and a.layer == b.layer:
                assert abs(a.x - b.x) >= (a.width + b.width) / 2
        assert 0 < a.x - a.width / 2 and a.x + a.width / 2 < drawn.width
        assert 0 < a.y < drawn.height
    start = drawn.boxes[flow.start]
    assert start.layer == 0
    for source, _, target in flow.edges:
        if source != target and drawn.boxes[target].layer > drawn.boxes[source].layer:
            assert drawn.boxes[target].y > drawn.boxes[source].y
    # the orphan sits in a row of its own, below everything reached
    orphan = drawn.boxes["menu.survey"]
    assert orphan.layer > max(drawn.boxes[n].layer for n in flow.endpoints)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


def test_html_page_is_self_contained() -> None:
    page = made_flow().to_html()
    parsed = parse(page)
    names = [tag for tag, _ in parsed.tags]
    assert "script" not in names and "link" not in names and "img" not in names
    for _, attrs in parsed.tags:
        for key in ("src", "href"):
            assert attrs.get(key) is None
    text = "".join(parsed.text)
    assert "ValueError: bad <value>" in text
    assert 'Hi <there> & "you"' in text
    assert "press 1" in text
    assert "orphan" in text
    assert "svg" in names


def test_html_page_of_an_explored_app() -> None:
    flow = Simulator(menu_app()).explore("/voice")
    text = "".join(parse(flow.to_html()).text)
    assert f"{len(flow.paths)} paths played from /voice" in text
    assert f"{len(flow.failures)} failing path(s)" in text
    assert "more path(s) fail the same way" in text
    assert "menu.survey" in text


def test_html_page_without_failures() -> None:
    flow = made_flow()
    clean = Flow(**{**flow.__dict__, "failures": (), "truncated": True})
    text = "".join(parse(clean.to_html()).text)
    assert "no path fails" in text
    assert "Exploring stopped at max_paths" in text
