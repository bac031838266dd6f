"""The duties the bot carries forward, told over weeks with a fake clock."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from tests.conftest import COACH, DESIGNEE, PRINCIPAL, ROOSEVELT_PRINCIPAL, SUPERINTENDENT, TEACHER
from tests.fakes import FakeClock
from tests.generated import live_page as live_page_record
from tests.records import audit_entries
from tests.stories import ask_for_page, button_labels, errors_by_field, messages_to, only_message_to
from workflows.duties.schedule import duties_due_at
from workflows.engine import Engine
from workflows.kernel.commands import (
    AttestMonitoring,
    ConfirmPageLive,
    Decide,
    RecordModeration,
    RunReminders,
    SnoozeCheck,
)
from workflows.kernel.handling import Outcome
from workflows.kernel.model import Page, Person, Verdict
from workflows.kernel.ports import Changes, Store

CO_TEACHER = Person("grace.hopper@example.org", "Grace Hopper")
BACKUP = Person("sam.okafor@example.org", "Sam Okafor")
MONDAY_8AM = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 8:00 in Los Angeles


async def live_page(engine: Engine) -> str:
    await engine.handle(ask_for_page(TEACHER, co_owners=(CO_TEACHER,)))
    approved = await engine.handle(Decide(PRINCIPAL, "REQ-1", 1, Verdict.APPROVE))
    page_id = only_message_to(approved, TEACHER).card.buttons[0].value
    live = await engine.handle(
        ConfirmPageLive(TEACHER, page_id, "https://facebook.com/room12", True)
    )
    assert live.accepted
    return page_id


async def remind(engine: Engine) -> Outcome:
    return await engine.handle(RunReminders())


async def test_owners_get_a_weekly_check_and_answer_it(
    engine: Engine, store: Store, clock: FakeClock
) -> None:
    page_id = await live_page(engine)
    assert not (await remind(engine)).messages

    clock.advance(days=7)  # the next Monday, 8:00
    checks = await remind(engine)
    check = only_message_to(checks, TEACHER)
    assert button_labels(check) == [
        "Checked - nothing to remove",
        "I removed a post",
        "Snooze 1 day",
    ]
    assert check.card.sections[0].text.startswith(
        "Tom Baker, Third Grade Teacher, Lincoln Elementary."
    )
    assert (
        only_message_to(checks, CO_TEACHER)
        .card.sections[0]
        .text.startswith("Grace Hopper, Science Teacher")
    )
    assert check.card.clause is not None and "monitored" in check.card.clause
    assert not (await remind(engine)).messages, "an open check is not sent again"

    answered = await engine.handle(AttestMonitoring(CO_TEACHER, page_id))
    for owner in (TEACHER, CO_TEACHER):
        update = only_message_to(answered, owner)
        assert update.update and update.ref == check.ref
        assert update.card.text.startswith(
            "Checked, nothing to remove, by Grace Hopper on Dec 7, 2026"
        )
    # The next check comes at the page's own moment of the week (never more than a week on).
    page = await store.get_page(page_id)
    assert page is not None and page.next_check_due is not None and page.nudged_at is not None
    assert page.nudged_at < page.next_check_due <= page.nudged_at + timedelta(days=7)
    clock.moment = page.next_check_due - timedelta(minutes=1)
    assert not (await remind(engine)).messages
    clock.moment = page.next_check_due
    assert messages_to(await remind(engine), TEACHER), "the next check at the page's moment"
    actions = [e.action for e in await audit_entries(store, page_id)]
    assert actions[-3:] == ["MonitoringCheckSent", "MonitoringChecked", "MonitoringCheckSent"]


async def test_a_snoozed_check_comes_back_the_next_working_day(
    engine: Engine, clock: FakeClock
) -> None:
    page_id = await live_page(engine)
    clock.advance(days=7)
    await remind(engine)
    await engine.handle(SnoozeCheck(TEACHER, page_id))
    clock.advance(hours=23)
    assert not (await remind(engine)).messages
    clock.advance(hours=1)
    assert messages_to(await remind(engine), TEACHER)


async def test_an_ignored_check_is_reported_to_the_approver_once(
    engine: Engine, store: Store, clock: FakeClock
) -> None:
    page_id = await live_page(engine)
    clock.advance(days=7)  # Monday Dec 7
    await remind(engine)
    clock.advance(days=1)
    assert not (await remind(engine)).messages, "one working day is within the grace period"
    clock.advance(days=1)  # Wednesday: two working days later
    overdue = only_message_to(await remind(engine), PRINCIPAL)
    assert overdue.card.title == "Monitoring overdue: Room 12 News"
    assert "sent on Dec 7, 2026 at 8:00 AM PST" in overdue.card.text
    assert not (await remind(engine)).messages, "the approver is told once per check"
    assert "MonitoringOverdue" in [e.action for e in await audit_entries(store, page_id)]


async def test_removals_need_a_reason_from_the_district_list(
    engine: Engine, store: Store, clock: FakeClock
) -> None:
    page_id = await live_page(engine)
    clock.advance(days=7)
    await remind(engine)
    refused = await engine.handle(
        RecordModeration(
            TEACHER,
            page_id,
            "disagrees-with-us",
            "A parent's complaint",
            "drive/x.png",
            from_check=True,
        )
    )
    assert "viewpoint" in errors_by_field(refused)["reason"]
    incomplete = await engine.handle(
        RecordModeration(TEACHER, page_id, "commercial", "", "", from_check=True)
    )
    assert set(errors_by_field(incomplete)) == {"description", "saved_copy"}
    page = await store.get_page(page_id)
    assert page is not None and page.moderation == ()

    recorded = await engine.handle(
        RecordModeration(
            TEACHER,
            page_id,
            "commercial",
            "An ad for a car dealer",
            "drive/ad.png",
            from_check=True,
        )
    )
    assert (
        "Post removed (not related to the stated purpose of the site: a comment of a commercial "
        "nature) and recorded" in only_message_to(recorded, CO_TEACHER).card.text
    )
    page = await store.get_page(page_id)
    assert page is not None and [(r.reason, r.saved_copy) for r in page.moderation] == [
        ("commercial", "drive/ad.png")
    ]
    [entry] = [e for e in await audit_entries(store, page_id) if e.action == "PostRemoved"]
    assert entry.detail.startswith(
        "reason: Not related to the stated purpose of the site: a comment of a commercial nature"
    )


async def test_nothing_goes_out_at_night_or_at_the_weekend(
    engine: Engine, clock: FakeClock
) -> None:
    await live_page(engine)
    clock.moment = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)  # Saturday
    assert not (await remind(engine)).messages
    clock.moment = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # Monday 7:00 in Los Angeles
    assert not (await remind(engine)).messages
    clock.moment = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)  # Monday 8:00
    assert messages_to(await remind(engine), TEACHER)


async def test_an_approved_page_not_yet_live_gets_a_setup_reminder(
    engine: Engine, clock: FakeClock
) -> None:
    await engine.handle(ask_for_page(TEACHER))
    await engine.handle(Decide(PRINCIPAL, "REQ-1", 1, Verdict.APPROVE))
    clock.advance(days=2)
    assert not (await remind(engine)).messages
    clock.advance(days=1)  # three working days after approval
    reminder = only_message_to(await remind(engine), TEACHER)
    assert reminder.card.title == "Reminder: set up Room 12 News"
    assert button_labels(reminder) == ["Confirm page is live"]
    assert not (await remind(engine)).messages
    clock.advance(days=5)  # three working days later (a weekend in between)
    assert messages_to(await remind(engine), TEACHER)


async def test_a_waiting_request_is_reminded_then_escalated_to_the_backup(
    engine: Engine, clock: FakeClock
) -> None:
    await engine.handle(ask_for_page(TEACHER))
    clock.advance(days=2)
    reminded = await remind(engine)
    assert only_message_to(reminded, PRINCIPAL).card.title.startswith(
        "Reminder: Page request REQ-1"
    )
    assert "Ana Ruiz was reminded" in only_message_to(reminded, TEACHER).card.text
    assert not (await remind(engine)).messages

    clock.advance(days=5)  # Monday: five working days after the request
    escalated = await remind(engine)
    assert button_labels(only_message_to(escalated, BACKUP)) == [
        "Approve",
        "Request changes",
        "Deny",
    ]
    assert "it also went to Sam Okafor" in only_message_to(escalated, TEACHER).card.text
    decided = await engine.handle(Decide(BACKUP, "REQ-1", 1, Verdict.APPROVE))
    assert decided.accepted and messages_to(decided, TEACHER)


async def test_without_a_backup_a_waiting_request_goes_to_the_superintendents_office(
    engine: Engine, clock: FakeClock
) -> None:
    await engine.handle(ask_for_page(COACH, kind="team", school="roosevelt"))
    clock.advance(days=7)  # five working days
    escalated = await remind(engine)
    assert {n.to for n in escalated.messages if n.card.buttons} == {
        SUPERINTENDENT.email,
        DESIGNEE.email,
    }
    assert ROOSEVELT_PRINCIPAL.email not in {n.to for n in escalated.messages if n.card.buttons}


async def test_a_backlog_is_worked_off_a_batch_at_a_time_the_earliest_due_first(
    engine: Engine, store: Store, clock: FakeClock
) -> None:
    # Twelve pages whose checks fell due over the past hours; a run of five sends the five
    # that have waited longest, and the next run the next five.
    now = clock.now()
    pages = [
        live_page_record(n, TEACHER, now - timedelta(days=8), due=now - timedelta(hours=12 - n))
        for n in range(12)
    ]
    await store.commit(Changes(pages=tuple(engine_timed(engine, page) for page in pages)))
    first = await engine.handle(RunReminders(limit=5))
    assert [event.subject for event in first.events] == [f"PAGE-{n}" for n in range(5)]
    second = await engine.handle(RunReminders(limit=5))
    assert [event.subject for event in second.events] == [f"PAGE-{n}" for n in range(5, 10)]
    third = await engine.handle(RunReminders(limit=5))
    assert [event.subject for event in third.events] == ["PAGE-10", "PAGE-11"]
    assert not (await remind(engine)).events


async def test_a_page_stored_before_due_times_were_kept_is_written_with_its_due_time(
    engine: Engine, store: Store, clock: FakeClock
) -> None:
    # A page written by 0.1.0 has no due time: the next run reads it and, with nothing due
    # yet, writes it with its time, so later runs do not read it again.
    now = clock.now()
    page = live_page_record(1, TEACHER, now - timedelta(days=2), due=now + timedelta(days=7))
    await store.commit(Changes(pages=(page,)))
    assert not (await remind(engine)).events
    stored = await store.get_page(page.id)
    assert stored is not None and stored.duties_due_at == now + timedelta(days=7)
    assert await store.find_pages(due_by=now + timedelta(days=1)) == []
    clock.advance(days=7)  # the next Monday
    assert [event.subject for event in (await remind(engine)).events] == [page.id]


def engine_timed(engine: Engine, page: Page) -> Page:
    """`page` with the due time the engine stores with it."""
    return dataclasses.replace(page, duties_due_at=duties_due_at(engine.context.config, page))
