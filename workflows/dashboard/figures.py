"""The overview's figures, from the records and the audit trail: active pages by school,
monitoring answered and overdue by week over the school year, requests by status with the
median days to a decision, and moderation actions by reason by month. Each is a plain table
(labels, series, numbers): the dashboard draws it and prints it as a table too."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from workflows.dashboard.access import Viewer
from workflows.district.config import DistrictConfig
from workflows.kernel.model import AuditEntry, Page, PageRequest, PageStatus, RequestStatus

# The school year counted from July 1, as most districts' fiscal and school years are.
YEAR_STARTS = (7, 1)

ANSWERED, OVERDUE = "answered", "overdue"
MONITORING_ACTIONS = {"MonitoringChecked": ANSWERED, "MonitoringOverdue": OVERDUE}

REQUEST_WORDS = {
    RequestStatus.PENDING: "waiting",
    RequestStatus.HELD: "held",
    RequestStatus.CHANGES_REQUESTED: "changes requested",
    RequestStatus.APPROVED: "approved",
    RequestStatus.DENIED: "denied",
    RequestStatus.WITHDRAWN: "withdrawn",
}


@dataclass(frozen=True)
class Figure:
    """One chart's data: a value per (row, series)."""

    title: str
    rows: tuple[str, ...]
    series: tuple[str, ...]
    values: tuple[tuple[int, ...], ...]
    summary: str
    # Rows in time order (weeks, months) are drawn as columns, left to right.
    over_time: bool = False

    @property
    def empty(self) -> bool:
        return not any(any(row) for row in self.values)


@dataclass
class MonitoringTally:
    """Monitoring answers and overdue checks by week and school, counted from the audit
    trail as it grows (each line once), so the overview never rereads years of it."""

    counts: Counter[tuple[date, str, str]] = field(default_factory=Counter)

    def add(self, entries: Iterable[AuditEntry], school_of: Callable[[str], str | None]) -> None:
        for entry in entries:
            outcome = MONITORING_ACTIONS.get(entry.action)
            if outcome is not None:
                week = _week(entry.at.date())
                self.counts[(week, school_of(entry.subject) or "", outcome)] += 1


def school_year_start(today: date) -> date:
    month, day = YEAR_STARTS
    start = date(today.year, month, day)
    return start if today >= start else date(today.year - 1, month, day)


def pages_by_school(config: DistrictConfig, viewer: Viewer, pages: Iterable[Page]) -> Figure:
    counts = Counter(
        page.details.school or ""
        for page in pages
        if page.status is PageStatus.ACTIVE and viewer.sees_page(page)
    )
    units = [(config.name, "")] + [(s.name, s.id) for s in config.schools]
    shown = [(name, counts[sid]) for name, sid in units if counts[sid] or viewer.sees_school(sid)]
    total = sum(count for _, count in shown)
    return Figure(
        "Active pages by school",
        tuple(name for name, _ in shown),
        ("active pages",),
        tuple((count,) for _, count in shown),
        f"{total} active official page{'s' if total != 1 else ''} in {len(shown)} schools "
        "and offices.",
    )


def monitoring_by_week(tally: MonitoringTally, viewer: Viewer, today: date) -> Figure:
    start = _week(school_year_start(today))
    weeks = []
    week = start
    while week <= today:
        weeks.append(week)
        week += timedelta(days=7)
    counts: Counter[tuple[date, str]] = Counter()
    for (when, school, outcome), count in tally.counts.items():
        if when >= start and viewer.sees_school(school):
            counts[(when, outcome)] += count
    values = tuple((counts[(w, ANSWERED)], counts[(w, OVERDUE)]) for w in weeks)
    answered, overdue = sum(v[0] for v in values), sum(v[1] for v in values)
    # From the first week with a check: the summer before it says nothing.
    first = next((i for i, v in enumerate(values) if any(v)), 0)
    return Figure(
        "Monitoring checks answered and gone overdue, by week",
        tuple(f"week of {w:%b} {w.day}" for w in weeks[first:]),
        (ANSWERED, OVERDUE),
        values[first:],
        f"This school year: {answered} checks answered, {overdue} gone overdue.",
        over_time=True,
    )


def requests_by_status(viewer: Viewer, requests: Iterable[PageRequest]) -> Figure:
    seen = [request for request in requests if viewer.sees_request(request)]
    counts = Counter(request.status for request in seen)
    days = [
        (decision.at - request.submitted_at).total_seconds() / 86400
        for request in seen
        if request.status in (RequestStatus.APPROVED, RequestStatus.DENIED)
        and (decision := request.last_decision) is not None
    ]
    median = f"{statistics.median(days):.1f} days" if days else "no decisions yet"
    return Figure(
        "Requests by status",
        tuple(REQUEST_WORDS[status] for status in RequestStatus),
        ("requests",),
        tuple((counts[status],) for status in RequestStatus),
        f"{len(seen)} request{'s' if len(seen) != 1 else ''}; median time from request to "
        f"decision: {median}.",
    )


def moderation_by_reason(
    config: DistrictConfig, viewer: Viewer, pages: Iterable[Page], today: date
) -> Figure:
    start = school_year_start(today)
    months = []
    month = start
    while month <= today:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    labels = {reason.id: reason.label for reason in config.removal_reasons}
    counts: Counter[tuple[date, str]] = Counter()
    for page in pages:
        if not viewer.sees_page(page):
            continue
        for action in page.moderation:
            day = action.at.date()
            if day >= start:
                counts[(date(day.year, day.month, 1), action.reason)] += 1
    reasons = tuple(sorted({reason for _, reason in counts}, key=lambda r: labels.get(r, r)))
    values = tuple(tuple(counts[(m, r)] for r in reasons) for m in months)
    total = sum(counts.values())
    return Figure(
        "Moderation actions by reason, by month",
        tuple(f"{m:%b %Y}" for m in months),
        tuple(labels.get(r, r) for r in reasons),
        values,
        f"This school year: {total} moderation actions recorded.",
        over_time=True,
    )


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def as_of(moment: datetime, config: DistrictConfig) -> date:
    """The district's date at `moment`."""
    return moment.astimezone(config.time_zone).date()
