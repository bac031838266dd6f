"""What only the PostgreSQL store has to show: several processes, migrations, its guarantees."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from storage.chain import START, Head, link
from storage.postgres import PostgresStore, audit_chain
from storage.postgres.schema import MIGRATIONS
from storage.postgres.store import ALIVE_WITHOUT_CHECK_SECONDS, IdleCheck, verify_trail
from tests.conftest import PRINCIPAL, TEACHER
from tests.fakes import FakeClock
from tests.records import audit_entries
from tests.stories import ask_for_page
from tests.test_store_contract import MONDAY, a_message, a_request, an_entry
from tests.throwaway_postgres import ThrowawayPostgres, started
from workflows.district.config import DistrictConfig
from workflows.engine import Engine
from workflows.kernel.commands import ConfirmPageLive, Decide
from workflows.kernel.model import PageStatus, RequestStatus, Verdict, next_version
from workflows.kernel.ports import Changes, ConflictError, StorageError


async def test_several_processes_starting_at_once_migrate_the_schema_once(
    database_url: str,
) -> None:
    stores = await asyncio.gather(*(PostgresStore.open(database_url) for _ in range(6)))
    for store in stores:
        await store.close()
    with psycopg.connect(database_url) as connection:
        rows = connection.execute("SELECT version FROM pagekeeper_schema ORDER BY 1").fetchall()
    assert [row[0] for row in rows] == list(range(1, len(MIGRATIONS) + 1))


async def test_a_persons_pages_are_found_without_reading_a_list_of_pending_writes(
    database_url: str,
) -> None:
    """GIN's fast update keeps new entries in a list every look-up reads through: at 50,000
    pages a person's pages took 2.2 ms instead of 0.06 until a vacuum came by."""
    await (await PostgresStore.open(database_url)).close()
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT relname, reloptions FROM pg_class"
            " WHERE relname IN ('pages_owners', 'requests_approvers') ORDER BY 1"
        ).fetchall()
    assert rows == [("pages_owners", ["fastupdate=off"]), ("requests_approvers", None)]


async def test_a_database_from_a_newer_pagekeeper_is_refused(database_url: str) -> None:
    await (await PostgresStore.open(database_url)).close()
    with psycopg.connect(database_url) as connection:
        connection.execute("INSERT INTO pagekeeper_schema (version) VALUES (%s)", (99,))
    with pytest.raises(StorageError, match=r"schema is version 99.*upgrade Pagekeeper"):
        await PostgresStore.open(database_url)


async def test_the_audit_trail_cannot_be_changed_or_removed(database_url: str) -> None:
    store = await PostgresStore.open(database_url)
    await store.commit(Changes(audit=(an_entry("REQ-1"),)))
    await store.close()
    with psycopg.connect(database_url, autocommit=True) as connection:
        for statement in ("UPDATE audit SET subject = 'x'", "DELETE FROM audit", "TRUNCATE audit"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                connection.execute(statement.encode())
        assert connection.execute("SELECT count(*) FROM audit").fetchone() == (1,)


async def test_the_server_hashes_audit_lines_as_the_chain_does(database_url: str) -> None:
    """The server hashes a commit's lines (schema 13): each hash must be `link`'s, over text
    that is not ASCII too, within a commit and across commits, after lines hashed in Python
    (migrate-data's `append`)."""
    store = await PostgresStore.open(database_url)
    async with (
        await psycopg.AsyncConnection.connect(database_url) as connection,
        connection.transaction(),
    ):
        await audit_chain.append(connection, (an_entry("REQ-0"),))
    accented = dataclasses.replace(an_entry("REQ-2"), detail='Élodie\'s "page"\n✓ 日本')
    await store.commit(Changes(audit=(an_entry("REQ-1"), accented)))
    await store.commit(Changes(audit=(an_entry("REQ-3", "Approved"),)))
    await store.close()

    with psycopg.connect(database_url) as connection:
        docs = [row[0] for row in connection.execute("SELECT doc FROM audit ORDER BY seq")]
    previous = START
    for doc in docs:
        assert doc["hash"] == link(previous, doc)
        previous = doc["hash"]
    assert [doc["subject"] for doc in docs] == ["REQ-0", "REQ-1", "REQ-2", "REQ-3"]
    assert docs[2]["detail"] == accented.detail
    assert await verify_trail(database_url) == Head(4, previous)


async def test_two_stores_on_one_database_let_exactly_one_update_win(database_url: str) -> None:
    first, second = await PostgresStore.open(database_url), await PostgresStore.open(database_url)
    await first.commit(Changes(requests=(a_request(1),)))
    approved = next_version(a_request(1), status=RequestStatus.APPROVED)
    denied = next_version(a_request(1), status=RequestStatus.DENIED)
    results = await asyncio.gather(
        first.commit(Changes(requests=(approved,), audit=(an_entry("REQ-1", "Approved"),))),
        second.commit(Changes(requests=(denied,), audit=(an_entry("REQ-1", "Denied"),))),
        return_exceptions=True,
    )
    assert sum(isinstance(result, ConflictError) for result in results) == 1
    winner = await second.get_request("REQ-1")
    assert winner is not None and winner.status in (RequestStatus.APPROVED, RequestStatus.DENIED)
    # The loser's audit line went with its failed commit: one decision, one line.
    assert len(await audit_entries(first, "REQ-1")) == 1
    await first.close()
    await second.close()


async def test_only_one_process_holds_a_duty_until_it_stops(database_url: str) -> None:
    first, second = await PostgresStore.open(database_url), await PostgresStore.open(database_url)
    assert await first.hold_duty("reminders")
    assert not await second.hold_duty("reminders")
    assert await second.hold_duty("exports"), "another duty is free"
    await first.close()
    # The server lets the lock go when it has ended the first session, a moment later.
    await _until_no_advisory_lock_but(database_url, "exports")
    assert await second.hold_duty("reminders"), "taken over once the holder stopped"
    await second.close()


async def _until_no_advisory_lock_but(database_url: str, kept: str) -> None:
    """Wait (up to 10 s) until the only advisory lock left is the one still held."""
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as watch:
        for _ in range(200):
            cursor = await watch.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            )
            row = await cursor.fetchone()
            if row is not None and row[0] <= 1:
                return
            await asyncio.sleep(0.05)  # another process's session ending, not our own time
    raise AssertionError(f"the first store's advisory lock was never released ({kept} kept)")


async def test_a_bad_database_url_is_explained_without_its_password() -> None:
    with pytest.raises(StorageError) as raised:
        await PostgresStore.open("postgresql://pagekeeper:s3cret-pw@127.0.0.1:1/district")
    assert "127.0.0.1:1/district" in str(raised.value)
    assert "s3cret-pw" not in str(raised.value)
    with pytest.raises(StorageError) as raised:
        await PostgresStore.open("host=127.0.0.1 password=s3cret-pw port=x")
    assert "s3cret-pw" not in str(raised.value)


async def test_a_record_survives_the_trip_through_json_exactly(database_url: str) -> None:
    store = await PostgresStore.open(database_url)
    request = dataclasses.replace(a_request(1), approvers=("ana@example.org", "bo@example.org"))
    await store.commit(Changes(requests=(request,)))
    assert await store.get_request("REQ-1") == request
    assert [r.id for r in await store.find_requests(approver="bo@example.org")] == ["REQ-1"]
    await store.close()


@pytest.fixture
def own_server() -> Iterator[ThrowawayPostgres]:
    """A server of this test's own, to stop and start."""
    server = started()
    yield server
    server.stop()


async def test_a_database_outage_is_reported_and_the_store_recovers_after(
    own_server: ThrowawayPostgres,
) -> None:
    url = own_server.create_database("district")
    store = await PostgresStore.open(url)
    try:
        await store.commit(Changes(requests=(a_request(1),)))
        own_server.halt()
        with pytest.raises(
            StorageError, match=rf"database at 127.0.0.1:{own_server.port}/district"
        ):
            await store.check()
        own_server.resume()
        # The connections the restart broke are replaced, not handed to the next click.
        await store.check()
        assert await store.get_request("REQ-1") == a_request(1)
    finally:
        await store.close()


async def test_requests_arriving_at_once_are_checked_for_replays_together(
    database_url: str,
) -> None:
    """Fifty Slack requests at once: their keys go to the database in a few statements, not
    fifty; each is seen first once, by one store or the other, and again after its window."""
    first, second = await PostgresStore.open(database_url), await PostgresStore.open(database_url)
    statements: list[object] = []
    fetch = first._fetch

    async def counted(query: object, values: object, wait: float | None = None) -> Any:
        statements.append(query)
        return await fetch(query, values, wait)

    first._fetch = counted  # type: ignore[method-assign]
    now, window = MONDAY, timedelta(minutes=5)
    keys = [f"slack:v0={n}" for n in range(50)]
    seen = await asyncio.gather(*(first.first_time(key, now, window) for key in keys))
    assert all(seen) and 1 <= len(statements) <= 3
    # The same request twice at once, to one process and to both: seen first once.
    twice = await asyncio.gather(
        first.first_time("slack:v0=again", now, window),
        first.first_time("slack:v0=again", now, window),
        second.first_time("slack:v0=again", now, window),
    )
    assert sorted(twice) == [False, False, True]
    replays = await asyncio.gather(*(second.first_time(key, now, window) for key in keys))
    assert not any(replays)
    later = now + window + timedelta(seconds=1)
    assert all(await asyncio.gather(*(first.first_time(key, later, window) for key in keys)))
    await first.close()
    await second.close()


async def test_two_processes_confirming_one_address_at_once_register_it_once(
    database_url: str, config: DistrictConfig, clock: FakeClock
) -> None:
    first, second = await PostgresStore.open(database_url), await PostgresStore.open(database_url)
    engines = [Engine(config, store, clock) for store in (first, second)]
    for name in ("Room 12 News", "Room 12 Photos"):
        await engines[0].handle(ask_for_page(TEACHER, page_name=name))
    requests = await first.find_requests()
    for request in requests:
        await engines[0].handle(Decide(PRINCIPAL, request.id, 1, Verdict.APPROVE))
    pages = await first.find_pages()
    url = "https://www.facebook.com/room12"
    outcomes = await asyncio.gather(
        *(
            engine.handle(ConfirmPageLive(TEACHER, page.id, url, notices_displayed=True))
            for engine, page in zip(engines, pages, strict=True)
        )
    )
    assert len(await first.find_pages(status=PageStatus.ACTIVE, url=url)) == 1
    refused = [outcome for outcome in outcomes if outcome.errors]
    assert len(refused) == 1
    assert "already registered" in str(refused[0].errors)
    await first.close()
    await second.close()


async def test_fifty_forms_at_once_in_one_process_run_side_by_side_and_each_is_kept_once(
    syncing_server: ThrowawayPostgres,
    config: DistrictConfig,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="workflows.engine")
    url = syncing_server.create_database("district")
    async with _opened(url) as store:
        engine = Engine(config, store, clock)
        people = [dataclasses.replace(TEACHER, email=f"t{n}@example.org") for n in range(50)]
        forms = [ask_for_page(person, page_name=f"Room {n}") for n, person in enumerate(people)]
        # Each form sent twice at once, as a double click does: carried out once.
        outcomes = await asyncio.gather(
            *(
                engine.handle(form, submission=f"view-{n}")
                for n, form in enumerate(forms)
                for _twice in range(2)
            )
        )
        assert sum(outcome.accepted and bool(outcome.messages) for outcome in outcomes) == 50
        assert "write conflict" in caplog.text, "no two commands ran side by side"
        syncing_server.crash()  # every person was answered: each form is on disk
    syncing_server.resume()
    async with _opened(url) as store:
        requests = await store.find_requests()
        assert sorted(r.requester.email for r in requests) == sorted(p.email for p in people)
    head = await verify_trail(url)  # fifty commits side by side, one unbroken chain
    assert head.count == 50


async def test_a_connection_is_checked_before_use_only_after_sitting_idle() -> None:
    checked: list[str] = []

    async def check(connection: Any) -> None:
        checked.append(connection.name)

    clock = FakeClock()
    idle_check = IdleCheck(check, monotonic=lambda: clock.now().timestamp())
    first, second = _Connection("first"), _Connection("second")
    await idle_check(first)  # never handed out before: checked
    clock.advance(seconds=0.2)
    await idle_check(first)  # in use moments ago: alive without a round trip
    await idle_check(second)
    clock.advance(seconds=ALIVE_WITHOUT_CHECK_SECONDS + 0.1)
    await idle_check(first)  # idle long enough for the server to have dropped it
    assert checked == ["first", "second", "first"]


class _Connection:
    """Stands for a pooled connection: the check only needs to tell them apart."""

    def __init__(self, name: str) -> None:
        self.name = name


@pytest.fixture
def syncing_server() -> Iterator[ThrowawayPostgres]:
    """A server that syncs its disk, whose own log writer would leave a commit that did not
    wait for the disk unwritten for 10 seconds (its longest): only Pagekeeper writes it."""
    server = started(durable=True, settings=("wal_writer_delay=10s",))
    yield server
    server.stop()


async def test_commits_made_in_turn_are_seen_at_once_and_survive_a_crash_once_durable(
    syncing_server: ThrowawayPostgres,
) -> None:
    url = syncing_server.create_database("district")
    async with _opened(url) as store:
        waits = [
            await store.commit_in_turn(Changes(requests=(a_request(n),))) for n in range(1, 21)
        ]
        # The engine's next command reads them before they are durable.
        assert len(await store.find_requests()) == 20
        await asyncio.gather(*(wait() for wait in waits))
        syncing_server.crash()
    syncing_server.resume()
    async with _opened(url) as store:
        assert [r.id for r in await store.find_requests()] == [f"REQ-{n}" for n in range(1, 21)]


async def test_a_commit_in_turn_leaves_the_wait_for_the_disk_to_its_durable_wait(
    syncing_server: ThrowawayPostgres,
) -> None:
    """The engine's turn is not held through the server's disk: the commit made in it
    returns before the server has flushed its log that far, and the wait it hands back (run
    out of the turn) returns only once it has. A plain commit has flushed on return."""
    url = syncing_server.create_database("district")
    async with (
        _opened(url) as store,
        await psycopg.AsyncConnection.connect(url, autocommit=True) as watcher,
    ):
        wait = await store.commit_in_turn(Changes(requests=(a_request(1),)))
        written, flushed = await _log_positions(watcher)
        assert flushed < written
        await wait()
        _, flushed = await _log_positions(watcher)
        assert flushed >= written
        await store.commit(Changes(requests=(a_request(2),)))
        written, flushed = await _log_positions(watcher)
        assert flushed >= written


async def _log_positions(connection: psycopg.AsyncConnection[Any]) -> tuple[int, int]:
    """How far the server's write-ahead log is written (in its buffers) and flushed to disk."""
    cursor = await connection.execute(
        "SELECT pg_current_wal_insert_lsn() - '0/0', pg_current_wal_flush_lsn() - '0/0'"
    )
    written, flushed = await cursor.fetchone() or (0, 0)
    return int(written), int(flushed)


async def test_a_wait_for_the_disk_that_fails_is_reported_and_the_next_one_waits_again(
    own_server: ThrowawayPostgres,
) -> None:
    async with _opened(own_server.create_database("district")) as store:
        wait = await store.commit_in_turn(Changes(requests=(a_request(1),)))
        own_server.halt()
        with pytest.raises(StorageError, match=r"could not write to the database at 127\.0\.0\.1"):
            await wait()
        own_server.resume()
        await store.check()
        wait = await store.commit_in_turn(Changes(requests=(a_request(2),)))
        await wait()
        assert [r.id for r in await store.find_requests()] == ["REQ-1", "REQ-2"]


async def test_a_message_is_claimed_for_sending_only_once_its_commit_is_on_disk(
    syncing_server: ThrowawayPostgres,
) -> None:
    """The sender may claim a message before its commit's wait for the disk is over; the
    claim itself waits for the disk, which puts that commit there first."""
    url = syncing_server.create_database("district")
    message = a_message(1)
    async with _opened(url) as store:
        await store.commit_in_turn(Changes(outbox=(message,)))  # its wait never awaited
        later = message.next_attempt_at + timedelta(minutes=1)
        claim = await store.claim_messages("sender", later, 10, timedelta(minutes=1))
        assert [entry.id for entry in claim.entries] == [message.id]
        syncing_server.crash()
    syncing_server.resume()
    async with _opened(url) as store:
        assert await store.outbox_waiting() == (1, message.created_at)


@contextlib.asynccontextmanager
async def _opened(url: str) -> AsyncIterator[PostgresStore]:
    store = await PostgresStore.open(url)
    try:
        yield store
    finally:
        await store.close()
