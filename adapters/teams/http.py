"""Teams over HTTP: `POST /api/messages`, authenticated before anything else happens.

Any failure to authenticate is a 401, never a 500. With no app id (local mode only) the
Bot Framework Emulator's unauthenticated requests are accepted, but the bot will only ever
send replies to a service URL on this machine.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from botbuilder.core import Bot
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ChannelAccount

from adapters.network import is_loopback
from adapters.teams.connector import ReusingAuthentication

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Bot Framework activities are a few kilobytes; a card submission with every field full is
# well under this.
MAX_ACTIVITY_BYTES = 128 * 1024


def teams_messages_handler(
    adapter: CloudAdapter, authentication: ReusingAuthentication, bot: Bot, *, local: bool
) -> Handler:
    async def messages(request: web.Request) -> web.StreamResponse:
        if request.content_type != "application/json":
            return web.json_response({"error": "expected application/json"}, status=415)
        if not local and not request.headers.get("Authorization", "").startswith("Bearer "):
            return web.json_response({"error": "unauthorized"}, status=401)
        if (request.content_length or 0) > MAX_ACTIVITY_BYTES:
            return web.json_response({"error": "the activity is too large"}, status=413)
        body = await _body(request)
        envelope = _envelope(body) if body is not None else None
        if body is None or envelope is None:
            return web.json_response(
                {"error": "the body is not a Bot Framework activity"}, status=400
            )
        if local and not _on_this_machine(envelope.service_url):
            log.warning("teams activity refused: local mode replies only to loopback service URLs")
            return web.json_response({"error": "local mode only talks to this machine"}, status=403)
        # The token is checked against the activity's channel and service URL alone: the whole
        # activity (slow to deserialize) is read only for a caller the token vouches for.
        try:
            authenticated = await authentication.authenticate_request(
                envelope, request.headers.get("Authorization", "")
            )
        except Exception as error:  # every way a token can be bad ends here, as a 401
            log.warning("teams request refused: %s", type(error).__name__)
            return web.json_response({"error": "unauthorized"}, status=401)
        activity = _activity(body)
        if activity is None:
            return web.json_response(
                {"error": "the body is not a Bot Framework activity"}, status=400
            )
        invoke = await adapter.process_activity(authenticated, activity, bot.on_turn)
        if invoke is not None:
            return web.json_response(invoke.body, status=invoke.status)
        return web.Response(status=201)

    return messages


async def _body(request: web.Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except web.HTTPException:
        raise  # 413 for a body over the size limit
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _envelope(body: dict[str, Any]) -> Activity | None:
    """What authentication looks at: the channel, the service URL, the recipient's role."""
    channel, service_url = body.get("channelId"), body.get("serviceUrl")
    recipient = body.get("recipient")
    role = recipient.get("role") if isinstance(recipient, dict) else None
    if not isinstance(channel, str) or not isinstance(service_url, str):
        return None
    return Activity(
        channel_id=channel,
        service_url=service_url,
        recipient=ChannelAccount(role=role if isinstance(role, str) else None),
    )


def _activity(body: dict[str, Any]) -> Activity | None:
    try:
        activity = Activity().deserialize(body)
    except Exception:  # msrest raises its own errors for wrong types; all mean a bad body
        return None
    return activity if activity is not None and activity.type else None


def _on_this_machine(service_url: str | None) -> bool:
    return is_loopback(urlsplit(service_url or "").hostname or "")
