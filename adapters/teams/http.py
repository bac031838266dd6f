"""Teams over HTTP: `POST /api/messages`, authenticated before anything else happens.

Any failure to authenticate is a 401, never a 500. With no app id (local mode only) the
Bot Framework Emulator's unauthenticated requests are accepted, but the bot will only ever
send replies to a service URL on this machine.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from botbuilder.core import Bot
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity

from adapters.network import is_loopback
from adapters.teams.connector import ReusingAuthentication

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def teams_messages_handler(
    adapter: CloudAdapter, authentication: ReusingAuthentication, bot: Bot, *, local: bool
) -> Handler:
    async def messages(request: web.Request) -> web.StreamResponse:
        if request.content_type != "application/json":
            return web.json_response({"error": "expected application/json"}, status=415)
        activity = await _activity(request)
        if activity is None:
            return web.json_response(
                {"error": "the body is not a Bot Framework activity"}, status=400
            )
        if local and not _on_this_machine(activity.service_url):
            log.warning("teams activity refused: local mode replies only to loopback service URLs")
            return web.json_response({"error": "local mode only talks to this machine"}, status=403)
        try:
            authenticated = await authentication.authenticate_request(
                activity, request.headers.get("Authorization", "")
            )
        except Exception as error:  # every way a token can be bad ends here, as a 401
            log.warning("teams request refused: %s", type(error).__name__)
            return web.json_response({"error": "unauthorized"}, status=401)
        invoke = await adapter.process_activity(authenticated, activity, bot.on_turn)
        if invoke is not None:
            return web.json_response(invoke.body, status=invoke.status)
        return web.Response(status=201)

    return messages


async def _activity(request: web.Request) -> Activity | None:
    try:
        body = await request.json()
        activity = Activity().deserialize(body) if isinstance(body, dict) else None
    except web.HTTPException:
        raise  # 413 for a body over the size limit
    except Exception:  # msrest raises its own errors for wrong types; all mean a bad body
        return None
    return activity if activity is not None and activity.type else None


def _on_this_machine(service_url: str | None) -> bool:
    return is_loopback(urlsplit(service_url or "").hostname or "")
