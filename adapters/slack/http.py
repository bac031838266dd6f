"""Slack over HTTP: one aiohttp handler for events, commands and interactivity."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp


def slack_events_handler(app: AsyncApp) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The `POST /slack/events` handler; Bolt verifies the signature and answers 401 if bad."""

    async def slack_events(request: web.Request) -> web.Response:
        response = await app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    return slack_events
