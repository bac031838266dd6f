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
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from workflows.kernel.messages import OutboxEntry
from workflows.kernel.model import Page

T = TypeVar("T")
_MISSING = object()
Record = dict[str, Any]
Convert = Callable[[Any], Any]

# Fields renamed since data was first written: class -> {name in stored data: field}.
RENAMED: dict[type, dict[str, str]] = {
    OutboxEntry: {"notice": "message"},  # 0.1.0 called an outgoing message a notice
    Page: {"removals": "moderation"},  # 0.1.0 recorded removals only
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
    converters = {f.name: _encode_as(hints[f.name]) for f in dataclasses.fields(kind)}
    items = [
        f"{name!r}: record.{name}" if convert is _same else f"{name!r}: c_{name}(record.{name})"
        for name, convert in converters.items()
    ]
    source = f"def encode(record):\n    return {{{', '.join(items)}}}\n"
    return _compiled(source, {f"c_{name}": c for name, c in converters.items()}, "encode")


def _build_decoder(kind: type) -> Convert:
    hints = typing.get_type_hints(kind)
    old_names = {new: old for old, new in RENAMED.get(kind, {}).items()}
    scope: dict[str, Any] = {"kind": kind, "MISSING": _MISSING}
    arguments = []
    for field in dataclasses.fields(kind):
        convert = _decode_as(hints[field.name])
        scope[f"c_{field.name}"] = convert
        read = _read(field, old_names.get(field.name), convert is _same, scope)
        arguments.append(f"{field.name}={read}")
    source = f"def decode(data):\n    get = data.get\n    return kind({', '.join(arguments)})\n"
    return _compiled(source, scope, "decode")


def _read(
    field: dataclasses.Field[Any], old_name: str | None, plain: bool, scope: dict[str, Any]
) -> str:
    """The expression that reads one field from stored `data` (converted unless `plain`)."""
    name = field.name

    def converted(value: str) -> str:
        return value if plain else f"c_{name}({value})"

    default = _default(field)
    if default is None and old_name is None:
        return converted(f"data[{name!r}]")  # a record without it is damaged: KeyError names it
    scope[f"d_{name}"] = default or _required(name)
    stored = f"get({name!r}, MISSING)"
    if old_name is not None:  # stored under its old name by an earlier version
        stored = f"get({name!r}, get({old_name!r}, MISSING))"
    return f"({converted('v')} if (v := {stored}) is not MISSING else d_{name}())"


def _compiled(source: str, scope: dict[str, Any], name: str) -> Convert:
    """A converter made from generated source, as `dataclasses` makes `__init__`: a record is
    read and written on every look-up, so each one is spelled out as plain attribute and key
    access rather than walked field by field."""
    exec(source, scope)
    convert: Convert = scope[name]
    return convert


def _default(field: dataclasses.Field[Any]) -> Callable[[], Any] | None:
    """The field's default, for data written before the field existed (None: it has none)."""
    if field.default is not dataclasses.MISSING:
        default = field.default
        return lambda: default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory
    return None


def _required(name: str) -> Callable[[], Any]:
    def missing() -> Any:
        raise KeyError(name)

    return missing


def _encode_as(hint: Any) -> Convert:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _encode_union(typing.get_args(hint))
    if origin is tuple:
        item = _encode_as(typing.get_args(hint)[0])
        return list if item is _same else lambda values: list(map(item, values))
    if hint in (datetime, date):
        return lambda moment: moment.isoformat()
    if isinstance(hint, type) and issubclass(hint, Enum):
        return lambda member: member.value
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _encoder(hint)
    return _same


def _encode_union(options: tuple[Any, ...]) -> Convert:
    concrete = [option for option in options if option is not type(None)]
    as_list = next((option for option in concrete if typing.get_origin(option) is tuple), None)
    single = _encode_as(concrete[0])
    if as_list is None:
        return single if single is _same else lambda value: None if value is None else single(value)
    to_list = _encode_as(as_list)
    return lambda value: to_list(value) if isinstance(value, tuple) else value


def _decode_as(hint: Any) -> Convert:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _decode_union(typing.get_args(hint))
    if origin is tuple:
        item = _decode_as(typing.get_args(hint)[0])
        return tuple if item is _same else lambda values: tuple(map(item, values))
    if hint is datetime:
        return datetime.fromisoformat
    if hint is date:
        return date.fromisoformat
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _decoder(hint)
    return _same


def _decode_union(options: tuple[Any, ...]) -> Convert:
    # The unions records use: "X | None", and "str | tuple[str, ...]" (a form's initial value).
    concrete = [option for option in options if option is not type(None)]
    as_list = next((option for option in concrete if typing.get_origin(option) is tuple), None)
    single = _decode_as(concrete[0])
    if as_list is None:
        return single if single is _same else lambda value: None if value is None else single(value)
    from_list = _decode_as(as_list)
    return lambda value: from_list(value) if isinstance(value, list) else value


def _same(value: Any) -> Any:
    return value
