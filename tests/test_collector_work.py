"""Python's full garbage collections stop the event loop while they walk every container they
track, entry by entry. The bot freezes what the store loaded at start-up out of them (see
bot/bootstrap.py); what the TinyDB store keeps for records written afterwards must not add
to that walk either, or the pauses grow with the district's history (issue #18: after ten
thousand flows they took 20-30 ms)."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import tinydb_store
from storage.tinydb_store import TinyDBStore
from tests.generated import live_page
from workflows.kernel.model import PageRequest, PageStatus, Person, RequestStatus
from workflows.kernel.ports import Changes

LIVE = datetime(2026, 9, 1, 16, 0, tzinfo=UTC)
PRINCIPAL = "ana.ruiz@example.org"


def largest_walked() -> tuple[int, str]:
    """The container a full collection would walk longest now: how many references it
    holds, and what it is."""
    found = max(gc.get_objects(), key=lambda each: len(gc.get_referents(each)))
    return len(gc.get_referents(found)), repr(found)[:200]


@contextlib.contextmanager
def frozen() -> Iterator[None]:
    """As the bot does once the store is open: what exists now frozen out of collections."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def flow(number: int, owner: Person) -> tuple[Changes, ...]:
    """A request approved (its page set up, no address yet), then the page live (but one
    in ten still being set up)."""
    started = live_page(number, owner, LIVE, due=LIVE + timedelta(days=number % 7))
    setting_up = dataclasses.replace(started, status=PageStatus.SETTING_UP, url=None)
    request = PageRequest(
        id=started.request_id,
        requester=owner,
        details=started.details,
        status=RequestStatus.APPROVED,
        approvers=(PRINCIPAL,),
        route="principal",
        submitted_at=LIVE,
        page_id=started.id,
    )
    approved = Changes(requests=(request,), pages=(setting_up,))
    if number % 10 == 0:
        return (approved,)
    return approved, Changes(pages=(dataclasses.replace(started, version=2),))


async def run_flows(store: TinyDBStore, numbers: range) -> None:
    for number in numbers:
        owner = Person(f"teacher{number % 40}@example.org", f"Teacher {number % 40}")
        for changes in flow(number, owner):
            await store.commit(changes)


async def test_records_written_after_start_up_add_nothing_for_full_collections_to_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The records decoded last are kept too, as many as this says: fewer than the flows.
    monkeypatch.setattr(tinydb_store, "RECENT_RECORDS", 50)
    store = await TinyDBStore.open(tmp_path / "store")
    try:
        with frozen():
            await run_flows(store, range(2000))
            gc.collect()  # a plain dict of untracked values is untracked here...
            await run_flows(store, range(2000, 2001))  # ...and tracked again by a write
            size, container = largest_walked()
    finally:
        await store.close()
    # Each of the 2,000 pages and requests is in the tables' indexes and summaries, and each
    # page in a heap of pages due: were any of those walked, it would hold 2,000 or more.
    assert size < 1000, container
