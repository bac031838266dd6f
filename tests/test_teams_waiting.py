"""Messages kept for someone who has not installed the Teams bot: each costs the same to keep
however many wait, the latest version of each arrives once, and what an earlier version kept
is still delivered."""

from __future__ import annotations

import json

from adapters.teams.waiting import Waiting, WaitingMessages
from storage.memory import MemoryStore

ANA = "ana.ruiz@example.org"


class CountingStore(MemoryStore):
    """Records how many characters each write of a waiting message stores."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[int] = []

    async def remember_message(self, key: str, handle: str) -> None:
        await super().remember_message(key, handle)
        if key.startswith("teams-waiting|"):
            self.written.append(len(handle))


def card(text: str) -> dict[str, object]:
    return {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": text}]}


async def delivered(waiting: WaitingMessages) -> list[Waiting]:
    posted: list[Waiting] = []

    async def post(message: Waiting) -> None:
        posted.append(message)

    await waiting.deliver(ANA, post)
    return posted


async def test_keeping_a_message_costs_the_same_however_many_wait() -> None:
    store = CountingStore()
    waiting = WaitingMessages(store)
    for number in range(500):
        await waiting.keep(ANA, Waiting(f"req:{number}", card(f"Request {number}"), "Decide"))
    # Before, every keep rewrote everything waiting: the 500th wrote 500 cards.
    assert max(store.written) < 200
    posted = await delivered(waiting)
    assert [m.ref for m in posted] == [f"req:{n}" for n in range(500)]
    assert await delivered(waiting) == []


async def test_the_latest_version_of_a_message_arrives_once() -> None:
    waiting = WaitingMessages(MemoryStore())
    await waiting.keep(ANA, Waiting("req:1", card("Decide REQ-1"), "Decide"))
    await waiting.keep(ANA, Waiting("req:2", card("Decide REQ-2"), "Decide"))
    await waiting.keep(ANA, Waiting("req:1", card("REQ-1 was decided"), "Decided"))
    posted = await delivered(waiting)
    assert [(m.ref, m.summary) for m in posted] == [("req:2", "Decide"), ("req:1", "Decided")]
    # Kept after a delivery: delivered next time, alone.
    await waiting.keep(ANA, Waiting("req:3", card("Decide REQ-3"), "Decide"))
    assert [m.ref for m in await delivered(waiting)] == ["req:3"]


async def test_messages_kept_by_the_earlier_version_are_still_delivered() -> None:
    store = MemoryStore()
    earlier = {"req:9": {"card": card("Kept before the upgrade"), "summary": "Decide"}}
    await store.remember_message(f"teams-waiting|{ANA}", json.dumps(earlier))
    waiting = WaitingMessages(store)
    await waiting.keep(ANA, Waiting("req:10", card("Kept after"), "Decide"))
    posted = await delivered(waiting)
    assert [m.ref for m in posted] == ["req:9", "req:10"]
    assert posted[0].card == card("Kept before the upgrade")
    assert await delivered(waiting) == []
