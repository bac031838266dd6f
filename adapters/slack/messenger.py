"""Deliver notices as Slack direct messages, updating earlier messages in place."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import card_blocks, card_text
from adapters.slack.people import SlackPeople
from workflows.cards import Notice
from workflows.ports import Store

PLATFORM = "Slack"


class SlackMessenger:
    """Implements workflows.delivery.Messenger for Slack."""

    platform = PLATFORM

    def __init__(self, client: AsyncWebClient, people: SlackPeople, store: Store) -> None:
        self._client = client
        self._people = people
        self._store = store

    async def send(self, notice: Notice) -> None:
        user_id = await self._people.user_id(notice.to)
        key = f"slack|{notice.to}|{notice.ref}"
        blocks, text = card_blocks(notice.card), card_text(notice.card)
        earlier = await self._store.recall_message(key) if notice.update else None
        if earlier:
            channel, ts = earlier.split("|", 1)
            await self._client.chat_update(channel=channel, ts=ts, blocks=blocks, text=text)
            return
        posted = await self._client.chat_postMessage(channel=user_id, blocks=blocks, text=text)
        await self._store.remember_message(key, f"{posted['channel']}|{posted['ts']}")
