"""The deployment files in deploy/ (part of #19) start the bot the way it accepts, and the
proxy passes exactly the routes the bot serves."""

from __future__ import annotations

import re
import shlex
import subprocess
from datetime import datetime
from pathlib import Path

from aiohttp import web

from bot.__main__ import _parser
from bot.bootstrap import build
from bot.config import settings_from
from bot.web import make_app
from storage.memory import MemoryStore
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET
from tests.fakes import FakeClock

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def unit_commands() -> list[list[str]]:
    text = (DEPLOY / "pagekeeper.service").read_text()
    return [
        shlex.split(line.split("=", 1)[1])
        for line in text.splitlines()
        if line.startswith(("ExecStartPre=", "ExecStart="))
    ]


def test_the_systemd_unit_checks_the_file_then_starts_the_bot_on_loopback() -> None:
    check, start = unit_commands()
    assert check[1:4] == ["-m", "bot", "check-config"]
    assert start[1:3] == ["-m", "bot"]
    arguments = _parser().parse_args(start[3:])
    assert (arguments.host, arguments.port, arguments.command) == ("127.0.0.1", 3978, None)
    assert _parser().parse_args(check[3:]).file == "/etc/pagekeeper/district.toml"
    text = (DEPLOY / "pagekeeper.service").read_text()
    assert "Restart=on-failure" in text and "User=pagekeeper" in text
    assert "ExecReload=/bin/kill -HUP $MAINPID" in text, "systemctl reload reads the file again"


async def test_the_proxy_passes_the_routes_the_bot_serves() -> None:
    caddy = (DEPLOY / "Caddyfile").read_text()
    passed = re.findall(r"(/[a-z/]+\*?)", caddy.split("respond 404")[0])
    environ = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_TEAM_ID": "T1",
        "MicrosoftAppId": "11111111-2222-3333-4444-555555555555",
        "MicrosoftAppPassword": "secret",
        "PAGEKEEPER_TEAMS_TENANT_ID": "t1",
        "PAGEKEEPER_ADMIN_TOKEN": "a" * 32,
    }
    pagekeeper = await build(settings_from(environ), store=MemoryStore(), clock=FakeClock())
    app: web.Application = make_app(pagekeeper)
    served = {
        resource.canonical for resource in app.router.resources() if resource.canonical != "/"
    }
    for route in served:
        assert any(
            route == path or (path.endswith("*") and route.startswith(path[:-1])) for path in passed
        ), f"{route} is served but the proxy does not pass it"
    assert "/playground/say" not in served, "a connected bot has no playground"
    await pagekeeper.store.close()


def test_the_backup_timer_runs_the_backup_command_nightly() -> None:
    unit = (DEPLOY / "pagekeeper-backup.service").read_text()
    start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    shell = shlex.split(start.split("=", 1)[1])
    assert shell[:2] == ["/bin/sh", "-c"]
    script = shell[2].replace("%%", "%")  # systemd's own unescaping
    python = "exec /opt/pagekeeper/.venv/bin/python "
    assert script.startswith(python)
    # The shell expands the command as systemd's would; printf shows the arguments it gets.
    before = datetime.now().strftime("%Y-%m-%d")
    shown = subprocess.run(
        ["/bin/sh", "-c", script.replace(python, "printf '%s\\n' ", 1)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert shown[:2] == ["-m", "bot"]
    arguments = _parser().parse_args(shown[2:])
    assert arguments.command == "backup"
    dates = {before, datetime.now().strftime("%Y-%m-%d")}  # the run may cross midnight
    assert arguments.file in {
        f"/var/lib/pagekeeper-backups/pagekeeper-{day}.tar.gz" for day in dates
    }
    assert "User=pagekeeper" in unit and "EnvironmentFile=/etc/pagekeeper/pagekeeper.env" in unit
    timer = (DEPLOY / "pagekeeper-backup.timer").read_text()
    assert "OnCalendar=*-*-* 02:15:00" in timer and "Persistent=true" in timer
