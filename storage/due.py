"""The order a reminders run reads pages in: the earliest due first."""

from __future__ import annotations

from datetime import UTC, datetime

# Pages stored before due times were kept have none: they come first, as if long due.
_LONG_DUE = datetime.min.replace(tzinfo=UTC)


def due_order(due: datetime | None, key: str) -> tuple[datetime, str]:
    """Sort key of a page due at `due` (None: not yet known) with id `key`."""
    return (_LONG_DUE if due is None else due, key)
