"""/healthz tells an operator whether storage works and whether messages were given up on."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.bootstrap import build
from bot.config import Settings
from bot.web import make_app
from storage.memory import MemoryStore
from tests.fakes import FakeClock
from workflows.kernel.cards import Card
from workflows.kernel.messages import Message, OutboxEntry
from workflows.kernel.ports import Changes


async def test_messages_given_up_on_are_counted() -> None:
    store = MemoryStore()
    moment = datetime(2026, 11, 30, tzinfo=UTC)
    message = Message("tom.baker@example.org", Card("Hello"), "request:REQ-1:1")
    failed = OutboxEntry("MSG-1", message, moment, moment, attempts=12, failed_reason="Slack: 500")
    await store.commit(Changes(outbox=(failed,)))
    server = TestServer(make_app(await build(Settings(), store=store, clock=FakeClock())))
    await server.start_server()
    try:
        async with ClientSession() as session, session.get(server.make_url("/healthz")) as answer:
            body = await answer.json()
        assert answer.status == 200
        assert body["status"] == "ok" and body["undelivered_messages"] == 1
    finally:
        await server.close()
