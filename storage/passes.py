"""Dashboard passes (one-time sign-in links, sessions) for the stores that run in one process:
a dict, and for the TinyDB store a file of lines it appends to (fsynced: a sign-out must not
come back after a crash), rewritten with only the live passes at start."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from storage.files import JsonLines, fsync_directory, write_atomically


class PassBook:
    def __init__(self, path: Path | None = None, now: datetime | None = None) -> None:
        self._passes: dict[str, tuple[str, datetime]] = {}
        self._file: JsonLines | None = None
        if path is not None:
            self._load(path, now)

    def keep(self, key: str, email: str, expires: datetime) -> None:
        self._write({"key": key, "email": email, "expires": expires.isoformat()})
        self._passes[key] = (email, expires)

    def take(self, key: str, now: datetime) -> str | None:
        email = self.read(key, now)
        if key in self._passes:
            self.drop(key)
        return email

    def read(self, key: str, now: datetime) -> str | None:
        found = self._passes.get(key)
        return found[0] if found and found[1] > now else None

    def drop(self, key: str) -> None:
        if self._passes.pop(key, None) is not None:
            self._write({"key": key, "dropped": True})

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def _write(self, line: dict[str, object]) -> None:
        if self._file is not None:
            self._file.append([line], sync=True)

    def _load(self, path: Path, now: datetime | None) -> None:
        if path.exists():
            for line in JsonLines(path):
                if line.get("dropped"):
                    self._passes.pop(str(line["key"]), None)
                else:
                    expires = datetime.fromisoformat(str(line["expires"]))
                    self._passes[str(line["key"])] = (str(line["email"]), expires)
        if now is not None:  # expired passes are left behind as the file is rewritten
            self._passes = {k: v for k, v in self._passes.items() if v[1] > now}
        data = b"".join(
            json.dumps({"key": k, "email": e, "expires": x.isoformat()}).encode() + b"\n"
            for k, (e, x) in self._passes.items()
        )
        write_atomically(path, data)
        fsync_directory(path.parent)
        self._file = JsonLines(path)
