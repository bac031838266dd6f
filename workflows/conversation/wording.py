"""Shared phrasing: how times, people and request details read in every message."""

from __future__ import annotations

from datetime import datetime

from workflows.district.config import DistrictConfig
from workflows.kernel.cards import Field
from workflows.kernel.model import PageDetails, Person


def when(config: DistrictConfig, moment: datetime) -> str:
    """A moment in the district's time zone, e.g. 'Nov 30, 2026 at 9:05 AM PST'."""
    local = moment.astimezone(config.time_zone)
    hour = local.hour % 12 or 12
    half = "AM" if local.hour < 12 else "PM"
    return f"{local:%b} {local.day}, {local.year} at {hour}:{local:%M} {half} {local:%Z}"


def names(config: DistrictConfig, emails: tuple[str, ...]) -> str:
    """'Ana Ruiz and Sam Okafor' for a list of emails, using the directory where it can."""
    shown = [_name(config, email) for email in emails]
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _name(config: DistrictConfig, email: str) -> str:
    person = config.person(email)
    return person.name if person else email


def detail_fields(
    config: DistrictConfig, details: PageDetails, requester: Person
) -> tuple[Field, ...]:
    """The request as label/value pairs, the way approvers and requesters see it."""
    kind = config.kind(details.kind)
    school = config.school(details.school)
    platform = config.platform(details.platform)
    fields = [
        Field("Requested by", requester.display),
        Field("Kind", kind.label if kind else details.kind),
        Field("School", school.name if school else "District-wide"),
        Field("Platform", platform.label if platform else details.platform),
        Field("Page name", details.page_name),
        Field("Purpose", details.purpose),
        Field("Audience", details.audience),
    ]
    if details.co_owners:
        fields.append(Field("Co-owners", ", ".join(p.display for p in details.co_owners)))
    forum = config.forum(details.forum)
    if forum is not None:
        fields.append(Field("Forum type", forum.label))
    fields.extend(Field(answer.label, answer.value) for answer in details.answers if answer.value)
    return tuple(fields)
