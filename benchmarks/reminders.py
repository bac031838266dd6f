"""What a reminders run costs when nothing is due, at 500 and 50,000 active pages.

The bot runs the reminders once a minute. Each page carries when its duties are next due
(`Page.duties_due_at`, set as it is written), so a run reads only the pages due. The peer is
the same store holding the same pages as 0.1.0 stored them, without that time: every run then
reads and checks every page, which is what every run cost before. Both are measured through
the engine (`RunReminders`, in working time), on TinyDB and on a throwaway PostgreSQL server
(fsync on); the figure is the time one run takes, p50 and worst of 20.

Run: .venv/bin/python benchmarks/reminders.py [--pages N] [--only tinydb|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.postgres import PostgresStore
from storage.tinydb_store import TinyDBStore
from tests.fakes import FakeClock, SequentialIds
from tests.generated import live_page
from tests.throwaway_postgres import ThrowawayPostgres
from workflows.district.config import DistrictConfig
from workflows.district.loading import load_config
from workflows.duties.schedule import duties_due_at
from workflows.engine import Engine
from workflows.kernel.commands import RunReminders
from workflows.kernel.model import Page, Person
from workflows.kernel.ports import Changes, Store

RUNS = 20
CHUNK = 1000
TARGET_MS = 50.0
OWNER = Person("tom.baker@example.org", "Tom Baker", "Teacher")
Opener = Callable[[], AsyncIterator[Store]]


def pages(config: DistrictConfig, count: int, now: datetime, *, indexed: bool) -> list[Page]:
    """`count` active pages whose checks were just answered: nothing due for days."""
    made = []
    for number in range(count):
        page = live_page(number, OWNER, now - timedelta(days=30), due=now + timedelta(days=3))
        page = dataclasses.replace(page, nudged_at=now - timedelta(days=4), nudge_answered_at=now)
        made.append(
            dataclasses.replace(page, duties_due_at=duties_due_at(config, page))
            if indexed
            else page
        )
    return made


async def one_run_ms(store: Store, config: DistrictConfig, now: datetime) -> list[float]:
    engine = Engine(config, store, FakeClock(now), SequentialIds())
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        outcome = await engine.handle(RunReminders())
        times.append((time.perf_counter() - started) * 1000)
        assert not outcome.events, "nothing was due"
    return times


async def measure(open_store: Opener, count: int, indexed: bool) -> list[float]:
    config = load_config(None)
    now = datetime(2026, 12, 2, 10, 0, tzinfo=config.time_zone)  # a Wednesday morning
    async with open_store() as store:
        made = pages(config, count, now, indexed=indexed)
        for start in range(0, len(made), CHUNK):
            await store.commit(Changes(pages=tuple(made[start : start + CHUNK])))
        return await one_run_ms(store, config, now)


def tinydb() -> Opener:
    @asynccontextmanager
    async def opened() -> AsyncIterator[Store]:
        with tempfile.TemporaryDirectory(prefix="pagekeeper-bench-") as folder:
            store = await TinyDBStore.open(Path(folder))
            try:
                yield store
            finally:
                await store.close()

    return opened


def postgres(server: ThrowawayPostgres) -> Opener:
    names = iter(range(1, 1000))

    @asynccontextmanager
    async def opened() -> AsyncIterator[Store]:
        store = await PostgresStore.open(server.create_database(f"reminders_{next(names)}"))
        try:
            yield store
        finally:
            await store.close()

    return opened


async def main(count: int, only: str | None) -> None:
    print(f"A reminders run with nothing due, p50 / worst of {RUNS} runs, in ms")
    print(f"{'store':10} {'pages':>7} {'indexed':>16} {'0.1.0 pages':>16}  target")
    server = None
    openers: dict[str, Opener] = {}
    if only in (None, "tinydb"):
        openers["TinyDB"] = tinydb()
    if only in (None, "postgres"):
        server = ThrowawayPostgres(durable=True)
        server.start()
        openers["PostgreSQL"] = postgres(server)
    try:
        for name, opener in openers.items():
            for size in (500, count):
                ours = await measure(opener, size, indexed=True)
                before = await measure(opener, size, indexed=False)
                verdict = "meets" if max(ours) <= TARGET_MS else "MISSES"
                print(
                    f"{name:10} {size:7,} {_shown(ours):>16} {_shown(before):>16}"
                    f"  <= {TARGET_MS:.0f} ms worst: {verdict}"
                )
    finally:
        if server is not None:
            server.stop()


def _shown(times: list[float]) -> str:
    return f"{statistics.median(times):.1f} / {max(times):.1f}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50_000)
    parser.add_argument("--only", choices=("tinydb", "postgres"))
    arguments = parser.parse_args()
    asyncio.run(main(arguments.pages, arguments.only))
