"""The public directory: families check whether a page is official and read its notices,
without signing in; nothing personal beyond names and titles is shown."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import AsyncIterator
from html import escape

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.bootstrap import Pagekeeper, build
from bot.config import Settings, SettingsError, settings_from
from bot.web import make_app
from storage.memory import MemoryStore
from tests.fakes import FakeClock
from tests.generated import district_with_schools, live_page
from workflows.conversation.slash_commands import answer as answer_in_chat
from workflows.district.loading import load_config, parse_config
from workflows.kernel.commands import RetirePage
from workflows.kernel.model import Page, PageDetails, PageStatus, Person
from workflows.kernel.ports import Changes
from workflows.pages.notices import page_notices
from workflows.pages.short_lines import short_line
from workflows.reports.directory import KeptListings, Listing

TOM = Person("tom.baker@example.org", "Tom Baker", "Third Grade Teacher, Lincoln Elementary")
CONFIG = load_config(None)


def pages() -> tuple[Page, ...]:
    clock = FakeClock()
    room12 = dataclasses.replace(live_page(12, TOM, clock.now()), nudge_answered_at=clock.now())
    band = dataclasses.replace(
        live_page(7, TOM, clock.now(), school="roosevelt"),
        details=PageDetails(
            "team", "roosevelt", "instagram", "Roosevelt Band", "Band news.", "Families"
        ),
        url="https://www.instagram.com/rooseveltband",
    )
    retired = dataclasses.replace(
        live_page(3, TOM, clock.now()),
        status=PageStatus.RETIRED,
        url="https://www.facebook.com/old",
    )
    return room12, band, retired


Site = tuple[ClientSession, str, Pagekeeper]


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    store = MemoryStore()
    await store.commit(Changes(pages=pages()))
    pagekeeper = await build(Settings(), store=store, clock=FakeClock())
    server = TestServer(make_app(pagekeeper))
    await server.start_server()
    async with ClientSession() as session:
        yield session, str(server.make_url("")), pagekeeper
    await server.close()


async def test_the_directory_lists_active_pages_and_leaves_retired_ones_out(site: Site) -> None:
    session, base, _ = site
    async with session.get(base + "/official") as answer:
        html = await answer.text()
    assert answer.status == 200
    assert "Room 12" in html and "Roosevelt Band" in html
    assert "https://www.facebook.com/old" not in html
    assert "2 official pages" in html
    assert "tom.baker@example.org" not in html  # names and titles only


async def test_searching_by_school_platform_and_name(site: Site) -> None:
    session, base, _ = site
    async with session.get(base + "/official", params={"school": "roosevelt"}) as answer:
        html = await answer.text()
    assert "Roosevelt Band" in html and "Room 12" not in html
    async with session.get(base + "/official", params={"platform": "facebook"}) as answer:
        html = await answer.text()
    assert "Room 12" in html and "Roosevelt Band" not in html
    async with session.get(base + "/official", params={"q": "band ROOSEVELT"}) as answer:
        html = await answer.text()
    assert "1 official page" in html and "Roosevelt Band" in html
    async with session.get(base + "/official", params={"q": "nothing like it"}) as answer:
        assert "No page matches." in await answer.text()


async def test_the_check_box_answers_in_the_regulations_words(site: Site) -> None:
    session, base, _ = site
    share_link = "https://www.instagram.com/rooseveltband?igsh=abc123"
    async with session.get(base + "/official", params={"address": share_link}) as answer:
        html = await answer.text()
    assert "Yes: an official Example Unified School District page" in html
    async with session.get(base + "/official", params={"address": "@rooseveltband"}) as answer:
        assert "Yes: an official" in await answer.text()
    async with session.get(
        base + "/official", params={"address": "https://www.facebook.com/old"}
    ) as answer:
        html = await answer.text()
    assert "Not an official district page" in html
    assert "such as those of parent-teacher organizations, booster clubs" in html
    async with session.get(base + "/official", params={"address": "<script>x</script>"}) as answer:
        html = await answer.text()
    assert "<script>x" not in html and "&lt;script&gt;x" in html


async def test_a_page_shows_its_notices_owners_and_contact(site: Site) -> None:
    session, base, _ = site
    async with session.get(base + "/official/PAGE-12") as answer:
        html = await answer.text()
    assert answer.status == 200
    assert "Room 12" in html and "Tom Baker, Third Grade Teacher, Lincoln Elementary" in html
    assert "Last monitored" in html and "not yet" not in html
    assert "Links to social media platforms or sites that are not official" in html
    contact = CONFIG.contact_person
    assert f"mailto:{contact.email}" in html and TOM.email not in html
    for heading, _ in page_notices(CONFIG, pages()[0].details).items:
        assert escape(heading) in html


async def test_retired_and_unknown_pages_are_not_found(site: Site) -> None:
    session, base, _ = site
    for page_id in ("PAGE-3", "PAGE-999", "..%2F..%2Fetc"):
        async with session.get(base + f"/official/{page_id}") as answer:
            assert answer.status == 404
            assert "Not an official page" in await answer.text()


async def test_pages_are_cacheable_and_unchanged_ones_cost_nothing(site: Site) -> None:
    session, base, _ = site
    async with session.get(base + "/official/PAGE-12") as first:
        etag = first.headers["ETag"]
        assert "no-cache" in first.headers["Cache-Control"]
        assert "script-src" not in first.headers["Content-Security-Policy"]
    async with session.get(base + "/official/PAGE-12", headers={"If-None-Match": etag}) as again:
        assert again.status == 304 and await again.read() == b""


async def test_a_page_retired_leaves_the_directory_at_once(site: Site) -> None:
    session, base, pagekeeper = site
    async with session.get(base + "/official") as answer:
        assert "Room 12" in await answer.text()
    contact = CONFIG.contact_person
    outcome = await pagekeeper.engine.handle(RetirePage(contact, "PAGE-12", "The class ended."))
    assert outcome.accepted
    async with session.get(base + "/official") as answer:
        html = await answer.text()
    assert "Room 12" not in html and "1 official page" in html


async def test_long_lists_come_in_pages_and_chat_lists_a_few_with_the_link() -> None:
    store = MemoryStore()
    clock = FakeClock()
    many = tuple(live_page(n, TOM, clock.now()) for n in range(1, 121))
    await store.commit(Changes(pages=many))
    pagekeeper = await build(Settings(), store=store, clock=clock)
    server = TestServer(make_app(pagekeeper))
    await server.start_server()
    try:
        async with ClientSession() as session:
            async with session.get(server.make_url("/official")) as answer:
                html = await answer.text()
            assert "120 official pages, page 1 of 3" in html and "Next page" in html
            async with session.get(server.make_url("/official"), params={"page": "3"}) as answer:
                html = await answer.text()
            assert "page 3 of 3" in html and "Previous page" in html
            assert html.count('<li><a href="/official/') == 20
        [card] = (await answer_in_chat(pagekeeper.engine, TOM, "pages")).cards
        assert len(card.fields) == 10 and "The first 10 are shown." in card.text
        assert "Every official page, searchable: http://127.0.0.1:3978/official" in card.text
    finally:
        await server.close()


async def test_the_directory_is_off_without_a_public_address_outside_local_mode() -> None:
    connected = settings_from(
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_TEAM_ID": "T1"}
    )
    on = settings_from(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_TEAM_ID": "T1",
            "PAGEKEEPER_PUBLIC_URL": "https://pk.example.org/",
        }
    )
    assert on.site == "https://pk.example.org"
    for settings, status in ((connected, 404), (on, 200)):
        server = TestServer(make_app(await build(settings, store=MemoryStore(), clock=FakeClock())))
        await server.start_server()
        try:
            async with ClientSession() as session, session.get(server.make_url("/official")) as got:
                assert got.status == status
        finally:
            await server.close()


@pytest.mark.parametrize(
    ("platform", "room"), [("instagram", 150), ("x", 280), ("facebook", 101), ("linkedin", 120)]
)
def test_short_lines_fit_each_platform_and_keep_the_link(platform: str, room: int) -> None:
    page = live_page(12, TOM, FakeClock().now())
    page = dataclasses.replace(page, details=dataclasses.replace(page.details, platform=platform))
    link = "https://pagekeeper.springfield.k12.example.org/official/PAGE-12"
    line = short_line(CONFIG, page, link)
    assert line is not None and line.room == room and line.fits
    assert line.text.endswith(link) and line.text.startswith("Official")


def test_x_counts_a_link_as_23_characters() -> None:
    page = live_page(12, TOM, FakeClock().now())
    page = dataclasses.replace(page, details=dataclasses.replace(page.details, platform="x"))
    link = "https://example.org/official/PAGE-12"
    line = short_line(CONFIG, page, link)
    assert line is not None and line.length == len(line.text) - len(link) + 23


def test_a_platform_without_a_short_place_gets_the_full_text_only() -> None:
    page = live_page(12, TOM, FakeClock().now())
    page = dataclasses.replace(page, details=dataclasses.replace(page.details, platform="blog"))
    assert short_line(CONFIG, page, "https://example.org/official/PAGE-12") is None


def test_a_bad_public_address_is_refused_plainly() -> None:
    for wrong in ("pk.example.org", "ftp://pk.example.org", "https://pk.example.org/?x=1"):
        with pytest.raises(SettingsError, match="PAGEKEEPER_PUBLIC_URL must be"):
            settings_from({"PAGEKEEPER_PUBLIC_URL": wrong})


def test_kept_listings_follow_every_change_and_stay_put_when_nothing_listed_changed() -> None:
    config = parse_config(district_with_schools(12), "twelve schools")
    clock = FakeClock()
    records = {
        f"PAGE-{n}": live_page(n, TOM, clock.now(), school=f"s{n % 12:03d}") for n in range(300)
    }
    kept = KeptListings()

    def listed_afresh() -> tuple[Listing, ...]:
        return KeptListings().listings(config, records.values())

    first = kept.listings(config, records.values())
    assert len(first) == 300 and first == listed_afresh()
    # A monitoring answer or a reminder moves the version but shows nothing new: kept as is.
    answered = records["PAGE-5"]
    records["PAGE-5"] = dataclasses.replace(
        answered, version=answered.version + 1, nudge_answered_at=clock.now()
    )
    assert kept.listings(config, records.values()) is first
    shuffled = random.Random(18)
    for step in range(60):
        page = records[f"PAGE-{shuffled.randrange(300)}"]
        if step % 3 == 0:
            details = dataclasses.replace(page.details, page_name=f"Club {shuffled.randrange(9)}")
            changed = dataclasses.replace(page, details=details)
        elif step % 3 == 1:
            status = shuffled.choice([PageStatus.RETIRED, PageStatus.ACTIVE])
            changed = dataclasses.replace(page, status=status)
        else:
            changed = dataclasses.replace(page, url=f"https://www.facebook.com/moved{step}")
        records[page.id] = dataclasses.replace(changed, version=page.version + 1)
        assert kept.listings(config, records.values()) == listed_afresh(), step
    del records["PAGE-7"]  # no store drops pages, but a listing never outlives its page
    assert "PAGE-7" not in {entry.page_id for entry in kept.listings(config, records.values())}
    renamed = parse_config(district_with_schools(12, lambda i: f"Academy {i}"), "renamed")
    units = {entry.unit for entry in kept.listings(renamed, records.values())}
    assert units == {f"Academy {i}" for i in range(12)}
