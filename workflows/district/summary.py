"""A district's file in plain words, printed by `python -m bot check-config`, so a district can
check it says what they meant: who holds which role, and each page kind's chain, step by step."""

from __future__ import annotations

from workflows.district.approvals import OwnerRules, StepRule
from workflows.district.config import DAYS, DistrictConfig, PageKind
from workflows.district.summary_pages import describe_kind_pages, describe_pages

SOME_SCHOOL = "the school"


def describe(config: DistrictConfig) -> str:
    """What the configuration sets up."""
    contact = config.contact_person
    lines = [
        f"{config.source}: OK",
        f"District: {config.name} (time zone {config.time_zone.key})",
        f"Superintendent and designees: {', '.join(config.superintendent_and_designees)}",
        f"Contact for violations: {contact.name} <{contact.email}>",
        f"People: {len(config.people)}",
    ]
    district_roles = [role for role in config.roles if not role.at_school]
    if district_roles:
        lines.append("Roles:")
        lines.extend(
            f"  - {r.label} [{r.id}]: {', '.join(r.holders) or 'NOBODY'}" for r in district_roles
        )
    lines.append(f"Schools: {len(config.schools)}")
    for school in config.schools:
        principals = ", ".join(school.principals) or "NO PRINCIPAL"
        backup = f"; backup {school.backup_approver}" if school.backup_approver else ""
        held = "".join(f"; {role}: {', '.join(emails)}" for role, emails in school.roles)
        lines.append(f"  - {school.name} [{school.id}]: {principals}{backup}{held}")
    lines.append("Page kinds:")
    for kind in config.kinds:
        lines.extend(describe_kind(config, kind))
    lines.append("Platforms: " + ", ".join(platform.label for platform in config.platforms))
    lines.append("Removal reasons: " + "; ".join(reason.label for reason in config.removal_reasons))
    hours = config.working_time
    days = ", ".join(DAYS[day] for day in sorted(hours.days))
    lines.append(f"Reminders go out on {days}, {hours.start:%H:%M}-{hours.end:%H:%M}")
    every = config.reminders
    lines.append(
        f"Monitoring checks every {every.monitoring_every_days} days; approvers reminded after "
        f"{every.approval_reminder_working_days} working days, escalated after "
        f"{every.approval_escalation_working_days}; setup reminders go to the approver after "
        f"{every.setup_reminders_before_escalation}; at most "
        f"{config.limits.requests_per_person_per_hour} new requests per person per hour"
    )
    lines.extend(describe_pages(config))
    return "\n".join(lines)


def describe_kind(config: DistrictConfig, kind: PageKind) -> list[str]:
    """A page kind: what it needs, who may own it, what the form asks, and its chain."""
    needs = "needs a school" if kind.needs_school else "district-wide or for a school"
    lines = [f"  - {kind.label} [{kind.id}]: {needs}"]
    owners = kind.owners
    rules = [] if owners == OwnerRules() else [f"{owners.minimum} to {owners.maximum} owners"]
    if owners.email_domains:
        rules.append("addresses at " + " or ".join(f"@{d}" for d in owners.email_domains))
    if owners.titles:
        rules.append("titles including " + " or ".join(owners.titles))
    if owners.roles:
        rules.append("holding " + " or ".join(_role(config, r) for r in owners.roles))
    if rules:
        lines.append("      owners: " + "; ".join(rules))
    if kind.questions:
        asked = [
            q.label
            + (" (published)" if q.published else "")
            + ("" if q.required else " (optional)")
            for q in kind.questions
        ]
        lines.append("      the form also asks: " + "; ".join(asked))
    if kind.page_name.must_include:
        parts = [
            part.format(school="the school's name", district="the district's name")
            for part in kind.page_name.must_include
        ]
        lines.append("      the page name must include: " + ", ".join(parts))
    for number, step in enumerate(kind.steps, start=1):
        lines.append(f"      {number}. {describe_step(config, step)}")
    return lines + describe_kind_pages(config, kind)


def describe_step(config: DistrictConfig, step: StepRule) -> str:
    """One step of a chain in words: who, how many, when it applies, who stands in."""
    who = [_role(config, role) for role in step.roles] + list(step.people)
    joined = " or ".join(who) if not step.needs_all else " and ".join(who)
    title = f"{step.title.format(school=SOME_SCHOOL)}: " if step.title else ""
    if step.review:
        text = f'{title}review by {joined}, who confirms "{step.confirm}"'
    else:
        how = "every one of them must approve" if step.needs_all else "any one decides"
        text = f"{title}{joined} ({how})"
    evidence = [q.label for q in step.evidence if q.id != "confirmed"]
    if evidence:
        text += "; with the decision: " + ", ".join(evidence)
    if step.platforms:
        text += "; only for " + ", ".join(_platform(config, p) for p in step.platforms)
    if step.kinds:
        text += "; only for " + ", ".join(_kind(config, k) for k in step.kinds)
    if step.only_if_filled:
        text += "; skipped where nobody holds the role"
    if step.stand_in:
        text += "; while nobody holds it: " + " or ".join(_role(config, r) for r in step.stand_in)
    if step.fallback == step.roles:
        return text
    fallback = " or ".join(_role(config, role) for role in step.fallback)
    return text + f"; if all of them asked for the page or will co-own it: {fallback}"


def _role(config: DistrictConfig, role_id: str) -> str:
    role = config.role(role_id)
    return role.named(SOME_SCHOOL) if role else role_id


def _platform(config: DistrictConfig, platform_id: str) -> str:
    platform = config.platform(platform_id)
    return platform.label if platform else platform_id


def _kind(config: DistrictConfig, kind_id: str) -> str:
    kind = config.kind(kind_id)
    return kind.label if kind else kind_id
