"""The dispatcher on its own: order, pacing, retries, giving up loudly, unreachable people."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.conftest import CONTACT, PRINCIPAL, TEACHER
from tests.fakes import FakeClock
from tests.records import audit_entries, due_entries
from tests.stories import ask_for_page
from workflows.delivery.dispatcher import FORGET_SECONDS, LEASE, MAX_ATTEMPTS, Dispatcher
from workflows.delivery.messenger import RetryLater, Unreachable
from workflows.engine import Engine
from workflows.kernel.messages import Message
from workflows.kernel.ports import Claim, Store


class FakeMessenger:
    """Records what it was asked to send; can be told to fail first."""

    platform = "Chat"
    per_person_rate = 1.0
    per_person_burst = 3.0
    overall_rate = 1000.0
    overall_burst = 1000.0

    def __init__(self) -> None:
        self.sent: list[Message] = []
        self.failures: list[Exception] = []
        self.unreachable: set[str] = set()

    async def post(self, message: Message) -> str | None:
        if message.to in self.unreachable:
            raise Unreachable(f"no account uses {message.to}")
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
        return f"handle-{len(self.sent)}"

    async def update(self, message: Message, handle: str) -> None:
        await self.post(message)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def dispatcher(
    engine: Engine, store: Store, messenger: FakeMessenger, time: FakeTime
) -> Dispatcher:
    return Dispatcher(engine, store, store, [messenger], monotonic=time.monotonic, sleep=time.sleep)


async def test_messages_go_out_in_order_once_and_are_marked_delivered(
    engine: Engine, store: Store, clock: FakeClock
) -> None:
    messenger, time = FakeMessenger(), FakeTime()
    deliver = dispatcher(engine, store, messenger, time)
    await engine.handle(ask_for_page(TEACHER))
    assert not await deliver.drain()
    assert [(n.to, n.ref.split(":")[0]) for n in messenger.sent] == [
        (TEACHER.email, "request"),
        (PRINCIPAL.email, "approval"),
    ]
    assert await due_entries(store, clock.now() + timedelta(days=1), 10) == []
    await deliver.drain()
    assert len(messenger.sent) == 2, "nothing is sent twice"


async def test_one_person_gets_messages_no_faster_than_the_platform_allows(
    engine: Engine, store: Store
) -> None:
    messenger, time = FakeMessenger(), FakeTime()
    deliver = dispatcher(engine, store, messenger, time)
    for name in ("Room 1", "Room 2", "Room 3", "Room 4", "Room 5"):
        await engine.handle(ask_for_page(TEACHER, page_name=name))
    assert await deliver.drain(), "some of Tom's messages wait for his rate limit"
    assert len([n for n in messenger.sent if n.to == TEACHER.email]) == 3  # the burst allowance
    time.now += 5
    await deliver.drain()
    assert len([n for n in messenger.sent if n.to == TEACHER.email]) == 5


async def test_paces_are_forgotten_once_full_again_and_kept_while_they_still_count(
    engine: Engine, store: Store
) -> None:
    """A pace kept for everyone ever sent to made Python's full garbage collections, which
    pause the whole server, slower all through a Monday's checks."""
    messenger, time = FakeMessenger(), FakeTime()
    deliver = dispatcher(engine, store, messenger, time)
    await engine.handle(ask_for_page(TEACHER, page_name="Room 1"))
    await deliver.drain()
    time.now = FORGET_SECONDS - 0.5
    for name in ("Room 2", "Room 3", "Room 4", "Room 5"):
        await engine.handle(ask_for_page(TEACHER, page_name=name))
    await deliver.drain()
    to_tom = [n for n in messenger.sent if n.to == TEACHER.email]
    assert len(to_tom) == 4, "Room 1, then his burst allowance of three"

    time.now = FORGET_SECONDS  # paces are looked over now: his is not full yet
    await deliver.drain()
    assert len([n for n in messenger.sent if n.to == TEACHER.email]) == 4, "still paced"
    time.now = FORGET_SECONDS + 1
    await deliver.drain()
    assert len([n for n in messenger.sent if n.to == TEACHER.email]) == 5

    time.now = 3 * FORGET_SECONDS
    await deliver.drain()
    assert deliver._per_person == {}, "nobody is being paced any more"


async def test_messages_for_someone_at_their_limit_stay_in_the_store_until_they_may_go(
    engine: Engine, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An approver with a thousand cards waiting gets 7 a second on Teams: each round must not
    fetch their whole backlog again only to put it back."""
    messenger, time = FakeMessenger(), FakeTime()
    fetched: list[str] = []
    claim = store.claim_messages

    async def noted(*args: Any, **kwargs: Any) -> Claim:
        claimed = await claim(*args, **kwargs)
        fetched.extend(entry.message.to for entry in claimed.entries)
        return claimed

    monkeypatch.setattr(store, "claim_messages", noted)
    deliver = dispatcher(engine, store, messenger, time)
    for name in ("Room 1", "Room 2", "Room 3", "Room 4"):
        await engine.handle(ask_for_page(TEACHER, page_name=name))
    assert await deliver.drain(), "Tom and Ana wait for their rate limits"
    assert len(messenger.sent) == 6  # each one's burst allowance

    fetched.clear()
    await engine.handle(ask_for_page(TEACHER, page_name="Room 5"))
    await deliver.drain()
    await deliver.drain()
    assert fetched == [], "a round fetched messages for people who may not get more yet"
    assert len(messenger.sent) == 6

    time.now += 10
    await deliver.drain()
    to_tom = [n.card.title for n in messenger.sent if n.to == TEACHER.email]
    assert len(messenger.sent) == 10
    assert to_tom == [f"Request sent: Room {n}" for n in range(1, 6)], "in the order they fell due"


async def test_a_failing_platform_is_retried_with_backoff_and_retry_after(
    engine: Engine, store: Store, clock: FakeClock
) -> None:
    messenger, time = FakeMessenger(), FakeTime()
    deliver = dispatcher(engine, store, messenger, time)
    messenger.failures = [RetryLater("rate limited", after=30), ConnectionError("reset")]
    await engine.handle(ask_for_page(TEACHER))
    await deliver.drain()
    assert messenger.sent == []
    [backoff] = await due_entries(store, clock.now() + timedelta(seconds=1), 10)
    assert backoff.message.to == PRINCIPAL.email and "ConnectionError" in backoff.last_error
    clock.advance(seconds=1)
    await deliver.drain()
    assert [n.to for n in messenger.sent] == [PRINCIPAL.email]
    [retry_after] = await due_entries(store, clock.now() + timedelta(seconds=29), 10)
    assert retry_after.message.to == TEACHER.email and retry_after.attempts == 1
    clock.advance(seconds=29)
    await deliver.drain()
    assert [n.to for n in messenger.sent] == [PRINCIPAL.email, TEACHER.email]


async def test_a_message_that_keeps_failing_is_given_up_and_reported(
    engine: Engine, store: Store, clock: FakeClock
) -> None:
    messenger, time = FakeMessenger(), FakeTime()
    deliver = dispatcher(engine, store, messenger, time)
    await engine.handle(ask_for_page(TEACHER))
    messenger.failures = [RuntimeError("HTTP 500")] * (MAX_ATTEMPTS * 2)
    for _ in range(MAX_ATTEMPTS):
        await deliver.drain()
        clock.advance(hours=1)
        time.now += 3600
    failed = await store.failed_messages()
    assert {m.message.to for m in failed} == {TEACHER.email, PRINCIPAL.email}
    assert all(m.attempts == MAX_ATTEMPTS for m in failed)
    messenger.failures = []
    await deliver.drain()
    alerts = [n for n in messenger.sent if n.to == CONTACT.email]
    assert len(alerts) == 2 and "could not be delivered" in alerts[0].card.title
    actions = [e.action for e in await audit_entries(store)]
    assert actions.count("DeliveryFailed") == 2


async def test_someone_no_platform_reaches_is_reported_once(engine: Engine, store: Store) -> None:
    messenger, time = FakeMessenger(), FakeTime()
    messenger.unreachable = {PRINCIPAL.email}
    deliver = dispatcher(engine, store, messenger, time)
    await engine.handle(ask_for_page(TEACHER))
    await deliver.drain()
    await deliver.drain()
    told = [n.card.title for n in messenger.sent]
    assert "Your request is still waiting: Room 12 News" in told
    assert len([n for n in messenger.sent if n.to == CONTACT.email]) == 1
    assert await store.failed_messages() == []


async def test_a_platform_that_cannot_reach_someone_does_not_spend_their_pace(
    engine: Engine, store: Store
) -> None:
    """Tom is not on the first platform: trying it first must not slow his messages on the
    platform he is on."""
    elsewhere, his, time = FakeMessenger(), FakeMessenger(), FakeTime()
    elsewhere.platform, elsewhere.unreachable = "Elsewhere", {TEACHER.email}
    his.per_person_burst = 5.0
    deliver = Dispatcher(
        engine, store, store, [elsewhere, his], monotonic=time.monotonic, sleep=time.sleep
    )
    for name in ("Room 1", "Room 2", "Room 3", "Room 4", "Room 5"):
        await engine.handle(ask_for_page(TEACHER, page_name=name))
    await deliver.drain()
    assert len([n for n in his.sent if n.to == TEACHER.email]) == 5, "his platform allows five"


class SlowMessenger(FakeMessenger):
    """A platform that takes as long as the test says to answer."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()
        self.answer = asyncio.Event()

    async def post(self, message: Message) -> str | None:
        self.entered.set()
        await self.answer.wait()
        return await super().post(message)


async def test_a_slow_send_keeps_its_people_so_no_other_sender_repeats_it(
    engine: Engine, store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Red-team finding 8: a send that outlasts the lease renews it, on every store."""
    slow, other = SlowMessenger(), FakeMessenger()
    first = Dispatcher(engine, store, store, [slow], renew_every=0.001)
    second = Dispatcher(engine, store, store, [other])
    renewed = asyncio.Event()
    renew = store.renew_lease

    async def noted(holder: str, until: datetime) -> None:
        await renew(holder, until)
        renewed.set()

    monkeypatch.setattr(store, "renew_lease", noted)
    await engine.handle(ask_for_page(TEACHER))  # a message each for Tom and Ana
    sending = asyncio.create_task(first.drain())
    await slow.entered.wait()
    clock.advance(seconds=LEASE.total_seconds() * 3)  # the platform is that slow
    renewed.clear()
    async with asyncio.timeout(30):  # a safety net: it fails rather than hangs
        await renewed.wait()  # the first sender renewed its lease at the new time

    await second.drain()
    assert other.sent == [], "the second sender took over people the first was still serving"
    slow.answer.set()
    await sending
    assert sorted(m.to for m in slow.sent) == sorted([TEACHER.email, PRINCIPAL.email])
