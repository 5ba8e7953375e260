"""Write verbs as a WebAPI document, and read any SDK's documents back.

.. code-block:: python

    >>> render([Say("Hello"), Hangup()])
    {'tropo': [{'say': {'value': 'Hello'}}, {'hangup': None}]}
    >>> parse_document('{"tropo": [{"say": [{"value": "Hello"}]}]}')
    [Say('Hello')]
"""

from __future__ import annotations

import collections.abc as c
import json
import typing as t

from marshmallow import ValidationError

from . import verbs as v
from .exceptions import InvalidDocument
from .schemas.verb_fields import NEXT_URL
from .schemas.verbs import dump_verb
from .schemas.verbs import load_verb

__all__ = ["render", "parse_document"]


def render(
    verbs: v.Verb | c.Iterable[v.Verb],
    *,
    next_url: c.Callable[[c.Callable[..., t.Any]], str] | None = None,
) -> dict[str, t.Any]:
    """Write verbs as a WebAPI document ``{"tropo": [...]}``, with the
    conventions listed in :doc:`/verbs`.

    Inside a Tropo route the extension renders for you and resolves
    ``On(next=handler)`` to the handler's signed URL. Outside one, pass
    ``next_url`` to resolve handlers yourself; a callable ``next`` without it is
    a :class:`~flask_tropo.TropoError`.

    :param verbs: one verb or an iterable of verbs, in the order Tropo runs
        them.
    :param next_url: called with each callable ``next``; returns its URL.
    :raises TypeError: for anything that is not a verb.
    """
    items = (verbs,) if isinstance(verbs, v.Verb) else verbs
    out: list[dict[str, t.Any]] = []
    token = NEXT_URL.set(next_url)
    try:
        for verb in items:
            if not isinstance(verb, v.Verb):
                raise TypeError(
                    f"render() takes verbs from flask_tropo.verbs, got {verb!r}"
                    f" ({type(verb).__name__})."
                )
            out.append({verb.tropo_key: dump_verb(verb)})
    finally:
        NEXT_URL.reset(token)
    return {"tropo": out}


def parse_document(data: c.Mapping[str, t.Any] | str | bytes) -> list[v.Verb]:
    """Read a WebAPI document into verb objects, in any dialect the public
    SDKs wrote (see :doc:`/verbs`); an array of several ``say`` (or ``on``)
    objects becomes one verb each.

    :param data: the document, as a mapping, JSON text or UTF-8 bytes.
    :raises InvalidDocument: naming the element index, the verb and the key
        for undecodable input, an unknown verb or key, or a value a verb
        refuses.
    """
    if isinstance(data, (str, bytes, bytearray)):
        try:
            data = json.loads(data if isinstance(data, str) else data.decode())
        except UnicodeDecodeError as exc:
            raise InvalidDocument(f"not UTF-8 ({exc.reason})") from exc
        except ValueError as exc:
            raise InvalidDocument(f"not JSON ({exc})") from exc
    if not isinstance(data, c.Mapping) or "tropo" not in data:
        raise InvalidDocument('not a WebAPI document: expected {"tropo": [...]}')
    extra = [k for k in data if k != "tropo"]
    if extra:
        raise InvalidDocument(f"unknown top-level key {extra[0]!r}", key=str(extra[0]))
    elements = data["tropo"]
    if not isinstance(elements, list):
        raise InvalidDocument('"tropo" must be an array of verbs')
    return [verb for i, e in enumerate(elements) for verb in _parse_element(i, e)]


def _parse_element(index: int, element: t.Any) -> list[v.Verb]:
    if not isinstance(element, dict) or len(element) != 1:
        raise InvalidDocument(
            "each element must be an object with exactly one verb key", index=index
        )
    ((key, payload),) = element.items()
    if key not in v.VERBS:
        known = ", ".join(sorted(v.VERBS))
        raise InvalidDocument(
            f"unknown verb {key!r} (known: {known})", index=index, verb=str(key)
        )
    if key in ("say", "on") and isinstance(payload, list):
        if not payload:
            raise InvalidDocument("empty array", index=index, verb=key)
        return [
            _load(index, f"{key}[{n}]", key, item) for n, item in enumerate(payload)
        ]
    if key == "say" and isinstance(payload, str):
        payload = {"value": payload}
    return [_load(index, key, key, payload)]


def _load(index: int, verb: str, key: str, payload: t.Any) -> v.Verb:
    """Load one verb; ``verb`` names it in errors (``say[1]`` in an array)."""
    try:
        return load_verb(key, payload)
    except ValidationError as exc:
        path, message = _first_error(exc.messages)
        raise InvalidDocument(message, index=index, verb=verb, key=path) from exc


def _first_error(messages: t.Any) -> tuple[str | None, str]:
    """The dotted path and text of the first message in marshmallow's tree."""
    path: list[str] = []
    while isinstance(messages, dict) and messages:
        key, messages = next(iter(messages.items()))
        if key != "_schema":
            path.append(str(key))
    text = str(messages[0] if isinstance(messages, list) and messages else messages)
    return ".".join(path) or None, "unknown key" if text == "Unknown field." else text
