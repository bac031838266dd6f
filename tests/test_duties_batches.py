"""A backlog of duties is worked off in batches sized so that none holds the engine for long:
a click waits for one batch at most, so it must be a short one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.duties import LARGEST_BATCH, SMALLEST_BATCH, BatchSizer, work_off
from tests.conftest import TEACHER
from tests.fakes import FakeClock
from tests.generated import live_page
from tests.test_reminders import engine_timed
from workflows.engine import Engine
from workflows.kernel.commands import Command, RunReminders
from workflows.kernel.handling import Outcome
from workflows.kernel.ports import Changes, Store

CLICK_MAY_WAIT = 0.050  # seconds: no batch may hold the engine's turn longer


class Stopwatch:
    """Fake time for the batches: each costs `fixed` seconds plus `per_record` per record it
    may write (what a store of this speed would take)."""

    def __init__(self, fixed: float, per_record: float) -> None:
        self.fixed = fixed
        self.per_record = per_record
        self.now = 0.0
        self.batches: list[tuple[int, float]] = []  # (limit, seconds it took)

    def __call__(self) -> float:
        return self.now

    def timing(self, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[Outcome]:
        """Make each of `engine`'s reminder runs take fake time; the outcomes, in order."""
        real = engine.handle
        outcomes: list[Outcome] = []

        async def handle(command: Command, submission: str = "") -> Outcome:
            assert isinstance(command, RunReminders)
            cost = self.fixed + self.per_record * command.limit
            self.now += cost
            self.batches.append((command.limit, cost))
            outcomes.append(await real(command, submission))
            return outcomes[-1]

        monkeypatch.setattr(engine, "handle", handle)
        return outcomes


async def due_pages(engine: Engine, store: Store, clock: FakeClock, count: int) -> None:
    now, live = clock.now(), clock.now() - timedelta(days=8)
    due = [now - timedelta(minutes=count - n) for n in range(count)]  # the earliest first
    pages = tuple(
        engine_timed(engine, live_page(n, TEACHER, live, due=due[n])) for n in range(count)
    )
    await store.commit(Changes(pages=pages))


async def test_a_slow_store_gets_small_batches_and_every_check_still_goes_out(
    engine: Engine, store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await due_pages(engine, store, clock, 150)
    watch = Stopwatch(fixed=0.004, per_record=0.0015)
    outcomes = watch.timing(engine, monkeypatch)

    await work_off(engine, BatchSizer(), watch)

    assert max(seconds for _, seconds in watch.batches) <= CLICK_MAY_WAIT
    sizes = [limit for limit, _ in watch.batches]
    assert sizes[0] == 20 and min(sizes) < 20, "a batch of 20 took too long: the next are smaller"
    checked = [event.subject for outcome in outcomes for event in outcome.events]
    assert sorted(checked) == sorted(f"PAGE-{n}" for n in range(150))
    assert not outcomes[-1].more, "it stops once a batch is not full"
    assert all(outcome.more for outcome in outcomes[:-1])


async def test_a_fast_store_gets_larger_batches_growing_by_half_at_most(
    engine: Engine, store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await due_pages(engine, store, clock, 700)
    watch = Stopwatch(fixed=0.001, per_record=0.00001)
    watch.timing(engine, monkeypatch)

    await work_off(engine, BatchSizer(), watch)

    sizes = [limit for limit, _ in watch.batches]
    assert sizes[:5] == [20, 30, 45, 67, 100]
    assert max(sizes) == LARGEST_BATCH


def test_one_slow_batch_shrinks_the_next_at_once() -> None:
    sizer = BatchSizer(target=0.020, first=100)
    sizer.took(0.200, 100)  # a disk hiccup: ten times too long
    assert sizer.size == 10
    sizer.took(0.001, 10)
    assert sizer.size == 15, "it grows back, by half at most"


def test_a_store_too_slow_for_any_batch_still_moves_forward() -> None:
    sizer = BatchSizer(target=0.020, first=20)
    sizer.took(10.0, 20)
    assert sizer.size == SMALLEST_BATCH
