"""Keys checked together for `OnceOnly.first_time`, as commits share a wait for the disk.

Each check is a write the server syncs to its disk before answering (a replay must be
refused after a restart too). Fifty Slack requests arriving at once were fifty round trips,
each holding one of the pool's few connections through its wait for the disk while forms
waited for one. Keys asked while a check is under way now go in the next one, together.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

# Checks `keys` first seen at `nows`, each kept for `keep_for`: the keys seen for the first
# time (or again after their time ran out).
Check = Callable[[list[str], list[datetime], timedelta], Awaitable[set[str]]]


class SeenTogether:
    """`first_time`, with the keys asked meanwhile checked in one call of `check`."""

    def __init__(self, check: Check) -> None:
        self._check = check
        # Keys waiting for the next check, by how long they are kept (one check each).
        self._waiting: dict[timedelta, dict[str, tuple[datetime, asyncio.Future[bool]]]] = {}
        self._checking: asyncio.Task[None] | None = None

    async def first_time(self, key: str, now: datetime, keep_for: timedelta) -> bool:
        """Whether `key` is seen for the first time within `keep_for` (see OnceOnly)."""
        waiting = self._waiting.setdefault(keep_for, {})
        if key in waiting:
            return False  # asked twice at once: the first asking sees it first
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        waiting[key] = (now, answer)
        if self._checking is None or self._checking.done():
            self._checking = asyncio.create_task(self._check_waiting())
        return await answer

    async def _check_waiting(self) -> None:
        while self._waiting:
            keep_for, waiting = self._waiting.popitem()
            try:
                fresh = await self._check(
                    list(waiting), [now for now, _ in waiting.values()], keep_for
                )
            except BaseException as error:
                for _, answer in waiting.values():
                    if not answer.done():
                        answer.set_exception(error)
                if not isinstance(error, Exception):
                    raise
                continue
            for key, (_, answer) in waiting.items():
                if not answer.done():
                    answer.set_result(key in fresh)
