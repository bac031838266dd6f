"""The admin routes plugged into the bot: CSV exports for records requests, behind the
PAGEKEEPER_ADMIN_TOKEN bearer token; without the setting the routes do not exist."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from adapters.admin.exports import export_routes
from adapters.admin.guard import TokenGuard
from adapters.plug import Adapter, Host, Plug, SettingsProblem, setting

# A token guessed by trying is as good as none; 32 characters of `openssl rand -hex 16`.
TOKEN_MIN = 32


@dataclass(frozen=True)
class AdminSettings:
    token: str = field(repr=False)


def read_settings(environ: Mapping[str, str]) -> AdminSettings | None:
    token = setting(environ, "PAGEKEEPER_ADMIN_TOKEN")
    if token and len(token) < TOKEN_MIN:
        raise SettingsProblem(
            f"PAGEKEEPER_ADMIN_TOKEN is {len(token)} characters; it must be at least {TOKEN_MIN} "
            "(make one with: openssl rand -hex 32)"
        )
    return AdminSettings(token) if token else None


def plug(settings: AdminSettings | None, host: Host) -> Plug | None:
    if settings is None:
        return None
    engine = host.engine
    guard = TokenGuard(settings.token, engine.context.clock)
    # The district file may be reloaded: each export reads the one in force.
    return Plug(routes=export_routes(engine.context.store, lambda: engine.context.config, guard))


ADAPTER = Adapter("admin", read_settings, plug)
