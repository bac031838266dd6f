"""The real clock, and in local mode one the playground can move forward to show reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftableClock(SystemClock):
    """Real time plus however far the local playground has moved it forward."""

    def __init__(self) -> None:
        self._ahead = timedelta()

    def now(self) -> datetime:
        return super().now() + self._ahead

    def advance(self, *, days: float) -> None:
        self._ahead += timedelta(days=days)
