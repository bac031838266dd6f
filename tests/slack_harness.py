"""The Slack test harness: the running app, a fake Web API, and a client that signs requests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.bootstrap import build
from bot.config import settings_from
from bot.web import make_app
from storage.memory import MemoryStore
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackClient
from tests.fakes import FakeClock
from tests.stories import ask_for_page
from workflows.delivery.dispatcher import Dispatcher
from workflows.engine import Engine
from workflows.kernel.commands import ConfirmPageLive, Decide
from workflows.kernel.model import Person, Verdict

# The bot scope each Web API method needs (https://api.slack.com/methods).
SCOPES_BY_METHOD = {
    "auth.test": None,
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "users.info": "users:read",
    "users.lookupByEmail": "users:read.email",
    "views.open": None,
    "views.publish": None,
}


@dataclass
class Harness:
    fake: FakeSlack
    slack: SlackClient
    store: MemoryStore
    clock: FakeClock
    engine: Engine
    dispatcher: Dispatcher

    def last_view(self) -> dict[str, Any]:
        return dict(self.fake.of("views.open")[-1].args["view"])

    async def open_form(self, user: str) -> dict[str, Any]:
        opened = len(self.fake.of("views.open"))
        status, _ = await self.slack.slash_command(user)
        assert status == 200
        await self.fake.wait_for(lambda f: len(f.of("views.open")) > opened, "the form opening")
        return self.last_view()

    async def click(self, user: str, button: dict[str, Any], **options: Any) -> tuple[int, str]:
        return await self.slack.click(user, button, **options)

    async def click_for_form(self, user: str, button: dict[str, Any]) -> dict[str, Any]:
        opened = len(self.fake.of("views.open"))
        status, _ = await self.click(user, button)
        assert status == 200
        await self.fake.wait_for(lambda f: len(f.of("views.open")) > opened, "a form opening")
        return self.last_view()

    async def latest_message_to(self, user: str, count: int) -> dict[str, Any]:
        await self.fake.wait_for(
            lambda f: len(f.messages_to(user)) >= count, f"message {count} to {user}"
        )
        return self.fake.messages_to(user)[count - 1].args


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    fake = FakeSlack()
    await fake.start()
    store = MemoryStore()
    settings = settings_from(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_TEAM_ID": "T1",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            # A district with its web pages on, as a deployed one would be.
            "PAGEKEEPER_PUBLIC_URL": "https://pagekeeper.example.org",
        }
    )
    clock = FakeClock()
    pagekeeper = await build(settings, store=store, clock=clock)
    server = TestServer(make_app(pagekeeper))
    await server.start_server()
    slack = SlackClient(str(server.make_url("/slack/events")), fake)
    assert pagekeeper.dispatcher is not None
    yield Harness(fake, slack, store, clock, pagekeeper.engine, pagekeeper.dispatcher)
    unexpected = {call.method for call in fake.calls} - set(SCOPES_BY_METHOD)
    assert not unexpected, f"the bot called {unexpected}; add their scopes to the manifest"
    await slack.close()
    await server.close()
    await fake.close()


async def a_live_page(harness: Harness, url: str = "https://www.facebook.com/Room12News") -> str:
    """Through the engine: Tom's Room 12 page, approved by Ana and live at `url`."""
    tom = Person("tom.baker@example.org", "Tom Baker")
    ana = Person("ana.ruiz@example.org", "Ana Ruiz")
    engine = harness.engine
    await engine.handle(ask_for_page(tom))
    [request] = await harness.store.find_requests()
    approved = await engine.handle(Decide(ana, request.id, 1, Verdict.APPROVE))
    page_id = next(n for n in approved.messages if n.to == tom.email).card.buttons[0].value
    await engine.handle(ConfirmPageLive(tom, page_id, url, True))
    return page_id
