"""What a handler works with (`Context`) and what it produces (`Handled`, with its `Outcome`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from workflows.district.config import DistrictConfig
from workflows.kernel.cards import Card
from workflows.kernel.events import Event
from workflows.kernel.links import NO_LINKS, Links
from workflows.kernel.messages import Message
from workflows.kernel.model import Acknowledgement, Away, Page, PageRequest, Person
from workflows.kernel.policy import Rule
from workflows.kernel.ports import Clock, Records


@dataclass(frozen=True)
class FieldError:
    """A problem with one field of a form, in words for the person who filled it in."""

    field: str
    message: str


@dataclass(frozen=True)
class Outcome:
    """What the person who acted sees (`reply`, `errors`) and what others receive (`messages`).

    Form `errors` mean nothing was stored; the form should be shown again with them. `more`
    means the command stopped at its limit: the same command again does more.
    """

    events: tuple[Event, ...] = ()
    messages: tuple[Message, ...] = ()
    reply: Card | None = None
    errors: tuple[FieldError, ...] = ()
    more: bool = False

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
    aways: tuple[Away, ...] = ()

    @property
    def changes_records(self) -> bool:
        """Whether it writes any record (audit lines and messages aside)."""
        return bool(self.requests or self.pages or self.acknowledgements or self.aways)


@dataclass(frozen=True)
class Context:
    """What handlers may use. Handlers read the records; only the engine writes."""

    config: DistrictConfig
    store: Records
    clock: Clock
    new_id: Callable[[str], str] = field(repr=False)
    links: Links = NO_LINKS

    def refusal(
        self, text: str, title: str = "Nothing was changed", rule: Rule = Rule.AUTHORIZATION
    ) -> Card:
        """A short reply to the person whose action could not be carried out, and why."""
        return Card(title=title, text=text, clause=self.config.cite(rule))

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
