"""How an adapter plugs into the running bot: what it is given and what it hands back.

An adapter (a chat platform, the playground, the admin exports) is one `Adapter`: it reads
its own settings from the environment, and, given them and the `Host`, returns its `Plug`:
the routes it serves, the messenger it delivers with, and what to do at start and at stop
(or None when it is not configured). The composition root loops over `bot.adapters.ADAPTERS`;
a new chat platform is a new folder with one `Adapter`, and one line there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from aiohttp import web

from workflows.delivery.messenger import Messenger
from workflows.engine import Engine
from workflows.kernel.ports import AuditReader, MessageHandles, OnceOnly

Hook = Callable[[], Awaitable[None]]
S = TypeVar("S")


@dataclass(frozen=True)
class Host:
    """What the composition root offers every adapter."""

    engine: Engine
    handles: MessageHandles
    local_mode: bool
    deliver_now: Callable[[], Awaitable[object]]
    # Remembers what was seen once, for every process sharing the store (replays, repeats).
    once: OnceOnly
    # The audit trail read by position (the dashboard's timelines and figures).
    audit: AuditReader | None = None
    # Other processes may write to the store too (a shared database): what is kept in
    # memory must be read again now and then.
    shared_store: bool = False


@dataclass(frozen=True)
class Plug:
    """What one adapter adds to the running bot."""

    routes: tuple[web.AbstractRouteDef, ...] = ()
    messenger: Messenger | None = None
    start: tuple[Hook, ...] = ()
    stop: tuple[Hook, ...] = ()


@dataclass(frozen=True)
class Adapter(Generic[S]):
    """One adapter: `read_settings` gives None when its settings are absent; `plug` gives
    None when it has nothing to add (not configured, or not in this mode)."""

    name: str
    read_settings: Callable[[Mapping[str, str]], S | None]
    plug: Callable[[S | None, Host], Plug | None]
    # A chat platform's credentials take the bot out of local mode.
    chat_platform: bool = False


def connects(settings: object) -> bool:
    """The settings hold a platform's credentials (settings may hold only local-mode rules)."""
    return bool(getattr(settings, "credentials_given", True))


def setting(environ: Mapping[str, str], name: str) -> str:
    """One environment setting, trimmed (empty when unset)."""
    return environ.get(name, "").strip()


def setting_list(environ: Mapping[str, str], *names: str) -> frozenset[str]:
    """The comma-separated values of one or more settings, together."""
    return frozenset(
        item.strip() for name in names for item in setting(environ, name).split(",") if item.strip()
    )


class SettingsProblem(ValueError):
    """An adapter's settings that must stop the bot from starting; says what to set."""
