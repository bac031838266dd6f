"""Every page and request, kept in memory for the web pages once first read: reading and
decoding the whole registry on each visit would cost the store thousands of records a
second. What this process writes is applied as it is written (the engine hands it over);
where other processes share the database, it is read again in the background every
FRESH_FOR seconds. Of two copies of a record the one with the higher version wins, so a
reread never undoes a newer write."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Collection, Iterable
from typing import TypeVar

from workflows.engine import Engine
from workflows.kernel.model import Page, PageRequest
from workflows.kernel.ports import Changes

# Writes by another process sharing the database show within this many seconds.
FRESH_FOR = 30.0

Versioned = TypeVar("Versioned", Page, PageRequest)
T = TypeVar("T")


class RegistryMirror:
    def __init__(
        self, engine: Engine, *, shared: bool, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._engine = engine
        self._shared = shared
        self._monotonic = monotonic
        self._pages: dict[str, Page] = {}
        self._requests: dict[str, PageRequest] = {}
        self._loaded_at: float | None = None
        self._first_load = asyncio.Lock()
        self._refresh: asyncio.Task[None] | None = None
        # Moves on with every change: what is derived from the mirror is kept per version.
        self.version = 0
        self._derived: dict[str, tuple[tuple[int, int], object]] = {}
        engine.on_write(self._written)

    async def pages(self) -> Collection[Page]:
        await self._ready()
        return self._pages.values()

    async def requests(self) -> Collection[PageRequest]:
        await self._ready()
        return self._requests.values()

    async def derived(self, name: str, make: Callable[[], T]) -> T:
        """`make()`'s result, made again only after a change or a reload of the district
        file (it names the schools)."""
        await self._ready()
        state = (self.version, id(self._engine.context.config))
        kept = self._derived.get(name)
        if kept is None or kept[0] != state:
            kept = (state, make())
            self._derived[name] = kept
        return kept[1]  # type: ignore[return-value]

    async def close(self) -> None:
        """Let a reread under way finish (it is short), then stop."""
        if self._refresh is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresh

    async def _ready(self) -> None:
        if self._loaded_at is None:
            async with self._first_load:
                if self._loaded_at is None:
                    await self._load()
        elif (
            self._shared
            and self._monotonic() - self._loaded_at > FRESH_FOR
            and (self._refresh is None or self._refresh.done())
        ):
            # The visitor is answered from what is here; the reread follows.
            self._loaded_at = self._monotonic()
            self._refresh = asyncio.create_task(self._load(), name="pagekeeper-mirror")

    async def _load(self) -> None:
        store = self._engine.context.store
        pages, requests = await store.find_pages(), await store.find_requests()
        _merge(self._pages, pages)
        _merge(self._requests, requests)
        self._loaded_at = self._monotonic()
        self.version += 1

    def _written(self, changes: Changes) -> None:
        if self._loaded_at is None or not (changes.pages or changes.requests):
            return  # not read yet: the first read will find them
        _merge(self._pages, changes.pages)
        _merge(self._requests, changes.requests)
        self.version += 1


def _merge(kept: dict[str, Versioned], found: Iterable[Versioned]) -> None:
    for record in found:
        held = kept.get(record.id)
        if held is None or held.version <= record.version:
            kept[record.id] = record
