"""The playground's endpoints without a browser, and that it exists only in local mode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.bootstrap import build
from bot.config import Settings, settings_from
from bot.web import make_app
from storage.memory import MemoryStore
from tests.fakes import FakeClock
from workflows.district.loading import load_config

TOM, ANA = "tom.baker@example.org", "ana.ruiz@example.org"
EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


@pytest.fixture
async def site() -> AsyncIterator[tuple[ClientSession, str]]:
    server = TestServer(make_app(await build(Settings(), store=MemoryStore(), clock=FakeClock())))
    await server.start_server()
    async with ClientSession() as session:
        yield session, str(server.make_url("/"))
    await server.close()


async def test_the_page_and_its_people_are_served(site: tuple[ClientSession, str]) -> None:
    session, base = site
    async with session.get(base) as page:
        assert page.status == 200 and "Pagekeeper playground" in await page.text()
    async with session.get(base + "playground/people") as people:
        labels = [p["label"] for p in await people.json()]
    assert "Ana Ruiz, Principal, Lincoln Elementary (principal, Lincoln Elementary)" in labels
    assert any("district contact" in label for label in labels)


async def test_a_request_reaches_the_principal_and_mistakes_come_back_per_field(
    site: tuple[ClientSession, str],
) -> None:
    session, base = site
    await session.post(base + "playground/say", json={"as": TOM, "text": "/request-page"})
    async with session.get(base + "playground/conversation", params={"as": TOM}) as answer:
        entries = (await answer.json())["entries"]
    assert 'data-action="request_page"' in entries[-1]["html"]

    bad = {"kind": "classroom", "school": "lincoln", "platform": "facebook", "page_name": "R12"}
    async with session.post(
        base + "playground/act", json={"as": TOM, "action": "request_page", "values": bad}
    ) as answer:
        errors = (await answer.json())["errors"]
    assert set(errors) == {"purpose", "audience", "acknowledged"}

    good = {
        **bad,
        "purpose": "Class news and homework for families.",
        "audience": "Families",
        "acknowledged": "true",
    }
    async with session.post(
        base + "playground/act", json={"as": TOM, "action": "request_page", "values": good}
    ) as answer:
        assert (await answer.json()) == {"ok": True}
    async with session.get(base + "playground/conversation", params={"as": ANA}) as answer:
        [card] = (await answer.json())["entries"]
    assert (
        'data-action="approve"' in card["html"] and "&lt;" not in card["html"].split("R12")[0][-5:]
    )


async def test_someone_outside_the_district_list_is_refused(
    site: tuple[ClientSession, str],
) -> None:
    session, base = site
    async with session.get(base + "playground/conversation", params={"as": "x@evil.org"}) as answer:
        assert answer.status == 400


async def test_with_credentials_there_is_no_playground() -> None:
    settings = settings_from(
        {"MicrosoftAppId": "app", "MicrosoftAppPassword": "secret", "MicrosoftAppTenantId": "t1"}
    )
    server = TestServer(make_app(await build(settings, store=MemoryStore(), clock=FakeClock())))
    await server.start_server()
    try:
        async with ClientSession() as session, session.get(server.make_url("/")) as answer:
            assert answer.status == 404
    finally:
        await server.close()


async def test_the_playground_shows_a_requests_chain_and_where_it_stands() -> None:
    config = load_config(EXAMPLES / "riverside-review-chain.toml")
    pagekeeper = await build(Settings(), config=config, store=MemoryStore(), clock=FakeClock())
    server = TestServer(make_app(pagekeeper))
    await server.start_server()
    sara, owen = "sara.lind@riverside.example.org", "owen.price@riverside.example.org"
    request = {
        "kind": "classroom",
        "school": "oak",
        "platform": "facebook",
        "page_name": "Room 3 Readers",
        "purpose": "Share classroom news and reading lists with families.",
        "audience": "Families of Room 3",
        "co_owners": "ben.cole@riverside.example.org",
        "acknowledged": "true",
    }
    try:
        async with ClientSession() as session:
            base = str(server.make_url("/"))
            async with session.get(base + "playground/people") as people:
                labels = [p["label"] for p in await people.json()]
            assert any("the technology coach of Oak Elementary" in label for label in labels)
            act = {"as": sara, "action": "request_page", "values": request}
            async with session.post(base + "playground/act", json=act) as answer:
                assert (await answer.json()) == {"ok": True}
            async with session.get(base + "playground/conversation", params={"as": owen}) as seen:
                html = (await seen.json())["entries"][-1]["html"]
    finally:
        await server.close()
    assert '<ol class="steps">' in html
    assert (
        '<li class="current" aria-current="step"><span class="state">Now: </span>'
        "<strong>Step 1 of 4: the administration of Oak Elementary</strong>"
    ) in html
    assert "Step 4 of 4: the district office (IT and communications)" in html
