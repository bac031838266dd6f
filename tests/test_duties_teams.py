"""Monitoring in Teams: the check arrives as a card and is answered with one click."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer

from bot.bootstrap import Pagekeeper, build
from bot.config import Settings
from bot.web import make_app
from storage.memory import MemoryStore
from tests.fake_teams import TEAMS_ONLY, TOM, FakeConnector, TeamsClient, actions, text_of
from tests.fakes import FakeClock
from tests.stories import ask_for_page
from workflows.kernel.commands import ConfirmPageLive, Decide, RunReminders
from workflows.kernel.model import Person, Verdict


@dataclasses.dataclass
class Teams:
    connector: FakeConnector
    client: TeamsClient
    pagekeeper: Pagekeeper
    clock: FakeClock


@pytest.fixture
async def teams() -> AsyncIterator[Teams]:
    connector = FakeConnector()
    await connector.start()
    clock = FakeClock()
    pagekeeper = await build(Settings(), store=MemoryStore(), clock=clock, adapters=TEAMS_ONLY)
    server = TestServer(make_app(pagekeeper))
    await server.start_server()
    client = TeamsClient(str(server.make_url("/api/messages")), connector)
    yield Teams(connector, client, pagekeeper, clock)
    await client.close()
    await server.close()
    await connector.close()


async def test_the_weekly_check_arrives_and_is_answered_in_place(teams: Teams) -> None:
    engine, connector = teams.pagekeeper.engine, teams.connector
    await teams.client.install(TOM)
    tom = Person(TOM.email.lower(), TOM.name)
    await engine.handle(ask_for_page(tom))
    [request] = await teams.pagekeeper.store.find_requests()
    approved = await engine.handle(
        Decide(Person("ana.ruiz@example.org", "Ana"), request.id, 1, Verdict.APPROVE)
    )
    page_id = next(n for n in approved.messages if n.to == tom.email).card.buttons[0].value
    await engine.handle(ConfirmPageLive(tom, page_id, "https://facebook.com/room12", True))

    teams.clock.advance(days=7)
    await engine.handle(RunReminders())
    await connector.wait_for(
        lambda c: any("Monitoring check" in text_of(s.card) for s in c.to(TOM)), "the check"
    )
    check = next(s for s in connector.to(TOM) if "Monitoring check" in text_of(s.card))
    assert [a["title"] for a in check.card["actions"]] == [
        "Checked - nothing to remove",
        "I removed a post",
        "Snooze 1 day",
    ]
    assert "Tom Baker, Third Grade Teacher, Lincoln Elementary." in text_of(check.card)

    await teams.client.submit(TOM, actions(check.card)["Checked - nothing to remove"], {})
    await connector.wait_for(
        lambda c: any(
            s.verb == "PUT"
            and s.activity_id == check.activity_id
            and "Checked, nothing to remove" in text_of(s.card)
            for s in c.sent
        ),
        "the check updated in place",
    )
