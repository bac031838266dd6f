"""Building blocks for tests that tell a user's story through the engine."""

from __future__ import annotations

import dataclasses

from workflows.kernel.commands import RequestPage
from workflows.kernel.handling import Outcome
from workflows.kernel.messages import Message
from workflows.kernel.model import PageDetails, Person

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


def messages_to(outcome: Outcome, person: Person) -> list[Message]:
    return [message for message in outcome.messages if message.to == person.email]


def only_message_to(outcome: Outcome, person: Person) -> Message:
    found = messages_to(outcome, person)
    assert len(found) == 1, f"{person.name} should get exactly one message, got {len(found)}"
    return found[0]


def button_labels(message: Message) -> list[str]:
    return [button.label for button in message.card.buttons]


def errors_by_field(outcome: Outcome) -> dict[str, str]:
    return {error.field: error.message for error in outcome.errors}
