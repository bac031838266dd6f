"""The engine's turns: how many commands run side by side, and which must run alone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Turns:
    """Up to `at_once` commands side by side, or one alone with none beside it.

    Whoever asks first is served first: a command waiting to run alone holds back those who
    ask after it, so a stream of small commands cannot keep it waiting for ever."""

    def __init__(self, at_once: int) -> None:
        if at_once < 1:
            raise ValueError(f"at least one command must be able to run, not {at_once}")
        self.at_once = at_once
        self._places = asyncio.Semaphore(at_once)
        # Two commands taking every place at once could each hold some, waiting for the rest.
        self._taking_all = asyncio.Lock()

    @asynccontextmanager
    async def beside_others(self) -> AsyncIterator[None]:
        """Run among up to `at_once` commands."""
        async with self._places:
            yield

    @asynccontextmanager
    async def alone(self) -> AsyncIterator[None]:
        """Run once every command under way has finished, with none starting meanwhile."""
        taken = 0
        try:
            async with self._taking_all:
                while taken < self.at_once:
                    await self._places.acquire()
                    taken += 1
            yield
        finally:
            for _ in range(taken):
                self._places.release()
