"""The bot's log as an operator reads it (part of #19): one JSON object per line with
PAGEKEEPER_LOG_FORMAT=json, every line written while serving a request carrying its id, one
access line per request with route, status and time, and never what was sent."""

from __future__ import annotations

import asyncio
import json
import os
import re
from pathlib import Path

from aiohttp import ClientSession

from tests.bot_process import spawn_bot, stop
from tests.fakes import free_port
from tests.test_red_team_damage import start_refused

SENT_SECRETLY = "a-private-note-that-must-never-be-logged"


async def serve_a_few_requests(tmp_path: Path, log_format: str) -> list[str]:
    """Run the bot (local mode), ask it a few things, and return its log lines."""
    port, log = free_port(), tmp_path / "bot.log"
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "PAGEKEEPER_DATA": str(tmp_path / "data"),
        "PAGEKEEPER_LOG_FORMAT": log_format,
    }
    with log.open("wb") as written:
        bot = await spawn_bot(port, environ, written)
        base = f"http://127.0.0.1:{port}"
        try:
            async with ClientSession() as session:
                for _ in range(400):
                    try:
                        async with session.get(base + "/healthz") as health:
                            if health.status == 200:
                                break
                    except OSError:
                        await asyncio.sleep(0.05)  # waiting for the process to listen
                # A Teams activity from elsewhere: refused, with a warning in the log.
                activity = {
                    "type": "message",
                    "text": SENT_SECRETLY,
                    "serviceUrl": "https://smba.trafficmanager.net/amer/",
                    "channelId": "msteams",
                }
                async with session.post(base + "/api/messages", json=activity) as refused:
                    assert refused.status == 403
                async with session.post(
                    base + "/playground/say", json={"as": "tom.baker@example.org", "text": "help"}
                ) as said:
                    assert said.status == 200
        finally:
            await stop(bot)
    return log.read_text().splitlines()


async def test_json_log_lines_parse_and_name_their_request(tmp_path: Path) -> None:
    lines = await serve_a_few_requests(tmp_path, "json")
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    access = [r for r in records if r["logger"] == "bot.access"]
    routes = {re.search(r"route=(\S+)", r["message"])[1] for r in access}  # type: ignore[index]
    assert {"/healthz", "/api/messages", "/playground/say"} <= routes
    assert all(re.search(r"status=\d{3} ms=\d+\.\d", r["message"]) for r in access)
    [warning] = [r for r in records if "teams activity refused" in r["message"]]
    [its_access] = [r for r in access if "route=/api/messages" in r["message"]]
    assert warning["request"] == its_access["request"] and warning["level"] == "WARNING"
    assert len({r["request"] for r in access}) == len(access), "one id per request"
    assert SENT_SECRETLY not in "\n".join(lines)


async def test_text_log_lines_name_their_request_too(tmp_path: Path) -> None:
    lines = await serve_a_few_requests(tmp_path, "text")
    [warning] = [line for line in lines if "teams activity refused" in line]
    request = re.search(r" request=([0-9a-f]+)$", warning)
    assert request is not None
    assert any("route=/api/messages status=403" in line and request[1] in line for line in lines)
    assert SENT_SECRETLY not in "\n".join(lines)


async def test_an_unknown_log_format_stops_the_start(tmp_path: Path) -> None:
    errors = await start_refused(PAGEKEEPER_DATA=str(tmp_path), PAGEKEEPER_LOG_FORMAT="xml")
    assert "PAGEKEEPER_LOG_FORMAT must be text or json, not 'xml'" in errors
