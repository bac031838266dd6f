"""Building blocks for tests that tell a user's story through the engine."""

from __future__ import annotations

import dataclasses

from workflows.cards import Notice
from workflows.commands import RequestPage
from workflows.model import PageDetails, Person
from workflows.outcome import Outcome

ROOM_12 = PageDetails(
    kind="classroom",
    school="lincoln",
    platform="facebook",
    page_name="Room 12 News",
    purpose="Share classroom news, homework reminders and photos of student work with families.",
    audience="Families of Room 12 students",
)


def ask_for_page(actor: Person, **changes: object) -> RequestPage:
    """A complete, valid request from `actor`, with any details changed as given."""
    return RequestPage(actor, dataclasses.replace(ROOM_12, **changes), acknowledged_guidelines=True)  # type: ignore[arg-type]


def notices_to(outcome: Outcome, person: Person) -> list[Notice]:
    return [notice for notice in outcome.notices if notice.to == person.email]


def only_notice_to(outcome: Outcome, person: Person) -> Notice:
    found = notices_to(outcome, person)
    assert len(found) == 1, f"{person.name} should get exactly one message, got {len(found)}"
    return found[0]


def button_labels(notice: Notice) -> list[str]:
    return [button.label for button in notice.card.buttons]


def errors_by_field(outcome: Outcome) -> dict[str, str]:
    return {error.field: error.message for error in outcome.errors}
