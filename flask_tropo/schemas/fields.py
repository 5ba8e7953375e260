"""Custom marshmallow fields for the wire shapes of the inbound payloads
(:mod:`flask_tropo.schemas.payloads`) that the stock fields cannot express.
"""

from __future__ import annotations

import collections.abc as c
import datetime as dt
import json
import typing as t

from marshmallow import ValidationError
from marshmallow import fields

_UTC = dt.timezone.utc
_STRINGS = frozenset({str})
_V = t.TypeVar("_V")


class _Converting(fields.Field[_V]):
    """A field that loads through :meth:`convert`, which :mod:`.tables` calls
    too."""

    def _deserialize(
        self,
        value: t.Any,
        attr: str | None,
        data: c.Mapping[str, t.Any] | None,
        **kwargs: t.Any,
    ) -> _V:
        return self.convert(value)

    def convert(self, value: t.Any) -> _V:
        """The value loaded from ``value`` (not ``None``), or a
        :exc:`~marshmallow.ValidationError`."""
        raise NotImplementedError


class UTCDateTime(_Converting[dt.datetime]):
    """An ISO-8601 timestamp, loaded as an aware :class:`~datetime.datetime`
    in UTC.

    A trailing ``Z`` is read on every Python version; a timestamp without an
    offset is taken to be UTC, the platform's zone. Dumps as ISO-8601 UTC with
    milliseconds and ``Z``, the platform's format.
    """

    default_error_messages = {"invalid": "Not a valid datetime."}

    def convert(self, value: t.Any) -> dt.datetime:
        if isinstance(value, dt.datetime):
            parsed = value
        elif isinstance(value, str):
            text = value[:-1] + "+00:00" if value[-1:] in ("Z", "z") else value
            try:
                parsed = dt.datetime.fromisoformat(text)
            except ValueError as error:
                raise self.make_error("invalid") from error
        else:
            raise self.make_error("invalid")
        if parsed.utcoffset() is None:
            return parsed.replace(tzinfo=_UTC)
        try:
            return parsed.astimezone(_UTC)
        except OverflowError as error:
            raise self.make_error("invalid") from error

    def _serialize(
        self, value: dt.datetime | None, attr: str | None, obj: t.Any, **kwargs: t.Any
    ) -> str | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            value = value.replace(tzinfo=_UTC)
        text = value.astimezone(_UTC).isoformat(timespec="milliseconds")
        return text[: -len("+00:00")] + "Z"


class _StringMap(_Converting[dict[str, str]]):
    """A mapping of strings to strings, dumped as a dict."""

    def _serialize(
        self,
        value: dict[str, str] | None,
        attr: str | None,
        obj: t.Any,
        **kwargs: t.Any,
    ) -> dict[str, str] | None:
        return None if value is None else dict(value)

    def _strings(
        self,
        value: c.Mapping[t.Any, t.Any],
        text: c.Callable[[t.Any], str | None],
        key_error: str,
        value_error: str,
    ) -> dict[str, str]:
        """``value`` with each item made a string by ``text``, or every
        error: a key that is not a string, an item ``text`` gives ``None``."""
        result: dict[str, str] = {}
        errors: dict[t.Any, t.Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                errors[key] = {"key": [self.error_messages[key_error]]}
            elif (string := text(item)) is None:
                errors[key] = [self.error_messages[value_error]]
            else:
                result[key] = string
        if errors:
            raise ValidationError(errors)
        return result


class Headers(_StringMap):
    """SIP headers: an object of strings, or the legacy list of
    ``{"key": name, "value": value}`` objects.

    The list form is folded into a dict; a name that appears more than once
    keeps every value, joined with ``"\\r\\n"`` as the platform does for
    repeated headers in the object form. Dumps as the object form.
    """

    default_error_messages = {
        "invalid": "Not a valid mapping type or list of key/value objects.",
        "invalid_item": "Not a valid mapping type.",
        "invalid_string": "Not a valid string.",
        "required": "Missing data for required field.",
    }

    def convert(self, value: t.Any) -> dict[str, str]:
        if (
            type(value) is dict
            and _STRINGS.issuperset(map(type, value.values()))
            and _STRINGS.issuperset(map(type, value))
        ):
            return dict(value)  # the usual object of strings
        if isinstance(value, c.Mapping):
            return self._strings(value, _string, "invalid_string", "invalid_string")
        if isinstance(value, (list, tuple)):
            return self._from_list(value)
        raise self.make_error("invalid")

    def _from_list(self, value: c.Sequence[t.Any]) -> dict[str, str]:
        result: dict[str, str] = {}
        errors: dict[int, t.Any] = {}
        for index, item in enumerate(value):
            if not isinstance(item, c.Mapping):
                errors[index] = [self.error_messages["invalid_item"]]
                continue
            item_errors = {}
            for part in ("key", "value"):
                if part not in item:
                    item_errors[part] = [self.error_messages["required"]]
                elif not isinstance(item[part], str):
                    item_errors[part] = [self.error_messages["invalid_string"]]
            if item_errors:
                errors[index] = item_errors
                continue
            name: str = item["key"]
            if name in result:
                result[name] = f"{result[name]}\r\n{item['value']}"
            else:
                result[name] = item["value"]
        if errors:
            raise ValidationError(errors)
        return result


class Parameters(_StringMap):
    """Token-launch variables, an object whose values are all made strings.

    Strings are kept; numbers go through :func:`str`; booleans become
    ``"true"``/``"false"`` and ``null`` becomes ``""``, as they would in a
    query string; objects and arrays become compact JSON.
    """

    default_error_messages = {
        "invalid": "Not a valid mapping type.",
        "invalid_key": "Not a valid string.",
        "invalid_value": "Not a valid parameter value.",
    }

    def convert(self, value: t.Any) -> dict[str, str]:
        if not isinstance(value, c.Mapping):
            raise self.make_error("invalid")
        return self._strings(value, _stringify, "invalid_key", "invalid_value")


def _string(value: t.Any) -> str | None:
    return value if isinstance(value, str) else None


def _stringify(value: t.Any) -> str | None:
    """One parameter value as a string, or ``None`` if it cannot be one."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (c.Mapping, list, tuple)):
        try:
            return json.dumps(value, separators=(",", ":"))
        except (TypeError, ValueError, RecursionError):
            return None
    return None


class Actions(fields.Nested):
    """A result's ``actions``: one object, a list of objects, ``{}`` or
    ``null``, loaded as a tuple of whatever the nested schema builds.

    Dumps the platform's shapes: ``{}`` for none, an object for one, a list
    for several.

    :param nested: the schema of one action.
    :param kwargs: passed to :class:`~marshmallow.fields.Nested`.
    """

    default_error_messages = {"type": "Not a valid object or list of objects."}

    def __init__(self, nested: t.Any, **kwargs: t.Any) -> None:
        super().__init__(nested, many=False, **kwargs)

    def _deserialize(
        self,
        value: t.Any,
        attr: str | None,
        data: c.Mapping[str, t.Any] | None,
        partial: bool | c.Sequence[str] | c.Set[str] | None = None,
        **kwargs: t.Any,
    ) -> tuple[t.Any, ...]:
        if isinstance(value, c.Mapping):
            if not value:
                return ()
            return (self._load_as(value, many=False),)
        if isinstance(value, (list, tuple)):
            return tuple(self._load_as(value, many=True))
        raise self.make_error("type")

    def _load_as(self, value: t.Any, *, many: bool) -> t.Any:
        try:
            return self.schema.load(value, many=many, unknown=self.unknown)
        except ValidationError as error:
            raise ValidationError(error.messages) from error

    # marshmallow's Nested renames Field._serialize's ``value`` to
    # ``nested_obj``, so no parameter name satisfies both supertypes.
    def _serialize(  # type: ignore[override]
        self, nested_obj: t.Any, attr: str | None, obj: t.Any, **kwargs: t.Any
    ) -> t.Any:
        if nested_obj is None:
            return None
        actions = list(nested_obj)
        if not actions:
            return {}
        if len(actions) == 1:
            return self.schema.dump(actions[0], many=False)
        return self.schema.dump(actions, many=True)
