"""Slack over HTTP: one aiohttp handler for events, commands and interactivity."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from adapters.slack.payloads import payload_json
from workflows.kernel.ports import Clock, OnceOnly, StorageError

log = logging.getLogger(__name__)

# Slack refuses requests older than five minutes; within them a signature is used once.
REPLAY_WINDOW = timedelta(minutes=5)


def slack_events_handler(
    app: AsyncApp,
    signing_secret: str,
    once: OnceOnly,
    clock: Clock,
    at_once: Callable[[str], bool] = lambda body: False,
    submitted: Callable[[str], Awaitable[web.Response | None]] | None = None,
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The `POST /slack/events` handler: only correctly signed, fresh, first-seen requests
    go further (401 otherwise); a body that is not a Slack payload gets 400. Signatures seen
    are kept in the store, so a replay is refused after a restart and by every process.
    What needs no Bolt is answered before it: `at_once(body)` a blank form opening,
    `submitted(payload JSON)` a form submitted. The rest goes to Bolt."""
    verifier = SignatureVerifier(signing_secret)

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
        first_delivery = "X-Slack-Retry-Num" not in headers
        if first_delivery:
            try:
                first = await once.first_time(f"slack:{signature}", clock.now(), REPLAY_WINDOW)
            except StorageError:
                log.error("slack request refused: the store cannot record it")
                return web.Response(status=503, text="try again shortly")
            if not first:
                return web.Response(status=401, text="this request was already received")
        if first_delivery and at_once(body):
            return web.Response(status=200)
        payload = payload_json(body)
        if first_delivery and payload is not None and submitted is not None:
            answered = await submitted(payload)
            if answered is not None:
                return answered
        try:
            bolt_request = AsyncBoltRequest(
                # Bolt reads a payload's JSON as it is; it would decode the form body slowly.
                body=payload or body,
                query=request.query_string,
                headers=headers,  # type: ignore[arg-type]
            )
        except Exception:  # a signed body Bolt cannot read is a malformed request
            log.warning("slack request unreadable")
            return web.Response(status=400, text="not a Slack payload")
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    return slack_events
