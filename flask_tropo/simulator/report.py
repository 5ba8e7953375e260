"""The page of :meth:`Flow.to_html <flask_tropo.testing.Flow.to_html>`: one
HTML file with everything inline (style and SVG, no script), to open from a
CI artifact or a mail without a network.

:meta private:
"""

from __future__ import annotations

import typing as t
from html import escape

from .drawing import to_svg

if t.TYPE_CHECKING:  # pragma: no cover
    from .flow import Flow
    from .flow import Path

__all__ = ["to_html"]

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;color:#222;max-width:72rem;
 margin:1.5rem auto;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
.graph{overflow-x:auto;border:1px solid #ddd;border-radius:6px;padding:.5rem}
.ok{color:#2e7d32}.bad{color:#c62828}.warn{color:#a15c00}
table{border-collapse:collapse}
th,td{border-bottom:1px solid #ddd;padding:.3rem .8rem .3rem 0;text-align:left;
 vertical-align:top}
ol.inputs{margin:.2rem 0;padding-left:1.4rem}
code{background:#f4f4f4;padding:0 .2rem}
.failure{border-left:4px solid #c62828;padding:.2rem .8rem;margin:.8rem 0;
 background:#fff7f7}
"""


def _steps(path: Path) -> str:
    items = "".join(f"<li><code>{escape(str(s))}</code></li>" for s in path.inputs)
    return f'<ol class="inputs">{items}</ol>' if items else "<p>(no input)</p>"


def to_html(flow: Flow) -> str:
    """The page for ``flow``."""
    title = f"Call flow of {flow.rule}"
    if flow.failures:
        verdict = f'<strong class="bad">{len(flow.failures)} failing path(s)</strong>'
    else:
        verdict = '<strong class="ok">no path fails</strong>'
    summary = (
        f"<p>{len(flow.paths)} paths played from <code>{escape(flow.rule)}</code>,"
        f" {len(flow.endpoints)} endpoints reached, {verdict}.</p>"
    )
    if flow.truncated:
        summary += (
            '<p class="warn">Exploring stopped at max_paths with paths left to'
            " play: raise it to see the whole flow.</p>"
        )
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        summary,
        f'<div class="graph">{to_svg(flow)}</div>',
        "<h2>Failures</h2>",
    ]
    if not flow.failures:
        parts.append("<p>None.</p>")
    for failure, count in flow.distinct_failures():
        error = f"{type(failure.exception).__name__}: {failure.exception}"
        more = f" {count - 1} more path(s) fail the same way." if count > 1 else ""
        parts.append(
            f'<div class="failure"><p><strong>{escape(failure.endpoint)}</strong>'
            f" raised <code>{escape(error)}</code>. The inputs that reproduce it,"
            f" from a fresh dial:</p>{_steps(failure.path)}<p>{more}</p></div>"
        )
    parts.append("<h2>Unreached endpoints</h2>")
    if flow.unreached:
        items = "".join(f"<li><code>{escape(n)}</code></li>" for n in flow.unreached)
        parts.append(f"<p>Registered, but no path leads there:</p><ul>{items}</ul>")
    else:
        parts.append("<p>None.</p>")
    parts.append(
        "<h2>Endpoints and their prompts</h2>"
        "<table><tr><th>Endpoint</th><th>Kind</th><th>Prompts</th></tr>"
    )
    for name in (*flow.endpoints, *flow.unreached):
        prompts = "<br>".join(escape(p) for p in flow.prompts.get(name, ()))
        kind = escape(flow.kinds.get(name, ""))
        parts.append(
            f"<tr><td><code>{escape(name)}</code></td><td>{kind}</td>"
            f"<td>{prompts or '—'}</td></tr>"
        )
    parts.append("</table><h2>Paths</h2><details><summary>Every path</summary><table>")
    parts.append("<tr><th>#</th><th>Inputs</th><th>Ends</th></tr>")
    for number, path in enumerate(flow.paths, 1):
        steps = ", ".join(str(step) for step in path.inputs) or "(no input)"
        parts.append(
            f"<tr><td>{number}</td><td>{escape(steps)}</td>"
            f"<td>{escape(path.end)}</td></tr>"
        )
    parts.append("</table></details></body></html>")
    return "\n".join(parts) + "\n"
