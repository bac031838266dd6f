"""Settings, read once from the environment and the command line into a frozen object.

This is the only module that reads os.environ.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from adapters.network import is_loopback
from adapters.plug import Adapter, SettingsProblem, connects
from bot.adapters import ADAPTERS

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3978


class SettingsError(Exception):
    """A setting that stops the bot from starting, explained for the person deploying it."""


@dataclass(frozen=True)
class Settings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    data_dir: Path = Path("data")
    database_url: str = field(default="", repr=False)
    config_path: Path | None = None
    insecure_local: bool = False
    # Each configured adapter's own settings, by adapter name (see bot/adapters.py).
    adapters: Mapping[str, Any] = field(default_factory=dict)
    # The chat platforms among them: with none, the bot runs in local mode.
    chat_platforms: frozenset[str] = frozenset()
    # PAGEKEEPER_PUBLIC_URL: where people reach this server; the public directory and the
    # dashboard are served when it is set, and every link the bot sends starts with it.
    public_url: str = ""

    def of(self, adapter: str) -> Any:
        """The settings `adapter` read from the environment, or None when it has none."""
        return self.adapters.get(adapter)

    @property
    def site(self) -> str:
        """The base of the web pages' links: the public address, or in local mode this
        machine's own; empty when the web pages are off."""
        if self.public_url:
            return self.public_url
        return f"http://{self.host}:{self.port}" if self.local_mode else ""

    @property
    def local_mode(self) -> bool:
        """No platform credentials at all: the bot runs for trying out, on this machine."""
        return not self.chat_platforms

    def check(self) -> None:
        """Refuse settings that would expose an unauthenticated bot to the network."""
        if self.local_mode and not is_loopback(self.host) and not self.insecure_local:
            raise SettingsError(
                f"Refusing to start in local mode on {self.host}: with no Slack or Teams "
                "credentials anyone who can reach this address could act as any staff member. "
                "Set the Slack or Teams credentials, listen on 127.0.0.1, or set "
                "PAGEKEEPER_INSECURE_LOCAL=1 if this network is private."
            )


def settings_from(
    environ: Mapping[str, str],
    *,
    host: str | None = None,
    port: int | None = None,
    adapters: tuple[Adapter[Any], ...] = ADAPTERS,
) -> Settings:
    """Settings from environment variables, with command-line `host` and `port` taking priority;
    each adapter reads its own."""
    config = environ.get("PAGEKEEPER_CONFIG", "").strip()
    try:
        read = {adapter.name: adapter.read_settings(environ) for adapter in adapters}
    except SettingsProblem as problem:
        raise SettingsError(str(problem)) from None
    configured = {name: value for name, value in read.items() if value is not None}
    return Settings(
        host=host or DEFAULT_HOST,
        port=port if port is not None else _port(environ.get("PORT", "")),
        data_dir=Path(environ.get("PAGEKEEPER_DATA", "").strip() or "data"),
        database_url=environ.get("DATABASE_URL", "").strip(),
        config_path=Path(config) if config else None,
        insecure_local=environ.get("PAGEKEEPER_INSECURE_LOCAL", "").strip() in {"1", "true", "yes"},
        adapters=MappingProxyType(configured),
        public_url=_public_url(environ.get("PAGEKEEPER_PUBLIC_URL", "")),
        chat_platforms=frozenset(
            a.name
            for a in adapters
            if a.chat_platform and a.name in configured and connects(configured[a.name])
        ),
    )


def environment() -> Mapping[str, str]:
    return os.environ


def _port(text: str) -> int:
    if not text.strip():
        return DEFAULT_PORT
    if not text.strip().isdigit() or not 0 < int(text) < 65536:
        raise SettingsError(f"PORT must be a number from 1 to 65535, not {text!r}")
    return int(text)


def _public_url(text: str) -> str:
    url = text.strip().rstrip("/")
    if not url:
        return ""
    scheme, _, rest = url.partition("://")
    if scheme not in {"http", "https"} or not rest or any(c in rest for c in "?# "):
        raise SettingsError(
            f"PAGEKEEPER_PUBLIC_URL must be the server's address as people reach it, such as "
            f"https://pagekeeper.district.org, not {text.strip()!r}"
        )
    return url
