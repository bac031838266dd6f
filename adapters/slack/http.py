"""Slack over HTTP: one aiohttp handler for events, commands and interactivity."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

# Slack refuses requests older than five minutes; within them a signature is used once.
REPLAY_WINDOW = 5 * 60


def slack_events_handler(
    app: AsyncApp, signing_secret: str
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The `POST /slack/events` handler: only correctly signed, fresh, first-seen requests
    reach Bolt (401 otherwise); a body that is not a Slack payload gets 400."""
    verifier = SignatureVerifier(signing_secret)
    seen: dict[str, float] = {}

    async def slack_events(request: web.Request) -> web.Response:
        try:
            body = (await request.read()).decode("utf-8")
        except UnicodeDecodeError:
            return web.Response(status=400, text="the body is not UTF-8 text")
        headers = request.headers
        signature = headers.get("X-Slack-Signature", "")
        stamp = headers.get("X-Slack-Request-Timestamp", "")
        if not (stamp.isdigit() and signature):
            return web.Response(status=401, text="missing signature")
        if not verifier.is_valid(body=body, timestamp=stamp, signature=signature):
            return web.Response(status=401, text="invalid or stale signature")
        # Slack's own redeliveries say so; they are acknowledged without being handled again.
        if "X-Slack-Retry-Num" not in headers:
            now = time.monotonic()
            for old in [key for key, at in seen.items() if now - at > REPLAY_WINDOW]:
                del seen[old]
            if signature in seen:
                return web.Response(status=401, text="this request was already received")
            seen[signature] = now
        try:
            bolt_request = AsyncBoltRequest(
                body=body,
                query=request.query_string,
                headers=headers,  # type: ignore[arg-type]
            )
        except Exception:  # a signed body Bolt cannot read is a malformed request
            log.warning("slack request unreadable")
            return web.Response(status=400, text="not a Slack payload")
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    return slack_events
