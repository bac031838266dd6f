"""How much one workflow action costs to commit, on TinyDB and on PostgreSQL, small and large.

Each measured action is an approval as the engine performs it: read the request, write the
approved request and the new page together with their audit entries, durably. It is measured
on a small store, on one with 100,000 audit entries, and on one with 5,000 registered pages;
each store also holds the pending requests the run approves. PostgreSQL is a throwaway local
server from Debian's binaries (scripts/ensure-postgres.sh), with fsync on.

Run: .venv/bin/python benchmarks/storage.py [--actions N] [--only tinydb|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

# This script shares its name with the `storage` package: keep its own folder off the path,
# and the project's on it.
sys.path.remove(str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.postgres import PostgresStore
from storage.tinydb_store import TinyDBStore
from tests.throwaway_postgres import ThrowawayPostgres
from workflows.district.loading import load_config
from workflows.engine import Engine
from workflows.kernel import policy
from workflows.kernel.commands import Decide
from workflows.kernel.model import (
    AuditEntry,
    Page,
    PageDetails,
    PageRequest,
    PageStatus,
    Person,
    RequestStatus,
    Verdict,
)
from workflows.kernel.ports import Changes, Store

START = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)
TEACHER = Person("tom.baker@example.org", "Tom Baker", "Third Grade Teacher")
PRINCIPAL = Person("ana.ruiz@example.org", "Ana Ruiz", "Principal")
PURPOSE = "Share classroom news, homework reminders and photos of student work with families."


class SteadyClock:
    def __init__(self) -> None:
        self.moment = START

    def now(self) -> datetime:
        self.moment += timedelta(seconds=1)
        return self.moment


def details(number: int) -> PageDetails:
    return PageDetails("classroom", "lincoln", "facebook", f"Room {number}", PURPOSE, "Families")


def pending(number: int, prefix: str) -> PageRequest:
    return PageRequest(
        id=f"{prefix}-{number}",
        requester=TEACHER,
        details=details(number),
        status=RequestStatus.PENDING,
        approvers=(PRINCIPAL.email,),
        route="the principal of Lincoln Elementary",
        submitted_at=START + timedelta(minutes=number),
    )


def registered(number: int) -> tuple[PageRequest, Page]:
    request = dataclasses.replace(
        pending(number, "OLD"), status=RequestStatus.APPROVED, page_id=f"PAGE-OLD-{number}"
    )
    page = Page(
        id=f"PAGE-OLD-{number}",
        request_id=request.id,
        details=request.details,
        owners=(TEACHER,),
        status=PageStatus.ACTIVE,
        approved_by=PRINCIPAL,
        approved_at=request.submitted_at,
        url=f"https://www.facebook.com/room{number}",
    )
    return request, page


def audit(number: int) -> AuditEntry:
    return AuditEntry(START, TEACHER.email, "PageRequested", f"OLD-{number}", policy.AUTHORIZATION)


async def seed(store: Store, pages: int, audit_entries: int, actions: int) -> None:
    for first in range(0, pages, 500):
        pairs = [registered(n) for n in range(first, min(first + 500, pages))]
        await store.commit(Changes(tuple(r for r, _ in pairs), tuple(p for _, p in pairs)))
    for first in range(0, audit_entries, 2000):
        entries = tuple(audit(n) for n in range(first, min(first + 2000, audit_entries)))
        await store.commit(Changes(audit=entries))
    await store.commit(Changes(requests=tuple(pending(n, "REQ") for n in range(actions))))


async def measure(
    name: str,
    open_store: Callable[[], Awaitable[Store]],
    pages: int,
    audit_entries: int,
    actions: int,
) -> dict[str, float]:
    store = await open_store()
    await seed(store, pages, audit_entries, actions)
    numbers = itertools.count()
    engine = Engine(
        load_config(None), store, SteadyClock(), lambda prefix: f"{prefix}-{next(numbers)}"
    )
    commit_times, action_times = [], []
    original_commit = store.commit

    async def timed_commit(changes: Changes) -> None:
        started = time.perf_counter()
        await original_commit(changes)
        commit_times.append(time.perf_counter() - started)

    store.commit = timed_commit  # type: ignore[method-assign]
    for number in range(actions):
        started = time.perf_counter()
        outcome = await engine.handle(Decide(PRINCIPAL, f"REQ-{number}", 1, Verdict.APPROVE))
        action_times.append(time.perf_counter() - started)
        assert outcome.messages, "the approval did not go through"
    await store.close()
    return {
        "name": name,  # type: ignore[dict-item]
        "commit_p50": _ms(statistics.median(commit_times)),
        "commit_p99": _ms(_percentile(commit_times, 99)),
        "action_p50": _ms(statistics.median(action_times)),
        "action_p99": _ms(_percentile(action_times, 99)),
    }


def _percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def _ms(seconds: float) -> float:
    return seconds * 1000


SCENARIOS = [
    ("small: 100 audit entries, 10 pages", 10, 100),
    ("100,000 audit entries", 10, 100_000),
    ("5,000 registered pages", 5_000, 100),
]


async def on_tinydb(actions: int) -> None:
    async def run(name: str, pages: int, entries: int) -> dict[str, float]:
        with tempfile.TemporaryDirectory(prefix="pagekeeper-bench-") as folder:
            return await measure(
                name, lambda: TinyDBStore.open(Path(folder)), pages, entries, actions
            )

    await scenarios("TinyDB", actions, run)


async def on_postgres(actions: int) -> None:
    server = ThrowawayPostgres(durable=True)
    server.start()
    databases = itertools.count()
    try:

        async def run(name: str, pages: int, entries: int) -> dict[str, float]:
            url = server.create_database(f"bench_{next(databases)}")
            return await measure(name, lambda: PostgresStore.open(url), pages, entries, actions)

        await scenarios("PostgreSQL (local server, fsync on)", actions, run)
    finally:
        server.stop()


async def scenarios(
    store_name: str,
    actions: int,
    run: Callable[[str, int, int], Awaitable[dict[str, float]]],
) -> None:
    print(f"\nCommit cost of one approval on {store_name} ({actions} approvals per scenario, ms)")
    columns = ("commit p50", "commit p99", "action p50", "action p99")
    print(f"{'scenario':40} " + " ".join(f"{column:>10}" for column in columns))
    results = []
    for name, pages, entries in SCENARIOS:
        result = await run(name, pages, entries)
        results.append(result)
        print(
            f"{name:40} {result['commit_p50']:10.2f} {result['commit_p99']:10.2f} "
            f"{result['action_p50']:10.2f} {result['action_p99']:10.2f}"
        )
    small = results[0]["commit_p99"]
    for result in results[1:]:
        ratio = result["commit_p99"] / small
        verdict = "meets" if result["commit_p99"] <= 25 and ratio <= 1.5 else "MISSES"
        print(
            f"{result['name']}: commit p99 {result['commit_p99']:.2f} ms, {ratio:.2f}x the small "
            f"store's ({verdict} the target of <= 25 ms and <= 1.5x)"
        )


async def main(actions: int, only: str | None) -> None:
    if only in (None, "tinydb"):
        await on_tinydb(actions)
    if only in (None, "postgres"):
        await on_postgres(actions)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--only", choices=["tinydb", "postgres"])
    arguments = parser.parse_args()
    asyncio.run(main(arguments.actions, arguments.only))
