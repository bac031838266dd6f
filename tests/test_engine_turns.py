"""Commands take turns in the engine, so two clicks never both see 'pending'; a report that
changes nothing (`compliance`) does not wait for them, nor make them wait (#18). On a store
that checks every write itself (PostgreSQL), several commands run side by side, and a batch
runs alone."""

from __future__ import annotations

import asyncio
import dataclasses

from storage.memory import MemoryStore
from tests.conftest import CONTACT, PRINCIPAL, TEACHER
from tests.fakes import FakeClock, SequentialIds
from tests.stories import ask_for_page
from workflows.district.config import DistrictConfig
from workflows.engine import Engine
from workflows.kernel.commands import RunReminders, ShowCompliance
from workflows.kernel.handling import Outcome
from workflows.kernel.model import Page
from workflows.kernel.ports import Changes

GUARD_SECONDS = 10


class HeldStore(MemoryStore):
    """A store whose first commit of a request waits until the test lets it through,
    taking `turns` commands side by side; `done` tells what was written and read, in order."""

    def __init__(self, turns: int = 1) -> None:
        super().__init__()
        self.turns = turns
        self.holding = asyncio.Event()
        self.let_through = asyncio.Event()
        self.done: list[str] = []

    async def commit(self, changes: Changes) -> None:
        if changes.requests and not self.holding.is_set():
            self.holding.set()
            await self.let_through.wait()
        await super().commit(changes)
        self.done.extend(request.details.page_name for request in changes.requests)

    async def find_pages(self, **filters: object) -> list[Page]:
        if filters.get("due_by") is not None:
            self.done.append("reminders")
        return await super().find_pages(**filters)  # type: ignore[arg-type]


async def first_held(
    config: DistrictConfig, turns: int
) -> tuple[HeldStore, Engine, asyncio.Task[Outcome]]:
    """An engine on a HeldStore taking `turns` commands, with a request named First being
    written and held there."""
    store = HeldStore(turns)
    engine = Engine(config, store, FakeClock(), SequentialIds())
    first = asyncio.create_task(engine.handle(ask_for_page(TEACHER, page_name="First")))
    await store.holding.wait()
    return store, engine, first


async def settle() -> None:
    """Let every task that can go on do so (no time passes)."""
    for _ in range(50):
        await asyncio.sleep(0)


async def test_the_compliance_report_does_not_wait_for_a_command_in_its_turn(
    config: DistrictConfig,
) -> None:
    store = HeldStore()
    engine = Engine(config, store, FakeClock(), SequentialIds())
    asking = asyncio.create_task(engine.handle(ask_for_page(TEACHER)))
    await store.holding.wait()  # the request is being written, in its turn

    # Waiting for the request's turn would wait forever: the guard turns that into a failure.
    report = await asyncio.wait_for(engine.handle(ShowCompliance(CONTACT)), GUARD_SECONDS)
    assert report.reply is not None and report.reply.title.startswith("Compliance")
    assert not asking.done(), "the report came while the request was still being written"

    store.let_through.set()
    assert (await asking).errors == ()
    refused = await engine.handle(ShowCompliance(TEACHER))
    assert refused.reply is not None and "Only the district contact" in refused.reply.text


async def test_each_command_that_takes_the_turn_tells_how_long_it_held_it(
    config: DistrictConfig,
) -> None:
    engine = Engine(config, MemoryStore(), FakeClock(), SequentialIds())
    held: list[float] = []
    engine.on_turn(held.append)

    assert (await engine.handle(ask_for_page(TEACHER), submission="form-1")).accepted
    assert len(held) == 1 and held[0] >= 0
    await engine.handle(ShowCompliance(CONTACT))  # a report: it takes no turn
    assert len(held) == 1
    repeat = await engine.handle(ask_for_page(TEACHER), submission="form-1")
    assert repeat.reply is not None and "not done a second time" in repeat.reply.text
    assert len(held) == 2  # a repeat is looked up in the turn, and changes nothing


async def test_a_store_taking_one_command_at_a_time_keeps_the_next_one_waiting(
    config: DistrictConfig,
) -> None:
    store, engine, first = await first_held(config, turns=1)
    second = asyncio.create_task(engine.handle(ask_for_page(PRINCIPAL, page_name="Second")))
    await settle()
    assert not second.done() and store.done == []

    store.let_through.set()
    assert (await first).accepted and (await second).accepted
    assert store.done == ["First", "Second"]


async def test_a_store_that_checks_its_own_writes_takes_commands_side_by_side(
    config: DistrictConfig,
) -> None:
    store, engine, first = await first_held(config, turns=2)

    # Waiting for the first one's turn would wait forever: the guard makes that a failure.
    second = await asyncio.wait_for(
        engine.handle(ask_for_page(PRINCIPAL, page_name="Second")), GUARD_SECONDS
    )
    assert second.accepted and not first.done()
    store.let_through.set()
    assert (await first).accepted
    assert store.done == ["Second", "First"]


async def test_a_batch_waits_for_the_commands_under_way_and_runs_alone(
    config: DistrictConfig,
) -> None:
    store, engine, first = await first_held(config, turns=2)

    reminders = asyncio.create_task(engine.handle(RunReminders()))
    await settle()
    assert store.done == [], "the batch began beside a command under way"
    # Asked after the batch: it waits for the batch, though a place beside the first is free.
    later = asyncio.create_task(engine.handle(ask_for_page(PRINCIPAL, page_name="Later")))
    await settle()
    assert not later.done() and store.done == []

    store.let_through.set()
    await asyncio.gather(first, reminders, later)
    first_done, *batch, later_done = store.done
    assert (first_done, later_done) == ("First", "Later") and set(batch) == {"reminders"}


async def test_a_district_file_read_again_waits_for_the_commands_under_way(
    config: DistrictConfig,
) -> None:
    store, engine, first = await first_held(config, turns=2)
    reread = dataclasses.replace(config, name="Renamed District")

    adopting = asyncio.create_task(engine.adopt(reread))
    await settle()
    assert not adopting.done() and engine.context.config is config

    store.let_through.set()
    await asyncio.gather(first, adopting)
    assert engine.context.config is reread
