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

#: Turns a handler given as ``On(next=handler)`` into the URL Tropo posts to.
NextUrl = c.Callable[[c.Callable[..., t.Any]], str]


def render(
    verbs: v.Verb | c.Iterable[v.Verb], *, next_url: NextUrl | None = None
) -> dict[str, t.Any]:
    """Write verbs as a WebAPI document ``{"tropo": [...]}``.

    Keys whose value is ``None`` are left out; one ``say`` is an object and
    several an array; each :class:`~flask_tropo.verbs.On` is its own element;
    ``Hangup``, ``Reject`` and ``StopRecording`` are ``null``; ``Answer()`` is
    ``{}``; ``GeneralLogSecurity`` is the bare string; numbers are written as
    given.

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
    """Read a WebAPI document into verb objects.

    Reads every dialect the public SDKs wrote: ``say`` as an object, an array
    or a bare string; ``on`` as an object or an array; empty verbs as ``null``,
    ``{}`` or ``"null"``; ``url`` as a string, an object or a list; ``to`` as a
    string or a list; ``mode`` in either case. A top-level array of several
    ``say`` (or ``on``) objects becomes one verb each.

    :param data: the document, as a mapping, JSON text or UTF-8 bytes.
    :raises InvalidDocument: naming the element index, the verb and the key
        for undecodable input, an unknown verb or key, or a value a verb
        refuses.
    """
    if isinstance(data, (bytes, bytearray)):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidDocument(f"not UTF-8 ({exc.reason})") from exc
    if isinstance(data, str):
        try:
            data = json.loads(data)
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
    result: list[v.Verb] = []
    for index, element in enumerate(elements):
        result.extend(_parse_element(index, element))
    return result


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
            _load(index, key, item, position) for position, item in enumerate(payload)
        ]
    if key == "say" and isinstance(payload, str):
        payload = {"value": payload}
    return [_load(index, key, payload, None)]


def _load(index: int, key: str, payload: t.Any, position: int | None) -> v.Verb:
    verb = key if position is None else f"{key}[{position}]"
    try:
        return load_verb(key, payload)
    except ValidationError as exc:
        path, message = _first_error(exc.messages)
        raise InvalidDocument(message, index=index, verb=verb, key=path) from exc


def _first_error(messages: t.Any) -> tuple[str | None, str]:
    """The dotted path and text of the first message in marshmallow's tree."""
    path: list[str] = []
    node = messages
    while isinstance(node, dict) and node:
        first_key, node = next(iter(node.items()))
        if first_key != "_schema":
            path.append(str(first_key))
    if isinstance(node, list) and node:
        text = node[0]
        if isinstance(text, dict):
            sub, text = _first_error(text)
            if sub:
                path.append(sub)
    else:
        text = node
    message = str(text)
    if message == "Unknown field.":
        message = "unknown key"
    return (".".join(path) or None), message
