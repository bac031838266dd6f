"""The composition root: the one place that builds and wires everything from Settings."""

from __future__ import annotations

import gc
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from adapters.plug import Adapter, Host, Plug
from bot.adapters import ADAPTERS
from bot.clock import ShiftableClock, SystemClock
from bot.config import Settings
from bot.duties import carry_duties_forward
from bot.metrics import Metrics
from bot.reloading import Reloader
from bot.vitals import LoopWatch
from storage.postgres import PostgresStore
from storage.postgres.reloads import listen_for_reloads
from storage.tinydb_store import TinyDBStore
from workflows.delivery.dispatcher import Dispatcher
from workflows.district.config import DistrictConfig
from workflows.district.loading import load_config
from workflows.engine import Engine
from workflows.kernel.links import Links
from workflows.kernel.ports import Clock, Store

Task = Callable[[], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Pagekeeper:
    """Everything a running bot is made of."""

    settings: Settings
    store: Store
    clock: Clock
    engine: Engine
    dispatcher: Dispatcher
    plugs: Mapping[str, Plug]
    loop_watch: LoopWatch
    metrics: Metrics
    reloader: Reloader
    # What runs for as long as the bot does: delivery, the duties, the loop watch.
    background: tuple[Task, ...]


async def build(
    settings: Settings,
    *,
    config: DistrictConfig | None = None,
    store: Store | None = None,
    clock: Clock | None = None,
    adapters: tuple[Adapter[Any], ...] = ADAPTERS,
) -> Pagekeeper:
    """Wire the bot; tests pass their own store, clock or adapters, the rest comes from
    settings."""
    config = config or load_config(settings.config_path)
    store = store or await open_store(settings)
    # What the store loaded lives as long as the process: kept out of the collector's full
    # collections, which walked all of it (about 50 ms at 30,000 pages, the loop stopped).
    gc.freeze()
    metrics = Metrics()
    # Every write, by the engine or the dispatcher, is timed for /metrics.
    metrics.time_commits(store)
    clock = clock or (ShiftableClock() if settings.local_mode else SystemClock())
    engine = Engine(config, store, clock, links=Links(settings.site), passes=store)
    engine.on_turn(metrics.turn_seconds.observe)
    dispatcher = Dispatcher(engine, store, store)
    host = Host(
        engine,
        store,
        settings.local_mode,
        dispatcher.drain,
        store,
        store,
        bool(settings.database_url),
    )
    plugs: dict[str, Plug] = {}
    for adapter in adapters:
        plugged = adapter.plug(settings.of(adapter.name), host)
        if plugged is None:
            continue
        plugs[adapter.name] = plugged
        if plugged.messenger is not None:
            dispatcher.add(plugged.messenger)
    loop_watch = LoopWatch(metrics.loop_lags.observe)
    reloader = Reloader(engine, settings.config_path, store, clock)
    background: list[Task] = [loop_watch.run]
    if dispatcher.messengers:  # nobody to tell, nothing to carry forward
        reminders_run = metrics.reminders_seconds.observe
        background += [
            dispatcher.run,
            lambda: carry_duties_forward(engine, store, reminders_run),
            reloader.at_start,
        ]
    if settings.database_url:  # `python -m bot reload` reaches every process through it
        url = settings.database_url
        background.append(lambda: listen_for_reloads(url, reloader.reload))
    return Pagekeeper(
        settings,
        store,
        clock,
        engine,
        dispatcher,
        plugs,
        loop_watch,
        metrics,
        reloader,
        tuple(background),
    )


async def open_store(settings: Settings) -> Store:
    """PostgreSQL when DATABASE_URL is set (as hosting platforms set it), else TinyDB files."""
    if settings.database_url:
        return await PostgresStore.open(settings.database_url)
    return await TinyDBStore.open(settings.data_dir)
