"""Every request gets an id that every log line written while serving it carries, and one
access line when it is answered: method, route (the pattern, never the path people typed),
status and time taken. Never bodies, tokens or query strings."""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.metrics import Metrics
from workflows.kernel.randomness import random_bytes

log = logging.getLogger("bot.access")
METRICS = web.AppKey("metrics", Metrics)
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def request_log(request: web.Request, handler: Handler) -> web.StreamResponse:
    token = REQUEST_ID.set(random_bytes(6).hex())
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as answer:
        status = answer.status
        raise
    finally:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "(no route)"
        took = time.perf_counter() - started
        log.info(
            "request method=%s route=%s status=%d ms=%.1f",
            request.method,
            route,
            status,
            took * 1000,
        )
        metrics = request.config_dict.get(METRICS)
        if metrics is not None:
            metrics.answered(route, status, took)
        REQUEST_ID.reset(token)


class WithRequestId(logging.Filter):
    """Gives each log record the id of the request being served (empty outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True
