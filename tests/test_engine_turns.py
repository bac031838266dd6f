"""Commands take turns in the engine, so two clicks never both see 'pending'; a report that
changes nothing (`compliance`) does not wait for them, nor make them wait (#18)."""

from __future__ import annotations

import asyncio

from storage.memory import MemoryStore
from tests.conftest import CONTACT, TEACHER
from tests.fakes import FakeClock, SequentialIds
from tests.stories import ask_for_page
from workflows.district.config import DistrictConfig
from workflows.engine import Engine
from workflows.kernel.commands import ShowCompliance
from workflows.kernel.ports import Changes

GUARD_SECONDS = 10


class HeldStore(MemoryStore):
    """A store whose next commit waits until the test lets it through."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = asyncio.Event()
        self.let_through = asyncio.Event()

    async def commit(self, changes: Changes) -> None:
        if changes.requests:
            self.holding.set()
            await self.let_through.wait()
        await super().commit(changes)


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
