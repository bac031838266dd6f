"""`python -m bot` in a process of its own, as a deployment runs it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET
from tests.generated import allowing_many_requests
from workflows.district.loading import example_text

ROOT = Path(__file__).resolve().parent.parent
# The Slack request form filled in for a classroom page at the example district's Lincoln.
FORM_ANSWERS = {
    "kind": "classroom",
    "school": "lincoln",
    "platform": "facebook",
    "page_name": "Room 12 News",
    "purpose": "Share classroom news and homework reminders with families.",
    "audience": "Families of Room 12",
    "acknowledged": True,
}


def busy_district(folder: Path) -> Path:
    """The example district, letting one person send many requests an hour (a load test is
    not a flood); written in `folder`, for PAGEKEEPER_CONFIG."""
    text = allowing_many_requests(example_text())
    path = folder / "busy-district.toml"
    path.write_text(text)
    return path


def bot_environment(api_url: str, **settings: str) -> dict[str, str]:
    """The environment of a Slack-connected bot whose Web API calls go to `api_url`, with
    `settings` added (PAGEKEEPER_DATA, DATABASE_URL, ...)."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_TEAM_ID": "T1",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        **settings,
    }


def bot_command(*arguments: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGUMENTS` run to its end (backup, reload, ...), with `settings` added
    to a Slack-connected bot's environment."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        cwd=ROOT,
        env=bot_environment("http://127.0.0.1:9", **settings),
        capture_output=True,
        text=True,
        timeout=120,
    )


async def spawn_bot(
    port: int, environ: dict[str, str], stderr: Any = asyncio.subprocess.DEVNULL
) -> asyncio.subprocess.Process:
    """`python -m bot --port PORT` with `environ`, not waiting for anything."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--port", str(port), cwd=ROOT, env=environ, stderr=stderr
    )


async def start_bot(
    port: int, api_url: str, *, log: Path | None = None, **settings: str
) -> asyncio.subprocess.Process:
    """A Slack-connected bot on `port` (see bot_environment); its log goes to `log`.
    Returns once it listens."""
    stderr = log.open("wb") if log else asyncio.subprocess.DEVNULL
    process = await spawn_bot(port, bot_environment(api_url, **settings), stderr)
    for _ in range(400):
        if process.returncode is not None:
            raise AssertionError(f"the bot exited with {process.returncode}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return process
        except OSError:
            await asyncio.sleep(0.05)  # waiting for another process to listen, not for time
    raise AssertionError("the bot did not start")


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
        await process.wait()
