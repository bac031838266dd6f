"""Pages in the order their duties fall due, one heap per status, so a reminders run reads the
few pages due first without scanning the whole registry (a scan of 50,000 pages took about
20 ms, twice per run, and a Monday backlog is worked off in many small runs)."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping

# A page's status and when its duties are due, in POSIX seconds (None: not yet known).
Summary = tuple[str, float | None]


class DueIndex:
    """Kept lazily beside the pages' summaries: a page written again is pushed again, and its
    older entries are dropped when they come up (an entry counts only while it matches)."""

    def __init__(self, summaries: Mapping[str, Summary], statuses: Iterable[str] = ()) -> None:
        """`statuses`: those known up front, each given its heap now."""
        self._summaries = summaries
        # The heaps live as long as the store and are only ever changed in place, so the
        # freeze that follows start-up (see bot/bootstrap.py) keeps them out of the garbage
        # collector's full collections, which walk a list entry by entry with the event loop
        # stopped (see storage.buckets.LastingDict).
        self._heaps: dict[str, list[tuple[float, str]]] = {status: [] for status in statuses}
        self._rebuild()

    def changed(self, key: str) -> None:
        """Page `key` was written: its summary (if any) is the one that counts now."""
        summary = self._summaries.get(key)
        if summary is None:
            return
        status, due = summary
        heap = self._heaps.setdefault(status, [])
        heapq.heappush(heap, (_seconds(due), key))
        if len(heap) > 2 * len(self._summaries) + 1000:
            self._rebuild()  # mostly entries no longer current

    def due(self, status: str, by: float, limit: int) -> list[str]:
        """Up to `limit` pages in `status` due by `by`, the earliest first (those whose due
        time is not known yet before all)."""
        heap = self._heaps.get(status, [])
        found: list[tuple[float, str]] = []
        seen: set[str] = set()
        while heap and len(found) < limit and heap[0][0] <= by:
            at, key = heapq.heappop(heap)
            current = self._summaries.get(key)
            if current is None or current[0] != status or _seconds(current[1]) != at:
                continue  # written since: a newer entry stands for it
            if key not in seen:
                seen.add(key)
                found.append((at, key))
        for entry in found:  # reading changes nothing: they stay due until written
            heapq.heappush(heap, entry)
        return [key for _, key in found]

    def _rebuild(self) -> None:
        for heap in self._heaps.values():
            heap.clear()
        for key, (status, due) in self._summaries.items():
            self._heaps.setdefault(status, []).append((_seconds(due), key))
        for heap in self._heaps.values():
            heapq.heapify(heap)


def _seconds(due: float | None) -> float:
    return -math.inf if due is None else due
