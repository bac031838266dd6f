"""The page side of a district's file in plain words, for `check-config`: the regulation it
cites, what every page displays, forum types, monitoring schedules, the school calendar and
what owners may do about posts and users."""

from __future__ import annotations

from workflows.district.config import DAYS, DistrictConfig, MonitoringSchedule, PageKind
from workflows.district.moderation import Allowance
from workflows.kernel.model import ModerationKind
from workflows.kernel.policy import Rule


def describe_pages(config: DistrictConfig) -> list[str]:
    """The regulation, notices, forums, calendar and moderation, a line or a few each."""
    regulation = config.regulation
    notices = config.notices
    lines = [
        f"Regulation cited: {regulation.number} ({regulation.name}); e.g. "
        f"{config.cite(Rule.MONITORING)}",
        f"Every {notices.page_word} displays {len(notices.items)} notices, in this order:",
    ]
    for number, item in enumerate(notices.items, start=1):
        only = [*(_kind(config, k) for k in item.kinds), *(_forum(config, f) for f in item.forums)]
        lines.append(f"  {number}. {item.heading}" + (f" (only {', '.join(only)})" if only else ""))
    if config.forums:
        lines.append("Forum types: " + "; ".join(f"{f.label} [{f.id}]" for f in config.forums))
    closed = config.calendar.closed
    lines.append(
        "Closed (no reminders, no overdue clocks): "
        + ("; ".join(f"{c.name} {c.first} to {c.last}" for c in closed) if closed else "never")
    )
    lines.extend(_moderation(config))
    return lines


def describe_kind_pages(config: DistrictConfig, kind: PageKind) -> list[str]:
    """A page kind's forum types and monitoring schedule."""
    lines = []
    if kind.forums:
        lines.append("      forum type: " + " or ".join(_forum(config, f) for f in kind.forums))
    lines.append("      monitoring: " + schedule_words(config, kind.monitoring))
    return lines


def schedule_words(config: DistrictConfig, schedule: MonitoringSchedule) -> str:
    if schedule.weekdays or schedule.times:
        days = ", ".join(DAYS[d] for d in sorted(schedule.weekdays)) or "every day"
        times = ", ".join(f"{t:%H:%M}" for t in schedule.times)
        return f"{days}" + (f" at {times}" if times else "")
    every = schedule.every_days or config.reminders.monitoring_every_days
    return f"every {every} days"


def _moderation(config: DistrictConfig) -> list[str]:
    rules = config.moderation
    office = config.role(rules.refer_to)
    office_name = office.named("the school") if office else rules.refer_to
    by_allowance: dict[Allowance, list[str]] = {allowance: [] for allowance in Allowance}
    for rule in (rules.rule(kind) for kind in ModerationKind):
        words = rule.named(office_name)
        if rule.allowance is Allowance.APPROVAL:
            approvers = [config.role(r) for r in rule.approvers]
            names = " or ".join(r.named("the school") for r in approvers if r)
            words += f" (approved by {names})"
        by_allowance[rule.allowance].append(words)
    lines = [
        "Owners may: " + ("; ".join(by_allowance[Allowance.ALLOWED]) or "nothing at once"),
    ]
    if by_allowance[Allowance.APPROVAL]:
        lines.append("Once approved: " + "; ".join(by_allowance[Allowance.APPROVAL]))
    lines.append("Forbidden: " + ("; ".join(by_allowance[Allowance.FORBIDDEN]) or "nothing"))
    if rules.rule(ModerationKind.SUSPEND).allowance is not Allowance.FORBIDDEN:
        lines.append(f"Suspensions last at most {rules.suspend_max_days} days")
    if rules.repeat:
        lines.append(
            f"{rules.repeat.violations} actions about one account within "
            f"{rules.repeat.within_days} days prompt a referral to {office_name}"
        )
    return lines


def _kind(config: DistrictConfig, kind_id: str) -> str:
    kind = config.kind(kind_id)
    return kind.label if kind else kind_id


def _forum(config: DistrictConfig, forum_id: str) -> str:
    forum = config.forum(forum_id)
    return forum.label if forum else forum_id
