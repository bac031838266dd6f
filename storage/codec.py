"""Records as JSON-ready dicts and back, for every store that writes them down.

One codec for every frozen dataclass of the core (requests, pages, audit lines, outbox
entries and the cards inside them): it reads each class's type hints once and builds a
converter per field, so nothing is spelled out twice and a new field needs no code here.

What older versions wrote keeps loading: a field missing from stored data takes its default,
a key this version does not know is ignored, and a field renamed since is read under its old
name too (`RENAMED`).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from workflows.kernel.messages import OutboxEntry

T = TypeVar("T")
Record = dict[str, Any]
Convert = Callable[[Any], Any]

# Fields renamed since data was first written: class -> {name in stored data: field}.
RENAMED: dict[type, dict[str, str]] = {
    OutboxEntry: {"notice": "message"},  # 0.1.0 called an outgoing message a notice
}


def to_dict(record: Any) -> Record:
    """A frozen dataclass as a JSON-ready dict (datetimes as ISO text, enums as values)."""
    encoded: Record = _encoder(type(record))(record)
    return encoded


def from_dict(kind: type[T], data: Record) -> T:
    """The `kind` dataclass that `data` (from `to_dict`, or an older version) describes."""
    decoded: T = _decoder(kind)(data)
    return decoded


_ENCODERS: dict[type, Convert] = {}
_DECODERS: dict[type, Convert] = {}


def _encoder(kind: type) -> Convert:
    if kind not in _ENCODERS:
        _ENCODERS[kind] = _build_encoder(kind)
    return _ENCODERS[kind]


def _decoder(kind: type) -> Convert:
    if kind not in _DECODERS:
        _DECODERS[kind] = _build_decoder(kind)
    return _DECODERS[kind]


def _build_encoder(kind: type) -> Convert:
    hints = typing.get_type_hints(kind)
    fields = [(field.name, _encode_as(hints[field.name])) for field in dataclasses.fields(kind)]

    def encode(record: Any) -> Record:
        return {name: convert(getattr(record, name)) for name, convert in fields}

    return encode


def _build_decoder(kind: type) -> Convert:
    hints = typing.get_type_hints(kind)
    converters = {field.name: _decode_as(hints[field.name]) for field in dataclasses.fields(kind)}
    renamed = RENAMED.get(kind, {})

    def decode(data: Record) -> Any:
        values = {}
        for key, value in data.items():
            name = renamed.get(key, key)
            convert = converters.get(name)
            if convert is not None:
                values[name] = convert(value)
        return kind(**values)

    return decode


def _encode_as(hint: Any) -> Convert:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _encode_union(typing.get_args(hint))
    if origin is tuple:
        item = _encode_as(typing.get_args(hint)[0])
        return lambda values: [item(value) for value in values]
    if hint is datetime:
        return lambda moment: moment.isoformat()
    if isinstance(hint, type) and issubclass(hint, Enum):
        return lambda member: member.value
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _encoder(hint)
    return _same


def _encode_union(options: tuple[Any, ...]) -> Convert:
    concrete = [option for option in options if option is not type(None)]
    as_list = next((option for option in concrete if typing.get_origin(option) is tuple), None)
    to_list = _encode_as(as_list) if as_list is not None else _same
    single = _encode_as(concrete[0])

    def encode(value: Any) -> Any:
        if value is None:
            return None
        return to_list(value) if isinstance(value, tuple) else single(value)

    return encode


def _decode_as(hint: Any) -> Convert:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _decode_union(typing.get_args(hint))
    if origin is tuple:
        item = _decode_as(typing.get_args(hint)[0])
        return lambda values: tuple(item(value) for value in values)
    if hint is datetime:
        return datetime.fromisoformat
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _decoder(hint)
    return _same


def _decode_union(options: tuple[Any, ...]) -> Convert:
    # The unions records use: "X | None", and "str | tuple[str, ...]" (a form's initial value).
    concrete = [option for option in options if option is not type(None)]
    as_list = next((option for option in concrete if typing.get_origin(option) is tuple), None)
    from_list = _decode_as(as_list) if as_list is not None else _same
    single = _decode_as(concrete[0])

    def decode(value: Any) -> Any:
        if value is None:
            return None
        return from_list(value) if isinstance(value, list) else single(value)

    return decode


def _same(value: Any) -> Any:
    return value
