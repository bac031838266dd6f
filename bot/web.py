"""The one aiohttp application every route hangs off."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from adapters.admin.exports import add_export_routes
from adapters.slack.http import slack_events_handler
from bot.bootstrap import Pagekeeper
from bot.config import Settings
from bot.duties import carry_duties_forward
from bot.vitals import LoopWatch, peak_memory_mb
from workflows.ports import StorageError

log = logging.getLogger(__name__)

PAGEKEEPER = web.AppKey("pagekeeper", Pagekeeper)
LOOP_WATCH = web.AppKey("loop_watch", LoopWatch)


# Slack and Teams payloads are a few kilobytes; anything far larger is refused unread (413).
MAX_BODY_BYTES = 512 * 1024


def make_app(pagekeeper: Pagekeeper) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[PAGEKEEPER] = pagekeeper
    app[LOOP_WATCH] = LoopWatch()
    app.cleanup_ctx.append(_watching)
    app.router.add_get("/healthz", healthz)
    if pagekeeper.slack is not None:
        _add_slack(app, pagekeeper.slack.bolt, pagekeeper.settings)
    if pagekeeper.teams is not None:
        app.router.add_post("/api/messages", pagekeeper.teams.handler)
        app.on_cleanup.append(_close_teams)
    if pagekeeper.playground is not None:
        pagekeeper.playground.routes(app)
    if pagekeeper.settings.admin_token:
        add_export_routes(app, pagekeeper.store, pagekeeper.config, pagekeeper.settings.admin_token)
    if pagekeeper.dispatcher is not None:
        app.cleanup_ctx.append(_dispatching)
        app.cleanup_ctx.append(_duties)
    app.on_cleanup.append(_close_store)
    return app


async def _watching(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(app[LOOP_WATCH].run(), name="pagekeeper-loop-watch")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _duties(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(
        carry_duties_forward(app[PAGEKEEPER].engine), name="pagekeeper-duties"
    )
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _dispatching(app: web.Application) -> AsyncIterator[None]:
    """Deliver the outbox for as long as the app runs, starting with what a restart left."""
    dispatcher = app[PAGEKEEPER].dispatcher
    assert dispatcher is not None
    task = asyncio.create_task(dispatcher.run(), name="pagekeeper-dispatcher")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _add_slack(app: web.Application, slack: AsyncApp, settings: Settings) -> None:
    """HTTP mode needs the signing secret; Socket Mode needs the app-level token."""
    if settings.slack_signing_secret:
        app.router.add_post(
            "/slack/events", slack_events_handler(slack, settings.slack_signing_secret)
        )
    if settings.slack_app_token:
        socket = AsyncSocketModeHandler(slack, settings.slack_app_token)

        async def connect(_: web.Application) -> None:
            await socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("slack socket mode connected")

        async def disconnect(_: web.Application) -> None:
            await socket.close_async()  # type: ignore[no-untyped-call]

        app.on_startup.append(connect)
        app.on_cleanup.append(disconnect)

    async def close_session(_: web.Application) -> None:
        if slack.client.session is not None:
            await slack.client.session.close()

    app.on_cleanup.append(close_session)


async def healthz(request: web.Request) -> web.Response:
    """200 while storage can take writes, 503 with the reason otherwise."""
    pagekeeper = request.app[PAGEKEEPER]
    settings = pagekeeper.settings
    body: dict[str, object] = {
        "district": pagekeeper.config.name,
        "mode": "local" if settings.local_mode else "connected",
        "slack": settings.slack_enabled,
        "teams": settings.teams_enabled,
        "storage": "postgresql" if settings.database_url else "tinydb",
    }
    try:
        await pagekeeper.store.check()
    except StorageError as error:
        log.error("health check failed problem=%s", error)
        return web.json_response(
            {"status": "unavailable", "problem": str(error), **body}, status=503
        )
    failed = await pagekeeper.store.failed_messages()
    # Messages given up on do not make the bot unusable, but someone must look at them.
    vitals = {
        "loop_lag_max_ms": round(request.app[LOOP_WATCH].max_lag * 1000, 1),
        "peak_memory_mb": round(peak_memory_mb(), 1),
    }
    return web.json_response(
        {"status": "ok", "undelivered_messages": len(failed), **body, **vitals}
    )


async def _close_teams(app: web.Application) -> None:
    teams = app[PAGEKEEPER].teams
    if teams is not None:
        await teams.close()


async def _close_store(app: web.Application) -> None:
    await app[PAGEKEEPER].store.close()
