"""How long `/healthz` stalls while the bot checks a hostile request form (red-team finding 1).

The form's co-owners box holds one token of `a@` + 28,000 dots + `@` (about 28 KB, under the
30 KB a person could paste). The bot runs as deployed (`python -m bot`, local mode, TinyDB);
the form goes in through the playground's form route, which reaches the same checks as Slack
and Teams forms. Meanwhile a second client asks `/healthz` every 10 ms; the figure is the
worst and median answer time it saw. Run it at two commits to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import ClientSession

from benchmarks.common import free_port, percentile, wait_until_listening

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "a@" + "." * 28_000 + "@"


async def main(root: Path, rounds: int) -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        environ = {"PATH": os.environ.get("PATH", ""), "PAGEKEEPER_DATA": data}
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--port", str(port),
            cwd=root, env=environ, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            await wait_until_listening(port)
            await measure(f"http://127.0.0.1:{port}", rounds)
        finally:
            server.terminate()
            await server.wait()


async def measure(base: str, rounds: int) -> None:
    form = {
        "as": "tom.baker@example.org",
        "action": "request_page",
        "values": {
            "kind": "classroom",
            "school": "lincoln",
            "platform": "facebook",
            "page_name": "Room 12 News",
            "purpose": "Share classroom news and homework reminders with families.",
            "audience": "Families of Room 12",
            "co_owners": HOSTILE,
            "acknowledged": "true",
        },
    }
    health: list[float] = []
    forms: list[float] = []
    async with ClientSession() as session:
        done = asyncio.Event()

        async def ask_health() -> None:
            while not done.is_set():
                started = time.perf_counter()
                async with session.get(base + "/healthz") as answer:
                    await answer.read()
                health.append(time.perf_counter() - started)
                await asyncio.sleep(0.01)

        asker = asyncio.create_task(ask_health())
        for _ in range(rounds):
            started = time.perf_counter()
            async with session.post(base + "/playground/act", json=form) as answer:
                said = await answer.text()
            forms.append(time.perf_counter() - started)
        done.set()
        await asker
    print(f"hostile form ({len(HOSTILE):,} characters in the co-owners box), {rounds} times:")
    print(f"  form answered in median {statistics.median(forms) * 1000:.1f} ms")
    print(f"  the bot said: {said[:160]}")
    print(
        f"  /healthz meanwhile ({len(health)} asks): worst {max(health) * 1000:.1f} ms, "
        f"p50 {percentile(health, 50) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--root", default=str(ROOT), help="a checkout to measure (default: this)")
    arguments = parser.parse_args()
    asyncio.run(main(Path(arguments.root), arguments.rounds))
