"""Reading the district's file: TOML in, a checked DistrictConfig out, or `file:line: what`.

The file is named by PAGEKEEPER_CONFIG; without it the built-in example district is used.
"""

from __future__ import annotations

import tomllib
from datetime import time
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workflows.district.approvals import BUILT_IN_ROLES, SUPERINTENDENT, Role
from workflows.district.config import (
    DAYS,
    EXAMPLE_SOURCE,
    SECTIONS,
    ConfigError,
    DistrictConfig,
    Limits,
    Platform,
    Reminders,
    RemovalReason,
    School,
    WorkingTime,
)
from workflows.district.lines import line_of
from workflows.district.loading_approvals import (
    Known,
    check_step_kinds,
    read_chains,
    read_kind,
    read_roles,
    read_school_roles,
    require_listed,
)
from workflows.district.loading_calendar import read_calendar
from workflows.district.loading_moderation import read_moderation
from workflows.district.loading_notices import read_forums, read_notices, read_regulation
from workflows.district.notices import Notices
from workflows.district.platforms import KNOWN_PLATFORMS
from workflows.district.reader import ConfigProblem, Table
from workflows.kernel.model import Person


def example_text() -> str:
    """The built-in example district's file, as shipped."""
    return (
        resources.files("workflows.district").joinpath("example_district.toml").read_text("utf-8")
    )


def load_config(path: Path | None) -> DistrictConfig:
    """Read the district's TOML file, or the built-in example district when `path` is None."""
    if path is None:
        return parse_config(example_text(), EXAMPLE_SOURCE)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(str(path), 1, f"cannot read the file ({error})") from None
    return parse_config(text, str(path), path.parent)


def parse_config(text: str, source: str, folder: Path | None = None) -> DistrictConfig:
    """Parse and check a configuration; raises ConfigError naming the line at fault. Files
    it names (an iCalendar file) are found beside it, in `folder`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = getattr(error, "lineno", None) or _line_from_message(str(error))
        raise ConfigError(source, line, f"not valid TOML: {error}") from None
    except RecursionError:
        # tomllib reads nested arrays and tables recursively; a district file needs a few.
        raise ConfigError(
            source, 1, "not valid TOML for Pagekeeper: arrays or tables are nested too deeply"
        ) from None
    try:
        return _build(Table(data), source, folder)
    except ConfigProblem as problem:
        raise ConfigError(source, line_of(text, problem.path), problem.message) from None


def _line_from_message(message: str) -> int:
    # Python 3.11's tomllib puts the position only in the message: "... (at line 3, column 7)"
    marker = "at line "
    if marker in message:
        digits = message.split(marker, 1)[1].split(",", 1)[0].strip(" )")
        if digits.isdigit():
            return int(digits)
    return 1


def _build(root: Table, source: str, folder: Path | None) -> DistrictConfig:
    root.expect(*SECTIONS)
    people = _people(root)
    known = frozenset(person.email for person in people)
    district = root.table("district")
    name = district.text("name")
    time_zone = _time_zone(district)
    superintendent = _named(district, "superintendent", known)
    designees = tuple(_each_named(district, "designees", known))
    contact = _named(district, "contact", known)
    working_time = _working_time(district)
    district.finish()
    regulation = read_regulation(root.optional_table("regulation"))
    roles = read_roles(root, known)
    every_role = {role.id: role for role in roles} | {
        role_id: Role(role_id, "", at_school=role_id != SUPERINTENDENT)
        for role_id in BUILT_IN_ROLES
    }
    schools = tuple(_school(table, every_role, known) for table in root.tables("schools"))
    _unique("schools", "id", [school.id for school in schools])
    platforms = tuple(_platform(name, table) for name, table in root.named_tables("platforms"))
    forums = read_forums(root)
    references = Known(
        known,
        every_role,
        frozenset(platform.id for platform in platforms),
        frozenset(forum.id for forum in forums),
    )
    chains = read_chains(root, references)
    kinds = tuple(
        read_kind(name, table, references, chains)
        for name, table in root.named_tables("page_kinds")
    )
    check_step_kinds(root, kinds)
    reasons = tuple(_reason(table) for table in root.tables("removal_reasons"))
    _unique("removal_reasons", "id", [reason.id for reason in reasons])
    moderation = read_moderation(root.optional_table("moderation"), references)
    notices = read_notices(root.table("notices"), kinds, forums)
    _security_help_where_used(notices, platforms)
    guidelines = root.table("guidelines")
    guidelines_text = guidelines.text("text")
    renewal = guidelines.optional_count("reacknowledge_every_days")
    guidelines.finish()
    reminders = _reminders(root.optional_table("reminders"))
    limits = _limits(root.optional_table("limits"))
    calendar = read_calendar(root.optional_table("calendar"), folder)
    root.finish()
    return DistrictConfig(
        name=name,
        time_zone=time_zone,
        superintendent=superintendent,
        designees=designees,
        contact=contact,
        people=people,
        schools=schools,
        kinds=kinds,
        platforms=platforms,
        removal_reasons=reasons,
        notices=notices,
        guidelines=guidelines_text,
        guidelines_renewal_days=renewal,
        source=source,
        working_time=working_time,
        reminders=reminders,
        roles=roles,
        regulation=regulation,
        forums=forums,
        calendar=calendar,
        moderation=moderation,
        limits=limits,
    )


def _working_time(district: Table) -> WorkingTime:
    days = district.words("working_days", DAYS[:5])
    unknown = [day for day in days if day not in DAYS]
    if unknown or not days:
        raise district.problem(
            "working_days", f"district.working_days: use {', '.join(DAYS)} (got {unknown or days})"
        )
    hours = district.text("working_hours", "08:00-16:00")
    span = _hours(hours)
    if span is None:
        raise district.problem(
            "working_hours", f'district.working_hours: write it like "08:00-16:00" (got {hours!r})'
        )
    start, end = span
    return WorkingTime(frozenset(DAYS.index(day) for day in days), start, end)


def _hours(text: str) -> tuple[time, time] | None:
    try:
        start_text, end_text = text.split("-")
        start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
    except ValueError:
        return None
    return (start, end) if start < end else None


def _limits(table: Table | None) -> Limits:
    if table is None:
        return Limits()
    per_hour = table.count("requests_per_person_per_hour", Limits().requests_per_person_per_hour)
    table.finish()
    return Limits(per_hour)


def _reminders(table: Table | None) -> Reminders:
    if table is None:
        return Reminders()
    defaults = Reminders()
    values = {
        field: table.count(field, getattr(defaults, field))
        for field in (
            "monitoring_every_days",
            "answer_within_working_days",
            "setup_reminder_working_days",
            "approval_reminder_working_days",
            "approval_escalation_working_days",
            "setup_reminders_before_escalation",
        )
    }
    table.finish()
    reminders = Reminders(**values)
    if reminders.approval_escalation_working_days <= reminders.approval_reminder_working_days:
        raise table.problem(
            "approval_escalation_working_days",
            "reminders.approval_escalation_working_days must be more than the reminder's days",
        )
    return reminders


def _people(root: Table) -> tuple[Person, ...]:
    people = []
    for table in root.tables("people"):
        people.append(Person(table.email("email"), table.text("name"), table.text("title", "")))
        table.finish()
    _unique("people", "email", [person.email for person in people])
    return tuple(people)


def _time_zone(district: Table) -> ZoneInfo:
    zone = district.text("time_zone")
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise district.problem(
            "time_zone", f"district.time_zone: unknown time zone {zone!r} (try 'America/Chicago')"
        ) from None


def _named(table: Table, key: str, known: frozenset[str]) -> str:
    email = table.email(key)
    require_listed(table, key, email, known)
    return email


def _each_named(table: Table, key: str, known: frozenset[str]) -> list[str]:
    emails = list(table.emails(key))
    for email in emails:
        require_listed(table, key, email, known)
    return emails


def _school(table: Table, roles: dict[str, Role], known: frozenset[str]) -> School:
    school = School(
        id=table.identifier("id"),
        name=table.text("name"),
        principals=tuple(_each_named(table, "principals", known)),
        backup_approver=table.email("backup_approver", "") or None,
        roles=read_school_roles(table, roles, known),
    )
    if school.backup_approver:
        require_listed(table, "backup_approver", school.backup_approver, known)
    table.finish()
    return school


def _room(table: Table, key: str, known: int) -> int:
    """A number of characters the file gives, else what Pagekeeper knows (0: not known)."""
    given = table.optional_count(key)
    return known if given is None else given


def _platform(platform_id: str, table: Table) -> Platform:
    """A platform, with the address rules the file gives, else those Pagekeeper knows for a
    platform of that id (files written before address rules keep their protection)."""
    known = KNOWN_PLATFORMS.get(platform_id, Platform(platform_id, "", ""))
    hosts = table.words("hosts", known.hosts)
    handle_url = table.text("handle_url", known.handle_url)
    if handle_url and "{handle}" not in handle_url:
        raise table.problem("handle_url", f"platforms.{platform_id}.handle_url must say {{handle}}")
    platform = Platform(
        platform_id,
        table.text("label"),
        table.text("security_help", ""),
        hosts=hosts,
        handle_url=handle_url,
        share_parameters=table.words("share_parameters", known.share_parameters),
        not_pages=table.words("not_pages", known.not_pages),
        short_place=table.text("short_place", known.short_place),
        short_room=_room(table, "short_room", known.short_room),
        link_length=_room(table, "link_length", known.link_length),
        long_place=table.text("long_place", known.long_place),
        long_room=_room(table, "long_room", known.long_room),
    )
    table.finish()
    return platform


def _security_help_where_used(notices: Notices, platforms: tuple[Platform, ...]) -> None:
    """A notice that shows {security_help} needs it from every platform."""
    templates = [item.text for item in notices.items]
    templates += [notices.unrecognized_links, notices.copyright, notices.posting_disclaimer]
    if not any("{security_help}" in template for template in templates):
        return
    for platform in platforms:
        if not platform.security_help:
            raise ConfigProblem(
                ("platforms", platform.id),
                f"platforms.{platform.id}: 'security_help' is missing; a notice shows "
                "{security_help}",
            )


def _reason(table: Table) -> RemovalReason:
    reason = RemovalReason(table.identifier("id"), table.text("label"))
    table.finish()
    return reason


def _unique(key: str, field: str, values: list[str]) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise ConfigProblem((key, index, field), f"{key}: {value!r} appears twice")
        seen.add(value)
