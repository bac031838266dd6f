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


async def carry_duties_forward(
    engine: Engine,
    lock: DutyLock,
    took: Callable[[float], None] = lambda seconds: None,
    every: float = EVERY_SECONDS,
) -> None:
    """Run the reminders once a minute; a large backlog is worked off in batches. `took` is
    told how long each run took."""
    holding = False
    while True:
        try:
            if await lock.hold_duty(DUTY):
                if not holding:
                    log.info("this process now runs the reminders")
                holding = True
                started = time.perf_counter()
                await _work_off(engine)
                took(time.perf_counter() - started)
        except Exception:  # one bad round must not stop the duties for good
            log.exception("reminders round failed")
        await asyncio.sleep(every)


async def _work_off(engine: Engine) -> None:
    """Batch after batch until nothing is due; people's clicks get in between batches."""
    outcome = await engine.handle(RunReminders())
    while outcome.events:
        outcome = await engine.handle(RunReminders())
