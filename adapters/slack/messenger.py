"""Deliver messages as Slack direct messages, or update one already sent."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import card_blocks, card_text
from adapters.slack.people import SlackPeople
from workflows.delivery.messenger import Refused, RetryLater
from workflows.kernel.messages import Message

PLATFORM = "Slack"
# What Slack answers when the message itself cannot be shown; sending it again cannot help.
REFUSALS = {
    "invalid_blocks": "the message's layout was not accepted",
    "invalid_blocks_format": "the message's layout was not accepted",
    "msg_too_long": "the message was too long",
    "too_many_attachments": "the message had too many parts",
}


class SlackMessenger:
    """Implements workflows.delivery.messenger.Messenger for Slack. A handle is
    '<channel>|<ts>', what `chat.update` needs to find the message again."""

    platform = PLATFORM
    # Slack allows about one message per second per conversation, with short bursts.
    per_person_rate = 1.0
    per_person_burst = 3.0
    overall_rate = 20.0
    overall_burst = 20.0

    def __init__(self, client: AsyncWebClient, people: SlackPeople) -> None:
        self._client = client
        self._people = people

    async def post(self, message: Message) -> str | None:
        user_id = await self._people.user_id(message.to)
        posted = await _paced(
            self._client.chat_postMessage,
            channel=user_id,
            blocks=card_blocks(message.card),
            text=card_text(message.card),
            mrkdwn=False,
        )
        return f"{posted['channel']}|{posted['ts']}"

    async def update(self, message: Message, handle: str) -> None:
        channel, ts = handle.split("|", 1)
        await _paced(
            self._client.chat_update,
            channel=channel,
            ts=ts,
            blocks=card_blocks(message.card),
            text=card_text(message.card),
        )


async def _paced(call: Callable[..., Awaitable[Any]], **arguments: Any) -> Any:
    """A Web API call, with Slack's rate limiting turned into RetryLater (with Retry-After) and
    its refusal of the message itself into Refused (with the blocks' size)."""
    try:
        return await call(**arguments)
    except SlackApiError as error:
        if error.response.status_code == 429:
            after = error.response.headers.get("Retry-After", "1")
            raise RetryLater("rate limited", float(after) if after.isdigit() else 1.0) from None
        code = error.response.get("error") if isinstance(error.response.data, dict) else None
        if code in REFUSALS:
            size = len(json.dumps(arguments.get("blocks", [])).encode())
            raise Refused(f"{code}: {REFUSALS[code]}", size) from None
        raise
