"""A Monday-morning burst: monitoring checks for 50,000 active pages through a rate-limited Slack.

Builds a TinyDB store with N active pages (one owner each), lets the reminders queue every
check, and delivers them with the real dispatcher and Slack messenger to a fake Slack Web API
that enforces a workspace rate limit (answering 429 with Retry-After past it) and about one
message per second per conversation. Prints the achieved delivery rate as a fraction of the
allowed rate, and counts of lost and duplicated messages. While the reminders queue the checks
(batch after batch, as the running bot does) and while they are delivered, a person clicks
every 20 ms; the longest any command held the engine's turn (as /metrics times it) is printed
beside the 50 ms a batch may hold it, and how long each click waited for its answer, in each
phase, beside Slack's 3 seconds.

Run: .venv/bin/python benchmarks/burst.py [--pages N] [--rate MESSAGES_PER_SECOND]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import gc
import math
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web

sys.path.remove(str(Path(__file__).resolve().parent))  # keep benchmarks/ off the import path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.slack.app import build_slack_app, slack_client
from benchmarks.common import percentile
from bot.clock import SystemClock
from bot.duties import BatchSizer, work_off
from storage.tinydb_store import TinyDBStore
from tests.generated import live_page
from workflows.delivery.dispatcher import Dispatcher
from workflows.delivery.pacing import TokenBucket
from workflows.district.loading import load_config
from workflows.engine import Engine
from workflows.kernel.commands import Decide
from workflows.kernel.model import Page, Person, Verdict
from workflows.kernel.ports import Changes


class RateLimitedSlack:
    """Answers like Slack, enforcing a workspace limit and one message per second per channel."""

    def __init__(self, rate: float, expected: int) -> None:
        self.expected = expected
        self.all_in = asyncio.Event()
        self.workspace = TokenBucket(rate, rate)
        # When each conversation was last sent to (one a second). Floats, not a TokenBucket
        # each: this fake runs in the bot's process, and 50,000 objects of its own made the
        # bot's garbage collections slower than beside the real Slack.
        self.channels: dict[str, float] = {}
        self.delivered: collections.Counter[str] = collections.Counter()
        self.limited = 0
        self.first: float | None = None
        self.last = 0.0

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": "UBOT", "team_id": "T1"})
        if method == "users.lookupByEmail":
            email = request.query.get("email", "")
            return web.json_response(
                {"ok": True, "user": {"id": f"U{zlib.crc32(email.encode()):08X}"}}
            )
        if method != "chat.postMessage":
            return web.json_response({"ok": True})
        body = await request.json()
        now = time.monotonic()
        channel_free = self.channels.get(body["channel"], -math.inf) + 1.0 <= now
        if self.workspace.wait(now) > 0 or not channel_free:
            self.limited += 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        self.workspace.take(now)
        self.channels[body["channel"]] = now
        self.delivered[body["channel"]] += 1
        self.first = self.first if self.first is not None else now
        self.last = now
        if sum(self.delivered.values()) >= self.expected:
            self.all_in.set()
        return web.json_response({"ok": True, "channel": "D" + body["channel"], "ts": f"{now:.6f}"})


def active_page(number: int, live: datetime) -> Page:
    owner = Person(f"owner{number}@example.org", f"Owner {number}", "Teacher")
    return live_page(number, owner, live)


def monday_8am() -> datetime:
    """A moment in the district's working hours, so the reminders run now."""
    config = load_config(None)
    local = datetime.now(config.time_zone)
    while local.weekday() >= 5 or not 9 <= local.hour < 15:
        local = (local + timedelta(hours=1)).replace(minute=0)
    return local.astimezone(UTC)


class TimedSizer(BatchSizer):
    """The running bot's batch sizing, keeping how long each full batch took."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[float] = []

    def took(self, seconds: float, size: int) -> None:
        self.batches.append(seconds)
        super().took(seconds, size)


async def click_meanwhile(engine: Engine, waits: list[float]) -> None:
    """A person's click every 20 ms (a decision on a request that is not there: it takes the
    engine's turn like any click, and changes nothing), timed from click to answer."""
    clicker = Person("ana.ruiz@example.org", "Ana Ruiz", "Principal")
    while True:
        started = time.perf_counter()
        await engine.handle(Decide(clicker, "REQ-NOT-THERE", 1, Verdict.APPROVE))
        waits.append(time.perf_counter() - started)
        await asyncio.sleep(0.02)


class FixedClock:
    """Reminders are due at a fixed working hour; delivery runs on real time."""

    def __init__(self, start: datetime) -> None:
        self._offset = start - datetime.now(UTC)

    def now(self) -> datetime:
        return SystemClock().now() + self._offset


async def main(pages: int, rate: float) -> None:
    fake = RateLimitedSlack(rate, pages)
    app = web.Application()
    app.router.add_route("*", "/api/{method}", fake.api)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    with tempfile.TemporaryDirectory(prefix="pagekeeper-burst-") as folder:
        store = await TinyDBStore.open(Path(folder))
        start = monday_8am()
        clock = FixedClock(start)
        for first in range(0, pages, 500):
            batch = tuple(
                active_page(n, start - timedelta(days=8))
                for n in range(first, min(first + 500, pages))
            )
            await store.commit(Changes(pages=batch))
        config = load_config(None)
        gc.freeze()  # as the bot does once its store is open (bot/bootstrap.py)
        engine = Engine(config, store, clock)
        turns: list[float] = []
        engine.on_turn(turns.append)
        client = slack_client("xoxb-burst", f"http://127.0.0.1:{port}/api/")
        slack = build_slack_app(engine, client, frozenset({"T1"}))
        slack.messenger.overall_rate = rate  # the workspace's allowance, known to the district
        slack.messenger.overall_burst = rate
        dispatcher = Dispatcher(engine, store, store, [slack.messenger])

        queued_at = time.monotonic()
        sizer = TimedSizer()
        waits: list[float] = []
        delivery_waits: list[float] = []
        clicking = asyncio.create_task(click_meanwhile(engine, waits))
        await work_off(engine, sizer)
        clicking.cancel()
        queued = time.monotonic() - queued_at
        worker = asyncio.create_task(dispatcher.run())
        clicking = asyncio.create_task(click_meanwhile(engine, delivery_waits))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(fake.all_in.wait(), pages / rate * 3 + 60)
        clicking.cancel()
        await asyncio.sleep(2)  # anything still in flight would show up as a duplicate
        worker.cancel()
        unsettled = [entry for entry in await store.outbox_entries() if not entry.settled]
        failed = await store.failed_messages()
        await store.close()
        if slack.bolt.client.session:
            await slack.bolt.client.session.close()
    await runner.cleanup()

    delivered = len(fake.delivered)
    duplicated = sum(count - 1 for count in fake.delivered.values())
    span = (fake.last - (fake.first or fake.last)) or 1e-9
    achieved = (sum(fake.delivered.values()) - 1) / span
    print(f"Monitoring checks for {pages} active pages; the fake Slack allows {rate:.0f}/s")
    print(f"queued by the reminders in {queued:.1f} s; delivered over {span:.1f} s")
    longest = max(turns, default=0.0)
    print(
        f"{len(sizer.batches) + 1} reminder batches; the longest hold of the engine's turn "
        f"{longest * 1000:.0f} ms ({'meets' if longest <= 0.05 else 'MISSES'} <= 50 ms), "
        f"p99 {percentile(turns, 99) * 1000:.1f} ms; a batch took at most "
        f"{max(sizer.batches, default=0.0) * 1000:.0f} ms with its wait for the disk; "
        f"a click meanwhile waited p99 {percentile(waits, 99) * 1000:.0f} ms, "
        f"max {max(waits, default=0.0) * 1000:.0f} ms ({len(waits)} clicks)"
    )
    slowest = max(waits + delivery_waits, default=0.0)
    print(
        f"while they were delivered, a click waited p99 "
        f"{percentile(delivery_waits, 99) * 1000:.0f} ms, max "
        f"{max(delivery_waits, default=0.0) * 1000:.0f} ms ({len(delivery_waits)} clicks); "
        f"every click answered within Slack's 3 seconds: {'meets' if slowest < 3 else 'MISSES'}"
    )
    print(f"achieved {achieved:.1f} messages/s = {achieved / rate:.2f} of the allowed rate")
    print(
        f"lost: {pages - delivered}  duplicated: {duplicated}  429s answered: {fake.limited}  "
        f"left in outbox: {len(unsettled)}  given up: {len(failed)}"
    )
    target = achieved / rate >= 0.9 and delivered == pages and duplicated == 0
    verdict = "meets" if target else "MISSES"
    print(f"{verdict} the target: >= 0.9 of the allowed rate, 0 lost, 0 duplicated")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50_000)
    parser.add_argument("--rate", type=float, default=100.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.pages, arguments.rate))
