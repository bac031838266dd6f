"""How the process is doing: the event loop's worst recent lag and the peak memory, for /healthz."""

from __future__ import annotations

import asyncio
import collections
import resource
import sys
import time
from collections.abc import Callable

TICK = 0.1
WINDOW = 60.0


class LoopWatch:
    """Notices when the event loop was busy longer than it should be between two ticks."""

    def __init__(self, observe: Callable[[float], None] = lambda lag: None) -> None:
        """`observe` is told every lag measured, in seconds."""
        self._lags: collections.deque[tuple[float, float]] = collections.deque()
        self._observe = observe

    async def run(self) -> None:
        while True:
            started = time.monotonic()
            await asyncio.sleep(TICK)
            now = time.monotonic()
            lag = now - started - TICK
            self._lags.append((now, lag))
            self._observe(lag)
            while self._lags and self._lags[0][0] < now - WINDOW:
                self._lags.popleft()

    @property
    def max_lag(self) -> float:
        """The worst lag in the last minute, in seconds."""
        return max((lag for _, lag in self._lags), default=0.0)


def peak_memory_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
