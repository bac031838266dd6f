"""The one aiohttp application every route hangs off. It only mounts what bootstrap built."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web

from adapters.admin.guard import TokenGuard
from adapters.plug import Hook
from bot.adapters import ADAPTERS
from bot.bootstrap import Pagekeeper, Task
from bot.health import healthz
from bot.requests_log import METRICS, request_log

PAGEKEEPER = web.AppKey("pagekeeper", Pagekeeper)

# Slack and Teams payloads are a few kilobytes; anything far larger is refused unread (413).
MAX_BODY_BYTES = 512 * 1024


def make_app(pagekeeper: Pagekeeper) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[request_log])
    app[PAGEKEEPER] = pagekeeper
    app[METRICS] = pagekeeper.metrics
    admin = pagekeeper.settings.of("admin")
    if admin is not None:  # the figures are for the district's monitoring, behind its token
        guard = TokenGuard(admin.token, pagekeeper.clock)
        route = pagekeeper.metrics.route(
            guard, pagekeeper.store, pagekeeper.clock, pagekeeper.loop_watch
        )
        app.router.add_get("/metrics", route)
    app.router.add_get(
        "/healthz", healthz(pagekeeper.store, _about(pagekeeper), pagekeeper.loop_watch)
    )
    for task in pagekeeper.background:
        app.cleanup_ctx.append(_running(task))
    for plug in pagekeeper.plugs.values():
        app.add_routes(plug.routes)
        app.on_startup.extend(_signal(hook) for hook in plug.start)
        app.on_cleanup.extend(_signal(hook) for hook in plug.stop)
    app.on_cleanup.append(_signal(pagekeeper.store.close))
    return app


def _about(pagekeeper: Pagekeeper) -> dict[str, Any]:
    settings = pagekeeper.settings
    platforms = {a.name: a.name in settings.chat_platforms for a in ADAPTERS if a.chat_platform}
    return {
        "district": pagekeeper.engine.context.config.name,
        "mode": "local" if settings.local_mode else "connected",
        **platforms,
        "storage": "postgresql" if settings.database_url else "tinydb",
    }


def _running(task: Task) -> Callable[[web.Application], AsyncIterator[None]]:
    """Run `task` for as long as the app runs; cancelled (and awaited) at shutdown."""

    async def running(_: web.Application) -> AsyncIterator[None]:
        running_task = asyncio.create_task(task(), name=f"pagekeeper-{_name(task)}")
        yield
        running_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running_task

    return running


def _signal(hook: Hook) -> Callable[[web.Application], Awaitable[None]]:
    async def call(_: web.Application) -> None:
        await hook()

    return call


def _name(task: Task) -> str:
    return getattr(task, "__qualname__", "task").replace(".", "-").lower()
