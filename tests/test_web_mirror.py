"""What the web pages keep in memory follows the store: this process's writes at once,
another process's (a shared database) within a while, and never back to an older copy."""

from __future__ import annotations

from typing import Any

from adapters.web.mirror import FRESH_FOR, RegistryMirror
from storage.memory import MemoryStore
from tests.fakes import FakeClock, SequentialIds
from tests.generated import live_page
from workflows.district.loading import load_config
from workflows.engine import Engine
from workflows.kernel.commands import RetirePage
from workflows.kernel.model import Page, PageStatus, Person
from workflows.kernel.ports import Changes

TOM = Person("tom.baker@example.org", "Tom Baker", "Teacher")
DANA = Person("dana.whitfield@example.org", "Dana Whitfield")


class FakeMonotonic:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


async def test_this_processs_writes_show_at_once() -> None:
    store, clock = MemoryStore(), FakeClock()
    await store.commit(Changes(pages=(live_page(1, TOM, clock.now()),)))
    engine = Engine(load_config(None), store, clock, SequentialIds())
    mirror = RegistryMirror(engine, shared=False)
    assert [p.status for p in await mirror.pages()] == [PageStatus.ACTIVE]
    before = mirror.version
    assert (await engine.handle(RetirePage(DANA, "PAGE-1", "Class over."))).accepted
    assert [p.status for p in await mirror.pages()] == [PageStatus.RETIRED]
    assert mirror.version > before


async def test_another_processs_writes_show_once_the_mirror_is_old() -> None:
    store, clock = MemoryStore(), FakeClock()
    await store.commit(Changes(pages=(live_page(1, TOM, clock.now()),)))
    ours = Engine(load_config(None), store, clock, SequentialIds())
    theirs = Engine(load_config(None), store, clock, SequentialIds())  # the other process
    monotonic = FakeMonotonic()
    mirror = RegistryMirror(ours, shared=True, monotonic=monotonic)
    await mirror.pages()
    await theirs.handle(RetirePage(DANA, "PAGE-1", "Class over."))
    assert [p.status for p in await mirror.pages()] == [PageStatus.ACTIVE]  # not yet
    monotonic.seconds += FRESH_FOR + 1
    await mirror.pages()  # answered at once; the reread runs behind
    await mirror.close()  # waits for it
    assert [p.status for p in await mirror.pages()] == [PageStatus.RETIRED]


class LaggingStore(MemoryStore):
    """A database replica a little behind: its reads return the registry as it was."""

    def __init__(self) -> None:
        super().__init__()
        self.frozen: list[Page] | None = None

    async def find_pages(self, **filters: Any) -> list[Page]:
        found = await super().find_pages(**filters)
        return found if self.frozen is None else self.frozen


async def test_a_reread_never_undoes_a_newer_write() -> None:
    store, clock = LaggingStore(), FakeClock()
    await store.commit(Changes(pages=(live_page(1, TOM, clock.now()),)))
    engine = Engine(load_config(None), store, clock, SequentialIds())
    monotonic = FakeMonotonic()
    mirror = RegistryMirror(engine, shared=True, monotonic=monotonic)
    store.frozen = list(await mirror.pages())  # the copy from before the retirement
    assert (await engine.handle(RetirePage(DANA, "PAGE-1", "Class over."))).accepted
    monotonic.seconds += FRESH_FOR + 1
    await mirror.pages()
    await mirror.close()  # the reread, returning the older copy, is done
    assert [p.status for p in await mirror.pages()] == [PageStatus.RETIRED]
