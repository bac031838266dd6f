"""`GET /healthz`: 200 with a small JSON status while storage can take writes, 503 otherwise."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.vitals import LoopWatch, peak_memory_mb
from workflows.kernel.ports import Health, StorageError

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.Response]]


def healthz(health: Health, about: dict[str, Any], loop_watch: LoopWatch) -> Handler:
    """`about` describes the bot (district, mode, platforms, storage) in every answer."""

    async def answer(_: web.Request) -> web.Response:
        try:
            await health.check()
        except StorageError as error:
            log.error("health check failed problem=%s", error)
            return web.json_response(
                {"status": "unavailable", "problem": str(error), **about}, status=503
            )
        failed = await health.failed_messages()
        # Messages given up on do not make the bot unusable, but someone must look at them.
        vitals = {
            "loop_lag_max_ms": round(loop_watch.max_lag * 1000, 1),
            "peak_memory_mb": round(peak_memory_mb(), 1),
        }
        return web.json_response(
            {"status": "ok", "undelivered_messages": len(failed), **about, **vitals}
        )

    return answer
