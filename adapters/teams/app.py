"""Assemble the Teams side: SDK adapter with reused connectors, messenger, bot, HTTP handler."""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.integration.aiohttp import CloudAdapter

from adapters.teams.bot import PagekeeperTeamsBot
from adapters.teams.connector import ReusingAuthentication
from adapters.teams.http import Handler, teams_messages_handler
from adapters.teams.messenger import TeamsMessenger
from workflows.engine import Engine
from workflows.kernel.ports import MessageHandles


@dataclass(frozen=True)
class TeamsCredentials:
    """The Bot Framework's own setting names, as the SDK's configuration object expects."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


@dataclass(frozen=True)
class TeamsApp:
    handler: Handler
    authentication: ReusingAuthentication
    messenger: TeamsMessenger

    async def close(self) -> None:
        await self.authentication.close()


def build_teams_app(
    engine: Engine,
    handles: MessageHandles,
    credentials: TeamsCredentials,
    tenants: frozenset[str] = frozenset(),
) -> TeamsApp:
    """Without an app id the endpoint runs unauthenticated (local mode, for the Emulator).
    People from tenants other than `tenants` are refused (with none given: local mode)."""
    authentication = ReusingAuthentication(credentials)
    adapter = CloudAdapter(authentication)
    messenger = TeamsMessenger(adapter, credentials.APP_ID, handles)
    bot = PagekeeperTeamsBot(engine, messenger, tenants)
    local = not credentials.APP_ID
    handler = teams_messages_handler(adapter, authentication, bot, local=local)
    return TeamsApp(handler, authentication, messenger)
