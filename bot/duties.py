"""The loop that lets the bot carry duties forward by itself, inside the web server's process.

With several web processes on one database, one of them at a time does this (the store's
`DutyLock`: a PostgreSQL advisory lock); the others ask again each round and take over when
the holder stops.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from workflows.engine import Engine
from workflows.kernel.commands import RunReminders
from workflows.kernel.ports import DutyLock

log = logging.getLogger(__name__)

EVERY_SECONDS = 60.0
DUTY = "reminders"

# A batch holds the engine's turn, so a click arriving meanwhile waits for it. 10 of the 50 ms
# a batch may hold it leaves room for what the batch does not control: a full garbage
# collection, a checkpoint's thread taking the interpreter (at 50,000 pages batches sized for
# 20 ms held the turn up to 65 ms). Queuing stays far ahead of the platforms' pace.
BATCH_SECONDS = 0.010
FIRST_BATCH, SMALLEST_BATCH, LARGEST_BATCH = 20, 5, 200


class BatchSizer:
    """How many records the next reminders batch may write, so that a batch takes about
    `target` seconds on this machine and store: learnt from how long full batches took."""

    def __init__(self, target: float = BATCH_SECONDS, first: int = FIRST_BATCH) -> None:
        self.target = target
        self.size = first

    def took(self, seconds: float, size: int) -> None:
        """A batch of `size` records that stopped at its limit took `seconds`."""
        wanted = size * self.target / max(seconds, 1e-6)
        # Shrink at once (the next click is waiting), grow by half at most: one quick batch
        # (nothing much to write) must not make the next one hold the turn for long.
        wanted = min(wanted, size * 1.5)
        self.size = int(min(max(wanted, SMALLEST_BATCH), LARGEST_BATCH))


async def carry_duties_forward(
    engine: Engine,
    lock: DutyLock,
    took: Callable[[float], None] = lambda seconds: None,
    every: float = EVERY_SECONDS,
) -> None:
    """Run the reminders once a minute; a large backlog is worked off in batches. `took` is
    told how long each run took."""
    sizer = BatchSizer()
    holding = False
    while True:
        try:
            if await lock.hold_duty(DUTY):
                if not holding:
                    log.info("this process now runs the reminders")
                holding = True
                started = time.perf_counter()
                await work_off(engine, sizer)
                took(time.perf_counter() - started)
        except Exception:  # one bad round must not stop the duties for good
            log.exception("reminders round failed")
        await asyncio.sleep(every)


async def work_off(
    engine: Engine, sizer: BatchSizer, timer: Callable[[], float] = time.perf_counter
) -> None:
    """Batch after batch until nothing is due; people's clicks get in between batches."""
    while True:
        size = sizer.size
        started = timer()
        outcome = await engine.handle(RunReminders(limit=size))
        if not outcome.more:
            return
        sizer.took(timer() - started, size)
