"""What a signed-in person may see: the district contact and the Superintendent's office see
every school; principals and other school approvers their schools; everyone their own pages
and requests, and the requests waiting on them."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.district.config import DistrictConfig
from workflows.kernel.model import Page, PageRequest, Person


@dataclass(frozen=True)
class Viewer:
    """A signed-in person and the reach of their role."""

    person: Person
    every_school: bool
    schools: frozenset[str]
    role: str

    def sees_page(self, page: Page) -> bool:
        return (
            self.every_school
            or (page.details.school or "") in self.schools
            or page.is_owned_by(self.person.email)
            or page.approved_by.email == self.person.email
        )

    def sees_request(self, request: PageRequest) -> bool:
        email = self.person.email
        return (
            self.every_school
            or (request.details.school or "") in self.schools
            or request.requester.email == email
            or any(email in step.approvers or email in step.allowed for step in request.chain)
            or email in request.approvers
        )

    def sees_school(self, school: str) -> bool:
        return self.every_school or school in self.schools


def viewer(config: DistrictConfig, person: Person) -> Viewer:
    """`person`'s reach, as the district's file gives it today (a reloaded file counts at
    once: the next page they open follows it)."""
    email = person.email
    if email == config.contact or email in config.superintendent_and_designees:
        role = "district contact" if email == config.contact else "Superintendent's office"
        return Viewer(person, True, frozenset(), role)
    held = config.schools_held_by(email)
    if not held:
        return Viewer(person, False, frozenset(), "staff")
    named = ", ".join(school.name for school in held) if len(held) <= 3 else f"{len(held)} schools"
    return Viewer(person, False, frozenset(school.id for school in held), "approver for " + named)
