"""Settings, read once from the environment and the command line into a frozen object.

This is the only module that reads os.environ.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from adapters.network import is_loopback

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
    slack_bot_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_api_url: str = ""
    teams_app_id: str = ""
    teams_app_password: str = field(default="", repr=False)
    teams_app_type: str = ""
    teams_tenant_id: str = ""
    insecure_local: bool = False
    admin_token: str = field(default="", repr=False)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def teams_enabled(self) -> bool:
        return bool(self.teams_app_id)

    @property
    def local_mode(self) -> bool:
        """No platform credentials at all: the bot runs for trying out, on this machine."""
        return not (self.slack_enabled or self.teams_enabled)

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
    environ: Mapping[str, str], *, host: str | None = None, port: int | None = None
) -> Settings:
    """Settings from environment variables, with command-line `host` and `port` taking priority."""
    config = environ.get("PAGEKEEPER_CONFIG", "").strip()
    return Settings(
        host=host or DEFAULT_HOST,
        port=port if port is not None else _port(environ.get("PORT", "")),
        data_dir=Path(environ.get("PAGEKEEPER_DATA", "").strip() or "data"),
        database_url=environ.get("DATABASE_URL", "").strip(),
        config_path=Path(config) if config else None,
        slack_bot_token=environ.get("SLACK_BOT_TOKEN", "").strip(),
        slack_signing_secret=environ.get("SLACK_SIGNING_SECRET", "").strip(),
        slack_app_token=environ.get("SLACK_APP_TOKEN", "").strip(),
        slack_api_url=environ.get("SLACK_API_URL", "").strip(),
        teams_app_id=environ.get("MicrosoftAppId", "").strip(),
        teams_app_password=environ.get("MicrosoftAppPassword", "").strip(),
        teams_app_type=environ.get("MicrosoftAppType", "").strip(),
        teams_tenant_id=environ.get("MicrosoftAppTenantId", "").strip(),
        insecure_local=environ.get("PAGEKEEPER_INSECURE_LOCAL", "").strip() in {"1", "true", "yes"},
        admin_token=environ.get("PAGEKEEPER_ADMIN_TOKEN", "").strip(),
    )


def environment() -> Mapping[str, str]:
    return os.environ


def _port(text: str) -> int:
    if not text.strip():
        return DEFAULT_PORT
    if not text.strip().isdigit() or not 0 < int(text) < 65536:
        raise SettingsError(f"PORT must be a number from 1 to 65535, not {text!r}")
    return int(text)
