"""Fakes shared by the tests: a clock moved by hand and predictable ids."""

from __future__ import annotations

import itertools
import socket
from datetime import UTC, datetime, timedelta


class FakeClock:
    """Time stands still until a test moves it."""

    def __init__(self, start: datetime = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


class SequentialIds:
    """REQ-1, REQ-2, PAGE-1 ...: easy to read in a failing test."""

    def __init__(self) -> None:
        self._counters: dict[str, itertools.count[int]] = {}

    def __call__(self, prefix: str) -> str:
        counter = self._counters.setdefault(prefix, itertools.count(1))
        return f"{prefix}-{next(counter)}"


def free_port() -> int:
    """A port nothing listens on now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
