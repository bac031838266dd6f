"""How much one workflow action costs to commit, on TinyDB and on PostgreSQL, small and large.

Each measured action is an approval as the engine performs it: read the request, write the
approved request and the new page together with their audit entries, durably. It is measured
on a small store, on one with 100,000 audit entries, and on one with 5,000 registered pages;
each store also holds the pending requests the run approves. Each store is seeded, then
settled (on TinyDB the seed's journal written into the table files, as months of running
would have left it). The approvals go in rounds: each round approves a block on every store in
turn, each store first in one round, so the disk's ups and downs fall on all alike. A block
is long enough for TinyDB's journal to pass its limit at least once, so each store's own
checkpoints, larger on a larger store, are measured in its figures. A last scenario, on a small
store, approves step 3 of a 5-step chain instead (the request moves to step 4: every card so
far updated, the next approver's card, the requester's progress), against the same target of
the one-step approval. PostgreSQL is a throwaway local server from Debian's binaries
(scripts/ensure-postgres.sh), with fsync on.

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
from workflows.district.approvals import StepRule
from workflows.district.config import DistrictConfig
from workflows.district.loading import load_config
from workflows.engine import Engine
from workflows.kernel.commands import Decide
from workflows.kernel.model import (
    AuditEntry,
    Decision,
    Page,
    PageDetails,
    PageRequest,
    PageStatus,
    Person,
    RequestStatus,
    Step,
    Verdict,
)
from workflows.kernel.policy import Regulation, Rule
from workflows.kernel.ports import Changes, Durable, Store

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


CHAIN = (
    "ana.ruiz@example.org",
    "sam.okafor@example.org",
    "robert.kim@example.org",
    "priya.natarajan@example.org",
    "james.chen@example.org",
)
DECIDED_STEP = 2  # the third step of five


def on_third_step(number: int, prefix: str) -> PageRequest:
    """A request of a 5-step chain whose first two steps are approved."""
    steps = tuple(
        Step(f"step {n + 1}", (email,), allowed=(email,)) for n, email in enumerate(CHAIN)
    )
    decisions = tuple(
        Decision(Verdict.APPROVE, Person(CHAIN[n], CHAIN[n]), START, "", 1, n)
        for n in range(DECIDED_STEP)
    )
    return dataclasses.replace(
        pending(number, prefix),
        approvers=(CHAIN[DECIDED_STEP],),
        route=f"step {DECIDED_STEP + 1}",
        steps=steps,
        step=DECIDED_STEP,
        decisions=decisions,
    )


def with_five_steps(config: DistrictConfig) -> DistrictConfig:
    kinds = tuple(
        dataclasses.replace(kind, steps=tuple(StepRule(people=(email,)) for email in CHAIN))
        if kind.id == "classroom"
        else kind
        for kind in config.kinds
    )
    return dataclasses.replace(config, kinds=kinds)


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
    return AuditEntry(
        START,
        TEACHER.email,
        "PageRequested",
        f"OLD-{number}",
        Regulation().cite(Rule.AUTHORIZATION),
    )


async def seed(store: Store, pages: int, audit_entries: int, actions: int) -> None:
    for first in range(0, pages, 500):
        pairs = [registered(n) for n in range(first, min(first + 500, pages))]
        await store.commit(Changes(tuple(r for r, _ in pairs), tuple(p for _, p in pairs)))
    for first in range(0, audit_entries, 2000):
        entries = tuple(audit(n) for n in range(first, min(first + 2000, audit_entries)))
        await store.commit(Changes(audit=entries))
    await store.commit(Changes(requests=tuple(pending(n, "REQ") for n in range(actions))))


@dataclasses.dataclass
class Scenario:
    """One seeded store and the times of the approvals made on it."""

    name: str
    store: Store
    engine: Engine
    commits: list[float]
    actions: list[float] = dataclasses.field(default_factory=list)

    async def approve_block(self, numbers: range) -> None:
        for number in numbers:
            await self.approve(number)

    async def approve(self, number: int) -> None:
        started = time.perf_counter()
        outcome = await self.engine.handle(Decide(PRINCIPAL, f"REQ-{number}", 1, Verdict.APPROVE))
        self.actions.append(time.perf_counter() - started)
        assert outcome.messages, "the approval did not go through"


async def prepare(
    name: str, store: Store, pages: int, audit_entries: int, actions: int
) -> Scenario:
    await seed(store, pages, audit_entries, actions)
    if isinstance(store, TinyDBStore):
        # The seed arrives in a few large commits; a store that grew over months has long
        # since written them into its table files.
        await store.checkpoint()
    numbers = itertools.count()
    engine = Engine(
        load_config(None), store, SteadyClock(), lambda prefix: f"{prefix}-{next(numbers)}"
    )
    return Scenario(name, store, engine, _timed_commits(store))


async def measure(
    open_store: Callable[[], Awaitable[Store]], actions: int
) -> list[dict[str, float]]:
    """Every scenario's figures over ROUNDS blocks of `actions` approvals, the blocks taken in
    turn with the other scenarios', each scenario first in one round."""
    scenarios = [
        await prepare(name, await open_store(), pages, entries, actions * ROUNDS)
        for name, pages, entries in SCENARIOS
    ]
    try:
        for turn in range(ROUNDS):
            block = range(turn * actions, (turn + 1) * actions)
            for scenario in scenarios[turn:] + scenarios[:turn]:
                await scenario.approve_block(block)
    finally:
        for scenario in scenarios:
            await scenario.store.close()
    return [
        {"name": s.name, **_figures(s.commits, s.actions)}  # type: ignore[dict-item]
        for s in scenarios
    ]


async def measure_chain_step(
    open_store: Callable[[], Awaitable[Store]], actions: int
) -> tuple[dict[str, float], dict[str, float]]:
    """One-step approvals and step-3-of-5 approvals taken in turn on one small store, so the
    disk's ups and downs fall on both alike: (one-step figures, chain-step figures)."""
    store = await open_store()
    await seed(store, 10, 100, 0)
    one_step = tuple(pending(n, "ONE") for n in range(actions))
    chained = tuple(on_third_step(n, "STEP") for n in range(actions))
    await store.commit(Changes(requests=(*one_step, *chained)))
    numbers = itertools.count()
    config = with_five_steps(load_config(None))
    engine = Engine(config, store, SteadyClock(), lambda prefix: f"{prefix}-{next(numbers)}")
    times = _timed_commits(store)
    commits: dict[bool, list[float]] = {False: [], True: []}
    spent: dict[bool, list[float]] = {False: [], True: []}
    approver = Person(CHAIN[DECIDED_STEP], "Approver")
    for number in range(actions):
        for chain in (False, True):
            decide = (
                Decide(approver, f"STEP-{number}", 1, Verdict.APPROVE, step=DECIDED_STEP)
                if chain
                else Decide(PRINCIPAL, f"ONE-{number}", 1, Verdict.APPROVE)
            )
            started = time.perf_counter()
            outcome = await engine.handle(decide)
            spent[chain].append(time.perf_counter() - started)
            commits[chain].append(times.pop())
            assert outcome.messages, "the approval did not go through"
    await store.close()
    return _figures(commits[False], spent[False]), _figures(commits[True], spent[True])


def _timed_commits(store: Store) -> list[float]:
    """Times every commit the engine makes through the store from now on, from the call until
    it is durable (the engine waits for that out of its turn), in the list returned."""
    times: list[float] = []
    original_commit = store.commit_in_turn

    async def timed_commit(changes: Changes) -> Durable:
        started = time.perf_counter()
        durable = await original_commit(changes)

        async def timed_durable() -> None:
            await durable()
            times.append(time.perf_counter() - started)

        return timed_durable

    store.commit_in_turn = timed_commit  # type: ignore[method-assign]
    return times


def _figures(commit_times: list[float], action_times: list[float]) -> dict[str, float]:
    return {
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
ROUNDS = len(SCENARIOS)  # each scenario first once


def chain_step_report(
    store_name: str, actions: int, one: dict[str, float], chain: dict[str, float]
) -> None:
    print(
        f"\nApproving step 3 of a 5-step chain vs a one-step approval on {store_name}, "
        f"taken in turn on one small store ({actions} each, ms)"
    )
    print(f"{'approval':40} {'commit p50':>10} {'commit p99':>10} {'action p50':>10}")
    for name, figures in (("one-step", one), ("step 3 of 5", chain)):
        print(
            f"{name:40} {figures['commit_p50']:10.2f} {figures['commit_p99']:10.2f} "
            f"{figures['action_p50']:10.2f}"
        )
    ratio = chain["commit_p50"] / one["commit_p50"]
    ratio_99 = chain["commit_p99"] / one["commit_p99"]
    verdict = "meets" if max(ratio, ratio_99) <= 1.2 else "MISSES"
    print(
        f"step 3 of 5: commit p50 {ratio:.2f}x, p99 {ratio_99:.2f}x a one-step approval's "
        f"({verdict} the target of <= 1.2x)"
    )


async def on_tinydb(actions: int) -> None:
    folders = itertools.count()
    with tempfile.TemporaryDirectory(prefix="pagekeeper-bench-") as folder:

        async def open_store() -> Store:
            return await TinyDBStore.open(Path(folder) / str(next(folders)))

        report("TinyDB", actions, await measure(open_store, actions))
    with tempfile.TemporaryDirectory(prefix="pagekeeper-bench-") as folder:
        paired = await measure_chain_step(lambda: TinyDBStore.open(Path(folder)), actions)
    chain_step_report("TinyDB", actions, *paired)


async def on_postgres(actions: int) -> None:
    server = ThrowawayPostgres(durable=True)
    server.start()
    databases = itertools.count()
    try:

        async def open_store() -> Store:
            return await PostgresStore.open(server.create_database(f"bench_{next(databases)}"))

        results = await measure(open_store, actions)
        report("PostgreSQL (local server, fsync on)", actions, results)
        url = server.create_database("bench_chain")
        paired = await measure_chain_step(lambda: PostgresStore.open(url), actions)
        chain_step_report("PostgreSQL", actions, *paired)
    finally:
        server.stop()


def report(store_name: str, actions: int, results: list[dict[str, float]]) -> None:
    print(
        f"\nCommit cost of one approval on {store_name} ({ROUNDS} rounds of {actions} "
        "approvals per scenario, the scenarios taken in turn, ms)"
    )
    columns = ("commit p50", "commit p99", "action p50", "action p99")
    print(f"{'scenario':40} " + " ".join(f"{column:>10}" for column in columns))
    for result in results:
        print(
            f"{result['name']:40} {result['commit_p50']:10.2f} {result['commit_p99']:10.2f} "
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
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--only", choices=["tinydb", "postgres"])
    arguments = parser.parse_args()
    asyncio.run(main(arguments.actions, arguments.only))
