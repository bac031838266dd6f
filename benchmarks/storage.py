"""How much one workflow action costs to commit on the TinyDB store, small and large.

Each measured action is an approval as the engine performs it: read the request, write the
approved request and the new page together with their audit entries, durably. It is measured
on a small store, on one with 100,000 audit entries, and on one with 5,000 registered pages;
each store also holds the pending requests the run approves.

Run: .venv/bin/python benchmarks/storage.py [--actions N]
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

# This script shares its name with the `storage` package: keep its own folder off the path.
sys.path.remove(str(Path(__file__).resolve().parent))

from storage.tinydb_store import TinyDBStore
from workflows import policy
from workflows.commands import Decide
from workflows.config import load_config
from workflows.engine import Engine
from workflows.model import (
    AuditEntry,
    Page,
    PageDetails,
    PageRequest,
    PageStatus,
    Person,
    RequestStatus,
    Verdict,
)
from workflows.ports import Changes

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


async def seed(store: TinyDBStore, pages: int, audit_entries: int, actions: int) -> None:
    for first in range(0, pages, 500):
        pairs = [registered(n) for n in range(first, min(first + 500, pages))]
        await store.commit(Changes(tuple(r for r, _ in pairs), tuple(p for _, p in pairs)))
    for first in range(0, audit_entries, 2000):
        entries = tuple(audit(n) for n in range(first, min(first + 2000, audit_entries)))
        await store.commit(Changes(audit=entries))
    await store.commit(Changes(requests=tuple(pending(n, "REQ") for n in range(actions))))


async def measure(name: str, pages: int, audit_entries: int, actions: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="pagekeeper-bench-") as folder:
        store = await TinyDBStore.open(Path(folder))
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
            assert outcome.notices, "the approval did not go through"
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


async def main(actions: int) -> None:
    scenarios = [
        ("small: 100 audit entries, 10 pages", 10, 100),
        ("100,000 audit entries", 10, 100_000),
        ("5,000 registered pages", 5_000, 100),
    ]
    print(f"Commit cost of one approval on TinyDB ({actions} approvals per scenario, ms)")
    columns = ("commit p50", "commit p99", "action p50", "action p99")
    print(f"{'scenario':40} " + " ".join(f"{column:>10}" for column in columns))
    results = []
    for name, pages, entries in scenarios:
        result = await measure(name, pages, entries, actions)
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


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=500)
    asyncio.run(main(parser.parse_args().actions))
