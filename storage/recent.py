"""Records decoded lately, kept for the next time they are read."""

from __future__ import annotations

from typing import Generic, TypeVar

from storage.codec import from_dict
from storage.files import parsed

T = TypeVar("T")


class RecentlyDecoded(Generic[T]):
    """The `kind` records decoded lately, by their stored JSON text, the least recently read
    forgotten past `limit`.

    A person's lists are read again and again (each `my-requests` decodes every request and
    page of theirs), and decoding is most of what such a read costs. Records are frozen
    dataclasses, so one decoded object is shared safely; a changed record is stored as a new
    text, so an old decoding is never served for it."""

    def __init__(self, kind: type[T], limit: int) -> None:
        self._kind = kind
        self._limit = limit
        self._decoded: dict[str, T] = {}

    def decode(self, text: str) -> T:
        """The record stored as `text`."""
        found = self._decoded.pop(text, None)
        if found is None:
            found = from_dict(self._kind, parsed(text))
            if len(self._decoded) >= self._limit:
                del self._decoded[next(iter(self._decoded))]
        self._decoded[text] = found  # the most recently read last
        return found
