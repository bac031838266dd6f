"""Messages kept for someone who has not installed the bot in Teams yet, until they do.

Each message is kept under its own key (a numbered slot), so keeping one costs the same however
many wait: an approver who never installs the bot must not make every later message for them
slower to keep (one growing record was read and rewritten whole on the event loop each time).
A later version of a message (same ref) replaces the earlier one when they are delivered.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from workflows.kernel.ports import MessageHandles

# Where an earlier version kept everything waiting for a person, as one JSON object
# (ref -> card and summary); still delivered, so nothing kept before an upgrade is lost.
_EARLIER = "teams-waiting|{email}"
_COUNT = "teams-waiting|{email}|count"
_SLOT = "teams-waiting|{email}|{slot}"


@dataclass(frozen=True)
class Waiting:
    """One kept message: what to post, and the ref that says which message it is."""

    ref: str
    card: dict[str, Any]
    summary: str


# Posts one kept message (and remembers where it landed).
Post = Callable[[Waiting], Awaitable[None]]


class WaitingMessages:
    """Keeps messages per person and hands each over once, in the order kept (a message
    kept again in a later version goes at its latest version's place)."""

    def __init__(self, handles: MessageHandles) -> None:
        self._handles = handles
        # One person's messages are kept and delivered one at a time in this process: a
        # delivery that empties the slots must not overlap a message being kept.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def keep(self, email: str, waiting: Waiting) -> None:
        """Keep `waiting` for `email`; written slot first, so a crash never counts an empty
        slot."""
        async with self._held(email):
            count = await self._count(email)
            entry = {"ref": waiting.ref, "card": waiting.card, "summary": waiting.summary}
            await self._handles.remember_message(
                _SLOT.format(email=email, slot=count), json.dumps(entry)
            )
            await self._handles.remember_message(_COUNT.format(email=email), str(count + 1))

    async def deliver(self, email: str, post: Post) -> int:
        """Post everything kept for `email` (the latest version of each message), clearing
        each slot as it goes so a restart does not post it twice; returns how many."""
        async with self._held(email):
            delivered = await self._deliver_earlier(email, post)
            count = await self._count(email)
            if count == 0:
                return delivered
            kept = await self._kept(email, count)
            latest = {waiting.ref: slot for slot, waiting in kept}
            for slot, waiting in kept:
                if latest[waiting.ref] == slot:
                    await post(waiting)
                    delivered += 1
                await self._handles.remember_message(_SLOT.format(email=email, slot=slot), "")
            await self._handles.remember_message(_COUNT.format(email=email), "0")
            return delivered

    async def _kept(self, email: str, count: int) -> list[tuple[int, Waiting]]:
        """The filled slots among the first `count`, in order."""
        kept = []
        for slot in range(count):
            stored = await self._handles.recall_message(_SLOT.format(email=email, slot=slot))
            if stored:
                entry = json.loads(stored)
                kept.append((slot, Waiting(entry["ref"], entry["card"], entry["summary"])))
        return kept

    async def _deliver_earlier(self, email: str, post: Post) -> int:
        key = _EARLIER.format(email=email)
        earlier = json.loads(await self._handles.recall_message(key) or "{}")
        for ref, kept in earlier.items():
            await post(Waiting(ref, kept["card"], kept["summary"]))
        if earlier:
            await self._handles.remember_message(key, "{}")
        return len(earlier)

    async def _count(self, email: str) -> int:
        return int(await self._handles.recall_message(_COUNT.format(email=email)) or 0)

    @asynccontextmanager
    async def _held(self, email: str) -> AsyncIterator[None]:
        lock = self._locks.get(email)
        if lock is None:
            lock = self._locks[email] = asyncio.Lock()
        async with lock:
            yield
