"""Where a Tropo request spends its time: each step of the extension's view,
timed warm inside a real request context (``python -m benchmarks
--breakdown``).

The steps call the extension's internals as the view does; they are
diagnostics, not API, so a step whose internals have changed prints ``n/a``
instead of failing. Warm timings of isolated steps add up to less than a
whole request costs: a request runs far more code than fits in the CPU's
caches, so the route benchmarks remain the reference.
"""

from __future__ import annotations

import collections.abc as c
import io
import json
import statistics
import timeit
import typing as t
from functools import partial

from flask import Flask
from flask import current_app
from flask import g
from flask import request
from flask import url_for

from flask_tropo import signals
from flask_tropo.document import render
from flask_tropo.payloads import Result
from flask_tropo.payloads import Session
from flask_tropo.schemas import compiled

from . import apps

Step = tuple[str, c.Callable[[], c.Callable[[], t.Any]]]


def _time(fn: c.Callable[[], t.Any], number: int) -> float:
    """Median over 5 runs of µs per call."""
    return statistics.median(
        timeit.timeit(fn, number=number) / number * 1e6 for _ in range(5)
    )


def _run(title: str, steps: list[Step], number: int) -> dict[str, float | None]:
    print(f"\n{title}")
    results: dict[str, float | None] = {}
    for label, setup in steps:
        try:
            fn = setup()
            fn()
            us: float | None = _time(fn, number)
        except (AttributeError, KeyError, TypeError, ImportError, LookupError):
            us = None
        results[label] = us
        shown = f"{us:8.2f} µs" if us is not None else "     n/a"
        print(f"  {label:<58} {shown}")
    return results


def _context(app: Flask, call: apps.WSGICall) -> t.Any:
    environ = call.environ.copy()
    environ["wsgi.input"] = io.BytesIO(call.body)
    return app.request_context(environ)


def breakdown(number: int = 5000) -> dict[str, dict[str, float | None]]:
    """Time each step of the session, chained and result routes; print and
    return µs per step."""
    from flask_tropo import blueprint as bp
    from flask_tropo import continuation as cont

    app = apps.create_app()
    session_doc = apps.session_document()
    voice = apps.WSGICall(app, "/voice", session_doc)
    chained = apps.WSGICall(app, "/chained", session_doc)
    choice = apps.WSGICall(app, apps.next_url(chained.check()), apps.result_document())
    config = app.config
    body = voice.body
    session = Session.parse(body)
    views: t.Any = app.view_functions
    handler, target = views["tropo.voice"].handler, views["tropo.choice"].handler
    verbs = handler(session)
    linked_verbs = apps.three_verbs(target)
    document = render(verbs)
    mimetype = "application/json"
    proxy: t.Any = current_app
    ensure_sync = app.ensure_sync

    def state() -> t.Any:
        return bp._app_state(app)

    def linker(call: t.Any) -> t.Any:
        return cont._Linker(state(), config, call, "tropo")

    def set_and_pop_g() -> None:
        setattr(g, cont._G_KEY, 1)
        g.pop(cont._G_KEY, None)

    def send(signal: t.Any, **kwargs: t.Any) -> c.Callable[[], t.Any]:
        return lambda: signal.send(app, _async_wrapper=ensure_sync, **kwargs)

    report: dict[str, dict[str, float | None]] = {}
    with _context(app, voice):
        bp._read_body(app, config)  # the first read is part of the floor too
        call = cont._Call(session.id, {})
        steps: list[Step] = [
            ("current_app._get_current_object()", lambda: proxy._get_current_object),
            ("_app_state(app)", lambda: state),
            ("request.method", lambda: lambda: request.method),
            ("_check_auth(app, config)", lambda: partial(bp._check_auth, app, config)),
            (
                "_read_body(app, config), body already read",
                lambda: partial(bp._read_body, app, config),
            ),
            ("request.endpoint", lambda: lambda: request.endpoint),
            (
                "json.loads(body) (what the floor does)",
                lambda: partial(json.loads, body),
            ),
            ("Session.parse(body)", lambda: partial(Session.parse, body)),
            ("_Call(session.id, {})", lambda: lambda: cont._Call(session.id, {})),
            ("state.routes.refresh(app)", lambda: partial(state().routes.refresh, app)),
            ("setattr(g, ...) and g.pop(...)", lambda: set_and_pop_g),
            (
                "session_received.send(...)",
                lambda: send(signals.session_received, session=session),
            ),
            ("app.ensure_sync(handler)", lambda: partial(ensure_sync, handler)),
            ("handler(session): builds the 3 verbs", lambda: partial(handler, session)),
            (
                "_unpack(verbs, endpoint)",
                lambda: partial(bp._unpack, verbs, "tropo.voice"),
            ),
            ("request.blueprint", lambda: lambda: request.blueprint),
            (
                "routes.add_defaults(verbs, blueprint)",
                lambda: lambda: state().routes.add_defaults(list(verbs), "tropo"),
            ),
            (
                "render(verbs, next_url=_Linker(...)), string next",
                lambda: lambda: render(verbs, next_url=linker(call)),
            ),
            (
                "app.make_response(document)",
                lambda: partial(app.make_response, document),
            ),
            (
                "  app.json.dumps(document) (sorted keys)",
                lambda: partial(app.json.dumps, document),
            ),
            (
                "response_class(json.dumps(document)) (the floor)",
                lambda: (
                    lambda: app.response_class(json.dumps(document), mimetype=mimetype)
                ),
            ),
            (
                "response_class(compiled.dumps(document))",
                lambda: (
                    lambda: app.response_class(
                        compiled.dumps(document), mimetype=mimetype
                    )
                ),
            ),
            (
                "response_rendered.send(...)",
                lambda: send(signals.response_rendered, document=document),
            ),
        ]
        report["session"] = _run("Session route, step by step:", steps, number)
    with _context(app, chained):
        call = cont._Call(session.id, {"tries": 0})
        setattr(g, cont._G_KEY, call)
        tokens = state().tokens
        steps = [
            (
                "render(verbs, next_url=_Linker(...)), next=handler",
                lambda: lambda: render(linked_verbs, next_url=linker(call)),
            ),
            (
                "  routes.resolve(handler, blueprint)",
                lambda: partial(state().routes.resolve, target, "tropo"),
            ),
            (
                "  tokens.dumps(...): sign the token",
                lambda: partial(
                    tokens.dumps, config, session.id, "tropo.choice", call.state
                ),
            ),
            ("  url_for(endpoint)", lambda: partial(url_for, "tropo.choice")),
        ]
        report["chained"] = _run("Chained route, extra steps:", steps, number)
    with _context(app, choice):
        result = Result.parse(choice.body)
        token = request.args.get(cont.NEXT_PARAM)
        setattr(g, cont._G_KEY, cont._Call(result.session_id, {"tries": 0}))
        tokens = state().tokens
        steps = [
            (
                "json.loads(body) (what the floor does)",
                lambda: partial(json.loads, choice.body),
            ),
            ("Result.parse(body)", lambda: partial(Result.parse, choice.body)),
            (
                "request.args.get(NEXT_PARAM)",
                lambda: lambda: request.args.get(cont.NEXT_PARAM),
            ),
            (
                "tokens.loads(...): check the token",
                lambda: partial(
                    tokens.loads, config, token, result.session_id, "tropo.choice"
                ),
            ),
            ("handler(result): call_state, 2 verbs", lambda: partial(target, result)),
        ]
        report["result"] = _run("Result route, extra steps:", steps, number)
    return report
