"""Deliver messages to people's personal chats with the bot, proactively, updating in place.

Teams lets a bot message someone only after they have installed it, so every conversation
reference is stored when a person installs or writes to the bot. A notice for someone not yet
reachable is kept and delivered when they install the bot.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
from collections.abc import Iterator
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.core.bot_adapter import BotAdapter
from botbuilder.schema import Activity, Attachment, ConversationReference
from msrest.exceptions import HttpOperationError

from adapters.teams.cards import adaptive_card, fit, payload_size
from adapters.teams.waiting import Waiting, WaitingMessages
from workflows.delivery.messenger import Refused, Unreachable, handle_key
from workflows.kernel.messages import Message
from workflows.kernel.ports import MessageHandles

log = logging.getLogger(__name__)

PLATFORM = "Teams"


def card_activity(card: dict[str, Any], summary: str) -> Activity:
    """A message carrying `card` (cut to fit Teams' size limit), with `summary` for the
    notification."""
    attachment = _CardAttachment(
        content_type=CardFactory.content_types.adaptive_card, content=fit(card)
    )
    activity: Activity = MessageFactory.attachment(attachment)
    activity.summary = summary
    return activity


class _CardAttachment(Attachment):  # type: ignore[misc]
    """An Adaptive Card attachment whose content is never changed once built. The SDK copies
    every outgoing activity in full before sending it (`TurnContext.send_activities`); copying
    the card too would cost as much as the rest of a reply, so a copy shares the content."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _CardAttachment:
        return copy.copy(self)


class TeamsMessenger:
    """Implements workflows.delivery.messenger.Messenger for Teams; a handle is the activity id."""

    platform = PLATFORM
    # Teams allows 7 messages per second per conversation and about 30 per second per app.
    per_person_rate = 7.0
    per_person_burst = 7.0
    overall_rate = 30.0
    overall_burst = 30.0

    def __init__(self, adapter: BotAdapter, app_id: str, handles: MessageHandles) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self._handles = handles
        self._waiting = WaitingMessages(handles)
        self._known: dict[str, str] = {}
        self._where: dict[str, tuple[str, str]] = {}

    async def post(self, message: Message) -> str | None:
        reference = await self._reference(message.to)
        if reference is None:
            await self._keep_for_later(message)
            # They may have installed the bot meanwhile (in another process, or another
            # request here). Installing stores the reference and then reads what waits; keeping
            # stores what waits and then reads the reference: one of the two sees the other.
            reference = await self._reference(message.to)
            if reference is None:
                raise Unreachable(f"{message.to} has not installed Pagekeeper in Teams yet")
            await self._deliver_waiting(message.to, reference)
            return None  # delivered with what waited, and kept there
        return await self._send(reference, adaptive_card(message.card), message.card.title)

    async def update(self, message: Message, handle: str) -> None:
        reference = await self._reference(message.to)
        if reference is None:
            raise Unreachable(f"{message.to} has not installed Pagekeeper in Teams yet")
        activity = card_activity(adaptive_card(message.card), message.card.title)
        activity.id = handle

        async def replace(turn_context: TurnContext) -> None:
            await turn_context.update_activity(activity)

        with _refusal_as_refused(activity):
            await self._adapter.continue_conversation(reference, replace, self._app_id)

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
            await self._handles.remember_message(f"teams-ref|{email}", serialized)
            self._known[email] = serialized
        self._where[email] = where
        await self._deliver_waiting(email, reference)

    async def _reference(self, email: str) -> ConversationReference | None:
        stored = self._known.get(email) or await self._handles.recall_message(f"teams-ref|{email}")
        if not stored:
            return None
        self._known[email] = stored
        return ConversationReference().deserialize(json.loads(stored))

    async def _send(
        self, reference: ConversationReference, card: dict[str, Any], summary: str
    ) -> str | None:
        """Post a card into the person's chat; returns the new message's id."""
        activity = card_activity(card, summary)
        landed: str | None = None

        async def post(turn_context: TurnContext) -> None:
            nonlocal landed
            sent = await turn_context.send_activity(activity)
            landed = sent.id if sent is not None and sent.id else None

        with _refusal_as_refused(activity):
            await self._adapter.continue_conversation(reference, post, self._app_id)
        return landed

    async def _keep_for_later(self, message: Message) -> None:
        card = adaptive_card(message.card)
        await self._waiting.keep(message.to, Waiting(message.ref, card, message.card.title))

    async def _deliver_waiting(self, email: str, reference: ConversationReference) -> None:
        async def post(waiting: Waiting) -> None:
            handle = await self._send(reference, waiting.card, waiting.summary)
            if handle:
                key = handle_key(PLATFORM, email, waiting.ref)
                await self._handles.remember_message(key, handle)

        delivered = await self._waiting.deliver(email, post)
        if delivered:
            log.info("teams waiting messages delivered count=%d", delivered)


@contextlib.contextmanager
def _refusal_as_refused(activity: Activity) -> Iterator[None]:
    """Teams' refusal of a message too large to take (413) as Refused, with its size."""
    try:
        yield
    except HttpOperationError as error:
        response = getattr(error, "response", None)
        # msrest keeps the transport's own response: aiohttp's says `status`.
        status = getattr(response, "status", None) or getattr(response, "status_code", None)
        if status != 413:
            raise
        card = activity.attachments[0].content if activity.attachments else {}
        raise Refused("413: the message was too large", payload_size(card)) from None
