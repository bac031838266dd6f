"""The staff dashboard over real HTTP: signing in with the link `dashboard` sends in chat,
seeing only what one's role reaches, and acting through the same commands as chat."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestServer

from bot.bootstrap import Pagekeeper, build
from bot.config import Settings
from bot.web import make_app
from storage.memory import MemoryStore
from tests.fakes import FakeClock
from tests.generated import live_page
from tests.stories import ask_for_page
from workflows.conversation.slash_commands import answer
from workflows.kernel.model import Page, PageDetails, Person
from workflows.kernel.ports import Changes

TOM = Person("tom.baker@example.org", "Tom Baker", "Third Grade Teacher, Lincoln Elementary")
ANA = Person("ana.ruiz@example.org", "Ana Ruiz", "Principal, Lincoln Elementary")
ROBERT = Person("robert.kim@example.org", "Robert Kim", "Principal, Roosevelt High School")
DANA = Person("dana.whitfield@example.org", "Dana Whitfield", "Communications Officer")
LEE = Person("lee.jordan@example.org", "Lee Jordan", "Head Coach")


def registry(clock: FakeClock) -> tuple[Page, ...]:
    room12 = live_page(12, TOM, clock.now())
    soccer = dataclasses.replace(
        live_page(20, LEE, clock.now(), school="roosevelt"),
        details=PageDetails(
            "team", "roosevelt", "instagram", "Girls Soccer", "Team news.", "Families"
        ),
        url="https://www.instagram.com/rhssoccer",
        approved_by=ROBERT,
    )
    return room12, soccer


class Site:
    def __init__(self, pagekeeper: Pagekeeper, server: TestServer) -> None:
        self.pagekeeper = pagekeeper
        self.server = server

    def url(self, path: str) -> str:
        return str(self.server.make_url(path))

    async def link_for(self, person: Person) -> str:
        """What `dashboard` in chat answers `person`: the sign-in link, as this server's."""
        reply = await answer(self.pagekeeper.engine, person, "/dashboard")
        found = re.search(r"/dashboard/sign-in/\S+", reply.cards[0].text)
        assert found, reply.cards[0].text
        return self.url(found.group(0))

    async def signed_in(self, person: Person) -> ClientSession:
        session = ClientSession(cookie_jar=CookieJar(unsafe=True))
        link = await self.link_for(person)
        async with session.get(link) as confirm:
            assert confirm.status == 200 and "Sign in" in await confirm.text()
        async with session.post(link) as landed:
            assert landed.status == 200, await landed.text()
            assert "Overview" in await landed.text()
        return session


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    clock = FakeClock()
    store = MemoryStore()
    await store.commit(Changes(pages=registry(clock)))
    pagekeeper = await build(Settings(), store=store, clock=clock)
    server = TestServer(make_app(pagekeeper))
    await server.start_server()
    yield Site(pagekeeper, server)
    await server.close()


def csrf_of(html: str) -> str:
    found = re.search(r'name="_csrf" value="([0-9a-f]+)"', html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


async def test_a_link_signs_in_once_and_the_cookie_is_guarded(site: Site) -> None:
    link = await site.link_for(ANA)
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as browser:
        async with browser.post(link, allow_redirects=False) as signed:
            assert signed.status == 303 and signed.headers["Location"] == "/dashboard"
            cookie = signed.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=28800" in cookie
        assert "Secure" not in cookie  # local mode is plain http on this machine
        async with browser.get(site.url("/dashboard")) as overview:
            assert overview.status == 200
            assert "Ana Ruiz" in await overview.text()
    async with ClientSession() as stranger, stranger.post(link) as again:
        assert again.status == 400
        assert "already been used or has expired" in await again.text()


async def test_a_link_expires_after_ten_minutes(site: Site) -> None:
    link = await site.link_for(ANA)
    site.pagekeeper.clock.advance(minutes=10)  # type: ignore[attr-defined]
    async with ClientSession() as browser, browser.post(link) as late:
        assert late.status == 400


async def test_without_a_session_or_with_a_forged_one_nothing_shows(site: Site) -> None:
    forged = {"pagekeeper_session": "A" * 43}
    for cookies in ({}, forged, {"pagekeeper_session": "short"}):
        async with ClientSession(cookies=cookies) as browser:
            for path in ("/dashboard", "/dashboard/pages", "/dashboard/pages/PAGE-12"):
                async with browser.get(site.url(path)) as got:
                    assert got.status == 401
                    html = await got.text()
                    assert "Room 12" not in html and "type dashboard" in html


async def test_a_session_ends_after_eight_hours_and_at_sign_out(site: Site) -> None:
    browser = await site.signed_in(ANA)
    try:
        async with browser.get(site.url("/dashboard")) as page:
            token = csrf_of(await page.text())
        async with browser.post(site.url("/dashboard/sign-out"), data={"_csrf": token}) as out:
            assert out.status == 200 and "Signed out" in await out.text()
        async with browser.get(site.url("/dashboard")) as after:
            assert after.status == 401
    finally:
        await browser.close()
    later = await site.signed_in(ANA)
    try:
        site.pagekeeper.clock.advance(hours=8)  # type: ignore[attr-defined]
        async with later.get(site.url("/dashboard")) as expired:
            assert expired.status == 401
    finally:
        await later.close()


@pytest.mark.parametrize(
    ("person", "sees", "does_not_see"),
    [
        (DANA, ["Room 12", "Girls Soccer"], []),
        (ANA, ["Room 12"], ["Girls Soccer"]),
        (ROBERT, ["Girls Soccer"], ["Room 12"]),
        (TOM, ["Room 12"], ["Girls Soccer"]),
        (LEE, ["Girls Soccer"], ["Room 12"]),
    ],
)
async def test_each_role_sees_only_its_pages(
    site: Site, person: Person, sees: list[str], does_not_see: list[str]
) -> None:
    browser = await site.signed_in(person)
    try:
        async with browser.get(site.url("/dashboard/pages")) as listing:
            html = await listing.text()
        async with browser.get(site.url("/dashboard/pages.csv")) as exported:
            rows = await exported.text()
        for name in sees:
            assert name in html and name in rows
        for name in does_not_see:
            assert name not in html and name not in rows
        for page_id, name in (("PAGE-12", "Room 12"), ("PAGE-20", "Girls Soccer")):
            async with browser.get(site.url(f"/dashboard/pages/{page_id}")) as page:
                assert (page.status == 200) is (name in sees), f"{person.name} and {name}"
    finally:
        await browser.close()


async def test_the_overview_draws_each_figure_with_its_table(site: Site) -> None:
    browser = await site.signed_in(DANA)
    try:
        async with browser.get(site.url("/dashboard")) as overview:
            html = await overview.text()
        for title in (
            "Active pages by school",
            "Monitoring checks answered and gone overdue, by week",
            "Requests by status",
            "Moderation actions by reason, by month",
        ):
            assert title in html
        assert html.count('role="img"') >= 1 and "The data as a table" in html
        assert "You see every school and office of the district." in html
    finally:
        await browser.close()


async def test_an_approver_decides_from_the_dashboard_through_the_engine(site: Site) -> None:
    engine = site.pagekeeper.engine
    outcome = await engine.handle(ask_for_page(TOM, page_name="Room 14 News"))
    assert outcome.accepted
    requests = await engine.context.store.find_requests(requester=TOM.email)
    request_id = requests[-1].id
    browser = await site.signed_in(ANA)
    try:
        async with browser.get(site.url("/dashboard")) as overview:
            assert (
                f"Waiting for your decision: Room 14 News ({request_id})" in await overview.text()
            )
        async with browser.get(site.url(f"/dashboard/requests/{request_id}")) as page:
            html = await page.text()
        assert ">Approve<" in html and ">Deny<" in html
        form = {"_action": "approve", "_value": f"{request_id}:1", "_csrf": csrf_of(html)}
        form["_back"] = f"/dashboard/requests/{request_id}"
        async with browser.post(site.url("/dashboard/act"), data=form) as done:
            assert done.status == 200, await done.text()
        stored = await engine.context.store.get_request(request_id)
        assert stored is not None and stored.status.value == "approved"
        async with browser.get(site.url(f"/dashboard/requests/{request_id}")) as page:
            html = await page.text()
        assert "Request approved" in html and ">Approve<" not in html
    finally:
        await browser.close()


async def test_a_form_without_the_sessions_token_changes_nothing(site: Site) -> None:
    engine = site.pagekeeper.engine
    await engine.handle(ask_for_page(TOM, page_name="Room 15 News"))
    request_id = (await engine.context.store.find_requests(requester=TOM.email))[-1].id
    browser = await site.signed_in(ANA)
    try:
        async with browser.get(site.url("/dashboard")) as page:
            real = csrf_of(await page.text())
        for token, origin in (("0" * 64, None), ("", None), (real, "https://evil.example")):
            form = {"_action": "approve", "_value": f"{request_id}:1", "_csrf": token}
            headers = {"Origin": origin} if origin else {}
            async with browser.post(site.url("/dashboard/act"), data=form, headers=headers) as got:
                assert got.status == 403, (token, origin, await got.text())
        stored = await engine.context.store.get_request(request_id)
        assert stored is not None and stored.status.value == "pending"
    finally:
        await browser.close()


async def test_a_person_cannot_act_beyond_their_role(site: Site) -> None:
    browser = await site.signed_in(ROBERT)
    try:
        async with browser.get(site.url("/dashboard")) as page:
            token = csrf_of(await page.text())
        form = {"_action": "retire_page", "_value": "PAGE-12", "_csrf": token, "note": "Gone."}
        async with browser.post(site.url("/dashboard/act"), data=form) as got:
            assert "Only the page&#x27;s owners or the district contact can retire it." in (
                await got.text()
            )
        page = await site.pagekeeper.engine.context.store.get_page("PAGE-12")
        assert page is not None and page.status.value == "active"
    finally:
        await browser.close()


async def test_an_owner_sees_the_pages_timeline_and_short_line(site: Site) -> None:
    browser = await site.signed_in(LEE)
    try:
        async with browser.get(site.url("/dashboard/pages/PAGE-20")) as page:
            html = await page.text()
        assert "Short line for the Instagram bio" in html
        assert "Record a removed post" in html and "Retire page" in html
        assert "Monitoring history" in html and "Timeline" in html
    finally:
        await browser.close()
