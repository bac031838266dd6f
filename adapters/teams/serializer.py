"""How outgoing activities become JSON, at a fraction of msrest's cost.

msrest serializes a request body by first deserializing it again ("just in case this is a
dict"), then walking every attribute of every model twice more, and it walks each string of an
attachment's content one by one. For a reply carrying an Adaptive Card that is about a third
of a millisecond of the event loop per message. The Bot Framework's schema models are simple:
no flattened keys, no validation rules, no read-only or additional properties (a test checks
this), so an activity built from them is turned into JSON here by one walk of its attribute
maps, and anything else goes to msrest as before.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from msrest.serialization import Model, Serializer

# What the walk below turns into JSON itself; anything else is msrest's.
_PLAIN = (dict, list, str, int, float, bool)
_BASIC: dict[str, type] = {"int": int, "long": int, "float": float, "bool": bool}


class _Unusual(Exception):
    """A value the walk does not take as it is: msrest serializes the whole body instead."""


class CardSerializer(Serializer):  # type: ignore[misc]
    """msrest's serializer, with activities and card contents (plain JSON already) taken as
    they are rather than walked string by string."""

    def serialize_object(self, attr: Any, **kwargs: Any) -> Any:
        if isinstance(attr, _PLAIN) or attr is None:
            return attr
        return super().serialize_object(attr, **kwargs)

    def body(self, data: Any, data_type: str, **kwargs: Any) -> Any:
        """The JSON of request body `data`: what msrest's own `body` gives, computed directly
        for a model built as the schema describes."""
        if not kwargs and isinstance(data, Model):
            try:
                return self._model(data)
            except (_Unusual, ValueError, TypeError):
                pass  # msrest skips or refuses such a value in its own way
        return super().body(data, data_type, **kwargs)

    def _model(self, model: Model) -> dict[str, Any]:
        if model._validation:
            raise _Unusual
        serialized: dict[str, Any] = {}
        for attr, description in model._attribute_map.items():
            value = getattr(model, attr)
            if value is not None:
                serialized[description["key"]] = self._value(value, description["type"])
        return serialized

    def _value(self, value: Any, data_type: Any) -> Any:
        if data_type == "str":
            return _text(value)
        if data_type == "object":
            if isinstance(value, _PLAIN):
                return value
            raise _Unusual
        if data_type in _BASIC:
            return _BASIC[data_type](value)
        if data_type == "iso-8601":
            return Serializer.serialize_iso(value)
        if isinstance(data_type, str) and data_type[:1] + data_type[-1:] in ("[]", "{}"):
            return self._collection(value, data_type[1:-1], data_type[0] == "[")
        model = self.dependencies.get(data_type) if isinstance(data_type, str) else None
        if isinstance(model, type) and issubclass(model, Model) and isinstance(value, Model):
            return self._model(value)
        raise _Unusual

    def _collection(self, value: Any, item_type: str, is_list: bool) -> Any:
        if is_list and isinstance(value, list | tuple):
            return [None if item is None else self._value(item, item_type) for item in value]
        if not is_list and isinstance(value, dict):
            return {
                _text(key): None if item is None else self._value(item, item_type)
                for key, item in value.items()
            }
        raise _Unusual


def _text(value: Any) -> str:
    """A string as msrest writes one: an enumeration's value, a string as it is."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, str):
        return str(value)
    raise _Unusual
