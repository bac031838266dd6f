"""A plain summary of a district configuration, printed by `python -m bot check-config`."""

from __future__ import annotations

from workflows.district.config import DAYS, DistrictConfig, Route


def describe(config: DistrictConfig) -> str:
    """What the configuration sets up, so a district can check it says what they meant."""
    contact = config.contact_person
    lines = [
        f"{config.source}: OK",
        f"District: {config.name} (time zone {config.time_zone.key})",
        f"Superintendent and designees: {', '.join(config.superintendent_and_designees)}",
        f"Contact for violations: {contact.name} <{contact.email}>",
        f"People: {len(config.people)}",
        f"Schools: {len(config.schools)}",
    ]
    for school in config.schools:
        principals = ", ".join(school.principals) or "NO PRINCIPAL (requests are held)"
        backup = f"; backup {school.backup_approver}" if school.backup_approver else ""
        lines.append(f"  - {school.name} [{school.id}]: {principals}{backup}")
    lines.append("Page kinds:")
    for kind in config.kinds:
        route = (
            "the school's principal"
            if kind.route is Route.PRINCIPAL
            else "the Superintendent or a designee"
        )
        lines.append(f"  - {kind.label} [{kind.id}]: approved by {route}")
    lines.append("Platforms: " + ", ".join(platform.label for platform in config.platforms))
    lines.append("Removal reasons: " + "; ".join(reason.label for reason in config.removal_reasons))
    hours = config.working_time
    days = ", ".join(DAYS[day] for day in sorted(hours.days))
    lines.append(f"Reminders go out on {days}, {hours.start:%H:%M}-{hours.end:%H:%M}")
    every = config.reminders
    lines.append(
        f"Monitoring checks every {every.monitoring_every_days} days; approvers reminded after "
        f"{every.approval_reminder_working_days} working days, escalated after "
        f"{every.approval_escalation_working_days}"
    )
    return "\n".join(lines)
