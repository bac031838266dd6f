"""When monitoring is due and when it is overdue: one rule, for the reminders that act on it
and the reports that count it (AR 1114: platforms are regularly monitored)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from workflows.district.config import DistrictConfig, MonitoringSchedule
from workflows.district.working_time import LONGEST_CLOSURE, add_working_days, is_working_day
from workflows.kernel.model import NOTHING_DUE, Page, PageStatus


def check_due(config: DistrictConfig, page: Page) -> datetime:
    """When the page's next monitoring check is to go out."""
    return page.next_check_due or next_check(config, page, page.live_at or page.approved_at)


# Any Monday at midnight: every page's place in its cycle is counted from here.
CYCLE_START = datetime(2024, 1, 1)


def next_check(config: DistrictConfig, page: Page, after: datetime) -> datetime:
    """When the check after `after` is due, by the page kind's schedule: every so many days
    (at the page's own moment in the cycle), or the next of its weekdays and times (working
    days when no weekdays are given) on a day the school calendar leaves open."""
    kind = config.kind(page.details.kind)
    schedule = kind.monitoring if kind else MonitoringSchedule()
    if not (schedule.weekdays or schedule.times):
        days = schedule.every_days or config.reminders.monitoring_every_days
        return _own_moment(config, page.id, days, after)
    local = after.astimezone(config.time_zone)
    times = schedule.times or (config.working_time.start,)
    for offset in range(LONGEST_CLOSURE):
        day = local.date() + timedelta(days=offset)
        on = day.weekday() in schedule.weekdays if schedule.weekdays else True
        if not (on and is_working_day(config, day)):
            continue
        for moment in sorted(times):
            slot = datetime.combine(day, moment, config.time_zone)
            if slot > local:
                return slot
    return after + timedelta(days=config.reminders.monitoring_every_days)


def _own_moment(config: DistrictConfig, page_id: str, days: int, after: datetime) -> datetime:
    """The first moment after `after` that is this page's in a cycle of `days` days: a day and
    a working hour drawn from its id, the same every cycle. Checks stay `days` apart (never
    further), and a district's pages are spread over the working hours of the cycle rather
    than falling due together (pages approved or imported on one day, checks held over a
    weekend)."""
    seed = int(hashlib.sha256(page_id.encode()).hexdigest()[:15], 16)
    working = config.working_time
    open_days = [
        day for day in range(days) if (CYCLE_START + timedelta(days=day)).weekday() in working.days
    ]
    # Over a whole number of weeks the weekdays repeat, so a working day stays one.
    choices = open_days if days % 7 == 0 and open_days else list(range(days))
    day = choices[seed % len(choices)]
    start = datetime.combine(CYCLE_START.date(), working.start)
    end = datetime.combine(CYCLE_START.date(), working.end)
    minutes = max(1, int((end - start).total_seconds() // 60))
    minute = timedelta(minutes=(seed // len(choices)) % minutes)
    moment = timedelta(days=day) + (start - CYCLE_START) + minute
    cycle = timedelta(days=days)
    local = after.astimezone(config.time_zone).replace(tzinfo=None)
    turn = CYCLE_START + ((local - CYCLE_START) // cycle) * cycle + moment
    if turn <= local:
        turn += cycle
    return turn.replace(tzinfo=config.time_zone)


def answer_deadline(config: DistrictConfig, page: Page) -> datetime | None:
    """When the open monitoring check must be answered by; None when no check is open."""
    if not page.nudge_open or page.nudged_at is None:
        return None
    return add_working_days(config, page.nudged_at, config.reminders.answer_within_working_days)


def monitoring_overdue(config: DistrictConfig, page: Page, now: datetime) -> bool:
    """A monitoring check went unanswered past its deadline."""
    deadline = answer_deadline(config, page)
    return deadline is not None and deadline <= now


def duties_due_at(config: DistrictConfig, page: Page) -> datetime:
    """The first moment the reminders have something to do for `page`, by the same rules they
    act on (see workflows/duties/reminders.py); NOTHING_DUE when nothing is left to do."""
    if page.status is PageStatus.SETTING_UP:
        if page.setup_escalated_at:
            return NOTHING_DUE
        since = page.setup_reminded_at or page.approved_at
        return add_working_days(config, since, config.reminders.setup_reminder_working_days)
    if page.status is not PageStatus.ACTIVE:
        return NOTHING_DUE
    moments = [
        action.until
        for action in page.moderation
        if action.until is not None and action.lifted_at is None and action.lift_reminded_at is None
    ]
    if not page.nudge_open:
        moments.append(check_due(config, page))
    elif page.escalated_at is None:
        deadline = answer_deadline(config, page)
        if deadline is not None:
            moments.append(deadline)
    return min(moments, default=NOTHING_DUE)
