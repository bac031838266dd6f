"""The school calendar and monitoring schedules: nobody is nudged on closed days, no overdue
clock runs through a break, checks follow each page kind's schedule, and owners who never put
their page up are not reminded forever."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from storage.memory import MemoryStore
from tests.conftest import PRINCIPAL, TEACHER
from tests.fakes import FakeClock, SequentialIds
from tests.stories import ask_for_page, only_message_to
from workflows.district.config import (
    Calendar,
    ClosedDays,
    ConfigError,
    DistrictConfig,
    MonitoringSchedule,
)
from workflows.district.icalendar import closed_days
from workflows.district.loading import example_text, parse_config
from workflows.district.working_time import add_working_days, is_working_time
from workflows.engine import Engine
from workflows.kernel.commands import ConfirmPageLive, Decide, RunReminders
from workflows.kernel.handling import Outcome
from workflows.kernel.model import Verdict

WINTER = ClosedDays(date(2026, 12, 21), date(2027, 1, 1), "Winter break")
FRIDAY_BEFORE = datetime(2026, 12, 18, 17, 0, tzinfo=UTC)  # 9:00 in Los Angeles


def with_calendar(config: DistrictConfig, *closed: ClosedDays) -> DistrictConfig:
    return dataclasses.replace(config, calendar=Calendar(closed))


async def every_day(engine: Engine, clock: FakeClock, days: int) -> list[Outcome]:
    """The reminders run every hour for `days` days, as the server runs them."""
    outcomes = []
    for _ in range(days * 24):
        clock.advance(hours=1)
        outcome = await engine.handle(RunReminders())
        if outcome.events:
            outcomes.append(outcome)
    return outcomes


async def live_page(engine: Engine) -> str:
    await engine.handle(ask_for_page(TEACHER))
    approved = await engine.handle(Decide(PRINCIPAL, "REQ-1", 1, Verdict.APPROVE))
    page_id = only_message_to(approved, TEACHER).card.buttons[0].value
    await engine.handle(ConfirmPageLive(TEACHER, page_id, "https://facebook.com/room12", True))
    return page_id


def test_closed_days_are_not_working_days_and_stop_the_clocks(config: DistrictConfig) -> None:
    winter = with_calendar(config, WINTER)
    assert is_working_time(config, datetime(2026, 12, 22, 18, 0, tzinfo=UTC))
    assert not is_working_time(winter, datetime(2026, 12, 22, 18, 0, tzinfo=UTC))
    # Two working days after the Friday before the break is the Tuesday after it.
    due = add_working_days(winter, FRIDAY_BEFORE, 2)
    assert due.date() == date(2027, 1, 5)


async def test_a_winter_break_sends_nothing_and_reports_nothing_overdue(
    config: DistrictConfig,
) -> None:
    clock = FakeClock(FRIDAY_BEFORE - timedelta(days=7))
    engine = Engine(with_calendar(config, WINTER), MemoryStore(), clock, SequentialIds())
    await live_page(engine)
    # The weekly check goes out on the Friday before the break, and nobody answers it.
    clock.moment = FRIDAY_BEFORE
    sent = await engine.handle(RunReminders())
    assert [m.card.title for m in sent.messages if m.to == TEACHER.email] == [
        "Monitoring check: Room 12 News"
    ]
    during = await every_day(engine, clock, 17)  # to Monday, January 4, 2027
    assert [o.events for o in during] == [], "nothing goes out over the break"
    after = await every_day(engine, clock, 2)  # Monday and Tuesday after the break
    overdue = [
        m for o in after for m in o.messages if m.card.title.startswith("Monitoring overdue")
    ]
    assert [m.to for m in overdue] == [PRINCIPAL.email]
    assert clock.now().date() >= date(2027, 1, 5), "two working days after the break, not before"


async def test_checks_follow_the_page_kinds_weekdays_and_times(config: DistrictConfig) -> None:
    classroom = dataclasses.replace(
        config.kinds[0],
        monitoring=MonitoringSchedule(weekdays=frozenset({0, 3}), times=(time(9, 0), time(15, 0))),
    )
    twice = dataclasses.replace(config, kinds=(classroom, *config.kinds[1:]))
    clock = FakeClock(datetime(2026, 11, 30, 16, 0, tzinfo=UTC))  # Monday 8:00
    store = MemoryStore()
    engine = Engine(twice, store, clock, SequentialIds())
    page_id = await live_page(engine)
    page = await store.get_page(page_id)
    assert page is not None and page.next_check_due is not None
    local = page.next_check_due.astimezone(config.time_zone)
    assert (local.strftime("%a %H:%M"), local.date()) == ("Mon 09:00", date(2026, 11, 30))


async def test_owners_are_reminded_three_times_then_the_approver_is_told(
    engine: Engine, clock: FakeClock
) -> None:
    await engine.handle(ask_for_page(TEACHER))
    await engine.handle(Decide(PRINCIPAL, "REQ-1", 1, Verdict.APPROVE))
    outcomes = await every_day(engine, clock, 40)
    reminders = [m for o in outcomes for m in o.messages if m.ref.startswith("setup-reminder:")]
    told = [m for o in outcomes for m in o.messages if m.ref.startswith("setup-escalated:")]
    assert len(reminders) == 3
    assert [m.to for m in told] == [PRINCIPAL.email]
    assert "still not confirmed live after 3 reminders" in told[0].card.text


ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
BEGIN:VEVENT\r
DTSTART;VALUE=DATE:20261221\r
DTEND;VALUE=DATE:20270102\r
SUMMARY:Winter\r
  break\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART:20261126T080000Z\r
DTEND:20261127T080000Z\r
SUMMARY:Thanksgiving\\, observed\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_an_icalendar_file_gives_the_closed_days() -> None:
    assert closed_days(ICS) == (
        ClosedDays(date(2026, 12, 21), date(2027, 1, 1), "Winter break"),
        ClosedDays(date(2026, 11, 26), date(2026, 11, 27), "Thanksgiving, observed"),
    )


def test_the_district_file_names_its_closed_days_and_calendar_file(tmp_path: Path) -> None:
    (tmp_path / "calendar.ics").write_text(ICS)
    text = example_text() + (
        '\n[calendar]\nical = "calendar.ics"\n'
        'closed = [{ from = 2027-03-29, to = 2027-04-02, name = "Spring break" }]\n'
    )
    config = parse_config(text, "district.toml", tmp_path)
    assert [span.name for span in config.calendar.closed] == [
        "Thanksgiving, observed",
        "Winter break",
        "Spring break",
    ]
    with pytest.raises(ConfigError) as raised:
        parse_config(text.replace("2027-04-02", '"April 2"'), "district.toml", tmp_path)
    assert "calendar.closed[1].to must be a date like 2026-12-21 (no quotes)" in str(raised.value)
    (tmp_path / "calendar.ics").write_text("not a calendar")
    with pytest.raises(ConfigError) as broken:
        parse_config(text, "district.toml", tmp_path)
    assert "it does not start with BEGIN:VCALENDAR" in str(broken.value)
