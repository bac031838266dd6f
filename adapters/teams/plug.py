"""Teams plugged into the bot: `POST /api/messages` for Bot Framework activities, and
proactive messages to people's personal chats. Configured by the Bot Framework's own settings
(MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType, MicrosoftAppTenantId); in local mode
it runs without them, unauthenticated, for the Bot Framework Emulator on this machine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from aiohttp import web

from adapters.plug import Adapter, Host, Plug, SettingsProblem, setting, setting_list
from adapters.teams.app import TeamsCredentials, build_teams_app


@dataclass(frozen=True)
class TeamsSettings:
    app_id: str
    app_password: str = field(default="", repr=False)
    app_type: str = ""
    tenant_id: str = ""
    # The district's Microsoft 365 tenants: anyone from another tenant is refused.
    tenants: frozenset[str] = frozenset()

    @property
    def credentials_given(self) -> bool:
        return bool(self.app_id)


def read_settings(environ: Mapping[str, str]) -> TeamsSettings | None:
    """Teams runs with an app id (the Azure Bot's Microsoft App ID) and the district's
    tenants; in local mode, tenants alone apply to the Emulator when set."""
    app_id = setting(environ, "MicrosoftAppId")
    tenants = setting_list(environ, "PAGEKEEPER_TEAMS_TENANT_ID", "MicrosoftAppTenantId")
    if not app_id:
        return TeamsSettings(app_id="", tenants=tenants) if tenants else None
    if not tenants:
        raise SettingsProblem(
            "Set PAGEKEEPER_TEAMS_TENANT_ID to the district's Microsoft 365 tenant id "
            "(comma-separated for several): without it, people from any tenant could act as "
            "district staff."
        )
    return TeamsSettings(
        app_id=app_id,
        app_password=setting(environ, "MicrosoftAppPassword"),
        app_type=setting(environ, "MicrosoftAppType"),
        tenant_id=setting(environ, "MicrosoftAppTenantId"),
        tenants=tenants,
    )


def plug(settings: TeamsSettings | None, host: Host) -> Plug | None:
    if (settings is None or not settings.app_id) and not host.local_mode:
        return None
    given = settings or TeamsSettings(app_id="")
    credentials = TeamsCredentials(
        APP_ID=given.app_id,
        APP_PASSWORD=given.app_password,
        APP_TYPE=given.app_type or "MultiTenant",
        APP_TENANTID=given.tenant_id,
    )
    return plug_with(credentials, host, given.tenants)


def plug_with(credentials: TeamsCredentials, host: Host, tenants: frozenset[str]) -> Plug:
    """Teams with the Bot Framework settings given (tests give their own key server's);
    people from tenants other than `tenants` are refused (any tenant when empty: local mode)."""
    teams = build_teams_app(host.engine, host.handles, credentials, tenants)
    return Plug(
        routes=(web.post("/api/messages", teams.handler),),
        messenger=teams.messenger,
        stop=(teams.close,),
    )


ADAPTER = Adapter("teams", read_settings, plug, chat_platform=True)
