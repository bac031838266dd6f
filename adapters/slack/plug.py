"""Slack plugged into the bot: `POST /slack/events` (HTTP mode) or Socket Mode, and direct
messages through the Web API. Configured by SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET and/or
SLACK_APP_TOKEN; SLACK_API_URL points the Web API elsewhere (tests, proxies)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from adapters.plug import Adapter, Hook, Host, Plug, SettingsProblem, setting, setting_list
from adapters.slack.app import build_slack_app, slack_client
from adapters.slack.http import slack_events_handler

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str = field(repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    api_url: str = ""
    # The district's workspaces (or Enterprise Grid org): anyone else is refused.
    team_ids: frozenset[str] = frozenset()


def read_settings(environ: Mapping[str, str]) -> SlackSettings | None:
    """Slack runs with a bot token and either a signing secret (HTTP) or an app token
    (Socket Mode)."""
    settings = SlackSettings(
        bot_token=setting(environ, "SLACK_BOT_TOKEN"),
        signing_secret=setting(environ, "SLACK_SIGNING_SECRET"),
        app_token=setting(environ, "SLACK_APP_TOKEN"),
        api_url=setting(environ, "SLACK_API_URL"),
    )
    if not (settings.bot_token and (settings.signing_secret or settings.app_token)):
        return None
    team_ids = setting_list(environ, "SLACK_TEAM_ID")
    if not team_ids:
        raise SettingsProblem(
            "Set SLACK_TEAM_ID to the district's Slack workspace id (T...) or Enterprise Grid "
            "org id (E...), comma-separated for several: without it, people from any "
            "workspace the app is installed in could act as district staff."
        )
    return dataclasses.replace(settings, team_ids=team_ids)


def plug(settings: SlackSettings | None, host: Host) -> Plug | None:
    if settings is None:
        return None
    client = slack_client(settings.bot_token, settings.api_url)
    slack = build_slack_app(host.engine, client, settings.team_ids)
    routes: tuple[web.AbstractRouteDef, ...] = ()
    start: tuple[Hook, ...] = ()
    stop: tuple[Hook, ...] = ()
    if settings.signing_secret:
        handler = slack_events_handler(
            slack.bolt,
            settings.signing_secret,
            host.once,
            host.engine.context.clock,
            slack.blank_forms.open_at_once,
            slack.submitted_forms.answer,
        )
        routes = (web.post("/slack/events", handler),)
    if settings.app_token:
        socket = AsyncSocketModeHandler(slack.bolt, settings.app_token)

        async def connect() -> None:
            await socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("slack socket mode connected")

        async def disconnect() -> None:
            await socket.close_async()  # type: ignore[no-untyped-call]

        start, stop = (connect,), (disconnect,)

    async def close_session() -> None:
        if client.session is not None:
            await client.session.close()

    return Plug(routes, slack.messenger, start, (*stop, close_session))


ADAPTER = Adapter("slack", read_settings, plug, chat_platform=True)
