"""The one aiohttp application every route hangs off."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.bootstrap import Pagekeeper
from workflows.ports import StorageError

log = logging.getLogger(__name__)

PAGEKEEPER = web.AppKey("pagekeeper", Pagekeeper)


def make_app(pagekeeper: Pagekeeper) -> web.Application:
    app = web.Application()
    app[PAGEKEEPER] = pagekeeper
    app.router.add_get("/healthz", healthz)
    app.on_cleanup.append(_close_store)
    return app


async def healthz(request: web.Request) -> web.Response:
    """200 while storage can take writes, 503 with the reason otherwise."""
    pagekeeper = request.app[PAGEKEEPER]
    settings = pagekeeper.settings
    body: dict[str, object] = {
        "district": pagekeeper.config.name,
        "mode": "local" if settings.local_mode else "connected",
        "slack": settings.slack_enabled,
        "teams": settings.teams_enabled,
    }
    try:
        await pagekeeper.store.check()
    except StorageError as error:
        log.error("health check failed problem=%s", error)
        return web.json_response(
            {"status": "unavailable", "problem": str(error), **body}, status=503
        )
    return web.json_response({"status": "ok", **body})


async def _close_store(app: web.Application) -> None:
    await app[PAGEKEEPER].store.close()
