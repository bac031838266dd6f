"""Deliver notices as Slack direct messages, updating earlier messages in place."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import card_blocks, card_text
from adapters.slack.people import SlackPeople
from workflows.cards import Notice
from workflows.delivery import RetryLater
from workflows.ports import Store

PLATFORM = "Slack"


class SlackMessenger:
    """Implements workflows.delivery.Messenger for Slack."""

    platform = PLATFORM
    # Slack allows about one message per second per conversation, with short bursts.
    per_person_rate = 1.0
    per_person_burst = 3.0
    overall_rate = 20.0
    overall_burst = 20.0

    def __init__(self, client: AsyncWebClient, people: SlackPeople, store: Store) -> None:
        self._client = client
        self._people = people
        self._store = store

    async def send(self, notice: Notice) -> None:
        try:
            await self._send(notice)
        except SlackApiError as error:
            if error.response.status_code == 429:
                after = error.response.headers.get("Retry-After", "1")
                raise RetryLater("rate limited", float(after) if after.isdigit() else 1.0) from None
            raise

    async def _send(self, notice: Notice) -> None:
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
