"""Message activities per second through Teams' endpoint, next to the SDK's stock echo bot.

Starts a fake Bot Framework connector, Pagekeeper (`python -m bot`, local mode) and the stock
CloudAdapter echo bot, each in its own process, then posts message activities from 50
concurrent clients (one user each) to each and prints activities per second and p50/p99 time
to the HTTP response. Pagekeeper answers `request-page` with the request form card; the echo
bot answers with a line of text. Both reply through the connector before they respond.

Run: .venv/bin/python benchmarks/teams.py [--activities N] [--clients N]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import ClientSession, web
from common import free_port, percentile, wait_until_listening

ROOT = Path(__file__).resolve().parent.parent


async def fake_connector() -> tuple[web.AppRunner, str, list[int]]:
    replies = [0]

    async def reply(request: web.Request) -> web.Response:
        await request.read()
        replies[0] += 1
        return web.json_response({"id": f"act-{replies[0]}"})

    async def member(request: web.Request) -> web.Response:
        user = request.match_info["member"]
        return web.json_response({"id": user, "name": user, "email": f"{user[3:]}@example.org"})

    app = web.Application()
    app.router.add_post("/v3/conversations/{conversation}/activities", reply)
    app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", reply)
    app.router.add_get("/v3/conversations/{conversation}/members/{member}", member)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/", replies


async def send(
    session: ClientSession, url: str, service_url: str, count: int, clients: int
) -> list[float]:
    numbers = itertools.count()
    latencies: list[float] = []

    async def client(user: int) -> None:
        while (number := next(numbers)) < count:
            activity = {
                "type": "message",
                "id": f"in-{number}",
                "text": "request-page",
                "channelId": "msteams",
                "serviceUrl": service_url,
                "from": {
                    "id": f"29:user{user}",
                    "name": f"User {user}",
                    "aadObjectId": f"aad-{user}",
                },
                "recipient": {"id": "28:bot", "name": "Pagekeeper"},
                "conversation": {"id": f"a:user{user}", "conversationType": "personal"},
                "channelData": {"tenant": {"id": "t1"}},
            }
            started = time.perf_counter()
            async with session.post(url, json=activity) as response:
                await response.read()
                assert response.status in (200, 201), response.status
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(client(user) for user in range(clients)))
    return latencies


async def load(url: str, service_url: str, count: int, clients: int) -> tuple[float, list[float]]:
    async with ClientSession() as session:
        await send(session, url, service_url, clients * 2, clients)  # warm up: every user once
        began = time.perf_counter()
        latencies = await send(session, url, service_url, count, clients)
        elapsed = time.perf_counter() - began
    return count / elapsed, latencies


def start(command: list[str], data: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env["PAGEKEEPER_DATA"] = data
    return subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)


async def main(count: int, clients: int) -> None:
    runner, service_url, replies = await fake_connector()
    results = {}
    with tempfile.TemporaryDirectory(prefix="pagekeeper-bench-") as data:
        bots = {
            "Pagekeeper": [sys.executable, "-m", "bot", "--port"],
            "stock echo bot": [sys.executable, "benchmarks/stock_echo_bot.py"],
        }
        for name, command in bots.items():
            port = free_port()
            process = start([*command, str(port)], data)
            try:
                await wait_until_listening(port)
                url = f"http://127.0.0.1:{port}/api/messages"
                results[name] = await load(url, service_url, count, clients)
            finally:
                process.terminate()
                process.wait()
    await runner.cleanup()
    print(f"Teams message activities: {count} from {clients} concurrent clients")
    print(f"{'bot':16} {'activities/s':>13} {'p50 ms':>8} {'p99 ms':>8}")
    for name, (rate, latencies) in results.items():
        p50, p99 = statistics.median(latencies) * 1000, percentile(latencies, 99) * 1000
        print(f"{name:16} {rate:13.1f} {p50:8.1f} {p99:8.1f}")
    ratio = results["Pagekeeper"][0] / results["stock echo bot"][0]
    verdict = "meets" if ratio >= 5 else "MISSES"
    print(f"Pagekeeper: {ratio:.1f}x the stock bot's throughput ({verdict} the target of >= 5x)")
    print(f"replies received by the connector: {replies[0]}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.activities, arguments.clients))
