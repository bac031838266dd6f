"""The dispatcher: delivers the outbox, paced under each platform's limits, retrying failures.

A message leaves the outbox only once a platform took it. Rate limits and errors put it back
with a later attempt time (Retry-After when the platform gives one, else exponential backoff);
after MAX_ATTEMPTS it is given up, and the district contact is told. Nobody reachable on any
platform is reported once, through the engine, to the people who can fix it.

Several processes may deliver from one store: each round claims a few people's messages
(`Store.claim_messages`), so nobody's messages are sent twice or out of order, and the
platforms' overall limits are split between the processes sending at the time.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from workflows.commands import ReportDeliveryFailed, ReportUndeliverable
from workflows.delivery import Messenger, RetryLater, Unreachable
from workflows.engine import Engine
from workflows.ids import random_id
from workflows.outbox import OutboxMessage
from workflows.pacing import TokenBucket
from workflows.ports import Changes

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 15 * 60.0
# Stay a little under each platform's limits, so clocks that differ never cause a 429.
PACE = 0.95
# A round claims about this many seconds' worth of sending (at most BATCH messages), so that
# several processes share a burst instead of one claiming it all.
ROUND_TARGET_SECONDS = 2.0
BATCH = 200
# People served at once. A crash can repeat at most this many messages: those a platform took
# whose delivery was not yet written down.
CONCURRENCY = 8
IDLE_SECONDS = 1.0
# How long the people claimed in a round stay this process's. A round stops sending well
# before, so if this process dies, another takes its people over after at most this long.
LEASE = timedelta(seconds=20)
ROUND_SECONDS = LEASE.total_seconds() / 2


class Dispatcher:
    def __init__(
        self,
        engine: Engine,
        messengers: list[Messenger],
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._engine = engine
        self._store = engine.context.store
        self._clock = engine.context.clock
        self._messengers = messengers
        self._monotonic = monotonic
        self._sleep = sleep
        self._holder = random_id("sender")
        self._overall = {
            m.platform: TokenBucket(m.overall_rate * PACE, m.overall_burst) for m in messengers
        }
        self._senders = 1
        self._per_person: dict[tuple[str, str], TokenBucket] = {}
        self._wake = asyncio.Event()
        self._one_round = asyncio.Lock()  # two rounds at once could both send the same message
        self._settled: list[OutboxMessage] = []
        self._writing = asyncio.Lock()
        self._more = False  # the last round took all it could: go on without waiting
        self._resting: dict[str, float] = {}  # message id -> when its person may get it
        engine.on_commit(self.kick)

    def kick(self) -> None:
        """New messages are waiting: deliver them now rather than at the next idle check."""
        self._wake.set()

    async def run(self) -> None:
        """Deliver until cancelled; wakes on new messages, and at least every second."""
        while True:
            self._wake.clear()
            try:
                rest = await self.drain()
            except Exception:  # a store hiccup must not stop delivery for good
                log.exception("dispatcher round failed")
                rest, self._more = None, False
            if self._more:
                continue
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
            # that arrives as the wake-up does, and the loop would never stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(rest or IDLE_SECONDS, IDLE_SECONDS)):
                    await self._wake.wait()

    async def drain(self) -> float | None:
        """Deliver what is due now. Returns the seconds until a message that had to wait for
        its person's rate limit may go, or None if nothing is waiting for that.

        Different people's messages go out concurrently; one person's go out in order, so an
        update never overtakes the message it updates.
        """
        async with self._one_round:
            return await self._round()

    async def _round(self) -> float | None:
        # Messages resting until their person may get more are left in the store, unfetched,
        # so they never hold up everyone else's.
        now = self._monotonic()
        self._resting = {key: until for key, until in self._resting.items() if until > now}
        queues: dict[str, list[OutboxMessage]] = {}
        limit = self._round_size()
        claim = await self._store.claim_messages(
            self._holder, self._clock.now(), limit, LEASE, frozenset(self._resting)
        )
        self._more = len(claim.messages) == limit
        self._share_limits(claim.senders, now)
        for message in claim.messages:
            queues.setdefault(message.notice.to, []).append(message)
        lanes = asyncio.Semaphore(CONCURRENCY)
        stop_at = now + ROUND_SECONDS

        async def deliver_in_order(messages: list[OutboxMessage]) -> None:
            async with lanes:
                for index, message in enumerate(messages):
                    if self._monotonic() > stop_at:
                        return  # left for the next round, within this round's lease
                    wait = await self._deliver(message)
                    if wait > 0:
                        until = self._monotonic() + wait
                        self._resting.update((later.id, until) for later in messages[index:])
                        return

        try:
            await asyncio.gather(*(deliver_in_order(queue) for queue in queues.values()))
        finally:
            await self._store.release_messages(self._holder)
        if not self._resting:
            return None
        return max(0.0, min(self._resting.values()) - self._monotonic())

    def _round_size(self) -> int:
        """About ROUND_TARGET_SECONDS of sending at this process's share of the limits."""
        rate = sum(messenger.overall_rate for messenger in self._messengers) * PACE
        return max(CONCURRENCY, min(BATCH, int(rate / self._senders * ROUND_TARGET_SECONDS)))

    def _share_limits(self, senders: int, now: float) -> None:
        """Several processes sending at once split each platform's overall limit between them."""
        if senders == self._senders:
            return
        self._senders = senders
        for messenger in self._messengers:
            self._overall[messenger.platform].resize(
                messenger.overall_rate * PACE / senders,
                max(1.0, messenger.overall_burst / senders),
                now,
            )

    async def _deliver(self, message: OutboxMessage) -> float:
        """Try one message; the seconds to wait if its person may not get one yet, else 0."""
        for index, messenger in enumerate(self._messengers):
            wait = await self._paced(messenger, message.notice.to)
            if wait > 0:
                return wait
            try:
                await messenger.send(message.notice)
            except Unreachable as reason:
                if index + 1 < len(self._messengers):
                    continue
                await self._unreachable(message, messenger, str(reason))
                return 0.0
            except RetryLater as problem:
                await self._retry(message, f"{messenger.platform}: {problem}", problem.after)
                return 0.0
            except Exception as error:
                await self._retry(
                    message, f"{messenger.platform}: {type(error).__name__}: {error}", None
                )
                return 0.0
            await self._settle(message, delivered=True)
            return 0.0
        return 0.0

    async def _paced(self, messenger: Messenger, person: str) -> float:
        """0 once a send is allowed (waiting out the overall limit), else the person's wait."""
        now = self._monotonic()
        bucket = self._per_person.setdefault(
            (messenger.platform, person),
            TokenBucket(messenger.per_person_rate * PACE, messenger.per_person_burst),
        )
        if (wait := bucket.wait(now)) > 0:
            return wait
        overall = self._overall[messenger.platform]
        while (pause := overall.wait(now)) > 0:
            await self._sleep(pause)
            now = self._monotonic()
        overall.take(now)
        bucket.take(now)
        return 0.0

    async def _retry(self, message: OutboxMessage, problem: str, after: float | None) -> None:
        attempts = message.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            log.error(
                "message given up id=%s ref=%s problem=%s", message.id, message.notice.ref, problem
            )
            failed = dataclasses.replace(
                message, attempts=attempts, failed_reason=problem, last_error=problem
            )
            await self._store.commit(Changes(outbox=(failed,)))
            if not message.notice.ref.startswith("delivery-failed:"):
                report = ReportDeliveryFailed(
                    message.notice.to, message.notice.ref, problem, attempts
                )
                await self._engine.handle(report)
            return
        wait = max(after or 0.0, min(FIRST_BACKOFF * 2.0 ** (attempts - 1), MAX_BACKOFF))
        log.warning(
            "message retry id=%s attempt=%d wait=%.1fs problem=%s",
            message.id,
            attempts,
            wait,
            problem,
        )
        later = dataclasses.replace(
            message,
            attempts=attempts,
            last_error=problem,
            next_attempt_at=self._clock.now() + timedelta(seconds=wait),
        )
        await self._store.commit(Changes(outbox=(later,)))

    async def _unreachable(self, message: OutboxMessage, messenger: Messenger, reason: str) -> None:
        await self._settle(message, delivered=False)
        notice = message.notice
        if notice.update or notice.ref.startswith(("undeliverable:", "delivery-failed:")):
            return  # reported when the first message failed; never report a report
        await self._engine.handle(
            ReportUndeliverable(notice.to, notice.ref, messenger.platform, reason)
        )

    async def _settle(self, message: OutboxMessage, *, delivered: bool) -> None:
        """Mark it done before its person's next message goes. Deliveries that finish while a
        write is under way are written together by the next one (one commit, not one each)."""
        settled = dataclasses.replace(
            message,
            attempts=message.attempts + 1,
            delivered_at=self._clock.now() if delivered else None,
            unreachable=not delivered,
        )
        self._settled.append(settled)
        async with self._writing:
            waiting, self._settled = self._settled, []
            if waiting:
                await self._store.commit(Changes(outbox=tuple(waiting)))
