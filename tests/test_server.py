"""`python -m bot` as an operator runs it: serving /healthz, refusing unsafe or broken starts."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes import free_port

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 20


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    keep = {"PATH", "HOME", "LANG", "SYSTEMROOT"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    return {**env, "PAGEKEEPER_DATA": str(tmp_path / "data"), **extra}


def get_json(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "--port", str(port)],
        cwd=ROOT,
        env=environment(tmp_path),
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "the bot did not start listening"
            time.sleep(0.05)
    yield base
    process.terminate()
    _, log = process.communicate(timeout=10)
    assert "LOCAL MODE" in log


def test_healthz_says_the_bot_is_up_and_in_local_mode(server: str) -> None:
    status, body = get_json(f"{server}/healthz")
    assert status == 200
    assert isinstance(body.pop("loop_lag_max_ms"), float)
    assert 10 < body.pop("peak_memory_mb") < 500  # type: ignore[operator]
    assert body == {
        "status": "ok",
        "undelivered_messages": 0,
        "district": "Example Unified School District",
        "mode": "local",
        "slack": False,
        "teams": False,
        "storage": "tinydb",
    }


def run_bot(tmp_path: Path, *arguments: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        cwd=ROOT,
        env=environment(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=STARTUP_SECONDS,
    )


def test_local_mode_refuses_a_public_address(tmp_path: Path) -> None:
    refused = run_bot(tmp_path, "--host", "0.0.0.0", "--port", str(free_port()))
    assert refused.returncode == 2
    assert "Refusing to start in local mode on 0.0.0.0" in refused.stderr
    assert "PAGEKEEPER_INSECURE_LOCAL=1" in refused.stderr


def test_a_bad_configuration_stops_the_start_with_file_and_line(tmp_path: Path) -> None:
    district = tmp_path / "district.toml"
    district.write_text('[district]\nname = "X"\ntime_zone = "Mars/Olympus"\n')
    failed = run_bot(tmp_path, "--port", str(free_port()), PAGEKEEPER_CONFIG=str(district))
    assert failed.returncode == 2
    assert f"{district}:" in failed.stderr


def test_a_damaged_data_folder_stops_the_start_and_is_not_overwritten(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "meta.json").write_text("{not json")
    failed = run_bot(tmp_path, "--port", str(free_port()))
    assert failed.returncode == 2
    assert f"cannot start: {data / 'meta.json'} is unreadable" in failed.stderr
    assert (data / "meta.json").read_text() == "{not json"


def test_a_bad_port_is_explained(tmp_path: Path) -> None:
    failed = run_bot(tmp_path, PORT="http")
    assert failed.returncode == 2
    assert "PORT must be a number from 1 to 65535, not 'http'" in failed.stderr
