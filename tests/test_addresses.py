"""Page addresses: on the page's own platform, in one normal form whatever people paste, never
an address a browser would take elsewhere; is-official understands share links and
@handles; owners can move a page's address."""

from __future__ import annotations

import pytest

from tests.conftest import PRINCIPAL, TEACHER
from tests.records import audit_entries
from tests.stories import ask_for_page, errors_by_field, only_message_to
from workflows.district.config import DistrictConfig
from workflows.engine import Engine
from workflows.kernel.commands import ChangeAddress, ConfirmPageLive, Decide
from workflows.kernel.model import Verdict
from workflows.kernel.ports import Store
from workflows.pages.addresses import check_url
from workflows.reports.official import is_official

REFUSED = [
    # a browser goes to evil.example: the backslash ends the host
    ("facebook", "https://evil.example\\@www.facebook.com/room12", "not on Facebook"),
    ("facebook", "https://www.facebook.com@evil.example/room12", "user name before the site"),
    ("facebook", "https://user:pass@www.facebook.com/room12", "user name before the site"),
    ("instagram", "https://www.facebook.com/room12", "not on Instagram"),
    ("facebook", "https://f\u0430cebook.com/room12", "mixes alphabets"),  # Cyrillic a
    ("blog", "https://127.0.0.1/room12", "not a numeric IP address"),
    ("blog", "https://2130706433/room12", "not a numeric IP address"),
    ("blog", "https://[::1]/room12", "not a numeric IP address"),
    ("instagram", "https://www.instagram.com/p/C0aBcD/", "not the address of a page"),
    ("facebook", "https://www.facebook.com/", "not the address of a page"),
    ("facebook", "javascript:alert(1)", "starting with https://"),
    ("facebook", "https://www.facebook.com:8443/room12", "without a port number"),
    ("facebook", "@room12", "Facebook has no @handles"),
]
ACCEPTED = [
    ("instagram", "instagram.com/room12reads", "https://www.instagram.com/room12reads"),
    ("instagram", "@room12reads", "https://www.instagram.com/room12reads"),
    (
        "instagram",
        "https://www.instagram.com/room12reads/?igsh=MTc4dGp",
        "https://www.instagram.com/room12reads",
    ),
    (
        "facebook",
        "https://m.facebook.com/profile.php?id=100&mibextid=ZbWK",
        "https://www.facebook.com/profile.php?id=100",
    ),
    ("x", "https://twitter.com/LincolnRoom12?s=21&t=abc", "https://x.com/LincolnRoom12"),
    ("youtube", "youtube.com/@lincolnmusic?si=xyz", "https://www.youtube.com/@lincolnmusic"),
    ("blog", "https://blog.lincoln.example.org/room12/", "https://blog.lincoln.example.org/room12"),
]


@pytest.mark.parametrize(("platform", "typed", "problem"), REFUSED)
def test_an_address_that_is_not_the_pages_own_is_refused_plainly(
    config: DistrictConfig, platform: str, typed: str, problem: str
) -> None:
    _, error = check_url(typed, config.platform(platform))
    assert error is not None and problem in error.message


@pytest.mark.parametrize(("platform", "typed", "kept"), ACCEPTED)
def test_what_people_paste_is_kept_in_one_normal_form(
    config: DistrictConfig, platform: str, typed: str, kept: str
) -> None:
    assert check_url(typed, config.platform(platform)) == (kept, None)


async def instagram_page(engine: Engine, address: str = "instagram.com/room12reads") -> str:
    await engine.handle(ask_for_page(TEACHER, platform="instagram"))
    approved = await engine.handle(Decide(PRINCIPAL, "REQ-1", 1, Verdict.APPROVE))
    page_id = only_message_to(approved, TEACHER).card.buttons[0].value
    live = await engine.handle(ConfirmPageLive(TEACHER, page_id, address, True))
    assert live.accepted, live.errors
    return page_id


async def test_is_official_knows_a_page_by_its_share_link_and_handle(
    engine: Engine, store: Store, config: DistrictConfig
) -> None:
    await instagram_page(engine)
    for asked in (
        "https://www.instagram.com/room12reads/?igsh=MTc4dGp",
        "instagram.com/Room12Reads",
        "@room12reads",
    ):
        card = await is_official(config, store, asked)
        assert card.title.startswith("Yes"), f"{asked} should be official"
    for asked in (
        "https://evil.example\\@www.instagram.com/room12reads",
        "https://www.instagram.com@evil.example/room12reads",
        "@room12read",
    ):
        card = await is_official(config, store, asked)
        assert card.title == "Not an official district page", f"{asked} must not be vouched for"


async def test_an_owner_moves_the_pages_address_and_it_stays_unique(
    engine: Engine, store: Store
) -> None:
    page_id = await instagram_page(engine)
    stranger = await engine.handle(ChangeAddress(PRINCIPAL, page_id, "@room12books"))
    assert stranger.reply is not None and "Only the page's owners" in stranger.reply.text
    wrong = await engine.handle(ChangeAddress(TEACHER, page_id, "https://facebook.com/room12"))
    assert "not on Instagram" in errors_by_field(wrong)["url"]
    moved = await engine.handle(ChangeAddress(TEACHER, page_id, "@room12books"))
    assert moved.reply is not None and "https://www.instagram.com/room12books" in moved.reply.text
    assert only_message_to(moved, TEACHER).update
    assert "moved the page you approved" in only_message_to(moved, PRINCIPAL).card.text
    page = await store.get_page(page_id)
    assert page is not None and page.url == "https://www.instagram.com/room12books"
    trail = [e.detail for e in await audit_entries(store, page_id)]
    assert (
        "address changed from https://www.instagram.com/room12reads to "
        "https://www.instagram.com/room12books"
    ) in trail
    same = await engine.handle(ChangeAddress(TEACHER, page_id, "instagram.com/room12books/"))
    assert errors_by_field(same)["url"] == "That is the address the page has already."
