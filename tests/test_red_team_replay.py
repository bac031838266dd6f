"""Red-team finding 4: a signed Slack request is carried out once. The signatures seen are
kept in the store for Slack's five-minute window, so a replay after a restart, or to a second
process sharing the database, is refused like one to the same process."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp.test_utils import TestServer

from bot.bootstrap import build
from bot.config import settings_from
from bot.web import make_app
from storage.postgres.store import PostgresStore
from storage.tinydb_store import TinyDBStore
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackClient
from tests.fakes import FakeClock
from workflows.kernel.ports import Store

SLASH = urllib.parse.urlencode(
    {
        "command": "/pages",
        "text": "",
        "user_id": "UTOM",
        "team_id": "T1",
        "channel_id": "C1",
        "trigger_id": "trigger-replayed",
        "response_url": "http://127.0.0.1:9/unused",
    }
)
FORM = "application/x-www-form-urlencoded"


@asynccontextmanager
async def bot_on(store: Store, fake: FakeSlack) -> AsyncIterator[SlackClient]:
    """One Pagekeeper process on `store`, with its own HTTP server (which closes the store
    when it stops)."""
    settings = settings_from(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_TEAM_ID": "T1",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
        }
    )
    server = TestServer(make_app(await build(settings, store=store, clock=FakeClock())))
    await server.start_server()
    client = SlackClient(str(server.make_url("/slack/events")), fake)
    try:
        yield client
    finally:
        await client.close()
        await server.close()


async def test_a_replay_after_a_restart_is_refused(tmp_path: Path) -> None:
    fake = FakeSlack()
    await fake.start()
    stamp = int(time.time())
    first = await TinyDBStore.open(tmp_path)
    async with bot_on(first, fake) as slack:
        assert (await slack.post(SLASH, FORM, timestamp=stamp))[0] == 200

    again = await TinyDBStore.open(tmp_path)
    async with bot_on(again, fake) as slack:
        status, said = await slack.post(SLASH, FORM, timestamp=stamp)
    await fake.close()
    assert (status, said) == (401, "this request was already received")


async def test_a_replay_to_a_second_process_is_refused(database_url: str) -> None:
    fake = FakeSlack()
    await fake.start()
    one, two = await PostgresStore.open(database_url), await PostgresStore.open(database_url)
    stamp = int(time.time())
    async with bot_on(one, fake) as first, bot_on(two, fake) as second:
        assert (await first.post(SLASH, FORM, timestamp=stamp))[0] == 200
        status, _ = await second.post(SLASH, FORM, timestamp=stamp)
    await fake.close()
    assert status == 401
