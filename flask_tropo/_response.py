"""The response of a Tropo route: the verbs a handler returned, written as
Flask's JSON provider would write ``render(verbs)``.

For Flask's :class:`~flask.json.provider.DefaultJSONProvider` the body is
written here with the provider's settings (``default``, ``ensure_ascii``,
``sort_keys``, layout), by a :class:`json.JSONEncoder` built once per set of
settings; compact bodies are written straight from the verbs by the compiled
writers of :mod:`flask_tropo.schemas.writer`. Any other provider writes the
document itself.

Internal; may change at any time.
"""

from __future__ import annotations

import collections.abc as c
import json
import typing as t

from flask.json.provider import DefaultJSONProvider
from werkzeug.utils import get_content_type
from werkzeug.wrappers import Response

from . import signals
from .document import render
from .schemas.verbs import _next_url
from .schemas.writer import Style
from .schemas.writer import write_document
from .verbs import Verb

if t.TYPE_CHECKING:  # pragma: no cover
    from flask import Flask

    from .continuation import _Linker


#: JSON encoders by the settings of a DefaultJSONProvider: (default,
#: ensure_ascii, sort_keys, indented).
_ENCODERS: dict[tuple[t.Any, ...], json.JSONEncoder] = {}


def _json_encoder(
    default: t.Any, ensure_ascii: bool, sort_keys: bool, indent: bool
) -> json.JSONEncoder:
    """The encoder of these provider settings, built once: compact, or
    indented by 2 as the provider indents.

    :meta private:
    """
    key = (default, ensure_ascii, sort_keys, indent)
    encoder = _ENCODERS.get(key)
    if encoder is None:
        if len(_ENCODERS) >= 16:
            _ENCODERS.clear()
        encoder = _ENCODERS[key] = json.JSONEncoder(
            default=default,
            ensure_ascii=ensure_ascii,
            sort_keys=sort_keys,
            indent=2 if indent else None,
            separators=None if indent else (",", ":"),
        )
    return encoder


def _encoder(
    app: Flask, provider: DefaultJSONProvider
) -> tuple[json.JSONEncoder, bool]:
    """The encoder that writes as ``provider`` does, and whether it indents.

    :meta private:
    """
    compact = provider.compact
    indent = bool(compact is False or (compact is None and app.debug))
    encoder = _json_encoder(
        provider.default, provider.ensure_ascii, provider.sort_keys, indent
    )
    return encoder, indent


def _document_response(
    app: Flask, verbs: list[Verb], linker: _Linker
) -> tuple[Response, dict[str, t.Any] | None]:
    """``app.make_response(render(verbs, next_url=linker))``, and the document
    if it was built.

    For Flask's :class:`~flask.json.provider.DefaultJSONProvider` writing
    compact JSON, and no receiver of
    :data:`~flask_tropo.signals.response_rendered` to hand the document to,
    the text is written straight from the verbs by the compiled writers of
    :mod:`flask_tropo.schemas.writer`, the same bytes without the dict.

    :meta private:
    """
    provider = app.json
    if (
        type(provider) is DefaultJSONProvider
        and not signals.response_rendered.receivers
    ):
        compact = provider.compact
        if compact or (compact is None and not app.debug):
            key = (
                provider.default,
                provider.ensure_ascii,
                provider.sort_keys,
                provider.mimetype,
            )
            encode, style, content_type = _WRITERS.get(key) or _writer(key)
            token = _next_url.set(linker)
            try:
                text = write_document(verbs, style, encode)
            finally:
                _next_url.reset(token)
            # What response_class(text, mimetype=...) does, without its detours.
            body = f"{text}\n".encode()
            return app.response_class(body, content_type=content_type), None
    document = render(verbs, next_url=linker)
    return _json_response(app, document), document


#: What writes a compact body, by the settings of a DefaultJSONProvider
#: (default, ensure_ascii, sort_keys, mimetype): the provider's ``encode``
#: for other values, the writers' style, the ``Content-Type``.
_WRITERS: dict[tuple[t.Any, ...], tuple[c.Callable[[t.Any], str], Style, str]] = {}


def _writer(
    key: tuple[t.Any, ...],
) -> tuple[c.Callable[[t.Any], str], Style, str]:
    default, ensure_ascii, sort_keys, mimetype = key
    encoder = _json_encoder(default, ensure_ascii, sort_keys, False)
    if len(_WRITERS) >= 16:
        _WRITERS.clear()
    found = _WRITERS[key] = (
        encoder.encode,
        (bool(sort_keys), bool(ensure_ascii)),
        get_content_type(mimetype, "utf-8"),
    )
    return found


def _json_response(app: Flask, document: dict[str, t.Any]) -> Response:
    """``app.make_response(document)``: the document written by the app's
    JSON provider.

    For Flask's :class:`~flask.json.provider.DefaultJSONProvider`, the same
    body, ``json.dumps`` with the provider's ``default``, ``ensure_ascii``,
    ``sort_keys`` and layout, plus a newline, is written here by an encoder
    built once for those settings; any other provider writes it itself.

    :meta private:
    """
    provider = app.json
    if type(provider) is not DefaultJSONProvider:
        return app.make_response(document)
    encoder, _ = _encoder(app, provider)
    return app.response_class(
        f"{encoder.encode(document)}\n", mimetype=provider.mimetype
    )
