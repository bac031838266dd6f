"""Red-team finding 2: identity is bound to the district's Slack workspace and Microsoft 365
tenant. A profile email proves nothing from elsewhere: the person is refused, audited, and
never replaces the stored conversation of the staff member whose email they show."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer

from bot.bootstrap import build
from bot.config import SettingsError, settings_from
from bot.web import make_app
from storage.memory import MemoryStore
from tests.conftest import TEACHER
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET
from tests.fake_teams import (
    ANA,
    TEAMS_ONLY,
    TOM,
    FakeConnector,
    TeamsClient,
    TeamsUser,
    actions,
    text_of,
)
from tests.fakes import FakeClock
from tests.records import audit_entries
from tests.slack_harness import Harness
from tests.stories import ask_for_page
from workflows.kernel.model import RequestStatus

# Someone in another tenant whose Teams profile shows the principal's email.
IMPOSTOR = TeamsUser("29:impostor", "aad-impostor", "Ana Ruiz", ANA.email, tenant="t-elsewhere")


async def test_slack_refuses_a_request_from_another_workspace(harness: Harness) -> None:
    status, said = await harness.slack.slash_command("UTOM", "/my-requests", team="T-ELSEWHERE")
    assert status == 200 and "not part of the district's Slack" in said
    assert harness.fake.of("users.info") == [], "nobody from elsewhere is looked up"
    [entry] = await audit_entries(harness.store, "T-ELSEWHERE")
    assert (entry.action, entry.actor) == ("OutsiderRefused", "Slack:UTOM")


async def test_slack_refuses_a_click_from_another_workspace(harness: Harness) -> None:
    await harness.engine.handle(ask_for_page(TEACHER))
    await harness.dispatcher.drain()
    card = await harness.latest_message_to("UANA", 1)
    approve = next(
        element
        for block in card["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["text"]["text"] == "Approve"
    )
    status, _ = await harness.slack.click("UANA", approve, team="T-ELSEWHERE")
    assert status == 200
    [request] = await harness.store.find_requests()
    assert request.status is RequestStatus.PENDING


@pytest.mark.parametrize(
    ("environment", "needs"),
    [
        (
            {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET},
            "SLACK_TEAM_ID",
        ),
        ({"MicrosoftAppId": "app", "MicrosoftAppPassword": "x"}, "PAGEKEEPER_TEAMS_TENANT_ID"),
    ],
)
def test_a_platform_without_its_workspace_or_tenant_does_not_start(
    environment: dict[str, str], needs: str
) -> None:
    with pytest.raises(SettingsError, match=needs):
        settings_from(environment)


def test_the_teams_app_tenant_counts_as_the_districts() -> None:
    settings = settings_from({"MicrosoftAppId": "app", "MicrosoftAppTenantId": "t1, t2"})
    assert settings.of("teams").tenants == frozenset({"t1", "t2"})


@pytest.fixture
async def teams() -> AsyncIterator[tuple[TeamsClient, FakeConnector, MemoryStore]]:
    connector = FakeConnector()
    connector.users[IMPOSTOR.aad] = IMPOSTOR
    await connector.start()
    store = MemoryStore()
    # Local mode (the Emulator), with the district's tenant set: it applies.
    settings = settings_from({"PAGEKEEPER_TEAMS_TENANT_ID": "t1"})
    assert settings.local_mode
    pagekeeper = await build(settings, store=store, clock=FakeClock(), adapters=TEAMS_ONLY)
    server = TestServer(make_app(pagekeeper))
    await server.start_server()
    client = TeamsClient(str(server.make_url("/api/messages")), connector)
    yield client, connector, store
    await client.close()
    await server.close()
    await connector.close()


async def test_teams_someone_from_another_tenant_cannot_take_over_a_principal(
    teams: tuple[TeamsClient, FakeConnector, MemoryStore],
) -> None:
    client, connector, store = teams
    assert await client.install(ANA) == 201
    assert await client.install(IMPOSTOR) == 201
    assert await client.say(IMPOSTOR, "my-requests") == 201
    refused = connector.to(IMPOSTOR)[-1]
    assert "not part of the district's Teams" in text_of(refused.card)

    assert await client.install(TOM) == 201
    assert await client.say(TOM, "request-page") == 201
    await connector.wait_for(lambda c: len(c.to(TOM)) >= 2, "the form")
    form = connector.to(TOM)[-1]
    values = {
        "kind": "classroom",
        "school": "lincoln",
        "platform": "facebook",
        "page_name": "Room 12 News",
        "purpose": "Share classroom news and homework reminders with families.",
        "audience": "Families of Room 12",
        "acknowledged": "true",
    }
    await client.submit(TOM, actions(form.card)["Send request"], values)
    await connector.wait_for(
        lambda c: any("Room 12" in str(s.body) for s in c.to(ANA)), "Ana's card"
    )
    assert not any("Room 12" in str(sent.body) for sent in connector.to(IMPOSTOR))

    card = next(s for s in connector.to(ANA) if "Room 12" in str(s.body))
    await client.submit(IMPOSTOR, actions(card.card)["Approve"], {})
    [request] = await store.find_requests()
    assert request.status is RequestStatus.PENDING, "the impostor's click decides nothing"
    refusals = [
        e for e in await audit_entries(store, "t-elsewhere") if e.action == "OutsiderRefused"
    ]
    assert len(refusals) == 3 and all(e.actor == "Teams:aad-impostor" for e in refusals)
