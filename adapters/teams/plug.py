"""Teams plugged into the bot: `POST /api/messages` for Bot Framework activities, and
proactive messages to people's personal chats. Configured by the Bot Framework's own settings
(MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType, MicrosoftAppTenantId); in local mode
it runs without them, unauthenticated, for the Bot Framework Emulator on this machine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from aiohttp import web

from adapters.plug import Adapter, Host, Plug, setting
from adapters.teams.app import TeamsCredentials, build_teams_app


@dataclass(frozen=True)
class TeamsSettings:
    app_id: str
    app_password: str = field(default="", repr=False)
    app_type: str = ""
    tenant_id: str = ""


def read_settings(environ: Mapping[str, str]) -> TeamsSettings | None:
    """Teams runs with an app id (the Azure Bot's Microsoft App ID)."""
    app_id = setting(environ, "MicrosoftAppId")
    if not app_id:
        return None
    return TeamsSettings(
        app_id=app_id,
        app_password=setting(environ, "MicrosoftAppPassword"),
        app_type=setting(environ, "MicrosoftAppType"),
        tenant_id=setting(environ, "MicrosoftAppTenantId"),
    )


def plug(settings: TeamsSettings | None, host: Host) -> Plug | None:
    if settings is None and not host.local_mode:
        return None
    given = settings or TeamsSettings(app_id="")
    credentials = TeamsCredentials(
        APP_ID=given.app_id,
        APP_PASSWORD=given.app_password,
        APP_TYPE=given.app_type or "MultiTenant",
        APP_TENANTID=given.tenant_id,
    )
    return plug_with(credentials, host)


def plug_with(credentials: TeamsCredentials, host: Host) -> Plug:
    """Teams with the Bot Framework settings given (tests give their own key server's)."""
    teams = build_teams_app(host.engine, host.handles, credentials)
    return Plug(
        routes=(web.post("/api/messages", teams.handler),),
        messenger=teams.messenger,
        stop=(teams.close,),
    )


ADAPTER = Adapter("teams", read_settings, plug, chat_platform=True)
