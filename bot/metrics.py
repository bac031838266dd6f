"""`GET /metrics`: how the bot is doing over time, in the Prometheus text format, for the
district's monitoring to scrape with `Authorization: Bearer <PAGEKEEPER_ADMIN_TOKEN>` (no
token configured: no route). Each process keeps its own figures; gauges that describe the
shared store (the outbox, pages by status) are the same whichever process answers."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import Counter as CounterMetric

from adapters.admin.guard import TokenGuard
from bot.vitals import LoopWatch
from workflows.kernel.model import PageStatus
from workflows.kernel.ports import Clock, Durable, Health, Store

Handler = Callable[[web.Request], Awaitable[web.Response]]
# Slack waits 3 s for an answer; the buckets show how close to that answers come.
ANSWER_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
# Everyone waits while the loop is busy; 10 ms is a lag nobody notices, 25 ms the worst wanted.
LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
# Set while a write is being timed: a store's commit may make its commit_in_turn (or the other
# way round), and one write is observed once.
_TIMING: ContextVar[bool] = ContextVar("timing", default=False)


class Metrics:
    """The figures one process keeps; `route` serves them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = CounterMetric(
            "pagekeeper_requests", "HTTP requests answered", ("route", "status"),
            registry=self.registry,
        )  # fmt: skip
        self.answer_seconds = Histogram(
            "pagekeeper_answer_seconds", "Time to answer a request (Slack and Teams: the "
            "acknowledgement)", ("route",), buckets=ANSWER_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.commit_seconds = Histogram(
            "pagekeeper_store_commit_seconds", "Time to write one change to the store",
            registry=self.registry,
        )  # fmt: skip
        self.turn_seconds = Histogram(
            "pagekeeper_engine_turn_seconds", "Time a command held its turn in the engine "
            "(commands that change records wait while every turn is held: one on TinyDB, several "
            "on PostgreSQL)", buckets=LAG_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.reminders_seconds = Histogram(
            "pagekeeper_reminders_run_seconds", "Time a reminders run took (all its batches)",
            registry=self.registry,
        )  # fmt: skip
        self.outbox_waiting = Gauge(
            "pagekeeper_outbox_waiting_messages", "Messages waiting to be delivered",
            registry=self.registry,
        )  # fmt: skip
        self.outbox_oldest = Gauge(
            "pagekeeper_outbox_oldest_waiting_seconds",
            "How long the oldest waiting message has waited (0 when none)", registry=self.registry,
        )  # fmt: skip
        self.given_up = Gauge(
            "pagekeeper_messages_given_up", "Messages the bot gave up delivering",
            registry=self.registry,
        )  # fmt: skip
        self.loop_lag = Gauge(
            "pagekeeper_event_loop_lag_seconds", "Worst event-loop lag in the last minute",
            registry=self.registry,
        )  # fmt: skip
        self.loop_lags = Histogram(
            "pagekeeper_event_loop_lags_seconds", "Event-loop lag, measured ten times a second",
            buckets=LAG_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.pages = Gauge(
            "pagekeeper_pages", "Official pages by status", ("status",), registry=self.registry
        )

    def answered(self, route: str, status: int, seconds: float) -> None:
        self.requests.labels(route, str(status)).inc()
        self.answer_seconds.labels(route).observe(seconds)

    def time_commits(self, store: Store) -> None:
        """Observe the time of every write to `store`, by the engine (until it is durable) or
        the dispatcher."""
        commit, commit_in_turn = store.commit, store.commit_in_turn

        async def timed_commit(changes: Any) -> None:
            if _TIMING.get():
                return await commit(changes)
            started, timing = time.perf_counter(), _TIMING.set(True)
            try:
                await commit(changes)
            finally:
                _TIMING.reset(timing)
                self.commit_seconds.observe(time.perf_counter() - started)

        async def timed_in_turn(changes: Any) -> Durable:
            if _TIMING.get():
                return await commit_in_turn(changes)
            started, timing = time.perf_counter(), _TIMING.set(True)
            try:
                durable = await commit_in_turn(changes)
            except BaseException:
                self.commit_seconds.observe(time.perf_counter() - started)
                raise
            finally:
                _TIMING.reset(timing)

            async def observed() -> None:
                try:
                    await durable()
                finally:
                    self.commit_seconds.observe(time.perf_counter() - started)

            return observed

        # An instance's own methods, replaced: every part of the bot holds this one store.
        setattr(store, "commit", timed_commit)  # noqa: B010
        setattr(store, "commit_in_turn", timed_in_turn)  # noqa: B010

    def route(self, guard: TokenGuard, health: Health, clock: Clock, loop: LoopWatch) -> Handler:
        """The handler: the token first, then the store's gauges read afresh."""

        async def metrics(request: web.Request) -> web.Response:
            refused = guard.refusal(request)
            if refused is not None:
                return refused
            waiting, oldest = await health.outbox_waiting()
            self.outbox_waiting.set(waiting)
            since = (clock.now() - oldest).total_seconds() if oldest else 0.0
            self.outbox_oldest.set(max(0.0, since))
            self.given_up.set(len(await health.failed_messages()))
            self.loop_lag.set(loop.max_lag)
            counted = await health.pages_by_status()
            for status in PageStatus:
                self.pages.labels(status.value).set(counted.get(status, 0))
            body = generate_latest(self.registry)
            return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

        return metrics
