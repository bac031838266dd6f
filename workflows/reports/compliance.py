"""The district contact's compliance report: per school, what is in order and what is not."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from workflows.conversation import forms
from workflows.conversation.actions import REASSIGN_PAGES
from workflows.district.config import DistrictConfig
from workflows.duties.schedule import monitoring_overdue
from workflows.kernel.cards import Button, Card, Section
from workflows.kernel.commands import ShowCompliance
from workflows.kernel.events import ActionRefused
from workflows.kernel.handling import Context, Handled, Outcome, refused
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
    pages = await ctx.store.find_pages()
    requests = await ctx.store.find_requests()
    return Handled(Outcome(reply=compliance_report(ctx.config, pages, requests, now)))


def compliance_report(
    config: DistrictConfig, pages: list[Page], requests: list[PageRequest], now: datetime
) -> Card:
    units = [(school.id, school.name) for school in config.schools] + [(None, "District-wide")]
    sections = tuple(_school(config, unit, name, pages, requests, now) for unit, name in units)
    return Card(
        title=f"Compliance: {config.name}",
        text="Official pages, monitoring and requests, school by school.",
        sections=tuple(section for section in sections if section is not None),
        buttons=(
            Button("Reassign someone's pages", REASSIGN_PAGES, "", form=forms.reassign_form()),
        ),
        clause=config.cite(Rule.MONITORING),
    )


def _school(
    config: DistrictConfig,
    unit: str | None,
    name: str,
    pages: list[Page],
    requests: list[PageRequest],
    now: datetime,
) -> Section | None:
    mine = [p for p in pages if p.details.school == unit]
    waiting = [
        r
        for r in requests
        if r.details.school == unit and r.status in (RequestStatus.PENDING, RequestStatus.HELD)
    ]
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
        f"Overdue on monitoring: {len(overdue)}"
        + (f" ({', '.join(p.details.page_name for p in overdue)})" if overdue else ""),
        f"Approved, not confirmed live: {len(not_live)}"
        + (f" ({', '.join(p.details.page_name for p in not_live)})" if not_live else ""),
        f"Requests waiting: {len(waiting)}"
        + "".join(
            f"\n  {r.id} {r.details.page_name}: {(now - r.waiting_since).days} days"
            for r in waiting
        ),
        ("Removals" if config.moderation.removal_only else "Moderation actions")
        + " by reason: "
        + (", ".join(f"{labels.get(k, k)} {v}" for k, v in sorted(removals.items())) or "none"),
    ]
    return Section(name, "\n".join(lines))
