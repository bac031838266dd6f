"""Red-team finding 8, the small things, through the running servers: a short admin token
stops the start; wrong tokens are slowed per client; a bad export date range is 400; one person
cannot flood the approvers; the playground answers only pages of this machine; user values
cannot forge log lines. (Outbox leases renewed during a slow send: test_dispatcher.py.)"""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.bootstrap import build
from bot.config import settings_from
from bot.logs import FORMAT, OneLineFormatter
from bot.web import make_app
from storage.memory import MemoryStore
from tests.bot_process import FORM_ANSWERS
from tests.chat_drivers import chat_on
from tests.conftest import TEACHER
from tests.fakes import FakeClock
from tests.playground_chat import playground_chat
from tests.records import audit_entries
from tests.test_red_team_damage import start_refused
from workflows.district.loading import load_config

TOKEN = "x" * 32


@pytest.fixture
async def admin() -> AsyncIterator[tuple[ClientSession, str, FakeClock]]:
    clock = FakeClock()
    settings = settings_from({"PAGEKEEPER_ADMIN_TOKEN": TOKEN})
    server = TestServer(make_app(await build(settings, store=MemoryStore(), clock=clock)))
    await server.start_server()
    async with ClientSession() as session:
        yield session, str(server.make_url("/admin/export/")), clock
    await server.close()


async def status_of(session: ClientSession, url: str, token: str = TOKEN) -> int:
    async with session.get(url, headers={"Authorization": f"Bearer {token}"}) as answer:
        return answer.status


async def test_an_admin_token_shorter_than_32_characters_stops_the_start(tmp_path) -> None:
    errors = await start_refused(
        PAGEKEEPER_DATA=str(tmp_path / "data"), PAGEKEEPER_ADMIN_TOKEN="short-but-secret"
    )
    assert "PAGEKEEPER_ADMIN_TOKEN is 16 characters; it must be at least 32" in errors
    assert "short-but-secret" not in errors


async def test_wrong_admin_tokens_are_slowed_per_client(
    admin: tuple[ClientSession, str, FakeClock],
) -> None:
    session, base, clock = admin
    for _ in range(5):
        assert await status_of(session, base + "audit.csv", "guess") == 401
    # Now even the right token waits: guessing costs minutes per few tries.
    async with session.get(
        base + "audit.csv", headers={"Authorization": f"Bearer {TOKEN}"}
    ) as answer:
        assert answer.status == 429 and int(answer.headers["Retry-After"]) > 0
    clock.advance(minutes=5)
    assert await status_of(session, base + "audit.csv") == 200


@pytest.mark.parametrize(
    "query",
    ["from=2026-09-02&to=2026-09-01", "to=9999-12-31", "from=0001-01-01&to=9999-12-31", "to=x"],
)
async def test_a_bad_export_date_range_is_400(
    admin: tuple[ClientSession, str, FakeClock], query: str
) -> None:
    session, base, _ = admin
    async with session.get(
        f"{base}audit.csv?{query}", headers={"Authorization": f"Bearer {TOKEN}"}
    ) as answer:
        assert answer.status == 400, await answer.text()
        assert "error" in await answer.json()


@pytest.mark.parametrize("surface", ["slack", "teams", "playground"])
async def test_one_person_cannot_flood_the_approvers(surface: str) -> None:
    async with chat_on(surface, load_config(None)) as chat:
        for number in range(5):
            assert (
                await chat.request(TEACHER.email, {**FORM_ANSWERS, "page_name": f"Room {number}"})
                == {}
            )
        await chat.request(TEACHER.email, {**FORM_ANSWERS, "page_name": "One too many"})
        # Slack shows the answer in the form itself; the others, in the conversation.
        shown = getattr(chat, "replies", [])
        cards = [card.text for card in await chat.cards(TEACHER.email)] + shown
        assert any(
            "You have sent 5 page requests in the last hour" in text
            and "limits.requests_per_person_per_hour" in text
            for text in cards
        ), cards
        assert len(await chat.store.find_requests()) == 5
        refused = [e for e in await audit_entries(chat.store) if e.action == "ActionRefused"]
        assert [e.detail for e in refused] == ["request page: 5 in an hour"]
        chat.clock.advance(hours=1)
        assert await chat.request(TEACHER.email, {**FORM_ANSWERS, "page_name": "Later"}) == {}


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "evil.example:3978"},  # a DNS name rebound to 127.0.0.1
        {"Origin": "https://evil.example"},  # a page of another site, in the same browser
        {"Origin": "null"},
    ],
)
async def test_the_playground_answers_only_pages_of_this_machine(headers: dict[str, str]) -> None:
    async with playground_chat(load_config(None)) as chat:
        for method, path in (("GET", ""), ("GET", "playground/people"), ("POST", "playground/say")):
            async with chat.session.request(
                method,
                chat.base + path,
                headers=headers,
                json={"as": TEACHER.email, "text": "help"},
            ) as answer:
                assert answer.status == 403, (method, path)
        async with chat.session.get(chat.base, headers={"Origin": chat.base.rstrip("/")}) as answer:
            assert answer.status == 200


def test_user_values_cannot_forge_log_lines() -> None:
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(OneLineFormatter(FORMAT))
    logger = logging.getLogger("test.forgery")
    logger.addHandler(handler)
    try:
        logger.warning(
            "page=%s", "Room 12\n2026-12-02 level=ERROR logger=bot admin signed in\x1b[2J"
        )
    finally:
        logger.removeHandler(handler)
    [line] = written.getvalue().splitlines()
    assert line.endswith("page=Room 12\\n2026-12-02 level=ERROR logger=bot admin signed in\\x1b[2J")
