"""What the district's file says: people, schools, approval routes, platforms, notice text,
reminder cadence and working time. `loading` reads and checks the file into these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo

from workflows.district.approvals import (
    BACKUP_APPROVER,
    PRINCIPAL,
    SUPERINTENDENT,
    NameRule,
    OwnerRules,
    Role,
    StepRule,
)
from workflows.district.moderation import Moderation
from workflows.district.notices import Forum, Notices
from workflows.kernel.model import Person, Question
from workflows.kernel.policy import Clause, Regulation, Rule

EXAMPLE_SOURCE = "built-in example district"

SECTIONS = (
    "district",
    "regulation",
    "people",
    "roles",
    "school_roles",
    "schools",
    "chains",
    "forums",
    "page_kinds",
    "platforms",
    "removal_reasons",
    "moderation",
    "notices",
    "guidelines",
    "reminders",
    "limits",
    "calendar",
)


class ConfigError(Exception):
    """A configuration file that cannot be used, located by file and line."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line
        self.message = message


class Route(StrEnum):
    """The two routes of files written before approval chains (each a one-step chain)."""

    PRINCIPAL = "principal"
    SUPERINTENDENT = "superintendent"


@dataclass(frozen=True)
class School:
    id: str
    name: str
    principals: tuple[str, ...]
    backup_approver: str | None = None
    # Who holds each of the district's school roles here: (role id, emails) pairs.
    roles: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def holders(self, role: str) -> tuple[str, ...]:
        if role == PRINCIPAL:
            return self.principals
        if role == BACKUP_APPROVER:
            return (self.backup_approver,) if self.backup_approver else ()
        return next((emails for held, emails in self.roles if held == role), ())


@dataclass(frozen=True)
class ClosedDays:
    """Days the district is closed (a holiday, a break), both ends included."""

    first: date
    last: date
    name: str


@dataclass(frozen=True)
class Calendar:
    """The school calendar: on closed days nobody is nudged, and no overdue clock runs."""

    closed: tuple[ClosedDays, ...] = ()

    def closed_on(self, day: date) -> ClosedDays | None:
        return next((span for span in self.closed if span.first <= day <= span.last), None)


@dataclass(frozen=True)
class MonitoringSchedule:
    """When a page kind's monitoring checks go out: every so many days (the district's
    `monitoring_every_days` unless set), or on given weekdays, or at given times of day."""

    every_days: int | None = None
    weekdays: frozenset[int] = frozenset()
    times: tuple[time, ...] = ()


@dataclass(frozen=True)
class PageKind:
    id: str
    label: str
    needs_school: bool
    steps: tuple[StepRule, ...]
    owners: OwnerRules = field(default_factory=OwnerRules)
    questions: tuple[Question, ...] = ()
    page_name: NameRule = field(default_factory=NameRule)
    # Forum types a page of this kind can be (ids of [forums]); with several, the form asks.
    forums: tuple[str, ...] = ()
    monitoring: MonitoringSchedule = MonitoringSchedule()


@dataclass(frozen=True)
class Platform:
    """A platform official pages may be on. A page's address must be on one of `hosts` (or
    a subdomain of one; "www." aside) and is kept on the first of them, not at one of
    `not_pages` (paths of posts, searches, logins); an @handle means `handle_url` with it;
    no `hosts` (a blog, "other") takes any https site. `share_parameters` are what the
    platform's share links add, dropped as noise."""

    id: str
    label: str
    security_help: str
    hosts: tuple[str, ...] = ()
    handle_url: str = ""
    share_parameters: tuple[str, ...] = ()
    not_pages: tuple[str, ...] = ()
    # Where the platform shows a page's short description (an Instagram bio, an X post) and
    # how many characters it holds, what a link counts as there (X counts every link as 23),
    # and the place with room for longer text, if any: so owners get a line that fits.
    short_place: str = ""
    short_room: int = 0
    link_length: int = 0
    long_place: str = ""
    long_room: int = 0


@dataclass(frozen=True)
class RemovalReason:
    id: str
    label: str


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class WorkingTime:
    """When the bot may nudge people: working days (0 = Monday) between two local times."""

    days: frozenset[int] = frozenset(range(5))
    start: time = time(8, 0)
    end: time = time(16, 0)


@dataclass(frozen=True)
class Reminders:
    """The cadence of the duties the bot carries forward (days of the calendar or working days)."""

    monitoring_every_days: int = 7
    answer_within_working_days: int = 2
    setup_reminder_working_days: int = 3
    approval_reminder_working_days: int = 2
    approval_escalation_working_days: int = 5
    # After this many setup reminders, the page's approver is told instead of reminding more.
    setup_reminders_before_escalation: int = 3


@dataclass(frozen=True)
class Limits:
    """How much one person may ask of the approvers: new page requests in any hour."""

    requests_per_person_per_hour: int = 5


@dataclass(frozen=True)
class DistrictConfig:
    name: str
    time_zone: ZoneInfo
    superintendent: str
    designees: tuple[str, ...]
    contact: str
    people: tuple[Person, ...]
    schools: tuple[School, ...]
    kinds: tuple[PageKind, ...]
    platforms: tuple[Platform, ...]
    removal_reasons: tuple[RemovalReason, ...]
    notices: Notices
    guidelines: str
    source: str
    guidelines_renewal_days: int | None = None
    working_time: WorkingTime = WorkingTime()
    reminders: Reminders = Reminders()
    # The district's own roles (district and school level), beside the built-in ones.
    roles: tuple[Role, ...] = ()
    regulation: Regulation = field(default_factory=Regulation)
    forums: tuple[Forum, ...] = ()
    calendar: Calendar = Calendar()
    moderation: Moderation = field(default_factory=Moderation)
    limits: Limits = Limits()

    def cite(self, rule: Rule) -> Clause:
        """The clause of the district's regulation behind `rule`, as messages cite it."""
        return self.regulation.cite(rule)

    def person(self, email: str) -> Person | None:
        """The directory entry for `email`, matched without regard to case."""
        return self._people_by_email.get(email.strip().lower())

    def school(self, school_id: str | None) -> School | None:
        return self._schools_by_id.get(school_id or "")

    # Looked up for every page in a report: with 1,000 schools and 50,000 pages a scan each
    # time read the list 50,000 times. The first of two entries with one key wins, as it did
    # for the scan.
    @cached_property
    def _schools_by_id(self) -> dict[str, School]:
        return {school.id: school for school in reversed(self.schools)}

    @cached_property
    def _people_by_email(self) -> dict[str, Person]:
        return {person.email: person for person in reversed(self.people)}

    def kind(self, kind_id: str) -> PageKind | None:
        return next((k for k in self.kinds if k.id == kind_id), None)

    def forum(self, forum_id: str) -> Forum | None:
        return next((f for f in self.forums if f.id == forum_id), None)

    def platform(self, platform_id: str) -> Platform | None:
        return next((p for p in self.platforms if p.id == platform_id), None)

    def decides(self, email: str) -> bool:
        """`email` approves some page: they hold a role, or a chain names them."""
        if email in self.superintendent_and_designees:
            return True
        if any(email in role.holders for role in self.roles):
            return True
        if self.schools_held_by(email):
            return True
        return any(email in step.people for kind in self.kinds for step in kind.steps)

    def schools_held_by(self, email: str) -> tuple[School, ...]:
        """The schools where `email` is principal, backup approver or holds one of the
        district's school roles."""
        return self._schools_by_holder.get(email, ())

    # Asked on every my-requests and App Home (does this person approve anything?): with
    # 1,000 schools a scan of them was most of what that answer cost.
    @cached_property
    def _schools_by_holder(self) -> dict[str, tuple[School, ...]]:
        held: dict[str, list[School]] = {}
        for school in self.schools:
            holders = {*school.principals, *(e for _, emails in school.roles for e in emails)}
            if school.backup_approver:
                holders.add(school.backup_approver)
            for email in holders:
                held.setdefault(email, []).append(school)
        return {email: tuple(schools) for email, schools in held.items()}

    def roles_held(self, email: str) -> list[str]:
        """The district's own roles `email` holds, as they are named (school roles with their
        school)."""
        held = [role.label for role in self.roles if email in role.holders]
        for school in self.schools:
            for role_id, emails in school.roles:
                role = self.role(role_id)
                if role is not None and email in emails:
                    held.append(role.named(school.name))
        return held

    def role(self, role_id: str) -> Role | None:
        """A role by id: the district's own, or a built-in one."""
        found = next((role for role in self.roles if role.id == role_id), None)
        return found or self._built_in_role(role_id)

    def holders(self, role_id: str, school: School | None) -> tuple[str, ...]:
        """Who holds `role_id`: district-wide, or at `school` for a school role."""
        role = self.role(role_id)
        if role is None:
            return ()
        if role.at_school:
            return school.holders(role_id) if school else ()
        return role.holders

    def _built_in_role(self, role_id: str) -> Role | None:
        if role_id == SUPERINTENDENT:
            return Role(
                SUPERINTENDENT,
                "the Superintendent or a designee",
                at_school=False,
                holders=self.superintendent_and_designees,
                vacant="no one besides you can authorize it for the Superintendent",
            )
        if role_id == PRINCIPAL:
            return Role(
                PRINCIPAL,
                "the principal of {school}",
                at_school=True,
                vacant="no principal is set up for {school} yet",
            )
        if role_id == BACKUP_APPROVER:
            return Role(BACKUP_APPROVER, "the backup approver for {school}", at_school=True)
        return None

    @property
    def contact_person(self) -> Person:
        return self._known(self.contact)

    @property
    def superintendent_and_designees(self) -> tuple[str, ...]:
        return (self.superintendent, *(d for d in self.designees if d != self.superintendent))

    def _known(self, email: str) -> Person:
        person = self.person(email)
        if person is None:  # parse_config guarantees every named email is in [[people]]
            raise LookupError(email)
        return person
