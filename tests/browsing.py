"""What the browser tests share: the bot as a real process, headless Chromium (Debian's, from
scripts/ensure-browser.sh), and axe-core's accessibility check run inside the page."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
WAIT = 15
# The success criteria the district must meet: WCAG 2.1 A and AA.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_bot(data: Path, port: int, **environment: str) -> Iterator[str]:
    """`python -m bot` in local mode on `port`, over the data folder `data`."""
    env = {"PATH": os.environ.get("PATH", ""), "PAGEKEEPER_DATA": str(data), **environment}
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + WAIT
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert bot.poll() is None and time.monotonic() < deadline, "the bot did not start"
                time.sleep(0.05)  # waiting for another process to listen
        yield f"http://127.0.0.1:{port}"
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(timeout=10)


def chromium(profile: Path, width: int = 1280, height: int = 1100) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


def axe_violations(driver: Any) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it stands, one line each."""
    script = resources.files("axe_core_python").joinpath("axe.min.js").read_text("utf-8")
    driver.execute_script(script)
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(result => done(result.violations));",
        WCAG_AA,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in found
    ]


def overflows(driver: Any) -> bool:
    """The page is wider than the window: a phone would have to scroll sideways."""
    return bool(
        driver.execute_script(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth;"
        )
    )
