"""Neutral cards (and the outbox messages carrying them) as JSON-ready dicts, and back.

Cards are trees of small frozen dataclasses; this walks their type hints instead of spelling
out every field twice.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Any

from workflows.outbox import OutboxMessage


def outbox_to_dict(message: OutboxMessage) -> dict[str, Any]:
    return typing.cast(dict[str, Any], _encode(message))


def outbox_from_dict(data: dict[str, Any]) -> OutboxMessage:
    return typing.cast(OutboxMessage, _decode(OutboxMessage, data))


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: _encode(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _decode(kind: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return _decode_union(typing.get_args(kind), data)
    if origin is tuple:
        item = typing.get_args(kind)[0]
        return tuple(_decode(item, entry) for entry in data)
    if kind is datetime:
        return datetime.fromisoformat(data)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(data)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        return kind(**{name: _decode(hints[name], entry) for name, entry in data.items()})
    return data


def _decode_union(options: tuple[Any, ...], data: Any) -> Any:
    # Only the unions cards use: "X | None", and "str | tuple[str, ...]" (a form's initial value).
    if isinstance(data, list):
        wanted = next(option for option in options if typing.get_origin(option) is tuple)
        return _decode(wanted, data)
    concrete = [option for option in options if option is not type(None)]
    return _decode(concrete[0], data)


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)
