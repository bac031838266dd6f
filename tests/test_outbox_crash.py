"""A message stored but not yet sent when the server is killed goes out after the restart."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackClient, text_of
from tests.fakes import free_port

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = {
    "kind": "classroom",
    "school": "lincoln",
    "platform": "facebook",
    "page_name": "Room 12 News",
    "purpose": "Share classroom news and homework reminders with families.",
    "audience": "Families of Room 12",
    "acknowledged": True,
}


async def start_bot(port: int, data: Path, api_url: str) -> asyncio.subprocess.Process:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PAGEKEEPER_DATA": str(data),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--port",
        str(port),
        cwd=ROOT,
        env=env,
        stderr=asyncio.subprocess.DEVNULL,
    )
    for _ in range(400):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return process
        except OSError:
            await asyncio.sleep(0.05)  # waiting for another process to listen, not for time
    raise AssertionError("the bot did not start")


async def test_a_queued_message_survives_a_kill_and_goes_out_once(tmp_path: Path) -> None:
    fake = FakeSlack()
    await fake.start()
    port = free_port()
    bot = await start_bot(port, tmp_path / "data", fake.api_url)
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

        bot = await start_bot(port, tmp_path / "data", fake.api_url)
        await fake.wait_for(
            lambda f: bool(f.messages_to("UANA")) and bool(f.messages_to("UTOM")),
            "delivery after restart",
        )
        [approval] = fake.messages_to("UANA")
        assert "Room 12 News" in text_of(approval.args["blocks"])
        assert len(fake.messages_to("UTOM")) == 1
    finally:
        if bot.returncode is None:
            bot.terminate()
            await bot.wait()
        await client.close()
        await fake.close()
