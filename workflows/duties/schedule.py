"""When monitoring is due and when it is overdue: one rule, for the reminders that act on it
and the reports that count it (AR 1114: platforms are regularly monitored)."""

from __future__ import annotations

from datetime import datetime, timedelta

from workflows.district.config import DistrictConfig
from workflows.district.working_time import add_working_days
from workflows.kernel.model import Page


def check_due(config: DistrictConfig, page: Page) -> datetime:
    """When the page's next monitoring check is to go out."""
    every = timedelta(days=config.reminders.monitoring_every_days)
    return page.next_check_due or ((page.live_at or page.approved_at) + every)


def answer_deadline(config: DistrictConfig, page: Page) -> datetime | None:
    """When the open monitoring check must be answered by; None when no check is open."""
    if not page.nudge_open or page.nudged_at is None:
        return None
    return add_working_days(config, page.nudged_at, config.reminders.answer_within_working_days)


def monitoring_overdue(config: DistrictConfig, page: Page, now: datetime) -> bool:
    """A monitoring check went unanswered past its deadline."""
    deadline = answer_deadline(config, page)
    return deadline is not None and deadline <= now
