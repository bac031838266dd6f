"""What handling one command produced, for people (notices, replies, errors) and the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from workflows.cards import Card, Notice
from workflows.config import DistrictConfig
from workflows.events import Event
from workflows.model import Acknowledgement, Page, PageRequest, Person
from workflows.ports import Clock, Store
from workflows.validation import FieldError


@dataclass(frozen=True)
class Outcome:
    """What the person who acted sees (`reply`, `errors`) and what others receive (`notices`).

    Form `errors` mean nothing was stored; the form should be shown again with them.
    """

    events: tuple[Event, ...] = ()
    notices: tuple[Notice, ...] = ()
    reply: Card | None = None
    errors: tuple[FieldError, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Handled:
    """A handler's result: the outcome plus the records to write with it."""

    outcome: Outcome
    requests: tuple[PageRequest, ...] = ()
    pages: tuple[Page, ...] = ()
    acknowledgements: tuple[Acknowledgement, ...] = ()


@dataclass(frozen=True)
class Context:
    """What handlers may use. Handlers read the store; only the engine writes."""

    config: DistrictConfig
    store: Store
    clock: Clock
    new_id: Callable[[str], str] = field(repr=False)

    def resolve(self, person: Person) -> Person:
        """The district directory's entry for this person, else what the platform told us."""
        email = person.email.strip().lower()
        return self.config.person(email) or Person(
            email, person.name.strip() or email, person.title.strip()
        )


def rejected(*errors: FieldError) -> Handled:
    return Handled(Outcome(errors=errors))


def refused(event: Event, reply: Card) -> Handled:
    """Nothing changes; the attempt is audited and the person is told why."""
    return Handled(Outcome(events=(event,), reply=reply))
