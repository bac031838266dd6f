"""The playground plugged into the bot: in local mode only, the page at `/` where anyone on
this machine can act as any person of the district, and everyone's conversation."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from adapters.playground.app import Playground
from adapters.playground.messenger import Conversations
from adapters.plug import Adapter, Host, Plug
from workflows.kernel.ports import Clock


def read_settings(_: Mapping[str, str]) -> None:
    """The playground has no settings: local mode alone turns it on."""
    return None


def plug(_: None, host: Host) -> Plug | None:
    if not host.local_mode:
        return None
    conversations = Conversations()
    clock = host.engine.context.clock
    playground = Playground(host.engine, conversations, host.deliver_now, _advance(clock))
    # Last among the messengers: whoever the Emulator's Teams chat cannot reach reads it here.
    return Plug(routes=playground.routes(), messenger=conversations)


def _advance(clock: Clock) -> Callable[[float], None]:
    """Moving the clock is possible only with the local mode's clock (tests bring their own)."""

    def advance(days: float) -> None:
        move = getattr(clock, "advance", None)
        if move is None:
            raise RuntimeError("this clock cannot be moved")
        move(days=days)

    return advance


ADAPTER = Adapter("playground", read_settings, plug)
