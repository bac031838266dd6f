"""The admin routes plugged into the bot: CSV exports for records requests, behind the
PAGEKEEPER_ADMIN_TOKEN bearer token; without the setting the routes do not exist."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from adapters.admin.exports import export_routes
from adapters.plug import Adapter, Host, Plug, setting


@dataclass(frozen=True)
class AdminSettings:
    token: str = field(repr=False)


def read_settings(environ: Mapping[str, str]) -> AdminSettings | None:
    token = setting(environ, "PAGEKEEPER_ADMIN_TOKEN")
    return AdminSettings(token) if token else None


def plug(settings: AdminSettings | None, host: Host) -> Plug | None:
    if settings is None:
        return None
    context = host.engine.context
    return Plug(routes=export_routes(context.store, context.config, settings.token))


ADAPTER = Adapter("admin", read_settings, plug)
