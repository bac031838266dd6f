"""One contract, every store: what the engine relies on, checked against each implementation."""

from __future__ import annotations

import asyncio
import dataclasses
import errno
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from storage.memory import MemoryStore
from storage.postgres import PostgresStore
from storage.tinydb_store import TinyDBStore
from tests.records import audit_content, audit_entries, due_entries
from workflows.conversation.forms import request_form
from workflows.district.config import DistrictConfig
from workflows.kernel.cards import Button, Card
from workflows.kernel.ids import batch_of, message_ids
from workflows.kernel.messages import Message, OutboxEntry
from workflows.kernel.model import (
    NOTHING_DUE,
    Acknowledgement,
    AuditEntry,
    Away,
    Page,
    PageDetails,
    PageRequest,
    PageStatus,
    Person,
    RequestStatus,
    next_version,
)
from workflows.kernel.policy import Regulation, Rule
from workflows.kernel.ports import Changes, ConflictError, RequestChecks, StorageError, Store

MONDAY = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
TOM = Person("tom.baker@example.org", "Tom Baker", "Teacher")
ANA = Person("ana.ruiz@example.org", "Ana Ruiz", "Principal")
DETAILS = PageDetails("classroom", "lincoln", "facebook", "Room 12", "Class news.", "Families")


def a_request(number: int, **changes: object) -> PageRequest:
    request = PageRequest(
        id=f"REQ-{number}",
        requester=TOM,
        details=DETAILS,
        status=RequestStatus.PENDING,
        approvers=(ANA.email,),
        route="the principal of Lincoln Elementary",
        submitted_at=MONDAY + timedelta(minutes=number),
    )
    return dataclasses.replace(request, **changes)  # type: ignore[arg-type]


def a_page(number: int, **changes: object) -> Page:
    page = Page(
        id=f"PAGE-{number}",
        request_id=f"REQ-{number}",
        details=DETAILS,
        owners=(TOM,),
        status=PageStatus.SETTING_UP,
        approved_by=ANA,
        approved_at=MONDAY + timedelta(minutes=number),
    )
    return dataclasses.replace(page, **changes)  # type: ignore[arg-type]


def an_entry(subject: str, action: str = "PageRequested") -> AuditEntry:
    return AuditEntry(
        MONDAY, TOM.email, action, subject, Regulation().cite(Rule.AUTHORIZATION), "détail ✓"
    )


async def test_what_is_committed_reads_back_equal(store: Store) -> None:
    request, page = a_request(1), a_page(1, url="https://x.com/room12")
    await store.commit(Changes((request,), (page,), (an_entry("REQ-1"),)))
    assert await store.get_request("REQ-1") == request
    assert await store.get_page("PAGE-1") == page
    assert await audit_content(store) == [an_entry("REQ-1")]


async def test_unknown_ids_read_as_none(store: Store) -> None:
    assert await store.get_request("REQ-404") is None
    assert await store.get_page("PAGE-404") is None


async def test_an_update_must_build_on_the_stored_version(store: Store) -> None:
    request = a_request(1)
    await store.commit(Changes(requests=(request,)))
    approved = next_version(request, status=RequestStatus.APPROVED)
    await store.commit(Changes(requests=(approved,)))
    denied_from_stale_read = next_version(request, status=RequestStatus.DENIED)
    with pytest.raises(ConflictError):
        await store.commit(Changes(requests=(denied_from_stale_read,)))
    assert await store.get_request("REQ-1") == approved


async def test_a_new_record_cannot_overwrite_one_with_the_same_id(store: Store) -> None:
    await store.commit(Changes(pages=(a_page(1),)))
    with pytest.raises(ConflictError):
        await store.commit(Changes(pages=(a_page(1, owners=(ANA,)),)))


async def test_a_conflicting_commit_writes_nothing_at_all(store: Store) -> None:
    await store.commit(Changes(requests=(a_request(1),)))
    with pytest.raises(ConflictError):
        await store.commit(
            Changes((a_request(2), a_request(1)), (a_page(2),), (an_entry("REQ-2"),))
        )
    assert await store.get_request("REQ-2") is None
    assert await store.get_page("PAGE-2") is None
    assert await audit_entries(store) == []


async def test_one_commit_writes_many_new_and_changed_records_or_none(store: Store) -> None:
    """A batch (a reminders run, pages handed over) writes hundreds of records at once."""
    await store.commit(Changes(pages=tuple(a_page(n) for n in range(1, 201))))
    stored = [await store.get_page(f"PAGE-{n}") for n in range(1, 201)]
    moved = tuple(next_version(page, owners=(ANA,)) for page in stored if page is not None)
    stale = next_version(a_page(50), owners=(TOM, ANA))  # read before the 100 were moved
    await store.commit(Changes(pages=moved[:100]))
    with pytest.raises(ConflictError):
        await store.commit(Changes((a_request(1),), (*moved[100:], stale, a_page(201))))
    assert await store.get_request("REQ-1") is None and await store.get_page("PAGE-201") is None
    assert [page.owners for page in await store.find_pages(owner=ANA.email)] == [(ANA,)] * 100

    await store.commit(Changes((a_request(1),), (*moved[100:], a_page(201))))
    assert len(await store.find_pages(owner=ANA.email)) == 200
    assert await store.get_page("PAGE-201") == a_page(201)


async def test_requests_are_found_by_requester_approver_and_status(store: Store) -> None:
    await store.commit(
        Changes(
            requests=(
                a_request(3, status=RequestStatus.HELD, approvers=()),
                a_request(1),
                a_request(2, requester=ANA, approvers=(TOM.email, "x@example.org")),
            )
        )
    )
    ids = lambda found: [request.id for request in found]  # noqa: E731
    assert ids(await store.find_requests()) == ["REQ-1", "REQ-2", "REQ-3"]
    assert ids(await store.find_requests(requester=TOM.email)) == ["REQ-1", "REQ-3"]
    assert ids(await store.find_requests(approver=TOM.email)) == ["REQ-2"]
    assert ids(await store.find_requests(status=RequestStatus.HELD)) == ["REQ-3"]
    assert ids(await store.find_requests(requester=ANA.email, approver=ANA.email)) == []
    held = await store.get_request("REQ-3")
    assert held is not None
    await store.commit(Changes(requests=(next_version(held, status=RequestStatus.PENDING),)))
    assert ids(await store.find_requests(status=RequestStatus.HELD)) == []
    pending = await store.find_requests(status=RequestStatus.PENDING)
    assert ids(pending) == ["REQ-1", "REQ-2", "REQ-3"]


async def test_a_persons_request_times_are_found_from_a_moment_on(store: Store) -> None:
    # a_request(n) was submitted n minutes into MONDAY, by TOM.
    minutes = lambda n: MONDAY + timedelta(minutes=n)  # noqa: E731
    odd = minutes(4) + timedelta(microseconds=987_654)
    requests = (*(a_request(n) for n in (4, 1, 3, 2)), a_request(5, submitted_at=odd))
    await store.commit(Changes(requests=requests))
    since = MONDAY + timedelta(minutes=3)
    assert await store.request_times(TOM.email, since) == [minutes(3), minutes(4), odd]
    assert await store.request_times(ANA.email, since) == []
    # To the microsecond: a moment just after a request's is after it.
    assert await store.request_times(TOM.email, odd + timedelta(microseconds=1)) == []
    assert await store.request_times(TOM.email, odd) == [odd]
    changed = await store.get_request("REQ-4")
    assert changed is not None
    await store.commit(Changes(requests=(next_version(changed, status=RequestStatus.HELD),)))
    assert await store.request_times(TOM.email, since) == [minutes(3), minutes(4), odd]


async def test_the_checks_on_a_request_are_the_four_reads_they_stand_for(store: Store) -> None:
    # Named "Room 12" in two cases, and not; Tom's requests before, at and after the moment;
    # two approvers away, given in reverse order of their email.
    other = dataclasses.replace(DETAILS, page_name="Room 13")
    upper = dataclasses.replace(DETAILS, page_name="ROOM 12")
    requests = (
        a_request(3),
        a_request(1, details=upper, requester=ANA),
        a_request(2, details=other),
        a_request(4, details=upper, status=RequestStatus.DENIED),
    )
    pages = (a_page(2, details=upper), a_page(1), a_page(3, details=other))
    aways = tuple(
        Away(email, ANA, MONDAY.date(), MONDAY.date(), MONDAY)
        for email in ("zoe@example.org", "amy@example.org")
    )
    await store.commit(Changes(requests=requests, pages=pages, aways=aways))
    since = MONDAY + timedelta(minutes=2)

    checks = await store.request_checks(requester=TOM.email, since=since, page_name="room 12")

    assert checks == RequestChecks(
        times=tuple(await store.request_times(TOM.email, since)),
        pages=tuple(await store.find_pages(page_name="room 12")),
        requests=tuple(await store.find_requests(page_name="room 12")),
        aways=tuple(await store.aways()),
    )
    assert checks.times == (since, since + timedelta(minutes=1), since + timedelta(minutes=2))
    assert [page.id for page in checks.pages] == ["PAGE-1", "PAGE-2"]
    assert [request.id for request in checks.requests] == ["REQ-1", "REQ-3", "REQ-4"]
    assert {away.person for away in checks.aways} == {"zoe@example.org", "amy@example.org"}
    nobody = await store.request_checks(requester=ANA.email, since=since, page_name="Room 99")
    assert (nobody.times, nobody.pages, nobody.requests) == ((), (), ())


async def test_pages_are_found_by_owner_and_status(store: Store) -> None:
    await store.commit(
        Changes(
            pages=(
                a_page(2, owners=(TOM, ANA), status=PageStatus.ACTIVE),
                a_page(1),
            )
        )
    )
    ids = lambda found: [page.id for page in found]  # noqa: E731
    assert ids(await store.find_pages()) == ["PAGE-1", "PAGE-2"]
    assert ids(await store.find_pages(owner=ANA.email)) == ["PAGE-2"]
    assert ids(await store.find_pages(owner=TOM.email, status=PageStatus.ACTIVE)) == ["PAGE-2"]
    assert ids(await store.find_pages(status=PageStatus.ACTIVE)) == ["PAGE-2"]

    # Read again after a change (a store may keep what it decoded): the change shows.
    retired = dataclasses.replace(
        a_page(2, owners=(TOM, ANA), status=PageStatus.RETIRED), version=2
    )
    await store.commit(Changes(pages=(retired,)))
    assert await store.find_pages(owner=ANA.email) == [retired]
    assert ids(await store.find_pages(owner=TOM.email, status=PageStatus.ACTIVE)) == []


async def test_requests_read_again_after_a_change_show_it(store: Store) -> None:
    await store.commit(Changes((a_request(1), a_request(2))))
    assert [r.status for r in await store.find_requests(requester=TOM.email)] == [
        RequestStatus.PENDING,
        RequestStatus.PENDING,
    ]
    approved = a_request(1, status=RequestStatus.APPROVED, version=2)
    await store.commit(Changes((approved,)))

    assert (await store.find_requests(requester=TOM.email))[0] == approved
    pending = await store.find_requests(requester=TOM.email, status=RequestStatus.PENDING)
    assert [r.id for r in pending] == ["REQ-2"]
    assert [r.id for r in await store.find_requests()] == ["REQ-1", "REQ-2"]


async def test_the_audit_trail_keeps_its_order_and_filters_by_record(store: Store) -> None:
    for number in range(5):
        await store.commit(Changes(audit=(an_entry(f"REQ-{number % 2}", f"Step{number}"),)))
    assert [e.action for e in await audit_entries(store)] == [f"Step{n}" for n in range(5)]
    assert [e.action for e in await audit_entries(store, "REQ-1")] == ["Step1", "Step3"]


async def test_one_commit_of_many_lines_keeps_their_order_and_the_last_of_a_key(
    store: Store,
) -> None:
    lines = tuple(an_entry(f"REQ-{number}", f"Step{number}") for number in range(30))
    first, last = Acknowledgement(TOM, MONDAY), Acknowledgement(TOM, MONDAY + timedelta(days=1))
    await store.commit(
        Changes(
            audit=lines,
            acknowledgements=(first, last),
            handles=(("slack|tom|card", "D1|1"), ("slack|tom|card", "D1|2")),
        )
    )
    assert [e.action for e in await audit_entries(store)] == [f"Step{n}" for n in range(30)]
    assert await store.acknowledgements() == [last]
    assert await store.recall_message("slack|tom|card") == "D1|2"


async def test_the_health_check_follows_whether_writes_succeed(
    store: Store, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    await store.check()
    if isinstance(store, MemoryStore):
        return  # memory cannot fail to take a write: nothing to report
    # The disk (the data folder's, or the database server's) fills up: the next write fails,
    # and so does the health check, until writes succeed again.
    if isinstance(store, TinyDBStore):

        def no_space(descriptor: int) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr("storage.files.os.fsync", no_space)
        make_room = monkeypatch.undo
    else:
        make_room = _disk_full(request.getfixturevalue("database_url"))
    with pytest.raises(StorageError):
        await store.commit(Changes(audit=(an_entry("REQ-1"),)))
    with pytest.raises(StorageError):
        await store.check()
    make_room()
    await store.check()
    await store.commit(Changes(audit=(an_entry("REQ-1"),)))


def _disk_full(database_url: str) -> Callable[[], None]:
    """Every insert refused as a full disk refuses it (SQLSTATE 53100), in every session;
    returns what makes room again."""
    tables = ("audit", "once_keys")
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'could not extend file: No space left on device' "
            "USING ERRCODE = '53100'; END $$"
        )
        for table in tables:
            connection.execute(
                f"CREATE TRIGGER disk_full BEFORE INSERT OR UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION disk_full()"
            )

    def make_room() -> None:
        with psycopg.connect(database_url, autocommit=True) as connection:
            for table in tables:
                connection.execute(f"DROP TRIGGER disk_full ON {table}")
            connection.execute("DROP FUNCTION disk_full()")

    return make_room


async def test_message_handles_are_remembered_and_replaced(store: Store) -> None:
    assert await store.recall_message("slack|ana@example.org|approval:REQ-1:1") is None
    await store.remember_message("slack|ana@example.org|approval:REQ-1:1", "D1|1700.1")
    await store.remember_message("slack|ana@example.org|approval:REQ-1:1", "D1|1700.2")
    await store.remember_message("slack|tom@example.org|approval:REQ-1:1", "D2|1700.3")
    assert await store.recall_message("slack|ana@example.org|approval:REQ-1:1") == "D1|1700.2"
    assert await store.recall_message("slack|tom@example.org|approval:REQ-1:1") == "D2|1700.3"


async def test_where_a_delivered_message_landed_is_kept_with_its_delivery(store: Store) -> None:
    delivered = dataclasses.replace(a_message(1), attempts=1, delivered_at=MONDAY)
    handle = ("slack|tom@example.org|request:REQ-1:1", "D9|1700.9")
    await store.commit(Changes(outbox=(a_message(1),)))
    await store.commit(Changes(outbox=(delivered,), handles=(handle,)))
    assert await store.recall_message(handle[0]) == "D9|1700.9"
    assert await due_entries(store, MONDAY + timedelta(days=1)) == []


def a_message(number: int, **changes: object) -> OutboxEntry:
    message = Message(TOM.email, Card(f"Card {number}", "text"), f"request:REQ-{number}:1")
    entry = OutboxEntry(f"MSG-{number}", message, MONDAY, MONDAY + timedelta(minutes=number))
    return dataclasses.replace(entry, **changes)  # type: ignore[arg-type]


async def test_outbox_messages_come_due_in_order_and_leave_once_settled(store: Store) -> None:
    await store.commit(Changes(requests=(a_request(1),), outbox=(a_message(2), a_message(1))))
    assert await due_entries(store, MONDAY, 10) == []
    later = MONDAY + timedelta(minutes=5)
    assert [m.id for m in await due_entries(store, later, 10)] == ["MSG-1", "MSG-2"]
    assert [m.id for m in await due_entries(store, later, 1)] == ["MSG-1"]
    assert (await due_entries(store, later, 1))[0] == a_message(1)

    delivered = dataclasses.replace(a_message(1), attempts=1, delivered_at=later)
    retry = dataclasses.replace(
        a_message(2), attempts=1, next_attempt_at=later + timedelta(hours=1)
    )
    await store.commit(Changes(outbox=(delivered, retry)))
    assert await due_entries(store, later, 10) == []
    assert [m.id for m in await due_entries(store, later + timedelta(hours=2), 10)] == ["MSG-2"]

    failed = dataclasses.replace(retry, failed_reason="kept failing: 500")
    await store.commit(Changes(outbox=(failed,)))
    assert await due_entries(store, later + timedelta(days=9), 10) == []
    assert await store.failed_messages() == [failed]


async def test_a_card_with_forms_survives_the_outbox_unchanged(
    store: Store, config: DistrictConfig
) -> None:
    card = Card(
        "Fix it",
        buttons=(
            Button("Edit", "edit_request", "REQ-1", form=request_form(config, request_id="REQ-1")),
        ),
    )
    message = a_message(1, message=Message(TOM.email, card, "request:REQ-1:1", update=True))
    await store.commit(Changes(outbox=(message,)))
    assert await due_entries(store, MONDAY + timedelta(days=1), 1) == [message]


async def test_records_are_found_by_page_name_in_any_case(store: Store) -> None:
    await store.commit(Changes(requests=(a_request(1),), pages=(a_page(1),)))
    assert [r.id for r in await store.find_requests(page_name="ROOM 12")] == ["REQ-1"]
    assert [p.id for p in await store.find_pages(page_name="room 12")] == ["PAGE-1"]
    assert await store.find_pages(page_name="Room 13") == []


async def test_pages_are_found_by_address_however_it_is_typed(store: Store) -> None:
    await store.commit(Changes(pages=(a_page(1, url="https://www.facebook.com/Room12"), a_page(2))))
    assert [p.id for p in await store.find_pages(url="facebook.com/room12/?fbclid=x")] == ["PAGE-1"]
    assert await store.find_pages(url="https://facebook.com/room13") == []
    moved = next_version(a_page(1, url="https://www.facebook.com/Room12"), url="https://x.com/r12")
    await store.commit(Changes(pages=(moved,)))
    assert await store.find_pages(url="https://facebook.com/room12") == []
    assert [p.id for p in await store.find_pages(url="x.com/r12")] == ["PAGE-1"]


async def test_pages_due_are_found_without_the_rest(store: Store) -> None:
    later, soon = MONDAY + timedelta(days=3), MONDAY + timedelta(hours=1)
    active = PageStatus.ACTIVE
    await store.commit(
        Changes(
            pages=(
                a_page(1, status=active, duties_due_at=soon),
                a_page(2, status=active, duties_due_at=later),
                a_page(3, status=active),  # stored before due times were kept: always read
                a_page(4, duties_due_at=soon),  # setting up
            )
        )
    )
    due = await store.find_pages(status=active, due_by=MONDAY + timedelta(hours=2))
    assert [p.id for p in due] == ["PAGE-3", "PAGE-1"]  # in the order they fell due
    assert [p.id for p in await store.find_pages(due_by=later)] == [
        "PAGE-3",
        "PAGE-1",
        "PAGE-4",
        "PAGE-2",
    ]
    # A run reads only as many as it handles, the earliest due first.
    assert [p.id for p in await store.find_pages(due_by=later, limit=2)] == ["PAGE-3", "PAGE-1"]
    # Written again with a later due time, a page drops out until then.
    moved = next_version(a_page(1, status=active), duties_due_at=later)
    await store.commit(Changes(pages=(moved,)))
    assert [p.id for p in await store.find_pages(status=active, due_by=soon)] == ["PAGE-3"]
    # With nothing left to do for it, a page is never read again.
    done = next_version(a_page(3, status=active), duties_due_at=NOTHING_DUE)
    await store.commit(Changes(pages=(done,)))
    far = datetime(9000, 1, 1, tzinfo=UTC)
    assert [p.id for p in await store.find_pages(status=active, due_by=far)] == [
        "PAGE-1",
        "PAGE-2",
    ]


async def test_a_schools_pages_are_found_without_the_rest(store: Store) -> None:
    roosevelt = dataclasses.replace(DETAILS, school="roosevelt")
    await store.commit(Changes(pages=(a_page(1), a_page(2, details=roosevelt), a_page(3))))
    assert [p.id for p in await store.find_pages(school="roosevelt")] == ["PAGE-2"]
    found = await store.find_pages(school=DETAILS.school, status=PageStatus.SETTING_UP)
    assert [p.id for p in found] == ["PAGE-1", "PAGE-3"]
    assert await store.find_pages(school="jefferson") == []


async def test_pages_are_counted_by_status(store: Store) -> None:
    assert await store.pages_by_status() == {}
    active = PageStatus.ACTIVE
    await store.commit(
        Changes(pages=(a_page(1), a_page(2, status=active), a_page(3, status=active)))
    )
    assert await store.pages_by_status() == {PageStatus.SETTING_UP: 1, active: 2}
    retired = next_version(a_page(2, status=PageStatus.RETIRED))
    await store.commit(Changes(pages=(retired,)))
    assert await store.pages_by_status() == {
        PageStatus.SETTING_UP: 1,
        active: 1,
        PageStatus.RETIRED: 1,
    }


def to(person: Person, number: int) -> OutboxEntry:
    return a_message(number, message=Message(person.email, Card(f"Card {number}"), f"x:{number}"))


async def test_each_persons_messages_go_to_one_sender_at_a_time(store: Store) -> None:
    await store.commit(Changes(outbox=(to(TOM, 1), to(ANA, 2), to(TOM, 3))))
    now, lease = MONDAY + timedelta(hours=1), timedelta(seconds=20)
    first = await store.claim_messages("A", now, 1, lease)
    assert [m.id for m in first.entries] == ["MSG-1"]
    assert first.senders == 1

    # Tom is A's until released: B gets Ana's message but not Tom's later one.
    second = await store.claim_messages("B", now, 10, lease)
    assert [m.id for m in second.entries] == ["MSG-2"]
    assert second.senders == 2

    await store.release_messages("A")
    third = await store.claim_messages("B", now, 10, lease, resting=frozenset({ANA.email}))
    assert [m.id for m in third.entries] == ["MSG-1", "MSG-3"]


def bulk_to(person: Person, number: int) -> OutboxEntry:
    entry = to(person, number)
    return dataclasses.replace(entry, message=dataclasses.replace(entry.message, bulk=True))


async def test_messages_people_wait_for_go_ahead_of_a_bulk_backlog(store: Store) -> None:
    """A Monday's checks, due first, do not hold up an approval card; each person's own
    messages still go in the order they fell due."""
    grace = Person("grace.hopper@example.org", "Grace Hopper")
    backlog = tuple(bulk_to(Person(f"owner{n}@example.org", f"Owner {n}"), n) for n in range(1, 6))
    mixed = (bulk_to(grace, 6), to(grace, 8))  # a check, then a card for the same person
    await store.commit(Changes(outbox=(*backlog, *mixed, to(ANA, 7))))
    now, lease = MONDAY + timedelta(hours=1), timedelta(seconds=20)
    first = await store.claim_messages("A", now, 3, lease)
    assert [m.id for m in first.entries] == ["MSG-6", "MSG-7", "MSG-8"]
    rest = await store.claim_messages(
        "A", now, 10, lease, resting=frozenset({grace.email, ANA.email})
    )
    assert [m.id for m in rest.entries] == ["MSG-1", "MSG-2", "MSG-3", "MSG-4", "MSG-5"]


async def test_a_sender_that_went_quiet_loses_its_people_when_the_lease_ends(store: Store) -> None:
    await store.commit(Changes(outbox=(to(TOM, 1),)))
    now, lease = MONDAY + timedelta(hours=1), timedelta(seconds=20)
    assert [m.id for m in (await store.claim_messages("A", now, 10, lease)).entries] == ["MSG-1"]
    assert (await store.claim_messages("B", now + timedelta(seconds=19), 10, lease)).entries == ()
    taken_over = await store.claim_messages("B", now + timedelta(seconds=21), 10, lease)
    assert [m.id for m in taken_over.entries] == ["MSG-1"]
    assert taken_over.senders == 1


async def test_settled_messages_are_never_claimed(store: Store) -> None:
    sent = dataclasses.replace(to(TOM, 1), delivered_at=MONDAY)
    await store.commit(Changes(outbox=(sent, to(TOM, 2))))
    claim = await store.claim_messages("A", MONDAY + timedelta(days=1), 10, timedelta(seconds=20))
    assert [m.id for m in claim.entries] == ["MSG-2"]


async def test_a_duty_is_held_by_one_process_at_a_time(
    store: Store, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    assert await store.hold_duty("reminders")
    assert await store.hold_duty("reminders"), "once held, it stays held"
    if isinstance(store, MemoryStore):
        return  # lives in one process: it is always that process's duty
    if isinstance(store, TinyDBStore):
        # Only one process can open the folder at all, so the one that did holds every duty.
        with pytest.raises(StorageError, match="already in use by another Pagekeeper process"):
            await TinyDBStore.open(tmp_path)
        return
    assert isinstance(store, PostgresStore)
    other = await PostgresStore.open(request.getfixturevalue("database_url"))
    try:
        assert not await other.hold_duty("reminders"), "two processes held the same duty"
        assert await other.hold_duty("exports"), "each duty is held on its own"
        await store.close()  # the process stops: its duties pass on
        # The server lets the lock go when it sees the session end, a moment after the close;
        # the other process asks again, as it does every round.
        for _ in range(200):
            if await other.hold_duty("reminders"):
                break
            await asyncio.sleep(0.05)  # polling the server, not waiting out time
        else:
            raise AssertionError("the duty never passed to the other process")
    finally:
        await other.close()


def test_message_ids_keep_their_order_and_come_in_small_batches() -> None:
    first, second = message_ids(20), message_ids(3)
    assert first + second == sorted(first + second), "a burst goes out in the order it was made"
    assert len(set(first + second)) == 23
    assert [len({batch_of(i) for i in ids}) for ids in (first, second)] == [3, 1]
    legacy = "MSG-00000001700000000000-000000001-0123456789ab"
    assert batch_of(legacy) == legacy, "ids made before batches are each their own"


async def test_a_key_is_first_seen_once_within_its_window(store: Store) -> None:
    now, window = datetime(2026, 12, 1, 9, tzinfo=UTC), timedelta(minutes=5)
    assert await store.first_time("slack:v0=abc", now, window) is True
    assert await store.first_time("slack:v0=abc", now + timedelta(minutes=4), window) is False
    assert await store.first_time("slack:v0=other", now, window) is True
    later = now + timedelta(minutes=6)
    assert await store.first_time("slack:v0=abc", later, window) is True, "out of the window"
    assert await store.first_time("slack:v0=abc", later, window) is False


async def test_the_outbox_says_how_many_wait_and_since_when(store: Store) -> None:
    assert await store.outbox_waiting() == (0, None)
    later = dataclasses.replace(to(ANA, 2), created_at=MONDAY + timedelta(minutes=5))
    sent = dataclasses.replace(to(TOM, 3), created_at=MONDAY - timedelta(days=1))
    sent = dataclasses.replace(sent, delivered_at=MONDAY)
    await store.commit(Changes(outbox=(to(TOM, 1), later, sent)))
    assert await store.outbox_waiting() == (2, to(TOM, 1).created_at)


async def test_a_sign_in_link_lets_in_once_and_only_before_it_expires(store: Store) -> None:
    expires = MONDAY + timedelta(minutes=10)
    await store.keep_pass("link:a", TOM.email, expires)
    await store.keep_pass("link:b", ANA.email, expires)
    assert await store.take_pass("link:a", MONDAY) == TOM.email
    assert await store.take_pass("link:a", MONDAY) is None  # used
    assert await store.take_pass("link:b", expires) is None  # expired
    assert await store.take_pass("link:unknown", MONDAY) is None


async def test_two_takers_of_one_link_get_it_once(store: Store) -> None:
    await store.keep_pass("link:race", TOM.email, MONDAY + timedelta(minutes=10))
    got = await asyncio.gather(*(store.take_pass("link:race", MONDAY) for _ in range(5)))
    assert sorted(got, key=str) == [None, None, None, None, TOM.email]


async def test_a_session_reads_until_it_expires_or_is_dropped(store: Store) -> None:
    ends = MONDAY + timedelta(hours=8)
    await store.keep_pass("session:a", TOM.email, ends)
    assert await store.read_pass("session:a", MONDAY) == TOM.email
    assert await store.read_pass("session:a", MONDAY + timedelta(hours=1)) == TOM.email
    assert await store.read_pass("session:a", ends) is None
    await store.keep_pass("session:b", ANA.email, ends)
    await store.drop_pass("session:b")
    assert await store.read_pass("session:b", MONDAY) is None
    await store.drop_pass("session:never")  # nothing to drop is no error


async def test_the_audit_trail_reads_by_position_each_line_once(store: Store) -> None:
    await store.commit(Changes(audit=(an_entry("REQ-1"), an_entry("REQ-2"))))
    first, after = await store.audit_after(0, 10)
    assert [entry.subject for _, entry in first] == ["REQ-1", "REQ-2"]
    assert await store.audit_after(after, 10) == ([], after)
    await store.commit(Changes(audit=(an_entry("PAGE-1", "PageWentLive"),)))
    more, _ = await store.audit_after(after, 10)
    assert [entry.subject for _, entry in more] == ["PAGE-1"]
    positions = [position for position, _ in first + more]
    again = await store.audit_at([positions[2], positions[0]])
    assert [entry.subject for entry in again] == ["PAGE-1", "REQ-1"]
    some, _ = await store.audit_after(0, 2)
    assert len(some) == 2
