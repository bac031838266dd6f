"""A message stored but not yet sent when the server is killed goes out after the restart."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.bot_process import FORM_ANSWERS as ANSWERS
from tests.bot_process import start_bot, stop
from tests.fake_slack import FakeSlack, SlackClient, text_of
from tests.fakes import free_port


async def test_a_queued_message_survives_a_kill_and_goes_out_once(tmp_path: Path) -> None:
    fake = FakeSlack()
    await fake.start()
    port = free_port()
    data = str(tmp_path / "data")
    bot = await start_bot(port, fake.api_url, PAGEKEEPER_DATA=data)
    client = SlackClient(f"http://127.0.0.1:{port}/slack/events", fake)
    try:
        fake.fail("chat.postMessage", 500, times=10**6)  # Slack is down for now
        await client.slash_command("UTOM")
        await fake.wait_for(lambda f: bool(f.of("views.open")), "the form")
        view = fake.of("views.open")[0].args["view"]
        assert await client.submit("UTOM", view, ANSWERS) == (200, "")
        await fake.wait_for(lambda f: f.refused_calls >= 2, "a delivery attempt")

        bot.send_signal(signal.SIGKILL)  # the messages are stored, not sent
        await bot.wait()
        fake.failures.clear()  # Slack is back
        assert fake.messages_to("UANA") == []

        bot = await start_bot(port, fake.api_url, PAGEKEEPER_DATA=data)
        await fake.wait_for(
            lambda f: bool(f.messages_to("UANA")) and bool(f.messages_to("UTOM")),
            "delivery after restart",
        )
        [approval] = fake.messages_to("UANA")
        assert "Room 12 News" in text_of(approval.args["blocks"])
        assert len(fake.messages_to("UTOM")) == 1
    finally:
        await stop(bot)
        await client.close()
        await fake.close()
