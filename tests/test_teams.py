"""Teams end to end: Bot Framework activities into the app, replies onto a fake connector."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.bootstrap import build
from bot.config import Settings
from bot.web import make_app
from storage.memory import MemoryStore
from tests.conftest import TEACHER
from tests.fake_teams import (
    ANA,
    DANA,
    GRACE,
    STRANGER,
    TEAMS_ONLY,
    TOM,
    FakeConnector,
    TeamsClient,
    actions,
    input_ids,
    text_of,
)
from tests.fakes import FakeClock
from tests.stories import ask_for_page
from workflows.kernel.model import PageStatus, RequestStatus

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "kind": "classroom",
    "school": "lincoln",
    "platform": "facebook",
    "page_name": "Room 12 News",
    "purpose": "Share classroom news and homework reminders with families.",
    "audience": "Families of Room 12",
    "co_owners": "grace.hopper@example.org",
    "acknowledged": "true",
}


@dataclass
class Harness:
    connector: FakeConnector
    teams: TeamsClient
    store: MemoryStore

    async def nth_to(self, user: object, count: int) -> object:
        await self.connector.wait_for(
            lambda c: len(c.to(user)) >= count, f"{count} activities to {user}"
        )  # type: ignore[arg-type]
        return self.connector.to(user)[count - 1]  # type: ignore[arg-type]


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    connector = FakeConnector()
    await connector.start()
    store = MemoryStore()
    pagekeeper = await build(Settings(), store=store, clock=FakeClock(), adapters=TEAMS_ONLY)
    server = TestServer(make_app(pagekeeper))
    await server.start_server()
    teams = TeamsClient(str(server.make_url("/api/messages")), connector)
    yield Harness(connector, teams, store)
    await teams.close()
    await server.close()
    await connector.close()


async def test_a_page_from_request_page_to_live_in_teams(harness: Harness) -> None:
    connector, teams, store = harness.connector, harness.teams, harness.store

    # Tom installs the bot and is welcomed; then asks for the form.
    assert await teams.install(TOM) == 201
    welcome = await harness.nth_to(TOM, 1)
    assert "request-page" in text_of(welcome.card)
    assert await teams.say(TOM, "request-page") == 201
    form = (await harness.nth_to(TOM, 2)).card
    assert form["version"] == "1.5"
    assert input_ids(form) == [
        "kind",
        "school",
        "platform",
        "page_name",
        "purpose",
        "audience",
        "co_owners",
        "acknowledged",
    ]
    form_id = connector.to(TOM)[1].activity_id

    # Mistakes come back on the card, in place; nothing is stored.
    send = actions(form)["Send request"]
    assert await teams.submit(TOM, send, {**GOOD, "purpose": "Fun"}, reply_to=form_id) == 201
    corrected = await harness.nth_to(TOM, 3)
    assert (corrected.verb, corrected.activity_id) == ("PUT", form_id)
    assert "Please write the purpose in at least 20 characters." in text_of(corrected.card)
    assert await store.find_requests() == []

    # A good request: Tom is told; Ana has not installed the bot, so Tom and Dana hear why.
    assert await teams.submit(TOM, send, GOOD, reply_to=form_id) == 201
    await connector.wait_for(lambda c: len(c.to(TOM)) >= 5, "the confirmation and the warning")
    told = "\n".join(text_of(s.card) for s in connector.to(TOM)[3:5])
    assert "went to the principal of Lincoln Elementary (Ana Ruiz)" in told
    assert "has not installed Pagekeeper in Teams yet" in told
    [request] = await store.find_requests()
    assert request.status is RequestStatus.PENDING

    # Ana installs the bot: the approval card that waited for her arrives.
    await teams.install(ANA)
    await connector.wait_for(
        lambda c: any("Approve" in actions(s.card) for s in c.to(ANA)), "Ana's card"
    )
    approval = next(s for s in connector.to(ANA) if "Approve" in actions(s.card))
    assert [a["title"] for a in approval.card["actions"]] == ["Approve", "Request changes", "Deny"]

    # A stranger's click is refused and changes nothing.
    await teams.install(STRANGER)
    assert await teams.submit(STRANGER, actions(approval.card)["Approve"], {}) == 201
    await connector.wait_for(
        lambda c: any("Only the principal" in text_of(s.card) for s in c.to(STRANGER)),
        "the refusal",
    )
    assert (await store.get_request(request.id)).status is RequestStatus.PENDING  # type: ignore[union-attr]

    # Ana approves; her card is updated in place, and both owners get their instructions.
    before = len(connector.sent)
    assert await teams.submit(ANA, actions(approval.card)["Approve"], {}) == 201
    await connector.wait_for(
        lambda c: any(s.verb == "PUT" and s.activity_id == approval.activity_id for s in c.sent),
        "Ana's card updated",
    )
    updated = next(
        s for s in connector.sent if s.verb == "PUT" and s.activity_id == approval.activity_id
    )
    assert "Approved by Ana Ruiz" in text_of(updated.card) and "actions" not in updated.card
    await connector.wait_for(
        lambda c: any("Confirm page is live" in actions(s.card) for s in c.to(TOM)),
        "Tom's instructions",
    )
    setup = next(s for s in connector.to(TOM) if "Confirm page is live" in actions(s.card))
    assert "1. Purpose of this page:" in text_of(setup.card)
    assert "Tom Baker, Third Grade Teacher, Lincoln Elementary." in text_of(setup.card)

    # The same click again decides nothing new.
    decided = len([s for s in connector.sent if s.verb == "PUT"])
    await teams.submit(ANA, actions(approval.card)["Approve"], {})
    await connector.wait_for(
        lambda c: any("Already decided" in text_of(s.card) for s in c.to(ANA)), "the note"
    )
    assert len([s for s in connector.sent if s.verb == "PUT"]) == decided
    assert len(connector.sent) > before

    # Tom confirms the page is live from the card's own form.
    confirm = actions(setup.card)["Confirm page is live > Confirm"]
    live = {"url": "https://www.facebook.com/room12", "notices_displayed": "true"}
    assert await teams.submit(TOM, confirm, live, reply_to=setup.activity_id) == 201
    await connector.wait_for(
        lambda c: any("Live: " in text_of(s.card) for s in c.to(TOM)), "the live card"
    )
    [page] = await store.find_pages()
    assert page.status is PageStatus.ACTIVE

    # my-pages and my-requests show the same overview as Slack's App Home.
    await teams.say(TOM, "my-pages")
    await connector.wait_for(
        lambda c: any("Retire page" in actions(s.card) for s in c.to(TOM)), "Tom's pages"
    )
    await teams.say(TOM, "my-requests")
    await connector.wait_for(
        lambda c: any("Your page requests" in text_of(s.card) for s in c.to(TOM)), "Tom's requests"
    )

    # Messages that waited for people who had not installed the bot arrive when they do.
    await teams.install(DANA)
    await connector.wait_for(
        lambda c: any("Could not reach Ana Ruiz" in text_of(s.card) for s in c.to(DANA)),
        "Dana's alert",
    )
    await teams.install(GRACE)
    await connector.wait_for(
        lambda c: any("Grace Hopper, Science Teacher" in text_of(s.card) for s in c.to(GRACE)),
        "Grace's disclaimer",
    )

    # Member look-ups are throttled by Teams: one per person, not one per click.
    assert connector.member_lookups == 5


async def test_throttled_and_failed_gateway_calls_are_retried_once_each(harness: Harness) -> None:
    harness.connector.failures = [429, 502]
    assert await harness.teams.install(TOM) == 201
    await harness.connector.wait_for(lambda c: len(c.to(TOM)) == 1, "the welcome")
    assert harness.connector.failures == []
    assert len(harness.connector.to(TOM)) == 1


async def test_local_mode_never_sends_to_a_service_url_off_this_machine(harness: Harness) -> None:
    activity = harness.teams.activity(TOM, "message", text="request-page")
    activity["serviceUrl"] = "https://smba.trafficmanager.net/amer/"
    assert await harness.teams.post(activity) == 403


def test_the_teams_package_holds_a_manifest_and_two_icons(tmp_path: Path) -> None:
    output = tmp_path / "teams.zip"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "teams-package",
            "--domain",
            "pk.example.org",
            "--output",
            str(output),
        ],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "MicrosoftAppId": "abc-123",
            "PAGEKEEPER_TEAMS_TENANT_ID": "t1",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(output) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        icons = {name: package.read(name) for name in ("color.png", "outline.png")}
    assert manifest["id"] == manifest["bots"][0]["botId"] == "abc-123"
    assert manifest["validDomains"] == ["pk.example.org"]
    commands = manifest["bots"][0]["commandLists"][0]["commands"]
    assert [command["title"] for command in commands] == [
        "request-page",
        "my-requests",
        "my-pages",
        "pages",
        "is-official",
        "social-media-guidelines",
        "compliance",
        "away",
        "dashboard",
    ]
    for name, size in (("color.png", 192), ("outline.png", 32)):
        assert icons[name][:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", icons[name][16:24]) == (size, size)


class InstallsMeanwhile(MemoryStore):
    """As if Ana installed the bot in another process just as a message for her was being kept
    for later: her conversation is stored right after the message, and that process had found
    nothing waiting for her."""

    def __init__(self, reference: str) -> None:
        super().__init__()
        self.reference = reference
        self.installed = False

    async def remember_message(self, key: str, handle: str) -> None:
        await super().remember_message(key, handle)
        if key == f"teams-waiting|{ANA.email}|count" and not self.installed:
            self.installed = True
            await super().remember_message(f"teams-ref|{ANA.email}", self.reference)


async def test_a_message_kept_while_its_reader_installs_the_bot_still_arrives() -> None:
    connector = FakeConnector()
    await connector.start()
    teams = TeamsClient("", connector)
    installed = Activity().deserialize(teams.activity(ANA, "conversationUpdate"))
    reference = TurnContext.get_conversation_reference(installed)
    reference.activity_id = None
    store = InstallsMeanwhile(json.dumps(reference.serialize(), sort_keys=True))
    pagekeeper = await build(Settings(), store=store, clock=FakeClock(), adapters=TEAMS_ONLY)
    server = TestServer(make_app(pagekeeper))
    await server.start_server()
    try:
        await pagekeeper.engine.handle(ask_for_page(TEACHER))
        await connector.wait_for(
            lambda c: any("Approve" in actions(s.card) for s in c.to(ANA)), "Ana's card"
        )
        assert store.installed
    finally:
        await teams.close()
        await server.close()
        await connector.close()
