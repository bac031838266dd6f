"""Keys in the order they were made, so the ones past an age are found without looking at the
rest: forgetting an old key costs the same with a hundred keys kept or a million."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping


class AgeOrder:
    """Keys with the moment each was made (any unit, the same for all); `older_than` takes
    out those made longer ago than an age before the newest moment seen."""

    def __init__(self) -> None:
        self._order: deque[tuple[int, str]] = deque()
        self._newest: int | None = None

    def reset(self, moments: Mapping[str, int]) -> None:
        """Start again with `moments` (key -> moment), in any order."""
        self._order = deque(sorted((moment, key) for key, moment in moments.items()))
        self._newest = self._order[-1][0] if self._order else None

    def add(self, key: str, moment: int) -> None:
        """Keep `key`, made at `moment` (normally the newest yet: one made earlier than the
        last is taken out once every key kept before it is)."""
        self._order.append((moment, key))
        self._newest = moment if self._newest is None else max(self._newest, moment)

    def older_than(self, age: int) -> list[str]:
        """Take out and return the keys made more than `age` before the newest moment."""
        if self._newest is None:
            return []
        cutoff = self._newest - age
        gone: list[str] = []
        while self._order and self._order[0][0] < cutoff:
            gone.append(self._order.popleft()[1])
        return gone
