"""A PostgreSQL server of our own for tests and benchmarks, from Debian's binaries.

It lives in a temporary folder, listens on a free loopback port, and is gone when stopped.
PostgreSQL refuses to run as root, so as root it runs as the `postgres` user the Debian
package creates.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import psycopg
import pytest

from tests.fakes import free_port

INSTALL_HINT = (
    "PostgreSQL server binaries not found: `bash scripts/ensure-postgres.sh` installs Debian's "
    "postgresql (make test runs it)"
)


def binaries() -> Path | None:
    """The folder holding initdb and postgres, newest version first, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_major, reverse=True)
    if found:
        return found[0].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def started(*, durable: bool = False, settings: Sequence[str] = ()) -> ThrowawayPostgres:
    """A running throwaway server, or the calling test skipped with the reason."""
    if binaries() is None:
        pytest.skip(f"PostgreSQL tests skipped: {INSTALL_HINT}")
    server = ThrowawayPostgres(durable=durable, settings=settings)
    server.start()
    return server


def _major(path: Path) -> int:
    version = path.parent.parent.name
    return int(version) if version.isdigit() else 0


class ThrowawayPostgres:
    """Start with `start()`; `url(name)` gives a connection string; `stop()` removes it all."""

    def __init__(self, *, durable: bool = False, settings: Sequence[str] = ()) -> None:
        self.durable = durable
        self._settings = settings  # more of the server's settings, as name=value
        self.port = 0
        self._folder: Path | None = None
        self._server: subprocess.Popen[bytes] | None = None
        self._user = _run_as()

    def start(self) -> None:
        bin_dir = binaries()
        if bin_dir is None:
            raise RuntimeError(INSTALL_HINT)
        self._folder = Path(tempfile.mkdtemp(prefix="pagekeeper-pg-"))
        if self._user:
            os.chown(self._folder, self._user.pw_uid, self._user.pw_gid)
        data = self._folder / "data"
        subprocess.run(
            [bin_dir / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8"],
            check=True,
            capture_output=True,
            user=self._user.pw_uid if self._user else None,
        )
        self.port = free_port()
        self.resume()

    def resume(self) -> None:
        """Run the server (again, after `halt()`), on the same port and data."""
        bin_dir = binaries()
        assert bin_dir is not None and self._folder is not None
        data = self._folder / "data"
        settings = [
            "-c", "listen_addresses=127.0.0.1",
            "-c", f"unix_socket_directories={self._folder}",
            "-c", "max_connections=200",
        ]  # fmt: skip
        if not self.durable:  # tests check our code, not PostgreSQL's own crash safety
            settings += ["-c", "fsync=off", "-c", "synchronous_commit=off"]
        for setting in self._settings:
            settings += ["-c", setting]
        with open(self._folder / "server.log", "ab") as log:
            self._server = subprocess.Popen(
                [bin_dir / "postgres", "-D", data, "-p", str(self.port), *settings],
                stdout=subprocess.DEVNULL,
                stderr=log,
                user=self._user.pw_uid if self._user else None,
            )
        self._wait_until_ready()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"'.encode())
        return self.url(name)

    def halt(self) -> None:
        """Stop the server, keeping its data, as a database restart or outage would."""
        if self._server is not None:
            self._server.send_signal(signal.SIGINT)  # "fast" shutdown: ends open sessions
            try:
                self._server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._server.kill()
                self._server.wait()
            self._server = None

    def crash(self) -> None:
        """Stop the server as a crash would: its processes end at once (immediate shutdown),
        and what it kept in memory, not yet written to its files, is lost."""
        if self._server is not None:
            self._server.send_signal(signal.SIGQUIT)
            self._server.wait(timeout=20)
            self._server = None

    def stop(self) -> None:
        self.halt()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(self.url(), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if self._server is not None and self._server.poll() is not None:
                    raise RuntimeError(f"PostgreSQL did not start: {self._log()}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"PostgreSQL did not answer: {self._log()}") from None
                time.sleep(0.05)

    def _log(self) -> str:
        assert self._folder is not None
        with contextlib.suppress(OSError):
            return (self._folder / "server.log").read_text()[-2000:]
        return "(no log)"


def _run_as() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError("running as root, and no `postgres` user to run PostgreSQL") from None
