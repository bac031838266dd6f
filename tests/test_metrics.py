"""`GET /metrics` (part of #19): Prometheus text behind the admin token, parsed with the
Prometheus client's own parser, showing what the running bot did and what waits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bot.bootstrap import build
from bot.config import settings_from
from bot.metrics import Metrics
from bot.web import make_app
from storage.memory import MemoryStore
from tests.conftest import TEACHER
from tests.fakes import FakeClock
from tests.generated import live_page
from tests.stories import ask_for_page
from tests.test_store_contract import a_message
from workflows.engine import Engine
from workflows.kernel.ports import Changes, Store

TOKEN = "m" * 40


@pytest.fixture
async def site() -> AsyncIterator[tuple[ClientSession, str, FakeClock]]:
    clock = FakeClock()
    store = MemoryStore()
    pagekeeper = await build(
        settings_from({"PAGEKEEPER_ADMIN_TOKEN": TOKEN}), store=store, clock=clock
    )
    # A live page, and a message made ten minutes ago that is still waiting.
    waiting = a_message(1, created_at=clock.now() - timedelta(minutes=10))
    await store.commit(Changes(pages=(live_page(1, TEACHER, clock.now()),), outbox=(waiting,)))
    server = TestServer(make_app(pagekeeper))
    await server.start_server()
    async with ClientSession() as session:
        yield session, str(server.make_url("/")), clock
    await server.close()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_need_the_admin_token(site: tuple[ClientSession, str, FakeClock]) -> None:
    session, base, _ = site
    async with session.get(base + "metrics") as answer:
        assert answer.status == 401
    async with session.get(base + "metrics", headers={"Authorization": "Bearer nope"}) as answer:
        assert answer.status == 401


async def test_metrics_show_requests_the_store_and_the_outbox(
    site: tuple[ClientSession, str, FakeClock],
) -> None:
    session, base, _ = site
    for _ in range(3):
        async with session.get(base + "healthz") as answer:
            assert answer.status == 200
    async with session.post(
        base + "playground/say", json={"as": TEACHER.email, "text": "my-pages"}
    ) as answer:
        assert answer.status == 200
    async with session.get(base + "metrics", headers={"Authorization": f"Bearer {TOKEN}"}) as got:
        assert got.status == 200 and got.headers["Content-Type"].startswith("text/plain")
        found = samples(await got.text())
    assert found[("pagekeeper_requests_total", (("route", "/healthz"), ("status", "200")))] == 3
    assert found[("pagekeeper_answer_seconds_count", (("route", "/playground/say"),))] == 1
    assert found[("pagekeeper_store_commit_seconds_count", ())] >= 1
    assert found[("pagekeeper_outbox_waiting_messages", ())] == 1
    assert found[("pagekeeper_outbox_oldest_waiting_seconds", ())] == 600
    assert found[("pagekeeper_pages", (("status", "active"),))] == 1
    assert found[("pagekeeper_pages", (("status", "retired"),))] == 0
    assert found[("pagekeeper_messages_given_up", ())] == 0
    assert ("pagekeeper_event_loop_lag_seconds", ()) in found
    assert ("pagekeeper_event_loop_lags_seconds_count", ()) in found
    assert ("pagekeeper_reminders_run_seconds_count", ()) in found
    assert ("pagekeeper_engine_turn_seconds_count", ()) in found
    assert all(name.startswith("pagekeeper_") for name, _ in found)


async def test_without_an_admin_token_there_is_no_metrics_route() -> None:
    pagekeeper = await build(settings_from({}), store=MemoryStore(), clock=FakeClock())
    server = TestServer(make_app(pagekeeper))
    await server.start_server()
    try:
        async with ClientSession() as session, session.get(server.make_url("/metrics")) as got:
            assert got.status == 404
    finally:
        await server.close()


async def test_each_write_is_timed_once_whichever_way_it_is_made(
    engine: Engine, store: Store
) -> None:
    metrics = Metrics()
    metrics.time_commits(store)
    assert (await engine.handle(ask_for_page(TEACHER))).accepted  # in the engine's turn
    await store.commit(Changes(outbox=(a_message(1),)))  # as the dispatcher writes
    found = samples(generate_latest(metrics.registry).decode())
    assert found[("pagekeeper_store_commit_seconds_count", ())] == 2
