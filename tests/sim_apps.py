"""Hand-made WebAPI apps for the simulator tests, written without flask_tropo.

:class:`ScriptedApp` answers fixed documents (or documents computed from the
posted payload) by path and keeps every payload it receives.
"""

from __future__ import annotations

import collections.abc as c
import contextlib
import threading
import typing as t

from flask import Flask
from flask import abort
from flask import request
from werkzeug.serving import make_server

Document: t.TypeAlias = "dict[str, t.Any] | c.Callable[[dict[str, t.Any]], t.Any]"


class ScriptedApp:
    """A Flask app that answers ``documents[path]`` to POSTs on ``path``.

    A document given as a callable is called with the posted payload (and
    may read :data:`flask.request`); anything it returns is a Flask response
    value. Unknown paths answer 404.
    """

    def __init__(self, documents: c.Mapping[str, Document]) -> None:
        self.documents = dict(documents)
        #: ``(path with query string, payload)`` of every POST, in order.
        self.posts: list[tuple[str, dict[str, t.Any]]] = []
        self.app = Flask(__name__)
        self.app.testing = True
        self.app.add_url_rule("/<path:path>", "answer", self._answer, methods=["POST"])

    def _answer(self, path: str) -> t.Any:
        payload = t.cast(dict[str, t.Any], request.get_json())
        full = request.full_path.rstrip("?")
        self.posts.append((full, payload))
        document = self.documents.get(f"/{path}")
        if document is None:
            abort(404)
        if callable(document):
            return document(payload)
        return document

    @property
    def paths(self) -> list[str]:
        """The paths posted to, with their query strings."""
        return [path for path, _ in self.posts]

    @property
    def results(self) -> list[dict[str, t.Any]]:
        """The inner ``result`` objects received, in order."""
        return [p["result"] for _, p in self.posts if "result" in p]


def tropo(*verbs: dict[str, t.Any]) -> dict[str, t.Any]:
    """A document from its elements."""
    return {"tropo": list(verbs)}


def say(*values: str) -> dict[str, t.Any]:
    """A top-level say element (an object for one value, an array else)."""
    if len(values) == 1:
        return {"say": {"value": values[0]}}
    return {"say": [{"value": value} for value in values]}


def on(event: str, next: str | None = None, **fields: t.Any) -> dict[str, t.Any]:
    """An on element."""
    body: dict[str, t.Any] = {"event": event, **fields}
    if next is not None:
        body["next"] = next
    return {"on": body}


def ask(grammar: str, prompt: str | None = "Pick", **fields: t.Any) -> dict[str, t.Any]:
    """An ask element."""
    body: dict[str, t.Any] = {"choices": {"value": grammar}, **fields}
    if prompt is not None and "say" not in body:
        body["say"] = {"value": prompt}
    return {"ask": body}


HANGUP: dict[str, t.Any] = {"hangup": None}


@contextlib.contextmanager
def serving(app: t.Any) -> c.Iterator[str]:
    """Serve a WSGI app on 127.0.0.1 in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
