"""The playground's conversations: each person's messages, kept in memory, updated in place."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from adapters.playground.render import card_html
from workflows.kernel.cards import Card
from workflows.kernel.messages import Message


@dataclass
class Entry:
    id: int
    html: str
    mine: bool = False


@dataclass
class Conversations:
    """Implements workflows.delivery.messenger.Messenger: everyone is reachable here."""

    platform: str = "the playground"
    per_person_rate: float = 1000.0
    per_person_burst: float = 1000.0
    overall_rate: float = 10000.0
    overall_burst: float = 10000.0
    _entries: dict[str, list[Entry]] = field(default_factory=dict)
    _by_handle: dict[str, Entry] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    # Conversations live in memory only: handles from before a restart must match nothing.
    _run: str = field(default_factory=lambda: secrets.token_hex(4))

    async def post(self, message: Message) -> str | None:
        entry = self.add(message.to, lambda place: card_html(message.card, place))
        handle = f"{self._run}:{entry.id}"
        self._by_handle[handle] = entry
        return handle

    async def update(self, message: Message, handle: str) -> None:
        earlier = self._by_handle.get(handle)
        if earlier is None:  # shown before a restart, so gone from the page: show it anew
            self.add(message.to, lambda place: card_html(message.card, place))
            return
        earlier.html = card_html(message.card, _place(earlier.id))

    def add(self, email: str, html: Callable[[str], str], *, mine: bool = False) -> Entry:
        """A new entry in `email`'s conversation, drawn by `html` given the entry's place
        (each entry's form controls get ids of their own)."""
        number = next(self._ids)
        entry = Entry(number, html(_place(number)), mine)
        self._entries.setdefault(email, []).append(entry)
        return entry

    def reply(self, email: str, card: Card) -> None:
        self.add(email, lambda place: card_html(card, place))

    def of(self, email: str) -> list[Entry]:
        return list(self._entries.get(email, []))


def _place(entry_id: int) -> str:
    return f"m{entry_id}"
