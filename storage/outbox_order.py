"""Messages waiting to go, in the order they are claimed (storage.lanes.in_turn), kept as the
outbox changes, so a claim reads the few at the front of a backlog instead of ordering all of
it: at 50,000 waiting checks that ordering took 90-260 ms a claim on the store's thread, and
a click's read of the store waited behind it."""

from __future__ import annotations

import heapq
from collections.abc import Generator, Mapping

# A waiting message's summary: when it may go (POSIX seconds), to whom, whether bulk, and when
# it was made (see the TinyDB store's `_waiting_entry`).
Waiting = tuple[float, str, bool, float]


class OutboxOrder:
    """Kept lazily beside the outbox's summaries, as storage.due_index is beside the pages':
    a message written again is pushed again, and entries that no longer match its summary
    are dropped when they come up."""

    def __init__(self, summaries: Mapping[str, Waiting]) -> None:
        self._summaries = summaries
        self._heap: list[tuple[float, str]] = []
        # Each person's waiting messages, and the messages someone waits for (not bulk):
        # those are few, and put their person's messages ahead of the bulk backlog. Tuples,
        # not sets: Python's garbage collector stops looking at a tuple of strings, and a
        # set per person in a backlog of 50,000 made each full collection slower.
        self._by_person: dict[str, tuple[str, ...]] = {}
        self._person: dict[str, str] = {}
        self._awaited: set[str] = set()
        self._rebuild()

    def changed(self, key: str) -> None:
        """Message `key` was written: its summary (if any, while it waits) counts now."""
        self._forget(key)
        summary = self._summaries.get(key)
        if summary is None:
            return
        self._index(key, summary)
        heapq.heappush(self._heap, (summary[0], key))
        if len(self._heap) > 2 * len(self._summaries) + 1000:
            self._rebuild()  # mostly entries no longer current

    def due(
        self, now: float, resting: frozenset[str], unsynced: Mapping[str, int]
    ) -> Generator[str, None, None]:
        """The ids of the messages due by `now`, in the order `in_turn` gives them, leaving out
        those to people `resting` and those `unsynced`. Read lazily; close it when done, which
        puts back what was read (reading changes nothing)."""

        def ready(key: str) -> bool:
            summary = self._summaries.get(key)
            return (
                summary is not None
                and summary[0] <= now
                and summary[1] not in resting
                and key not in unsynced
            )

        awaited = {self._person[key] for key in self._awaited if ready(key)}
        first = sorted(
            (self._summaries[key][0], key)
            for person in awaited
            for key in self._by_person[person]
            if ready(key)
        )
        yield from (key for _, key in first)
        taken: list[tuple[float, str]] = []
        seen: set[str] = set()
        try:
            while self._heap and self._heap[0][0] <= now:
                at, key = heapq.heappop(self._heap)
                summary = self._summaries.get(key)
                if summary is None or summary[0] != at or key in seen:
                    continue  # written since: a newer entry stands for it
                seen.add(key)
                taken.append((at, key))
                if summary[1] not in awaited and ready(key):
                    yield key
        finally:
            for entry in taken:
                heapq.heappush(self._heap, entry)

    def _index(self, key: str, summary: Waiting) -> None:
        person = summary[1]
        self._person[key] = person
        self._by_person[person] = (*self._by_person.get(person, ()), key)
        if not summary[2]:
            self._awaited.add(key)

    def _forget(self, key: str) -> None:
        person = self._person.pop(key, None)
        if person is None:
            return
        self._awaited.discard(key)
        theirs = tuple(each for each in self._by_person[person] if each != key)
        if theirs:
            self._by_person[person] = theirs
        else:
            del self._by_person[person]

    def _rebuild(self) -> None:
        people: dict[str, list[str]] = {}
        self._heap, self._person, self._awaited = [], {}, set()
        for key, (at, person, bulk, _) in self._summaries.items():
            people.setdefault(person, []).append(key)
            self._person[key] = person
            if not bulk:
                self._awaited.add(key)
            self._heap.append((at, key))
        heapq.heapify(self._heap)
        # A list first: a person with thousands waiting is not copied once per message.
        self._by_person = {person: tuple(keys) for person, keys in people.items()}
