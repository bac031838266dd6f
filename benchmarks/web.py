"""The web pages' server time in a large district: 5,000 official pages and 100,000 audit
entries (#17's targets: a public page under 50 ms p95, the dashboard's overview under 150 ms
p95).

The real app (`bot.web.make_app`, local mode) on TinyDB and on a throwaway PostgreSQL server
(fsync on), one client asking one thing at a time over loopback. "Server" is the time inside
the app, from the request's arrival to its answer, measured by a middleware added for this
script; "client" adds HTTP over loopback. The district contact is signed in (she sees every
school: the most any view draws). Pages people use, each asked 200 times (the CSV 20):

- public: the directory's first page, a search by name, the "Is this page official?" box, one
  page's notices;
- dashboard: the overview (four figures over every page, request and monitoring answer), the
  registry sorted by school, one page with its timeline, the registry's CSV.

Also shown, because a reader would meet them: the first overview a process serves (it reads
the registry and the whole audit trail once, 100,000 lines; later views read only what is
new), and the overview just after a change (the change is applied to what the web pages keep
in memory, nothing is read again).
Meanwhile the bot's own reminders work through the 5,000 pages (all due when it starts),
writing each page as a district's Monday does: the public pages are measured while the registry
changes under them, not in a quiet one.
There is no peer here: the figures stand against the issue's limits.

Run: .venv/bin/python benchmarks/web.py [--pages N] [--audit N] [--only tinydb|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from aiohttp import ClientSession, CookieJar, web
from aiohttp.test_utils import TestServer

from benchmarks.common import percentile
from bot.bootstrap import build
from bot.config import Settings
from bot.web import make_app
from storage.postgres import PostgresStore
from storage.tinydb_store import TinyDBStore
from tests.fakes import FakeClock
from tests.generated import live_page
from tests.throwaway_postgres import ThrowawayPostgres
from workflows.conversation.slash_commands import answer
from workflows.kernel.commands import AttestMonitoring
from workflows.kernel.model import AuditEntry, Person
from workflows.kernel.policy import Regulation, Rule
from workflows.kernel.ports import Changes, Store

ASKED, CSV_ASKED, AFTER_CHANGE = 200, 20, 20
CHUNK = 1000
PUBLIC_MS, OVERVIEW_MS = 50.0, 150.0
OWNER = Person("tom.baker@example.org", "Tom Baker", "Teacher")
CONTACT = Person("dana.whitfield@example.org", "Dana Whitfield", "Communications Officer")
SCHOOLS = ("lincoln", "roosevelt", "jefferson")
Opener = Callable[[], AbstractAsyncContextManager[Store]]


async def load(store: Store, pages: int, audit: int, clock: FakeClock) -> None:
    term = clock.now() - timedelta(weeks=12)
    # Checks due next month: the duties running beside the server have nothing to send, as on
    # most minutes of a real district's day.
    due = clock.now() + timedelta(days=30)
    made = [live_page(n, OWNER, term, school=SCHOOLS[n % 3], due=due) for n in range(1, pages + 1)]
    for start in range(0, len(made), CHUNK):
        await store.commit(Changes(pages=tuple(made[start : start + CHUNK])))
    clause = Regulation().cite(Rule.MONITORING)
    actions = ("MonitoringCheckSent", "MonitoringChecked", "MonitoringOverdue", "PageWentLive")
    for start in range(0, audit, CHUNK):
        lines = tuple(
            AuditEntry(
                term + timedelta(minutes=n),
                OWNER.email,
                actions[n % len(actions)],
                f"PAGE-{n % pages + 1}",
                clause,
            )
            for n in range(start, min(audit, start + CHUNK))
        )
        await store.commit(Changes(audit=lines))


def tinydb(pages: int, audit: int, clock: FakeClock) -> Opener:
    @asynccontextmanager
    async def opened() -> AsyncIterator[Store]:
        with tempfile.TemporaryDirectory(prefix="pagekeeper-bench-") as folder:
            store = await TinyDBStore.open(Path(folder))
            await load(store, pages, audit, clock)
            yield store  # the app closes it as it stops

    return opened


def postgres(server: ThrowawayPostgres, pages: int, audit: int, clock: FakeClock) -> Opener:
    @asynccontextmanager
    async def opened() -> AsyncIterator[Store]:
        url = server.create_database("web")
        store = await PostgresStore.open(url)
        await load(store, pages, audit, clock)
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
            await connection.execute("ANALYZE")
        yield store  # the app closes it as it stops

    return opened


class Timer:
    """Time inside the app for each request (the middleware this script adds)."""

    def __init__(self) -> None:
        self.last = 0.0

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        started = time.perf_counter()
        try:
            return await handler(request)
        finally:
            self.last = (time.perf_counter() - started) * 1000


async def measure(
    session: ClientSession, timer: Timer, url: Callable[[], str], times: int
) -> tuple[list[float], list[float]]:
    server, client = [], []
    for _ in range(times):
        started = time.perf_counter()
        async with session.get(url()) as response:
            await response.read()
            assert response.status == 200, (url(), response.status)
        client.append((time.perf_counter() - started) * 1000)
        server.append(timer.last)
    return server, client


def line(label: str, server: list[float], client: list[float], limit: float | None) -> None:
    p95 = percentile(server, 95)
    verdict = ""
    if limit is not None:
        verdict = f"  limit {limit:.0f} ms: {'met' if p95 < limit else 'MISSED'}"
    print(
        f"  {label:<34} server p50 {percentile(server, 50):7.1f}  p95 {p95:7.1f} ms   "
        f"client p95 {percentile(client, 95):7.1f} ms{verdict}"
    )


async def run(name: str, opener: Opener, pages: int, clock: FakeClock) -> None:
    async with opener() as store:
        pagekeeper = await build(Settings(), store=store, clock=clock)
        timer = Timer()
        app = make_app(pagekeeper)
        app.middlewares.append(timer.middleware)
        server = TestServer(app)
        await server.start_server()
        try:
            async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
                reply = await answer(pagekeeper.engine, CONTACT, "dashboard")
                link = re.search(r"/dashboard/sign-in/\S+", reply.cards[0].text)
                assert link is not None
                signing_in = server.make_url(link.group(0))
                async with session.post(signing_in, allow_redirects=False) as signed:
                    assert signed.status == 303
                await report(name, session, timer, server, pagekeeper, pages)
        finally:
            await server.close()


async def report(
    name: str,
    session: ClientSession,
    timer: Timer,
    server: TestServer,
    pagekeeper: object,
    pages: int,
) -> None:
    def at(path: str) -> Callable[[], str]:
        return lambda: str(server.make_url(path))

    def any_page(path: str) -> Callable[[], str]:
        return lambda: str(server.make_url(path.format(random.randint(1, pages))))

    print(f"{name}: {pages:,} pages")
    first_server, _ = await measure(session, timer, at("/dashboard"), 1)
    print(
        f"  {'first overview after start':<34} server {first_server[0]:7.1f} ms "
        "(the registry and the whole audit trail read once)"
    )
    public = [
        ("directory, first page", at("/official")),
        ("directory, search by name", at("/official?q=room+4242")),
        ("is this page official? box", any_page("/official?address=facebook.com/room{}")),
        ("one page's notices", any_page("/official/PAGE-{}")),
    ]
    for label, url in public:
        line(label, *await measure(session, timer, url, ASKED), PUBLIC_MS)
    dashboard = [
        ("dashboard overview", at("/dashboard"), ASKED, OVERVIEW_MS),
        ("registry, sorted by school", at("/dashboard/pages?sort=school"), ASKED, None),
        ("one page with its timeline", any_page("/dashboard/pages/PAGE-{}"), ASKED, None),
        ("registry as CSV (every page)", at("/dashboard/pages.csv"), CSV_ASKED, None),
    ]
    for label, url, times, limit in dashboard:
        line(label, *await measure(session, timer, url, times), limit)
    engine = pagekeeper.engine
    server_times, client_times = [], []
    for n in range(AFTER_CHANGE):
        await engine.handle(AttestMonitoring(OWNER, f"PAGE-{n + 1}"))
        s, c = await measure(session, timer, at("/dashboard"), 1)
        server_times += s
        client_times += c
    line("overview just after a change", server_times, client_times, None)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--audit", type=int, default=100_000)
    parser.add_argument("--only", choices=("tinydb", "postgres"))
    arguments = parser.parse_args()
    clock = FakeClock()
    print(
        f"Web pages at {arguments.pages:,} pages and {arguments.audit:,} audit entries; "
        f"{ASKED} requests each, one at a time"
    )
    if arguments.only != "postgres":
        await run("TinyDB", tinydb(arguments.pages, arguments.audit, clock), arguments.pages, clock)
    if arguments.only != "tinydb":
        server = ThrowawayPostgres(durable=True)
        server.start()
        try:
            opener = postgres(server, arguments.pages, arguments.audit, clock)
            await run("PostgreSQL", opener, arguments.pages, clock)
        finally:
            server.stop()


if __name__ == "__main__":
    asyncio.run(main())
