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
    import hashlib

    from flask.globals import request_ctx
    from itsdangerous import URLSafeTimedSerializer

    from flask_tropo import _response as response
    from flask_tropo import _view as view
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
    handler = view.tropo_view(views["tropo.voice"]).handler  # type: ignore[union-attr]
    target = view.tropo_view(views["tropo.choice"]).handler  # type: ignore[union-attr]
    verbs = handler(session)
    linked_verbs = apps.three_verbs(target)
    document = render(verbs)
    mimetype = "application/json"
    answer = json.dumps(document).encode()
    built = response._response_builder(app.response_class, mimetype)
    app_proxy: t.Any = current_app
    ctx_proxy: t.Any = request_ctx
    ensure_sync = app.ensure_sync
    stock = URLSafeTimedSerializer(
        config["TROPO_SECRET_KEY"] or config["SECRET_KEY"],
        salt=cont._SALT,
        signer_kwargs={"digest_method": hashlib.sha256},
    )

    def state() -> t.Any:
        return view._app_state(app)

    def linker(call: t.Any) -> t.Any:
        ctx = request_ctx._get_current_object()  # type: ignore[attr-defined]
        return cont._Linker(app, state(), config, call, "tropo", ctx.url_adapter)

    def set_and_reset_call() -> None:
        cont._CALL.reset(cont._CALL.set(None))

    def send(signal: t.Any, **kwargs: t.Any) -> c.Callable[[], t.Any]:
        return lambda: signal.send(app, _async_wrapper=ensure_sync, **kwargs)

    report: dict[str, dict[str, float | None]] = {}
    with _context(app, voice):
        req: t.Any = request._get_current_object()  # type: ignore[attr-defined]
        view._read_body(app, config, req)  # the first read is part of the floor too
        call = cont._Call(session.id, {})
        steps: list[Step] = [
            (
                "current_app._get_current_object()",
                lambda: app_proxy._get_current_object,
            ),
            (
                "request_ctx._get_current_object()",
                lambda: ctx_proxy._get_current_object,
            ),
            ("_app_state(app)", lambda: state),
            ("req.method (request object, not the proxy)", lambda: lambda: req.method),
            (
                "TROPO_BASIC_AUTH unset: no _check_auth",
                lambda: lambda: config["TROPO_BASIC_AUTH"] is not None,
            ),
            (
                "_read_body(app, config, req), body already read",
                lambda: partial(view._read_body, app, config, req),
            ),
            ("req.endpoint", lambda: lambda: req.endpoint),
            (
                "json.loads(body) (what the floor does)",
                lambda: partial(json.loads, body),
            ),
            ("Session.parse(body)", lambda: partial(Session.parse, body)),
            ("_Call(session.id, {})", lambda: lambda: cont._Call(session.id, {})),
            ("state.routes.refresh(app)", lambda: partial(state().routes.refresh, app)),
            ("_CALL.set(...) and _CALL.reset(...)", lambda: set_and_reset_call),
            (
                "session_received.receivers (no receivers: no send)",
                lambda: lambda: signals.session_received.receivers,
            ),
            (
                "  session_received.send(...) (what a send costs)",
                lambda: send(signals.session_received, session=session),
            ),
            (
                "app.ensure_sync(handler) (skipped for plain functions)",
                lambda: partial(ensure_sync, handler),
            ),
            ("handler(session): builds the 3 verbs", lambda: partial(handler, session)),
            (
                "_unpack(verbs, endpoint)",
                lambda: partial(view._unpack, verbs, "tropo.voice"),
            ),
            ("req.blueprint", lambda: lambda: req.blueprint),
            (
                "routes.add_defaults(verbs, blueprint)",
                lambda: lambda: state().routes.add_defaults(list(verbs), "tropo"),
            ),
            (
                "_document_response(...): the body written from the verbs",
                lambda: lambda: response._document_response(app, verbs, linker(call)),
            ),
            (
                "  render(verbs, next_url=_Linker(...)) (the dict, for signals)",
                lambda: lambda: render(verbs, next_url=linker(call)),
            ),
            (
                "  _json_response(app, document) (the dict's body)",
                lambda: partial(response._json_response, app, document),
            ),
            (
                "  app.make_response(document) (what it replaces)",
                lambda: partial(app.make_response, document),
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
                "serving the floor's Response (werkzeug)",
                lambda: partial(_serve, app.response_class(answer, mimetype=mimetype)),
            ),
            (
                "serving a Tropo route's Response",
                lambda: partial(_serve, built(answer)),
            ),
        ]
        report["session"] = _run("Session route, step by step:", steps, number)
    with _context(app, chained):
        call = cont._Call(session.id, {"tries": 0})
        adapter = request_ctx.url_adapter
        tokens = state().tokens
        payload = [session.id, "tropo.choice", call.state]
        steps = [
            (
                "_document_response(...), next=handler",
                lambda: (
                    lambda: response._document_response(
                        app, list(linked_verbs), linker(call)
                    )
                ),
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
            (
                "    stock URLSafeTimedSerializer.dumps (reference)",
                lambda: partial(stock.dumps, payload),
            ),
            (
                "  routes.link(...): the URL up to the token (cached)",
                lambda: partial(
                    state().routes.link, app, adapter, "tropo.choice", None
                ),
            ),
            (
                "    url_for(endpoint) (what the cache saves)",
                lambda: partial(url_for, "tropo.choice"),
            ),
        ]
        report["chained"] = _run("Chained route, extra steps:", steps, number)
    with _context(app, choice):
        req = request._get_current_object()  # type: ignore[attr-defined]
        result = Result.parse(choice.body)
        token = req.args.get(cont.NEXT_PARAM)
        tokens = state().tokens
        call = cont._Call(result.session_id, {"tries": 0})
        steps = [
            (
                "json.loads(body) (what the floor does)",
                lambda: partial(json.loads, choice.body),
            ),
            ("Result.parse(body)", lambda: partial(Result.parse, choice.body)),
            (
                "_next_token(req): the token of the query string",
                lambda: partial(view._next_token, req),
            ),
            (
                "  req.args.get(NEXT_PARAM), parsed afresh (what it replaces)",
                lambda: (
                    lambda: (
                        req.__dict__.pop("args", None),
                        req.args.get(cont.NEXT_PARAM),
                    )
                ),
            ),
            (
                "tokens.loads(...): check the token",
                lambda: partial(
                    tokens.loads, config, token, result.session_id, "tropo.choice"
                ),
            ),
            (
                "  stock URLSafeTimedSerializer.loads (reference)",
                lambda: partial(stock.loads, token, return_timestamp=True),
            ),
            (
                "handler(result): call_state, 2 verbs",
                lambda: lambda: _with_call(call, target, result),
            ),
        ]
        report["result"] = _run("Result route, extra steps:", steps, number)
    steps = [
        (
            "a request's body read by werkzeug's request.get_data()",
            lambda: partial(_read, voice, None),
        ),
        (
            "a request's body read as a Tropo route reads it",
            lambda: partial(_read, voice, app.config["TROPO_MAX_CONTENT_LENGTH"]),
        ),
    ]
    report["body"] = _run(
        "Reading the body (a fresh request object each time, included):",
        steps,
        number,
    )
    return report


def _read(call: apps.WSGICall, limit: int | None) -> t.Any:
    """Read the session body of a fresh request, by werkzeug or as a Tropo
    route does (``limit``)."""
    from flask_tropo._body import read_body

    environ = call.environ.copy()
    environ["wsgi.input"] = io.BytesIO(call.body)
    req = Flask.request_class(environ)
    if limit is None:
        return req.get_data()
    req.max_content_length = limit + 1
    return read_body(req, limit)


def _serve(response: t.Any) -> bytes:
    """Serve ``response`` as Flask's ``wsgi_app`` does, and close it."""
    environ = {"REQUEST_METHOD": "POST"}
    app_iter = response(environ, lambda status, headers, exc_info=None: None)
    try:
        return b"".join(app_iter)
    finally:
        app_iter.close()


def _with_call(call: t.Any, handler: t.Any, result: t.Any) -> t.Any:
    """Run a result handler with ``call`` as the current call."""
    from flask_tropo import continuation as cont

    reset = cont._CALL.set(call)
    try:
        return handler(result)
    finally:
        cont._CALL.reset(reset)
