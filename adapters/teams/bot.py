"""The Teams bot: activities in, engine commands out, Adaptive Cards back.

Nothing here decides anything: the engine decides, `cards` renders, `messenger` delivers.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext

from adapters.rendering import RenderedOnce
from adapters.teams.cards import (
    SEARCH_RESULTS_MAX,
    adaptive_card,
    form_card,
    search_results,
    submitted,
)
from adapters.teams.messenger import TeamsMessenger, card_activity
from adapters.teams.people import TeamsPeople
from workflows.conversation.slash_commands import answer, help_card
from workflows.conversation.submissions import (
    FormValues,
    UnknownAction,
    command_for,
    form_for,
    from_text,
)
from workflows.engine import Engine
from workflows.kernel.cards import Card, Input
from workflows.kernel.commands import RefuseOutsider
from workflows.kernel.model import Person

log = logging.getLogger(__name__)


class PagekeeperTeamsBot(ActivityHandler):  # type: ignore[misc]
    def __init__(
        self, engine: Engine, messenger: TeamsMessenger, tenants: frozenset[str] = frozenset()
    ) -> None:
        self._engine = engine
        self._tenants = tenants
        self._store = engine.context.store
        self._messenger = messenger
        self._people = TeamsPeople()
        self._blank_form_card = RenderedOnce(form_card)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        person = await self._identify(turn_context)
        if person is None:
            return
        submission = submitted(turn_context.activity.value)
        if submission is not None:
            await self._submit(turn_context, person, *submission)
            return
        text = (TurnContext.remove_recipient_mention(turn_context.activity) or "").strip()
        await self._command(turn_context, person, text.lower().lstrip("/"))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """Teams asks for the options of a searched choice as the person types in it."""
        activity = turn_context.activity
        if activity.name != "application/search":
            return await super().on_invoke_activity(turn_context)
        if self._tenants and tenant_of(activity) not in self._tenants:
            return InvokeResponse(status=403, body={"error": "not the district's tenant"})
        query = activity.value if isinstance(activity.value, dict) else {}
        field = await self._searched_field(str(query.get("dataset", "")))
        if field is None:
            return InvokeResponse(status=400, body={"error": "no such list"})
        paging = query.get("queryOptions") or {}
        body = search_results(
            field,
            str(query.get("queryText", "")),
            int(paging.get("skip") or 0),
            int(paging.get("top") or SEARCH_RESULTS_MAX),
        )
        return InvokeResponse(status=200, body=body)

    async def _searched_field(self, dataset: str) -> Input | None:
        """The choice a dataset names (see cards.dataset), rebuilt from its form."""
        try:
            action, value, name = json.loads(dataset)
        except (ValueError, TypeError):
            return None
        form = await form_for(self._engine.context.config, self._store, str(action), str(value))
        return next((i for i in form.inputs if i.name == name), None) if form else None

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        """Installed in a personal chat: remember how to reach the person, and say hello."""
        if turn_context.activity.members_added and await self._identify(turn_context):
            await self._send(turn_context, help_card())

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._identify(turn_context)

    async def _identify(self, turn_context: TurnContext) -> Person | None:
        """The sender as district staff, and where to reach them; None (and a plain answer)
        for someone Pagekeeper cannot vouch for. A person from another tenant is refused before
        anything is looked up or remembered: their profile email proves nothing."""
        tenant = tenant_of(turn_context.activity)
        if self._tenants and tenant not in self._tenants:
            sender = turn_context.activity.from_property
            who = (sender.aad_object_id or sender.id or "") if sender else ""
            log.warning("teams activity refused: tenant %r is not the district's", tenant)
            outcome = await self._engine.handle(RefuseOutsider("Teams", who, tenant))
            if outcome.reply is not None:
                await self._send(turn_context, outcome.reply)
            return None
        person = await self._people.person(turn_context)
        if not person.email:
            await self._send(turn_context, _no_email())
            return None
        await self._messenger.remember(turn_context, person.email)
        return person

    async def _command(self, turn_context: TurnContext, person: Person, text: str) -> None:
        reply = await answer(self._engine, person, text)
        if reply.form is not None:
            await turn_context.send_activity(
                card_activity(self._blank_form_card(reply.form), reply.form.title)
            )
        for card in reply.cards:
            await self._send(turn_context, card)

    async def _submit(
        self, turn_context: TurnContext, person: Person, action: str, value: str
    ) -> None:
        values = from_text(turn_context.activity.value)
        try:
            command = command_for(action, value, person, values)
        except UnknownAction:
            await self._send(turn_context, _outdated())
            return
        outcome = await self._engine.handle(command, _submit_key(turn_context, person))
        if outcome.errors:
            await self._show_errors(turn_context, action, value, outcome.errors, values)
            return
        if outcome.reply is not None:
            await self._send(turn_context, outcome.reply)

    async def _show_errors(
        self, turn_context: TurnContext, action: str, value: str, errors: Any, values: FormValues
    ) -> None:
        """Put the form back with the problems under their fields, in place of the card."""
        form = await form_for(self._engine.context.config, self._store, action, value)
        if form is None:
            await self._send(
                turn_context, Card("Please check your answers", " ".join(e.message for e in errors))
            )
            return
        entered = {name: _shown(entry) for name, entry in values.items()}
        activity = card_activity(form_card(form, errors, entered), form.title)
        if turn_context.activity.reply_to_id:
            activity.id = turn_context.activity.reply_to_id
            await turn_context.update_activity(activity)
        else:
            await turn_context.send_activity(activity)

    async def _send(self, turn_context: TurnContext, card: Card) -> None:
        await turn_context.send_activity(card_activity(adaptive_card(card), card.title))


def tenant_of(activity: Any) -> str:
    """The Microsoft 365 tenant an activity comes from, as Teams states it."""
    conversation = activity.conversation
    if conversation is not None and conversation.tenant_id:
        return str(conversation.tenant_id)
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant")
    return str(tenant.get("id", "")) if isinstance(tenant, dict) else ""


def _shown(entry: str | bool | tuple[Person, ...]) -> Any:
    if isinstance(entry, tuple):
        return ", ".join(person.email for person in entry)
    return "true" if entry is True else entry


def _no_email() -> Card:
    return Card(
        "We could not tell who you are",
        "Teams did not share your work email with Pagekeeper. Ask your Teams administrator.",
    )


def _outdated() -> Card:
    return Card("This button no longer works", "It belongs to an older message. Type my-requests.")


def _submit_key(turn_context: TurnContext, person: Person) -> str:
    """The same for a card's button pressed again with the same answers (a double click, a
    retry after Teams said the bot did not answer), different on any other card or answers;
    none when Teams does not say which card it was."""
    activity = turn_context.activity
    if not activity.reply_to_id:
        return ""
    answers = json.dumps(activity.value, sort_keys=True, default=str)
    digest = hashlib.sha256(answers.encode()).hexdigest()[:32]
    return f"teams:{person.email}:{activity.reply_to_id}:{digest}"
