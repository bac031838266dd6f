"""The commands people type, the same in Slack, Teams and the playground.

`answer` turns a command line into cards to show the person (or a form to fill in).
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.conversation import forms
from workflows.dashboard.sign_in import dashboard_link
from workflows.district.config import DistrictConfig
from workflows.duties.guidelines import guidelines_card
from workflows.engine import Engine
from workflows.kernel.cards import Card, Form
from workflows.kernel.commands import ShowCompliance
from workflows.kernel.model import Person
from workflows.reports.official import is_official
from workflows.reports.overview import page_cards, request_cards
from workflows.reports.registry import registry

COMMANDS = {
    "request-page": "Ask for a new official district social media page",
    "my-requests": "Your page requests, and what waits for your decision",
    "my-pages": "The official pages you run",
    "pages": "The district's official pages (add a school id to see one school)",
    "is-official": "Whether an address is an official district page",
    "social-media-guidelines": "The staff guidelines, and confirm you have read them",
    "compliance": "For the district contact: monitoring and requests, school by school",
    "away": "For approvers: name a delegate who decides while you are away",
    "dashboard": "A link to sign in to the dashboard: the registry, charts and timelines",
}


@dataclass(frozen=True)
class Answer:
    cards: tuple[Card, ...] = ()
    form: Form | None = None


def form_opened_by(config: DistrictConfig, line: str) -> Form | None:
    """The form a typed command opens at once, whoever typed it, else None."""
    name, _ = _parts(line)
    if name == "request-page":
        return forms.request_form(config)
    return forms.away_form() if name == "away" else None


async def answer(engine: Engine, person: Person, line: str) -> Answer:
    """What to show `person` for the command they typed (with or without a leading slash)."""
    config, store = engine.context.config, engine.context.store
    form = form_opened_by(config, line)
    if form is not None:
        return Answer(form=form)
    name, argument = _parts(line)
    if name in ("my-requests", "my-pages"):
        part = request_cards if name == "my-requests" else page_cards
        cards = await part(config, store, person.email)
        return Answer(cards or (Card("Your pages", "You do not run any official pages yet."),))
    if name == "pages":
        school = argument.lower() or None
        if school and config.school(school) is None:
            ids = ", ".join(s.id for s in config.schools)
            return Answer((Card("Which school?", f"Use one of: {ids}."),))
        return Answer((await registry(config, store, school, engine.context.links),))
    if name == "is-official":
        return Answer((await is_official(config, store, argument),))
    if name == "social-media-guidelines":
        acknowledged = [a for a in await store.acknowledgements() if a.person.email == person.email]
        return Answer((guidelines_card(config, acknowledged[0] if acknowledged else None),))
    if name == "dashboard":
        context = engine.context
        return Answer((await dashboard_link(context.links, engine.passes, context.clock, person),))
    if name == "compliance":
        outcome = await engine.handle(ShowCompliance(person, argument.lower()))
        return Answer((outcome.reply,) if outcome.reply else ())
    return Answer((help_card(),))


def _parts(line: str) -> tuple[str, str]:
    name, _, argument = line.strip().lstrip("/").partition(" ")
    return name.lower(), argument.strip()


def help_card() -> Card:
    lines = "\n".join(f"{name}: {meaning}" for name, meaning in COMMANDS.items())
    return Card("Pagekeeper", f"Type one of these:\n{lines}")
