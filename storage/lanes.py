"""Who delivers to whom, for stores that live inside one process (memory, TinyDB)."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import TypeVar

from workflows.kernel.messages import OutboxEntry
from workflows.kernel.ports import Claim


class Lanes:
    """One holder per person at a time, until released or until its lease runs out."""

    def __init__(self) -> None:
        self._held: dict[str, tuple[str, datetime]] = {}

    def claim(
        self,
        holder: str,
        due: Iterable[OutboxEntry],
        now: datetime,
        limit: int,
        lease: timedelta,
    ) -> Claim:
        """Take up to `limit` of `due` (earliest first) whose person nobody else holds."""
        taken: list[OutboxEntry] = []
        for entry in due:
            if len(taken) == limit:
                break
            person = entry.message.to
            current = self._held.get(person)
            if current and current[0] != holder and current[1] > now:
                continue
            self._held[person] = (holder, now + lease)
            taken.append(entry)
        senders = {who for who, until in self._held.values() if until > now}
        return Claim(tuple(taken), max(1, len(senders)))

    def renew(self, holder: str, until: datetime) -> None:
        """Keep everyone `holder` holds until `until`."""
        for person, (who, _) in list(self._held.items()):
            if who == holder:
                self._held[person] = (who, until)

    def release(self, holder: str) -> None:
        self._held = {person: held for person, held in self._held.items() if held[0] != holder}


# When a message is due: a datetime, or its POSIX seconds (cheaper to compare).
At = TypeVar("At", datetime, float)


def in_turn(due: Iterable[tuple[At, str, str, bool]]) -> Iterator[str]:
    """The ids of due messages, given as (due at, id, recipient, bulk), in the order they go
    out: first everyone with a message someone is waiting for, then those with only bulk ones
    (see Message.bulk); each person's own messages in the order they fell due, so an update
    never overtakes the message it updates. Lazily: a claim takes a few from the front of a
    backlog of thousands, so they are put in a heap, not sorted."""
    waiting = list(due)
    urgent = {recipient for _, _, recipient, bulk in waiting if not bulk}
    order = [(recipient not in urgent, at, key) for at, key, recipient, _ in waiting]
    heapq.heapify(order)
    while order:
        yield heapq.heappop(order)[2]
