"""Deliver notices to people's personal chats with the bot, proactively, updating in place.

Teams lets a bot message someone only after they have installed it, so every conversation
reference is stored when a person installs or writes to the bot. A notice for someone not yet
reachable is kept and delivered when they install the bot.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.core.bot_adapter import BotAdapter
from botbuilder.schema import Activity, ConversationReference

from adapters.teams.cards import adaptive_card
from workflows.cards import Notice
from workflows.delivery import Unreachable
from workflows.ports import Store

log = logging.getLogger(__name__)

PLATFORM = "Teams"


def card_activity(card: dict[str, Any], summary: str) -> Activity:
    activity: Activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
    activity.summary = summary
    return activity


class TeamsMessenger:
    """Implements workflows.delivery.Messenger for Teams."""

    platform = PLATFORM
    # Teams allows 7 messages per second per conversation and about 30 per second per app.
    per_person_rate = 7.0
    per_person_burst = 7.0
    overall_rate = 30.0
    overall_burst = 30.0

    def __init__(self, adapter: BotAdapter, app_id: str, store: Store) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self._store = store
        self._known: dict[str, str] = {}
        self._where: dict[str, tuple[str, str]] = {}

    async def send(self, notice: Notice) -> None:
        reference = await self._reference(notice.to)
        if reference is None:
            await self._keep_for_later(notice)
            # They may have installed the bot meanwhile (in another process, or another
            # request here). Installing stores the reference and then reads what waits; keeping
            # stores what waits and then reads the reference: one of the two sees the other.
            reference = await self._reference(notice.to)
            if reference is None:
                raise Unreachable(f"{notice.to} has not installed Pagekeeper in Teams yet")
            await self._deliver_waiting(notice.to, reference)
            return
        card = adaptive_card(notice.card)
        await self._deliver(
            reference, notice.to, notice.ref, card, notice.card.title, notice.update
        )

    async def remember(self, turn_context: TurnContext, email: str) -> None:
        """Keep how to reach this person; then deliver anything that waited for them."""
        activity = turn_context.activity
        conversation = activity.conversation
        if conversation is None or conversation.conversation_type not in (None, "personal"):
            return
        where = (conversation.id, activity.service_url)
        if self._where.get(email) == where:
            return  # the usual case: nothing new to store
        reference = TurnContext.get_conversation_reference(activity)
        reference.activity_id = None  # a reference to the chat, not to one message in it
        serialized = json.dumps(reference.serialize(), sort_keys=True)
        if self._known.get(email) != serialized:
            await self._store.remember_message(f"teams-ref|{email}", serialized)
            self._known[email] = serialized
        self._where[email] = where
        await self._deliver_waiting(email, reference)

    async def _reference(self, email: str) -> ConversationReference | None:
        stored = self._known.get(email) or await self._store.recall_message(f"teams-ref|{email}")
        if not stored:
            return None
        self._known[email] = stored
        return ConversationReference().deserialize(json.loads(stored))

    async def _deliver(
        self,
        reference: ConversationReference,
        email: str,
        ref: str,
        card: dict[str, Any],
        summary: str,
        update: bool,
    ) -> None:
        key = f"teams|{email}|{ref}"
        earlier = await self._store.recall_message(key) if update else None
        activity = card_activity(card, summary)

        async def post(turn_context: TurnContext) -> None:
            if earlier:
                activity.id = earlier
                await turn_context.update_activity(activity)
                return
            sent = await turn_context.send_activity(activity)
            if sent is not None and sent.id:
                await self._store.remember_message(key, sent.id)

        await self._adapter.continue_conversation(reference, post, self._app_id)

    async def _keep_for_later(self, notice: Notice) -> None:
        key = f"teams-waiting|{notice.to}"
        waiting = json.loads(await self._store.recall_message(key) or "{}")
        # A later version of the same message replaces the earlier one: one message each.
        waiting[notice.ref] = {"card": adaptive_card(notice.card), "summary": notice.card.title}
        await self._store.remember_message(key, json.dumps(waiting))

    async def _deliver_waiting(self, email: str, reference: ConversationReference) -> None:
        key = f"teams-waiting|{email}"
        waiting = json.loads(await self._store.recall_message(key) or "{}")
        if not waiting:
            return
        for ref, message in waiting.items():
            await self._deliver(reference, email, ref, message["card"], message["summary"], False)
        # Keep whatever was added while these went out; it is delivered by whoever added it.
        now = json.loads(await self._store.recall_message(key) or "{}")
        left = {ref: message for ref, message in now.items() if waiting.get(ref) != message}
        await self._store.remember_message(key, json.dumps(left))
        log.info("teams waiting messages delivered count=%d", len(waiting))
