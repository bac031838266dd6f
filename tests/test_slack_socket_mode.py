"""Socket Mode: a district with no public address still gets the whole Slack flow."""

from __future__ import annotations

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.bootstrap import build
from bot.config import settings_from
from bot.web import make_app
from storage.memory import MemoryStore
from tests.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.fakes import FakeClock


async def test_request_page_over_socket_mode_opens_the_form() -> None:
    fake = FakeSlack()
    await fake.start()
    settings = settings_from(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_API_URL": fake.api_url,
            "SLACK_TEAM_ID": "T1",
        }
    )
    server = TestServer(make_app(await build(settings, store=MemoryStore(), clock=FakeClock())))
    await server.start_server()
    try:
        await fake.wait_for(lambda f: bool(f.sockets), "a Socket Mode connection")
        await fake.send_envelope(
            {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": {
                    "command": "/request-page",
                    "user_id": "UTOM",
                    "team_id": "T1",
                    "trigger_id": "trigger-1",
                    "channel_id": "C1",
                    "text": "",
                },
            }
        )
        await fake.wait_for(
            lambda f: any(a.get("envelope_id") == "env-1" for a in f.socket_acks), "the ack"
        )
        await fake.wait_for(lambda f: bool(f.of("views.open")), "the form")
        assert fake.of("views.open")[0].args["view"]["callback_id"] == "pagekeeper:request_page"

        # Without a signing secret there is no HTTP endpoint to attack.
        async with (
            ClientSession() as session,
            session.post(server.make_url("/slack/events")) as answer,
        ):
            assert answer.status == 404
    finally:
        await server.close()
        await fake.close()
