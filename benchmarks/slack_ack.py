"""How fast Slack gets its acknowledgement for /request-page, next to a bare Bolt app.

Starts a fake Slack Web API, Pagekeeper (`python -m bot`) and a bare Bolt app that only acks
and calls views.open, each in its own process, then sends signed /request-page commands from
50 concurrent clients to each and prints requests per second and p50/p99 time to the ack.
The peer is the best honest configuration of a Bolt app doing the same work: it opens the very
form Pagekeeper opens, with one shared HTTP session (see bare_bolt_app.py). Pagekeeper also
checks each request against replays (recorded in its store) and logs an access line.

Run: .venv/bin/python benchmarks/slack_ack.py [--requests N] [--clients N]
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


async def main(requests: int, clients: int) -> None:
    runner, api_url, opened = await fake_slack_api()
    results = {}
    with tempfile.TemporaryDirectory(prefix="pagekeeper-bench-") as data:
        apps = {
            "Pagekeeper": [sys.executable, "-m", "bot", "--port"],
            "bare Bolt app": [sys.executable, "benchmarks/bare_bolt_app.py"],
        }
        for name, command in apps.items():
            port = free_port()
            process = start([*command, str(port)], api_url, data)
            try:
                await wait_until_listening(port)
                url = f"http://127.0.0.1:{port}/slack/events"
                results[name] = await load(url, requests, clients)
            finally:
                process.terminate()
                process.wait()
    await runner.cleanup()
    print(f"/request-page: {requests} signed commands from {clients} concurrent clients")
    print(f"{'app':16} {'requests/s':>11} {'ack p50 ms':>11} {'ack p99 ms':>11}")
    for name, (rate, latencies) in results.items():
        p50, p99 = statistics.median(latencies) * 1000, percentile(latencies, 99) * 1000
        print(f"{name:16} {rate:11.1f} {p50:11.1f} {p99:11.1f}")
    ours, bare = results["Pagekeeper"], results["bare Bolt app"]
    p99, bare_p99 = percentile(ours[1], 99) * 1000, percentile(bare[1], 99) * 1000
    print(
        f"Pagekeeper: throughput {ours[0] / bare[0]:.2f}x the bare app's "
        f"({'meets' if ours[0] >= bare[0] else 'MISSES'} >= 1.0x); p99 {p99:.1f} ms against "
        f"{bare_p99:.1f} ms ({'meets' if p99 <= bare_p99 else 'MISSES'} no worse); "
        f"views.open calls: {opened[0]}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.requests, arguments.clients))
