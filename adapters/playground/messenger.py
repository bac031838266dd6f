"""The playground's conversations: each person's messages, kept in memory, updated in place."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from adapters.playground.render import card_html
from workflows.cards import Card, Notice


@dataclass
class Entry:
    id: int
    html: str
    mine: bool = False


@dataclass
class Conversations:
    """Implements workflows.delivery.Messenger: everyone is reachable in the playground."""

    platform: str = "the playground"
    per_person_rate: float = 1000.0
    per_person_burst: float = 1000.0
    overall_rate: float = 10000.0
    overall_burst: float = 10000.0
    _entries: dict[str, list[Entry]] = field(default_factory=dict)
    _by_ref: dict[tuple[str, str], Entry] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def send(self, notice: Notice) -> None:
        earlier = self._by_ref.get((notice.to, notice.ref)) if notice.update else None
        if earlier is not None:
            earlier.html = card_html(notice.card)
            return
        entry = self.add(notice.to, card_html(notice.card))
        self._by_ref[(notice.to, notice.ref)] = entry

    def add(self, email: str, html: str, *, mine: bool = False) -> Entry:
        entry = Entry(next(self._ids), html, mine)
        self._entries.setdefault(email, []).append(entry)
        return entry

    def reply(self, email: str, card: Card) -> None:
        self.add(email, card_html(card))

    def of(self, email: str) -> list[Entry]:
        return list(self._entries.get(email, []))
