"""Drawing a :class:`~flask_tropo.testing.Flow`: Mermaid and DOT source, and
an SVG laid out here, so no Graphviz or script is needed to see it.

The layout is layered: each endpoint's layer is its distance from the
session route along the edges, the endpoints of a layer are ordered by the
mean position of those that lead to them, and edges that go back up (loops,
retries) bend out to the right. Endpoints no path reached sit in a last row,
dashed.

:meta private:
"""

from __future__ import annotations

import collections
import collections.abc as c
import itertools
import typing as t
from dataclasses import dataclass
from html import escape

if t.TYPE_CHECKING:  # pragma: no cover
    from .flow import Flow

__all__ = ["Layout", "layout", "to_dot", "to_mermaid", "to_svg"]

CHAR_WIDTH = 7.2  # of the 12px sans-serif text, about
NODE_HEIGHT = 44
ROW_GAP = 70
COLUMN_GAP = 36
LANE_GAP = 18
BEND_WIDTH = 12
MARGIN = 24


@dataclass(frozen=True, slots=True)
class Box:
    """Where one endpoint (or a bend of a long edge) is drawn: the centre
    and the width of its box."""

    name: str
    x: float
    y: float
    width: float
    layer: int


@dataclass(frozen=True, slots=True)
class Layout:
    """The endpoints' boxes, the size of the drawing, and each edge (the
    events merged per pair of endpoints) with the SVG path it takes and
    where its label goes."""

    boxes: dict[str, Box]
    width: float
    height: float
    edges: dict[tuple[str, str], list[str]]
    paths: dict[tuple[str, str], tuple[str, float, float, str]]


def _states(flow: Flow) -> dict[str, str]:
    """The class of each endpoint: ``start``, ``failed``, ``unreached`` or
    ``""``."""
    failed = {failure.endpoint for failure in flow.failures}
    found = {name: "" for name in flow.endpoints}
    found.setdefault(flow.start, "")
    for name in failed:
        found[name] = "failed"
    if found[flow.start] == "":
        found[flow.start] = "start"
    for name in flow.unreached:
        found[name] = "unreached"
    return found


def _layers(start: str, edges: c.Iterable[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layers from ``start``, once the edges that close a loop
    (found depth first) are set aside."""
    following = collections.defaultdict(list)
    for source, target in edges:
        following[source].append(target)
    back: set[tuple[str, str]] = set()
    open_: set[str] = set()
    done: list[str] = []

    def visit(name: str) -> None:
        open_.add(name)
        for target in following[name]:
            if target in open_:
                back.add((name, target))
            elif target not in done:
                visit(target)
        open_.discard(name)
        done.append(name)

    visit(start)
    layer = {start: 0}
    for name in reversed(done):  # a topological order without the back edges
        for target in following[name]:
            if (name, target) not in back:
                layer[target] = max(layer.get(target, 0), layer[name] + 1)
    return layer


def layout(flow: Flow) -> Layout:
    """Place every endpoint of ``flow`` and route every edge."""
    names = list(_states(flow))
    edges: dict[tuple[str, str], list[str]] = {}
    for source, event, target in flow.edges:
        events = edges.setdefault((source, target), [])
        if event not in events:
            events.append(event)
    layer = _layers(flow.start, edges)
    deepest = max(layer.values())
    for name in names:  # unreached (or reached some other way): a last row
        layer.setdefault(name, deepest + 1)
    # an edge down more than one layer bends through a slot in each layer
    # it crosses, so that it is ordered with the boxes and passes between them
    chains: dict[tuple[str, str], list[str]] = {}
    returning: list[tuple[str, str]] = []
    for a, b in edges:
        if layer[b] <= layer[a]:
            returning.append((a, b))
            continue
        bends = [f"\0{a}\0{b}\0{depth}" for depth in range(layer[a] + 1, layer[b])]
        layer.update({bend: layer[a] + 1 + i for i, bend in enumerate(bends)})
        chains[a, b] = [a, *bends, b]
    before = collections.defaultdict(list)
    for chain in chains.values():
        for upper, lower in itertools.pairwise(chain):
            before[lower].append(upper)
    rows: dict[int, list[str]] = collections.defaultdict(list)
    for name in layer:
        rows[layer[name]].append(name)
    position: dict[str, float] = {}
    for number in sorted(rows):
        row = rows[number]
        weights = {
            name: sum(position[u] for u in before[name]) / len(before[name])
            if before[name]
            else index
            for index, name in enumerate(row)
        }
        row.sort(key=weights.__getitem__)
        position.update((name, index) for index, name in enumerate(row))
    widths = {
        name: BEND_WIDTH if name.startswith("\0") else _box_width(flow, name)
        for name in layer
    }
    row_widths = {
        number: sum(widths[n] for n in row) + COLUMN_GAP * (len(row) - 1)
        for number, row in rows.items()
    }
    inner = max(row_widths.values())
    boxes = {}
    for number, row in rows.items():
        x = MARGIN + (inner - row_widths[number]) / 2
        y = MARGIN + number * (NODE_HEIGHT + ROW_GAP) + NODE_HEIGHT / 2
        for name in row:
            boxes[name] = Box(name, x + widths[name] / 2, y, widths[name], number)
            x += widths[name] + COLUMN_GAP
    lanes = {
        pair: MARGIN + inner + LANE_GAP * (index + 1)
        for index, pair in enumerate(returning)
    }
    paths = _route(boxes, chains, lanes)
    width = inner + 2 * MARGIN + (LANE_GAP * len(lanes) + 70 if lanes else 40)
    height = MARGIN * 2 + len(rows) * NODE_HEIGHT + (len(rows) - 1) * ROW_GAP
    real = {name: box for name, box in boxes.items() if not name.startswith("\0")}
    return Layout(real, width, height, edges, paths)


def _ports(
    boxes: dict[str, Box], chains: dict[tuple[str, str], list[str]]
) -> dict[tuple[tuple[str, str], int], float]:
    """Where each edge leaves its source (key ``0``) and enters its target
    (key ``-1``): spread along the box's side, in the order of the x they
    come from or go to, so that they do not overlap."""
    sides: dict[tuple[str, int], list[tuple[float, tuple[str, str]]]] = {}
    for pair, chain in chains.items():
        sides.setdefault((chain[0], 0), []).append((boxes[chain[1]].x, pair))
        sides.setdefault((chain[-1], -1), []).append((boxes[chain[-2]].x, pair))
    ports = {}
    for (name, end), items in sides.items():
        box = boxes[name]
        step = min(16.0, box.width / (len(items) + 1))
        for index, (_, pair) in enumerate(sorted(items)):
            ports[pair, end] = box.x + (index - (len(items) - 1) / 2) * step
    return ports


def _route(
    boxes: dict[str, Box],
    chains: dict[tuple[str, str], list[str]],
    lanes: dict[tuple[str, str], float],
) -> dict[tuple[str, str], tuple[str, float, float, str]]:
    """Each edge's SVG path, the x and y of its label and the label's
    ``text-anchor``."""
    half = NODE_HEIGHT / 2
    ports = _ports(boxes, chains)
    paths = {}
    for pair, chain in chains.items():
        points = [(ports[pair, 0], boxes[chain[0]].y + half)]
        for bend in chain[1:-1]:
            box = boxes[bend]
            points += [(box.x, box.y - half), (box.x, box.y + half)]
        points.append((ports[pair, -1], boxes[chain[-1]].y - half))
        d = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
        for index in range(0, len(points) - 1, 2):
            (x1, y1), (x2, y2) = points[index], points[index + 1]
            middle = (y1 + y2) / 2
            d += f" C{x1:.1f},{middle:.1f} {x2:.1f},{middle:.1f} {x2:.1f},{y2:.1f}"
            if index + 2 < len(points):
                d += f" L{points[index + 2][0]:.1f},{points[index + 2][1]:.1f}"
        (x1, y1), (x2, y2) = points[0], points[1]
        if len(chain) > 2:  # above its first bend, apart from the others
            paths[pair] = (d, x2, y2 - 2, "middle")
        else:
            paths[pair] = (d, (x1 + x2) / 2, (y1 + y2) / 2, "middle")
    for index, ((a, b), lane) in enumerate(lanes.items()):
        source, target = boxes[a], boxes[b]
        if a == b:  # a loop on the box's right side
            x, y = source.x + source.width / 2, source.y
            d = f"M{x:.1f},{y - 8:.1f} C{x + 40:.1f},{y - 30:.1f}"
            d += f" {x + 40:.1f},{y + 30:.1f} {x:.1f},{y + 8:.1f}"
            paths[a, b] = (d, x + 30, y + 3, "start")
            continue
        # back up (or across): up out of the source's top into the gap above
        # its row, right to its own lane, up to the gap above the target,
        # then down onto it; the gaps hold no box
        rise = 8 + 5 * (index % 6)
        x1, y1 = source.x + source.width / 2 - 12, source.y - half
        x2, y2 = target.x + target.width / 2 - 12, target.y - half
        d = (
            f"M{x1:.1f},{y1:.1f} L{x1:.1f},{y1 - rise:.1f} L{lane:.1f},{y1 - rise:.1f}"
            f" L{lane:.1f},{y2 - rise:.1f} L{x2:.1f},{y2 - rise:.1f} L{x2:.1f},{y2:.1f}"
        )
        paths[a, b] = (d, lane + 4, (y1 + y2) / 2, "start")
    return paths


def _box_width(flow: Flow, name: str) -> float:
    longest = max(len(name), len(_subtitle(flow, name)))
    return max(110.0, longest * CHAR_WIDTH + 24)


def _subtitle(flow: Flow, name: str) -> str:
    state = _states(flow)[name]
    parts = (flow.kinds.get(name, ""), "" if state == "start" else state)
    return " · ".join(part for part in parts if part)


_STYLE = """
.tf-node rect{fill:#f4f7fb;stroke:#4a6a8a;stroke-width:1.5}
.tf-node.start rect{fill:#e3f4e3;stroke:#2e7d32;stroke-width:2.5}
.tf-node.failed rect{fill:#fde3e3;stroke:#c62828;stroke-width:2.5}
.tf-node.unreached rect{fill:#fff;stroke:#999;stroke-dasharray:5 4}
.tf-node.current rect{stroke:#f57c00;stroke-width:4}
.tf-node.visited rect{fill:#fff3e0}
.tf-node text{font:12px sans-serif;fill:#222;text-anchor:middle}
.tf-node text.tf-sub{font-size:10px;fill:#666}
.tf-edge path{fill:none;stroke:#777;stroke-width:1.4;stroke-linejoin:round}
.tf-edge.taken path{stroke:#f57c00;stroke-width:2.5}
.tf-edge text{font:10px sans-serif;fill:#555;paint-order:stroke;stroke:#fff;
 stroke-width:3px}
"""


def to_svg(flow: Flow) -> str:
    """The graph of ``flow`` as one ``<svg>`` element with its own style.

    Each endpoint is a ``<g class="tf-node" data-endpoint="...">`` (classes
    ``start``, ``failed``, ``unreached``), each edge a ``<g class="tf-edge"
    data-from="..." data-to="...">``; the prompts of an endpoint are its
    tooltip.
    """
    drawn = layout(flow)
    states = _states(flow)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tropo-flow" role="img"'
        f' width="{drawn.width:.0f}" height="{drawn.height:.0f}"'
        f' viewBox="0 0 {drawn.width:.0f} {drawn.height:.0f}">',
        f"<title>Call flow of {escape(flow.rule)}</title>",
        f"<style>{_STYLE}</style>",
        '<defs><marker id="tf-arrow" viewBox="0 0 10 10" refX="9" refY="5"'
        ' markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#777"/></marker></defs>',
    ]
    for (source, target), events in drawn.edges.items():
        d, x, y, anchor = drawn.paths[source, target]
        parts.append(
            f'<g class="tf-edge" data-from="{escape(source)}"'
            f' data-to="{escape(target)}">'
            f'<path d="{d}" marker-end="url(#tf-arrow)"/>'
            f'<text x="{x:.1f}" y="{y - 3:.1f}" text-anchor="{anchor}">'
            f"{escape(' / '.join(events))}</text></g>"
        )
    for name, box in drawn.boxes.items():
        prompts = "\n".join(flow.prompts.get(name, ())) or "(no prompt)"
        x, y = box.x - box.width / 2, box.y - NODE_HEIGHT / 2
        classes = f"tf-node {states[name]}".rstrip()
        parts.append(
            f'<g class="{classes}" data-endpoint="{escape(name)}">'
            f"<title>{escape(name)}\n{escape(prompts)}</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{box.width:.1f}"'
            f' height="{NODE_HEIGHT}" rx="8"/>'
            f'<text x="{box.x:.1f}" y="{box.y - 2:.1f}">{escape(name)}</text>'
            f'<text class="tf-sub" x="{box.x:.1f}" y="{box.y + 13:.1f}">'
            f"{escape(_subtitle(flow, name))}</text></g>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _mermaid_label(text: str) -> str:
    return text.replace('"', "#quot;")


def to_mermaid(flow: Flow) -> str:
    """The graph of ``flow`` as a Mermaid ``flowchart``."""
    states = _states(flow)
    ids = {name: f"n{index}" for index, name in enumerate(states)}
    lines = ["flowchart TD"]
    for name, node in ids.items():
        subtitle = _subtitle(flow, name)
        label = f"{name}<br/>{subtitle}" if subtitle else name
        lines.append(f'    {node}["{_mermaid_label(label)}"]')
    for source, event, target in flow.edges:
        lines.append(f'    {ids[source]} -->|"{_mermaid_label(event)}"| {ids[target]}')
    styles = {
        "start": "fill:#e3f4e3,stroke:#2e7d32,stroke-width:2px",
        "failed": "fill:#fde3e3,stroke:#c62828,stroke-width:2px",
        "unreached": "fill:#fff,stroke:#999,stroke-dasharray:5 4",
    }
    for state, style in styles.items():
        members = [ids[name] for name, s in states.items() if s == state]
        if members:
            lines.append(f"    classDef {state} {style}")
            lines.append(f"    class {','.join(members)} {state}")
    return "\n".join(lines) + "\n"


def _dot_string(text: str) -> str:
    quoted = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{quoted}"'


def to_dot(flow: Flow) -> str:
    """The graph of ``flow`` in Graphviz's DOT language."""
    styles = {
        "start": 'color="#2e7d32", penwidth=2',
        "failed": 'color="#c62828", fillcolor="#fde3e3", penwidth=2',
        "unreached": 'color="#999999", style="rounded,dashed"',
    }
    lines = [
        f"digraph {_dot_string(flow.rule)} {{",
        "    rankdir=TB;",
        '    node [shape=box, style="rounded,filled", fillcolor="#f4f7fb",'
        ' fontname="sans-serif"];',
        '    edge [fontname="sans-serif", fontsize=10];',
    ]
    for name, state in _states(flow).items():
        subtitle = _subtitle(flow, name)
        label = f"{name}\n{subtitle}" if subtitle else name
        extra = f", {styles[state]}" if state in styles else ""
        lines.append(f"    {_dot_string(name)} [label={_dot_string(label)}{extra}];")
    for source, event, target in flow.edges:
        lines.append(
            f"    {_dot_string(source)} -> {_dot_string(target)}"
            f" [label={_dot_string(event)}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"
