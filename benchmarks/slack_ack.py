"""How fast Slack gets its acknowledgement for /request-page, next to a bare Bolt app.

Starts a fake Slack Web API, Pagekeeper (`python -m bot`) and a bare Bolt app that only acks
and calls views.open, each in its own process, then sends signed /request-page commands from
50 concurrent clients to each and prints requests per second and p50/p99 time to the ack.
The peer is the best honest configuration of a Bolt app doing the same work: it opens the very
form Pagekeeper opens, with one shared HTTP session (see bare_bolt_app.py). Pagekeeper also
checks each request against replays (recorded in its store) and logs an access line.

Each app runs in several rounds, alternating which goes first; the figures are the median
rate per app, the range of rounds, and p50/p99 over every round's acknowledgements.

Run: .venv/bin/python benchmarks/slack_ack.py [--requests N] [--clients N] [--rounds N]
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
import urllib.parse
from pathlib import Path

from aiohttp import ClientSession, web
from common import free_port, percentile, wait_until_listening
from slack_sdk.signature import SignatureVerifier

ROOT = Path(__file__).resolve().parent.parent
SECRET = "benchmark-signing-secret"
TRIGGERS = itertools.count()
TOKEN = "xoxb-benchmark"


async def fake_slack_api() -> tuple[web.AppRunner, str, list[int]]:
    """Answers every Web API call like Slack would for these two apps, counting views.open."""
    opened = [0]

    async def api(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "auth.test":
            return web.json_response(
                {"ok": True, "user_id": "UBOT", "bot_id": "B", "team_id": "T1"}
            )
        if method == "views.open":
            opened[0] += 1
        return web.json_response({"ok": True, "view": {"id": "V1"}})

    app = web.Application()
    app.router.add_route("*", "/api/{method}", api)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/api/", opened


def start(command: list[str], api_url: str, data: str) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}},
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_TEAM_ID": "T1",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "PAGEKEEPER_DATA": data,
    }
    return subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)


async def load(url: str, requests: int, clients: int) -> tuple[float, list[float]]:
    """Send `requests` signed commands from `clients` concurrent clients; ack times in seconds."""
    async with ClientSession() as session:
        await send(session, url, 50, 5)  # warm up: auth.test, first imports, connections
        began = time.perf_counter()
        latencies = await send(session, url, requests, clients)
        elapsed = time.perf_counter() - began
    return requests / elapsed, latencies


async def send(session: ClientSession, url: str, requests: int, clients: int) -> list[float]:
    numbers = itertools.count()
    latencies: list[float] = []
    verifier = SignatureVerifier(SECRET)

    async def client() -> None:
        while next(numbers) < requests:
            body = urllib.parse.urlencode(
                {
                    "command": "/request-page",
                    "user_id": "UTOM",
                    "team_id": "T1",
                    "trigger_id": f"trigger-{next(TRIGGERS)}",  # never the same request twice
                    "text": "",
                }
            )
            stamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body) or "",
            }
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                assert response.status == 200, response.status
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies


async def main(requests: int, clients: int, rounds: int) -> None:
    runner, api_url, opened = await fake_slack_api()
    apps = {
        "Pagekeeper": [sys.executable, "-m", "bot", "--port"],
        "bare Bolt app": [sys.executable, "benchmarks/bare_bolt_app.py"],
    }
    rates: dict[str, list[float]] = {name: [] for name in apps}
    latencies: dict[str, list[float]] = {name: [] for name in apps}
    with tempfile.TemporaryDirectory(prefix="pagekeeper-bench-") as data:
        # Rounds, each app's turn first in every other one: one run each swung the ratio
        # from 0.87x to 1.26x with whatever else the machine was doing.
        for round_number in range(rounds):
            order = list(apps) if round_number % 2 == 0 else list(reversed(apps))
            for name in order:
                port = free_port()
                process = start([*apps[name], str(port)], api_url, data)
                try:
                    await wait_until_listening(port)
                    url = f"http://127.0.0.1:{port}/slack/events"
                    rate, times = await load(url, requests, clients)
                finally:
                    process.terminate()
                    process.wait()
                rates[name].append(rate)
                latencies[name].extend(times)
                print(f"round {round_number + 1}, {name}: {rate:.0f} requests/s")
    await runner.cleanup()
    print(
        f"/request-page: {requests} signed commands from {clients} concurrent clients, "
        f"{rounds} rounds per app (alternating which goes first)"
    )
    print(f"{'app':16} {'median req/s':>12} {'range':>15} {'ack p50 ms':>11} {'ack p99 ms':>11}")
    for name in apps:
        p50 = statistics.median(latencies[name]) * 1000
        p99 = percentile(latencies[name], 99) * 1000
        spread = f"{min(rates[name]):.0f}-{max(rates[name]):.0f}"
        print(
            f"{name:16} {statistics.median(rates[name]):12.1f} {spread:>15} {p50:11.1f} {p99:11.1f}"
        )
    ours, bare = statistics.median(rates["Pagekeeper"]), statistics.median(rates["bare Bolt app"])
    paired = zip(rates["Pagekeeper"], rates["bare Bolt app"], strict=True)
    each = [mine / theirs for mine, theirs in paired]
    p99 = percentile(latencies["Pagekeeper"], 99) * 1000
    bare_p99 = percentile(latencies["bare Bolt app"], 99) * 1000
    print(
        f"Pagekeeper: throughput {ours / bare:.2f}x the bare app's, median of rounds "
        f"(rounds {min(each):.2f}x-{max(each):.2f}x; {'meets' if ours >= bare else 'MISSES'} "
        f">= 1.0x); p99 {p99:.1f} ms against {bare_p99:.1f} ms "
        f"({'meets' if p99 <= bare_p99 else 'MISSES'} no worse); views.open calls: {opened[0]}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.requests, arguments.clients, arguments.rounds))
