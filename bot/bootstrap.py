"""The composition root: the one place that builds and wires everything from Settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from adapters.playground.app import Playground
from adapters.playground.messenger import Conversations
from adapters.slack.app import SlackApp, build_slack_app, slack_client
from adapters.teams.app import TeamsApp, TeamsCredentials, build_teams_app
from bot.clock import ShiftableClock, SystemClock
from bot.config import Settings
from storage.postgres import PostgresStore
from storage.tinydb_store import TinyDBStore
from workflows.config import DistrictConfig, load_config
from workflows.delivery import Messenger
from workflows.dispatcher import Dispatcher
from workflows.engine import Engine
from workflows.ports import Clock, Store


@dataclass(frozen=True)
class Pagekeeper:
    """Everything a running bot is made of."""

    settings: Settings
    config: DistrictConfig
    store: Store
    clock: Clock
    engine: Engine
    slack: SlackApp | None
    teams: TeamsApp | None
    dispatcher: Dispatcher | None
    playground: Playground | None


async def build(
    settings: Settings,
    *,
    config: DistrictConfig | None = None,
    store: Store | None = None,
    clock: Clock | None = None,
) -> Pagekeeper:
    """Wire the bot; tests pass their own store or clock, everything else comes from settings."""
    config = config or load_config(settings.config_path)
    store = store or await open_store(settings)
    clock = clock or (ShiftableClock() if settings.local_mode else SystemClock())
    engine = Engine(config, store, clock)
    slack, teams = _slack(settings, engine), _teams(settings, engine)
    messengers: list[Messenger] = [app.messenger for app in (slack, teams) if app is not None]
    conversations = Conversations() if settings.local_mode else None
    if conversations is not None:
        # Local mode: whoever the Emulator's Teams chat cannot reach reads the playground.
        messengers.append(conversations)
    dispatcher = Dispatcher(engine, messengers) if messengers else None
    playground = None
    if conversations is not None and dispatcher is not None:
        playground = Playground(engine, conversations, dispatcher.drain, _advance(clock))
    return Pagekeeper(settings, config, store, clock, engine, slack, teams, dispatcher, playground)


async def open_store(settings: Settings) -> Store:
    """PostgreSQL when DATABASE_URL is set (as hosting platforms set it), else TinyDB files."""
    if settings.database_url:
        return await PostgresStore.open(settings.database_url)
    return await TinyDBStore.open(settings.data_dir)


def _advance(clock: Clock) -> Callable[[float], None]:
    """Moving the clock is possible only with the local mode's clock (tests bring their own)."""

    def advance(days: float) -> None:
        move = getattr(clock, "advance", None)
        if move is None:
            raise RuntimeError("this clock cannot be moved")
        move(days=days)

    return advance


def _teams(settings: Settings, engine: Engine) -> TeamsApp | None:
    """Teams runs with its credentials, or unauthenticated in local mode (the Emulator)."""
    if not (settings.teams_enabled or settings.local_mode):
        return None
    credentials = TeamsCredentials(
        APP_ID=settings.teams_app_id,
        APP_PASSWORD=settings.teams_app_password,
        APP_TYPE=settings.teams_app_type or "MultiTenant",
        APP_TENANTID=settings.teams_tenant_id,
    )
    return build_teams_app(engine, credentials)


def _slack(settings: Settings, engine: Engine) -> SlackApp | None:
    if not settings.slack_enabled:
        return None
    client = slack_client(settings.slack_bot_token, settings.slack_api_url)
    return build_slack_app(engine, client, settings.slack_signing_secret)
