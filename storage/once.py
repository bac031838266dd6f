"""Keys seen once within a time window (replayed requests, repeated clicks), kept in memory
by the stores that hold everything in one process, and pruned as they go."""

from __future__ import annotations

from datetime import datetime, timedelta

# Pruning walks every key; do it only when this many were added since.
PRUNE_EVERY = 256


def first_time_in(seen: dict[str, datetime], key: str, now: datetime, keep_for: timedelta) -> bool:
    """Record `key` at `now` in `seen`; True unless it is there from within `keep_for`."""
    earlier = seen.get(key)
    if earlier is not None and now - earlier < keep_for:
        return False
    seen[key] = now
    if len(seen) % PRUNE_EVERY == 0:
        for old in [k for k, at in seen.items() if now - at >= keep_for]:
            del seen[old]
    return True
