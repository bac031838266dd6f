"""Records the web pages read on every visit, kept between visits: reading and decoding the
whole registry on each one would cost the store thousands of records a second."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from workflows.engine import Engine
from workflows.kernel.handling import Context

T = TypeVar("T")

# Writes by another process sharing the database show within this many seconds.
FRESH_FOR = 30.0


class Kept(Generic[T]):
    """`load`'s result, loaded again after this process wrote anything, after the district
    file was reloaded (it names the schools), or once FRESH_FOR has passed."""

    def __init__(self, engine: Engine, load: Callable[[Context], Awaitable[T]]) -> None:
        self._engine = engine
        self._load = load
        self._value: T | None = None
        self._taken: tuple[tuple[int, int], float] = ((-1, 0), 0.0)

    async def current(self) -> T:
        context = self._engine.context
        state = (self._engine.commits, id(context.config))
        seen, taken_at = self._taken
        now = time.monotonic()
        if self._value is None or seen != state or now - taken_at > FRESH_FOR:
            self._value = await self._load(context)
            self._taken = (state, now)
        return self._value
