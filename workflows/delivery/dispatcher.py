"""The dispatcher: delivers the outbox, paced under each platform's limits, retrying failures.

A message leaves the outbox only once a platform took it. Rate limits and errors put it back
with a later attempt time (Retry-After when the platform gives one, else exponential backoff);
after MAX_ATTEMPTS it is given up, and the district contact is told. Nobody reachable on any
platform is reported once, through the engine, to the people who can fix it.

Several processes may deliver from one store: each round claims a few people's messages
(`Outbox.claim_messages`), so nobody's messages are sent twice or out of order, and the
platforms' overall limits are split between the processes sending at the time.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from workflows.delivery.messenger import Messenger, Refused, RetryLater, Unreachable, handle_key
from workflows.delivery.pacing import TokenBucket
from workflows.engine import Engine
from workflows.kernel.commands import ReportDeliveryFailed, ReportUndeliverable
from workflows.kernel.ids import random_id
from workflows.kernel.messages import Message, OutboxEntry
from workflows.kernel.ports import Changes, MessageHandles, Outbox, StorageError

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
# Reports of messages that failed: one failing in turn is not reported again.
REPORTS = ("delivery-failed:", "refused:")
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
# A send still going after this long renews the lease, so however slow a platform answers,
# no other process takes the person over and sends the same message again.
RENEW_SECONDS = LEASE.total_seconds() / 4
# How often the paces of people not sent to lately are forgotten (see `_forget_rested`).
FORGET_SECONDS = 60.0


class Dispatcher:
    """Delivers the outbox through the messengers, in the order they are added: a person no
    messenger before the last can reach is tried on the next one."""

    def __init__(
        self,
        engine: Engine,
        outbox: Outbox,
        handles: MessageHandles,
        messengers: Sequence[Messenger] = (),
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        renew_every: float = RENEW_SECONDS,
    ) -> None:
        self._engine = engine
        self._outbox = outbox
        self._handles = handles
        self._clock = engine.context.clock
        self._messengers: list[Messenger] = []
        self._overall: dict[str, TokenBucket] = {}
        self._monotonic = monotonic
        self._sleep = sleep
        self._renew_every = renew_every
        self._holder = random_id("sender")
        self._senders = 1
        self._per_person: dict[tuple[str, str], TokenBucket] = {}
        self._forget_at = 0.0
        self._wake = asyncio.Event()
        self._one_round = asyncio.Lock()  # two rounds at once could both send the same message
        self._settled: list[tuple[OutboxEntry, tuple[str, str] | None]] = []
        self._writing = asyncio.Lock()
        self._more = False  # the last round took all it could: go on without waiting
        self._resting: dict[str, float] = {}  # person -> when they may be sent more
        # Sent, but the store refused to record it (a full disk): never sent again, and
        # recorded as soon as the store takes writes.
        self._unrecorded: dict[str, tuple[OutboxEntry, tuple[str, str] | None]] = {}
        for messenger in messengers:
            self.add(messenger)
        engine.on_commit(self.kick)

    def add(self, messenger: Messenger) -> None:
        """Deliver through `messenger` too, after those added before it."""
        self._messengers.append(messenger)
        self._overall[messenger.platform] = TokenBucket(
            messenger.overall_rate * PACE / self._senders,
            max(1.0, messenger.overall_burst / self._senders),
        )

    @property
    def messengers(self) -> tuple[Messenger, ...]:
        return tuple(self._messengers)

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
        self._forget_rested(now)
        if self._unrecorded:
            await self._record_unrecorded()
        queues: dict[str, list[OutboxEntry]] = {}
        limit = self._round_size()
        claim = await self._outbox.claim_messages(
            self._holder, self._clock.now(), limit, LEASE, frozenset(self._resting)
        )
        self._more = len(claim.entries) == limit
        self._share_limits(claim.senders, now)
        for entry in claim.entries:
            if entry.id not in self._unrecorded:
                queues.setdefault(entry.message.to, []).append(entry)
        lanes = asyncio.Semaphore(CONCURRENCY)
        stop_at = now + ROUND_SECONDS

        async def deliver_in_order(entries: list[OutboxEntry]) -> None:
            async with lanes:
                for entry in entries:
                    if self._monotonic() > stop_at:
                        return  # left for the next round, within this round's lease
                    wait = await self._deliver(entry)
                    if wait > 0:
                        self._resting[entry.message.to] = self._monotonic() + wait
                        return

        try:
            # Every lane finishes before the messages are released, even when one fails.
            done = await asyncio.gather(
                *(deliver_in_order(queue) for queue in queues.values()), return_exceptions=True
            )
        finally:
            await self._outbox.release_messages(self._holder)
        failed = [outcome for outcome in done if isinstance(outcome, BaseException)]
        if failed:
            raise failed[0]
        if not self._resting:
            return None
        return max(0.0, min(self._resting.values()) - self._monotonic())

    def _forget_rested(self, now: float) -> None:
        """Every FORGET_SECONDS, drop the paces that are full again (a new one is the same):
        one kept for everyone ever sent to made each of Python's full garbage collections,
        which pause the whole server, slower as a Monday's checks went out (up to 130 ms at
        50,000 people)."""
        if now < self._forget_at:
            return
        self._forget_at = now + FORGET_SECONDS
        paces = self._per_person.items()
        self._per_person = {key: pace for key, pace in paces if not pace.full(now)}

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

    async def _deliver(self, entry: OutboxEntry) -> float:
        """Try one message; the seconds to wait if its person may not get one yet, else 0."""
        for index, messenger in enumerate(self._messengers):
            wait = await self._paced(messenger, entry.message.to)
            if wait > 0:
                return wait
            try:
                handle = await self._send_keeping_lease(messenger, entry.message)
            except Unreachable as reason:
                # Nothing reached the person there: their pace on that platform is unspent.
                self._per_person[(messenger.platform, entry.message.to)].give_back(
                    self._monotonic()
                )
                if index + 1 < len(self._messengers):
                    continue
                await self._unreachable(entry, messenger, str(reason))
                return 0.0
            except Refused as refusal:
                await self._refused(entry, messenger.platform, refusal)
                return 0.0
            except RetryLater as problem:
                await self._retry(entry, f"{messenger.platform}: {problem}", problem.after)
                return 0.0
            except Exception as error:
                await self._retry(
                    entry, f"{messenger.platform}: {type(error).__name__}: {error}", None
                )
                return 0.0
            await self._settle(entry, delivered=True, handle=handle)
            return 0.0
        return 0.0

    async def _send_keeping_lease(
        self, messenger: Messenger, message: Message
    ) -> tuple[str, str] | None:
        """`_send`, renewing this process's lease on its people for as long as it takes."""
        sending = asyncio.ensure_future(self._send(messenger, message))
        try:
            while not (await asyncio.wait({sending}, timeout=self._renew_every))[0]:
                try:
                    await self._outbox.renew_lease(self._holder, self._clock.now() + LEASE)
                except StorageError as problem:
                    log.warning("could not renew the outbox lease: %s", problem)
            return sending.result()
        finally:
            sending.cancel()  # only still running when this one was cancelled

    async def _send(self, messenger: Messenger, message: Message) -> tuple[str, str] | None:
        """Update in place or post: an update replaces the message sent earlier under the same
        ref, when there is one; anything else is posted, and where it landed is returned (as
        key and handle) to be kept with its delivery."""
        key = handle_key(messenger.platform, message.to, message.ref)
        earlier = await self._handles.recall_message(key) if message.update else None
        if earlier:
            await messenger.update(message, earlier)
            return None
        handle = await messenger.post(message)
        return (key, handle) if handle else None

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

    async def _refused(self, entry: OutboxEntry, platform: str, refusal: Refused) -> None:
        """Given up at once: the same message would be refused again. Logged with its size;
        the person and the district contact are told (a refused report is not reported)."""
        message = entry.message
        log.error(
            "message refused by %s id=%s ref=%s size=%d bytes: %s",
            platform,
            entry.id,
            message.ref,
            refusal.size,
            refusal,
        )
        problem = f"{platform} refused it: {refusal}"
        attempts = entry.attempts + 1
        failed = dataclasses.replace(
            entry, attempts=attempts, failed_reason=problem, last_error=problem
        )
        await self._outbox.commit(Changes(outbox=(failed,)))
        if not message.ref.startswith(REPORTS):
            title = message.card.title or "a message"
            report = ReportDeliveryFailed(message.to, message.ref, problem, attempts, title)
            await self._engine.handle(report)

    async def _retry(self, entry: OutboxEntry, problem: str, after: float | None) -> None:
        attempts = entry.attempts + 1
        message = entry.message
        if attempts >= MAX_ATTEMPTS:
            log.error("message given up id=%s ref=%s problem=%s", entry.id, message.ref, problem)
            failed = dataclasses.replace(
                entry, attempts=attempts, failed_reason=problem, last_error=problem
            )
            await self._outbox.commit(Changes(outbox=(failed,)))
            if not message.ref.startswith(REPORTS):
                report = ReportDeliveryFailed(message.to, message.ref, problem, attempts)
                await self._engine.handle(report)
            return
        wait = max(after or 0.0, min(FIRST_BACKOFF * 2.0 ** (attempts - 1), MAX_BACKOFF))
        log.warning(
            "message retry id=%s attempt=%d wait=%.1fs problem=%s",
            entry.id,
            attempts,
            wait,
            problem,
        )
        later = dataclasses.replace(
            entry,
            attempts=attempts,
            last_error=problem,
            next_attempt_at=self._clock.now() + timedelta(seconds=wait),
        )
        await self._outbox.commit(Changes(outbox=(later,)))

    async def _unreachable(self, entry: OutboxEntry, messenger: Messenger, reason: str) -> None:
        await self._settle(entry, delivered=False)
        message = entry.message
        if message.update or message.ref.startswith(("undeliverable:", "delivery-failed:")):
            return  # reported when the first message failed; never report a report
        await self._engine.handle(
            ReportUndeliverable(message.to, message.ref, messenger.platform, reason)
        )

    async def _settle(
        self, entry: OutboxEntry, *, delivered: bool, handle: tuple[str, str] | None = None
    ) -> None:
        """Mark it done (with where it landed) before its person's next message goes.
        Deliveries that finish while a write is under way are written together by the next
        one (one commit, not one each)."""
        settled = dataclasses.replace(
            entry,
            attempts=entry.attempts + 1,
            delivered_at=self._clock.now() if delivered else None,
            unreachable=not delivered,
        )
        self._settled.append((settled, handle))
        async with self._writing:
            waiting, self._settled = self._settled, []
            if waiting:
                await self._record(waiting)

    async def _record(self, settled: list[tuple[OutboxEntry, tuple[str, str] | None]]) -> None:
        """Write settled deliveries; when the store refuses, keep them here instead, so what
        was sent is not sent again, and raise (the round ends; the next one records them)."""
        handles = tuple(handle for _, handle in settled if handle is not None)
        entries = tuple(entry for entry, _ in settled)
        try:
            await self._outbox.commit(Changes(outbox=entries, handles=handles))
        except StorageError:
            self._unrecorded.update((entry.id, (entry, handle)) for entry, handle in settled)
            log.error("delivered messages not recorded yet count=%d", len(self._unrecorded))
            raise
        for entry in entries:
            self._unrecorded.pop(entry.id, None)

    async def _record_unrecorded(self) -> None:
        async with self._writing:
            await self._record(list(self._unrecorded.values()))
