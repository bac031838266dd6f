"""The district contact's compliance report: per school, what is in order and what is not."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from workflows.conversation import forms
from workflows.conversation.actions import REASSIGN_PAGES
from workflows.district.config import DistrictConfig
from workflows.duties.schedule import monitoring_overdue
from workflows.kernel.cards import Button, Card, Section
from workflows.kernel.commands import ShowCompliance
from workflows.kernel.events import ActionRefused
from workflows.kernel.handling import Context, Handled, Outcome, refused
from workflows.kernel.links import NO_LINKS, Links
from workflows.kernel.model import ActionState, Page, PageRequest, PageStatus, RequestStatus
from workflows.kernel.policy import Rule


async def show_compliance(command: ShowCompliance, ctx: Context) -> Handled:
    actor = ctx.resolve(command.actor)
    now = ctx.clock.now()
    if actor.email != ctx.config.contact:
        return refused(
            ActionRefused(
                "compliance", actor.email, now, "compliance report", "not the district contact"
            ),
            ctx.refusal(
                "Only the district contact can see the compliance report.",
                rule=Rule.MONITORING,
            ),
        )
    if command.school and ctx.config.school(command.school) is None:
        ids = ", ".join(school.id for school in ctx.config.schools)
        return Handled(Outcome(reply=Card("Which school?", f"Use one of: {ids}.")))
    pages = await ctx.store.find_pages()
    # Only requests still waiting count: not the whole history of decided ones.
    requests = [
        *await ctx.store.find_requests(status=RequestStatus.PENDING),
        *await ctx.store.find_requests(status=RequestStatus.HELD),
    ]
    # Off the event loop: over thousands of schools and pages it takes a while.
    report = await asyncio.to_thread(
        compliance_report, ctx.config, pages, requests, now, command.school or None, ctx.links
    )
    return Handled(Outcome(reply=report))


def compliance_report(
    config: DistrictConfig,
    pages: list[Page],
    requests: list[PageRequest],
    now: datetime,
    school: str | None = None,
    links: Links = NO_LINKS,
) -> Card:
    """The report as one card: the totals first, then SCHOOLS_SHOWN schools (those needing
    the most attention first; a chat message has room for no more) and the rest summed up in
    one line; with web pages, the link to the dashboard, which shows everything."""
    units: list[tuple[str | None, str]] = [
        (s.id, s.name) for s in config.schools if school in (None, s.id)
    ]
    if school is None:
        units.append((None, "District-wide"))
    # Sorted into schools once: each school then reads only its own records.
    pages_of: dict[str | None, list[Page]] = defaultdict(list)
    for page in pages:
        pages_of[page.details.school].append(page)
    waiting_at: dict[str | None, list[PageRequest]] = defaultdict(list)
    for request in requests:
        if request.status in (RequestStatus.PENDING, RequestStatus.HELD):
            waiting_at[request.details.school].append(request)
    found = [
        _school(config, unit, name, pages_of[unit], waiting_at[unit], now) for unit, name in units
    ]
    reports = sorted((r for r in found if r is not None), key=lambda r: -r.attention)
    shown = [report.section for report in reports[:SCHOOLS_SHOWN]]
    rest = reports[SCHOOLS_SHOWN:]
    if rest:
        shown.append(_the_rest(rest))
    where = config.school(school)
    text = "Official pages, monitoring and requests, school by school.\n" + _totals(found)
    if links.on:
        text += f"\nCharts, the registry and every page's history: {links.dashboard()}"
    return Card(
        title=f"Compliance: {where.name if where else config.name}",
        text=text,
        sections=tuple(shown),
        buttons=(
            Button("Reassign someone's pages", REASSIGN_PAGES, "", form=forms.reassign_form()),
        ),
        clause=config.cite(Rule.MONITORING),
    )


SCHOOLS_SHOWN = 20
# Pages or requests named in one school's section; the rest are counted.
NAMED = 5


@dataclass(frozen=True)
class _Report:
    unit: str | None
    section: Section
    active: int
    attention: int  # overdue checks, pages not live and requests waiting


def _totals(reports: list[_Report | None]) -> str:
    found = [report for report in reports if report is not None]
    active = sum(report.active for report in found)
    attention = sum(report.attention for report in found)
    needing = sum(1 for report in found if report.attention)
    return (
        f"In all: {active} active pages; {attention} items need attention in {needing} "
        f"school{'s' if needing != 1 else ''} or office{'s' if needing != 1 else ''}."
    )


def _named(names: list[str]) -> str:
    """' (A, B, C)' for a few names; ' (A, B, C, D, E and 7 more)' past NAMED."""
    if not names:
        return ""
    more = f" and {len(names) - NAMED} more" if len(names) > NAMED else ""
    return f" ({', '.join(names[:NAMED])}{more})"


def _the_rest(rest: list[_Report]) -> Section:
    needing = sum(1 for report in rest if report.attention)
    example = next((r.unit for r in rest if r.unit), "")
    return Section(
        f"{len(rest)} more",
        f"Active pages: {sum(r.active for r in rest)}; needing attention: {needing} "
        f"school{'s' if needing != 1 else ''} ({sum(r.attention for r in rest)} items). "
        f"For one school, type compliance and its id (for example: compliance {example}).",
    )


def _school(
    config: DistrictConfig,
    unit: str | None,
    name: str,
    mine: list[Page],
    waiting: list[PageRequest],
    now: datetime,
) -> _Report | None:
    """One school's section, from its own pages and its requests still waiting."""
    if not mine and not waiting:
        return None
    active = [p for p in mine if p.status is PageStatus.ACTIVE]
    overdue = [p for p in active if monitoring_overdue(config, p, now)]
    not_live = [p for p in mine if p.status is PageStatus.SETTING_UP]
    done = (ActionState.DONE, ActionState.LIFTED)
    removals = Counter(
        action.reason for page in mine for action in page.moderation if action.state in done
    )
    labels = {reason.id: reason.label for reason in config.removal_reasons}
    lines = [
        f"Active pages: {len(active)}",
        f"Overdue on monitoring: {len(overdue)}" + _named([p.details.page_name for p in overdue]),
        f"Approved, not confirmed live: {len(not_live)}"
        + _named([p.details.page_name for p in not_live]),
        f"Requests waiting: {len(waiting)}"
        + "".join(
            f"\n  {r.id} {r.details.page_name}: {(now - r.waiting_since).days} days"
            for r in waiting[:NAMED]
        )
        + (f"\n  and {len(waiting) - NAMED} more" if len(waiting) > NAMED else ""),
        ("Removals" if config.moderation.removal_only else "Moderation actions")
        + " by reason: "
        + (", ".join(f"{labels.get(k, k)} {v}" for k, v in sorted(removals.items())) or "none"),
    ]
    attention = len(overdue) + len(not_live) + len(waiting)
    return _Report(unit, Section(name, "\n".join(lines)), len(active), attention)
