"""Districts upgrade in place: data written by Pagekeeper 0.1.0 opens, every record is found,
and work carries on (tests/fixtures/data-0.1.0 was written by that version's own code)."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from storage.codec import from_dict
from storage.postgres import PostgresStore
from storage.postgres.store import verify_trail
from storage.tinydb_store import FORMAT, TinyDBStore
from tests.conftest import PRINCIPAL
from tests.fakes import FakeClock
from tests.records import audit_entries, due_entries
from tests.test_red_team_damage import start_refused
from tests.test_store_contract import an_entry
from tests.throwaway_postgres import ThrowawayPostgres, binaries
from workflows.district.loading import load_config
from workflows.engine import Engine
from workflows.kernel.commands import Decide
from workflows.kernel.messages import OutboxEntry
from workflows.kernel.model import (
    Acknowledgement,
    AuditEntry,
    Page,
    PageRequest,
    PageStatus,
    RequestStatus,
    Verdict,
)
from workflows.kernel.ports import Changes, StorageError, Store

FIXTURE = Path(__file__).parent / "fixtures" / "data-0.1.0"
EXPECTED: dict[str, Any] = json.loads((FIXTURE / "expected.json").read_text())
HANDLE_KEYS = sorted(EXPECTED["handles"])


@pytest.fixture
async def tinydb_0_1_0(tmp_path: Path) -> AsyncIterator[TinyDBStore]:
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE / "tinydb", folder)
    store = await TinyDBStore.open(folder)
    yield store
    await store.close()


@pytest.fixture
def database_of_0_1_0(postgres_server: ThrowawayPostgres, database_url: str) -> str:
    """A database loaded from 0.1.0's dump, with psql as an operator would."""
    bin_dir = binaries()
    assert bin_dir is not None
    subprocess.run(
        [bin_dir / "psql", "--quiet", "--set", "ON_ERROR_STOP=1", "--dbname", database_url,
         "--file", FIXTURE / "postgres.sql"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return database_url


@pytest.fixture
async def postgres_0_1_0(database_of_0_1_0: str) -> AsyncIterator[PostgresStore]:
    store = await PostgresStore.open(database_of_0_1_0)
    yield store
    await store.close()


async def test_every_record_of_a_0_1_0_tinydb_folder_is_found(tinydb_0_1_0: TinyDBStore) -> None:
    store = tinydb_0_1_0
    await records_are_all_there(store)
    assert sorted(await store.outbox_entries(), key=lambda e: e.id) == expected_outbox()
    assert await store.message_handles() == EXPECTED["handles"]


async def test_every_record_of_a_0_1_0_postgresql_database_is_found(
    postgres_0_1_0: PostgresStore,
) -> None:
    store = postgres_0_1_0
    await records_are_all_there(store)
    # The same story ran on both stores; only the outbox ids (random tails) differ.
    waiting = await due_entries(store, FakeClock().now() + timedelta(days=30))
    expected = [e for e in expected_outbox() if not e.settled]
    assert sorted(map(without_id, waiting), key=repr) == sorted(map(without_id, expected), key=repr)
    assert [m.message.ref for m in await store.failed_messages()] == [
        e.message.ref for e in expected_outbox() if e.failed_reason
    ]


async def records_are_all_there(store: Store) -> None:
    requests = [from_dict(PageRequest, record) for record in EXPECTED["requests"]]
    pages = [from_dict(Page, record) for record in EXPECTED["pages"]]
    assert await store.find_requests() == requests
    assert await store.find_pages() == pages
    assert await audit_entries(store) == [from_dict(AuditEntry, a) for a in EXPECTED["audit"]]
    assert await store.acknowledgements() == [
        from_dict(Acknowledgement, a) for a in EXPECTED["acknowledgements"]
    ]
    for key in HANDLE_KEYS:
        assert await store.recall_message(key) == EXPECTED["handles"][key]
    # What the records say, read as a person would (not only "equal to the file").
    approved = await store.get_request("REQ-1")
    assert approved is not None and approved.status is RequestStatus.APPROVED
    assert approved.last_decision is not None and approved.last_decision.note == "Looks good"
    assert approved.last_decision.by.name == "Ana Ruiz"
    statuses = {request.id: request.status for request in requests}
    assert statuses["REQ-5"] is RequestStatus.HELD
    assert statuses["REQ-2"] is RequestStatus.CHANGES_REQUESTED
    live = await store.get_page("PAGE-1")
    assert live is not None and live.status is PageStatus.ACTIVE
    [removal] = live.moderation  # 0.1.0's removals are moderation actions of their own kind
    assert (removal.reason, removal.action, removal.state) == ("commercial", "remove", "done")
    assert live.transfer_to is not None and live.transfer_to.name == "Sam Okafor"
    found = await store.find_pages(url="facebook.com/room12news")
    assert [page.id for page in found] == ["PAGE-1"]


async def test_work_carries_on_after_the_upgrade(tinydb_0_1_0: TinyDBStore) -> None:
    """Ana decides the request that was waiting for her, on the upgraded folder."""
    await work_carries_on(tinydb_0_1_0)


async def test_work_carries_on_after_the_upgrade_of_a_database(
    postgres_0_1_0: PostgresStore, database_of_0_1_0: str
) -> None:
    """The same on PostgreSQL, where the database now hashes the new audit line on after the
    lines 0.1.0 wrote, which it linked into the chain at start: the trail checks out."""
    before = await verify_trail(database_of_0_1_0)
    await work_carries_on(postgres_0_1_0)
    after = await verify_trail(database_of_0_1_0)
    assert after.count > before.count


async def work_carries_on(store: Store) -> None:
    """Ana decides REQ-4, waiting for her in 0.1.0's records; what she sees and what waits."""
    clock = FakeClock()
    clock.advance(days=15)
    engine = Engine(load_config(None), store, clock, lambda prefix: f"{prefix}-UPGRADED")
    waiting = await store.get_request("REQ-4")
    assert waiting is not None and waiting.status is RequestStatus.PENDING
    outcome = await engine.handle(Decide(PRINCIPAL, "REQ-4", 1, Verdict.APPROVE))
    assert outcome.accepted and outcome.reply is None
    decided = await store.get_request("REQ-4")
    assert decided is not None and decided.status is RequestStatus.APPROVED
    assert decided.version == waiting.version + 1
    assert await store.get_page("PAGE-UPGRADED") is not None
    # The messages 0.1.0 left waiting are still due, and read as that version wrote them.
    due = await due_entries(store, clock.now())
    titles = {entry.message.card.title for entry in due}
    assert "Page request REQ-4: Room 12 Reading Club" in titles


def expected_outbox() -> list[OutboxEntry]:
    return sorted((from_dict(OutboxEntry, e) for e in EXPECTED["outbox"]), key=lambda e: e.id)


def without_id(entry: OutboxEntry) -> OutboxEntry:
    return dataclasses.replace(entry, id="")


def test_the_fixture_was_written_by_0_1_0() -> None:
    """0.1.0 called an outgoing message a notice; the files must still say so."""
    assert all("notice" in entry and "message" not in entry for entry in EXPECTED["outbox"])
    journal = (FIXTURE / "tinydb" / "journal.jsonl").read_text()
    assert '"notice":' in journal and '"message":' not in journal


async def test_lines_from_before_the_hash_chain_are_linked_into_it(tmp_path: Path) -> None:
    """0.1.0's audit lines carry no hash; they are chained in as they are, so an edit to one
    of them is caught by the first line the upgraded store hashes after it."""
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE / "tinydb", folder)
    store = await TinyDBStore.open(folder)
    await store.commit(Changes(audit=(an_entry("REQ-4"),)))
    await store.close()
    lines = (folder / "audit.jsonl").read_text().splitlines(keepends=True)
    assert "hash" not in json.loads(lines[0]) and json.loads(lines[-1])["hash"]
    await (await TinyDBStore.open(folder)).close()  # as it was: it opens

    first = json.loads(lines[0])
    lines[0] = json.dumps({**first, "actor": "someone.else@example.org"}) + "\n"
    (folder / "audit.jsonl").write_text("".join(lines))
    with pytest.raises(StorageError, match=rf"audit\.jsonl: audit line {len(lines)} \("):
        await TinyDBStore.open(folder)


async def test_a_0_1_0_folder_is_upgraded_to_this_format_on_start(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE / "tinydb", folder)
    assert json.loads((folder / "meta.json").read_text())["format"] == 1
    await (await TinyDBStore.open(folder)).close()
    assert json.loads((folder / "meta.json").read_text()) == {"format": FORMAT, "buckets": 256}
    store = await TinyDBStore.open(folder)  # and opens as this format from then on
    await records_are_all_there(store)
    await store.close()


async def test_a_folder_from_a_newer_pagekeeper_is_refused_in_plain_words(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE / "tinydb", folder)
    (folder / "meta.json").write_text(json.dumps({"format": FORMAT + 1, "buckets": 256}))
    errors = await start_refused(PAGEKEEPER_DATA=str(folder))
    assert f"is in data format {FORMAT + 1}, written by a newer Pagekeeper" in errors
    assert "upgrade Pagekeeper, or restore the backup taken before the upgrade" in errors


def test_the_version_says_what_it_reads() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "bot", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert shown.startswith("pagekeeper ") and f"TinyDB data format {FORMAT}" in shown


FORMAT_2 = Path(__file__).parent / "fixtures" / "data-0.2.0"


async def test_a_format_2_folder_moves_its_delivered_messages_out_of_the_tables(
    tmp_path: Path,
) -> None:
    """0.2.0 kept every message ever sent in the outbox tables (and so in memory); opened by
    this version, the delivered ones move to settled.jsonl and nothing is lost or doubled,
    the commit a crash left in the journal included."""
    folder = tmp_path / "data"
    shutil.copytree(FORMAT_2 / "tinydb", folder)
    expected = [
        from_dict(OutboxEntry, e)
        for e in json.loads((FORMAT_2 / "expected.json").read_text())["outbox"]
    ]
    for _ in range(2):  # and again as format 3
        store = await TinyDBStore.open(folder)
        assert sorted(await store.outbox_entries(), key=lambda e: e.id) == expected
        failed = await store.failed_messages()
        assert [entry.id for entry in failed] == ["MSG-3"]
        assert await store.outbox_waiting() == (2, expected[5].created_at)
        await store.close()
    assert json.loads((folder / "meta.json").read_text())["format"] == FORMAT
    settled = [
        json.loads(line)["id"] for line in (folder / "settled.jsonl").read_text().splitlines()
    ]
    assert sorted(settled) == ["MSG-1", "MSG-2", "MSG-4", "MSG-5"]
    tables = "".join(path.read_text() for path in (folder / "tables").glob("outbox-*.json"))
    assert sorted(set(re.findall(r'"id":"(MSG-\d+)"', tables))) == ["MSG-3", "MSG-6", "MSG-7"]
