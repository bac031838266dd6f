"""How the process is doing: the event loop's worst lag and the peak memory, for /healthz."""

from __future__ import annotations

import asyncio
import resource
import sys
import time

TICK = 0.1


class LoopWatch:
    """Notices when the event loop was busy longer than it should be between two ticks."""

    def __init__(self) -> None:
        self.max_lag = 0.0

    async def run(self) -> None:
        while True:
            started = time.monotonic()
            await asyncio.sleep(TICK)
            self.max_lag = max(self.max_lag, time.monotonic() - started - TICK)


def peak_memory_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
