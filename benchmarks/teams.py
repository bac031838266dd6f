"""Teams activities per second on the paths people use, next to the SDK's stock echo bot.

Starts a fake Bot Framework connector, Pagekeeper (`python -m bot`, local mode, TinyDB) and the
stock CloudAdapter echo bot, each in its own process, then posts the same activities from 50
concurrent clients to each, one command at a time, and prints activities per second and
p50/p99 time to the HTTP response:

- `request-page`: the request form (a card rendered once; no store);
- a form submission: the filled request form (checked, written durably with its audit line and
  the approver's card queued, answered with the requester's card);
- an approval click: Approve on one of those requests (written durably, cards queued);
- `my-requests`: the person's requests, read from the store (about 40 each by then).

The peer is the SDK's own echo bot, unchanged: the least a Teams bot can do per activity (parse
it, authenticate it, send one reply through the connector). Pagekeeper also replies through the
connector before it responds, and does the work above. Between commands, Pagekeeper's outbox is
left to drain, so a command is not measured while the previous one's messages go out.

Run: .venv/bin/python benchmarks/teams.py [--activities N] [--clients N]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web
from common import free_port, percentile, wait_until_listening

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.generated import allowing_many_requests  # noqa: E402
from workflows.conversation.actions import APPROVE, REQUEST_PAGE  # noqa: E402
from workflows.district.loading import example_text  # noqa: E402

ADMIN_TOKEN = "b" * 40
WAITING = re.compile(r"^pagekeeper_outbox_waiting_messages (\S+)", re.M)
REQUEST_ID = re.compile(rb"Your request (REQ-[A-Z0-9]+)")
APPROVER = "ana.ruiz"  # Lincoln's principal in the example district
FORM = {
    "kind": "classroom",
    "school": "lincoln",
    "platform": "facebook",
    "purpose": "Share classroom news and homework reminders with families.",
    "audience": "Families of the class",
    "acknowledged": "true",
}
# What each command must reach, as a multiple of the echo bot's throughput (#18).
TARGETS = {"request-page": 4.0, "form submission": 2.5, "approval click": 4.0, "my-requests": 4.0}


@dataclass
class Connector:
    """The fake Bot Framework connector: counts replies, keeps the request ids it is shown."""

    url: str = ""
    replies: int = 0
    request_ids: list[str] = field(default_factory=list)


async def fake_connector() -> tuple[web.AppRunner, Connector]:
    connector = Connector()

    async def reply(request: web.Request) -> web.Response:
        body = await request.read()
        connector.replies += 1
        found = REQUEST_ID.search(body)
        if found:
            connector.request_ids.append(found.group(1).decode())
        return web.json_response({"id": f"act-{connector.replies}"})

    async def member(request: web.Request) -> web.Response:
        user = request.match_info["member"]
        return web.json_response({"id": user, "name": user, "email": f"{user[3:]}@example.org"})

    app = web.Application()
    app.router.add_post("/v3/conversations/{conversation}/activities", reply)
    app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", reply)
    app.router.add_put("/v3/conversations/{conversation}/activities/{reply_to}", reply)
    app.router.add_get("/v3/conversations/{conversation}/members/{member}", member)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    connector.url = f"http://127.0.0.1:{port}/"
    return runner, connector


def activity(service_url: str, user: str, number: int, **content: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "id": f"in-{number}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:{user}", "name": user, "aadObjectId": f"aad-{user}"},
        "recipient": {"id": "28:bot", "name": "Pagekeeper"},
        "conversation": {"id": f"a:{user}", "conversationType": "personal"},
        "channelData": {"tenant": {"id": "t1"}},
        **content,
    }


# (user, number) -> the activity's sender and content
Maker = Callable[[int, int], tuple[str, dict[str, Any]]]


def say(text: str) -> Maker:
    return lambda user, number: (f"user{user}", {"text": text})


def fill_form(user: int, number: int) -> tuple[str, dict[str, Any]]:
    data = {"pagekeeper": {"action": REQUEST_PAGE, "value": ""}}
    return f"user{user}", {"value": {**data, **FORM, "page_name": f"Class {number} News"}}


def approve(request_ids: list[str]) -> Maker:
    def click(user: int, number: int) -> tuple[str, dict[str, Any]]:
        data = {"pagekeeper": {"action": APPROVE, "value": f"{request_ids[number]}:1"}}
        return APPROVER, {"value": data, "replyToId": f"card-{number}"}

    return click


async def send(
    session: ClientSession, url: str, service_url: str, make: Maker, count: int, clients: int
) -> list[float]:
    numbers = itertools.count()
    latencies: list[float] = []

    async def client(user: int) -> None:
        while (number := next(numbers)) < count:
            sender, content = make(user, number)
            body = activity(service_url, sender, number, **content)
            started = time.perf_counter()
            async with session.post(url, json=body) as response:
                await response.read()
                assert response.status in (200, 201), response.status
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(client(user) for user in range(clients)))
    return latencies


async def measure(
    session: ClientSession, url: str, service_url: str, make: Maker, count: int, clients: int
) -> tuple[float, list[float]]:
    began = time.perf_counter()
    latencies = await send(session, url, service_url, make, count, clients)
    return count / (time.perf_counter() - began), latencies


async def drained(session: ClientSession, port: int, limit: float = 60.0) -> None:
    """Wait until Pagekeeper's outbox is empty (read from /metrics), for at most `limit`
    seconds: the approver's cards go out at Teams' pace for one chat (7 a second)."""
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    deadline = time.monotonic() + limit
    waiting = 0.0
    while time.monotonic() < deadline:
        async with session.get(f"http://127.0.0.1:{port}/metrics", headers=headers) as response:
            found = re.search(
                r"^pagekeeper_outbox_waiting_messages (\S+)", await response.text(), re.M
            )
        waiting = float(found.group(1)) if found else 0.0
        if waiting == 0:
            return
        await asyncio.sleep(0.2)
    print(f"(still {waiting:.0f} messages going out while the next command is measured)")


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)


async def run_bot(
    name: str, command: list[str], connector: Connector, count: int, clients: int, folder: Path
) -> dict[str, tuple[float, list[float]]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env |= {
        "PAGEKEEPER_DATA": str(folder / f"data-{name.split()[0]}"),
        "PAGEKEEPER_CONFIG": str(folder / "district.toml"),
        "PAGEKEEPER_ADMIN_TOKEN": ADMIN_TOKEN,
    }
    process = start([*command, str(port)], env)
    results: dict[str, tuple[float, list[float]]] = {}
    ours = name == "Pagekeeper"
    try:
        await wait_until_listening(port)
        url = f"http://127.0.0.1:{port}/api/messages"
        async with ClientSession() as session:
            # Everyone (and the approver) says hello first, so each is known and reachable.
            await send(session, url, connector.url, say("help"), clients, clients)
            approver_hello: Maker = lambda user, number: (APPROVER, {"text": "help"})  # noqa: E731
            await send(session, url, connector.url, approver_hello, 1, 1)
            for command, make in [
                ("request-page", say("request-page")),
                ("form submission", fill_form),
            ]:
                results[command] = await measure(session, url, connector.url, make, count, clients)
                if ours:
                    await drained(session, port)
            ids = list(connector.request_ids) if ours else [f"REQ-{n}" for n in range(count)]
            ids = list(dict.fromkeys(ids))
            clicks = min(count, len(ids))
            if ours:
                print(f"confirmations delivered so far (clicked next): {len(ids)} of {count}")
            results["approval click"] = await measure(
                session, url, connector.url, approve(ids), clicks, clients
            )
            if ours:
                await drained(session, port)
            results["my-requests"] = await measure(
                session, url, connector.url, say("my-requests"), count, clients
            )
    finally:
        process.terminate()
        process.wait()
    return results


async def main(count: int, clients: int) -> None:
    runner, connector = await fake_connector()
    bots = {
        "Pagekeeper": [sys.executable, "-m", "bot", "--port"],
        "stock echo bot": [sys.executable, "benchmarks/stock_echo_bot.py"],
    }
    results = {}
    with tempfile.TemporaryDirectory(prefix="pagekeeper-bench-") as folder:
        (Path(folder) / "district.toml").write_text(allowing_many_requests(example_text()))
        for name, command in bots.items():
            results[name] = await run_bot(name, command, connector, count, clients, Path(folder))
    await runner.cleanup()
    print(f"Teams activities: {count} per command from {clients} concurrent clients")
    print(
        f"{'command':16} {'Pagekeeper/s':>12} {'p50 ms':>7} {'p99 ms':>7}"
        f" {'echo bot/s':>10} {'p50 ms':>7} {'p99 ms':>7} {'ratio':>6}  target"
    )
    for command, target in TARGETS.items():
        rate, latencies = results["Pagekeeper"][command]
        echo_rate, echo_latencies = results["stock echo bot"][command]
        ratio = rate / echo_rate
        verdict = "meets" if ratio >= target else "MISSES"
        print(
            f"{command:16} {rate:12.1f} {_ms(latencies, 50):7.1f} {_ms(latencies, 99):7.1f}"
            f" {echo_rate:10.1f} {_ms(echo_latencies, 50):7.1f} {_ms(echo_latencies, 99):7.1f}"
            f" {ratio:5.2f}x  >= {target}x {verdict}"
        )
    print(f"replies received by the connector: {connector.replies}")


def _ms(latencies: list[float], percent: int) -> float:
    if percent == 50:
        return statistics.median(latencies) * 1000
    return percentile(latencies, percent) * 1000


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.activities, arguments.clients))
