"""The web pages plugged into the bot: on when the district has a public address
(PAGEKEEPER_PUBLIC_URL) and always in local mode."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from aiohttp import web

from adapters.plug import Adapter, Host, Plug
from adapters.web.dashboard import Dashboard
from adapters.web.directory import Directory
from adapters.web.mirror import RegistryMirror
from adapters.web.sessions import SignIns

STATIC = Path(__file__).parent / "static"


def read_settings(_: Mapping[str, str]) -> None:
    """The public address is the bot's own setting (it is the base of every link it sends)."""
    return None


def plug(_: None, host: Host) -> Plug | None:
    engine = host.engine
    if not engine.context.links.on:
        return None
    mirror = RegistryMirror(engine, shared=host.shared_store)
    routes = [*Directory(engine, mirror).routes(), web.get("/web.css", _stylesheet)]
    if engine.passes is not None and host.audit is not None:
        # Cookies marked Secure are not sent over plain http: only the local mode's is.
        secure = not engine.context.links.base.startswith("http://")
        sign_ins = SignIns(engine, engine.passes, secure)
        dashboard = Dashboard(engine, sign_ins, mirror, host.audit)
        routes += [*sign_ins.routes(), *dashboard.routes()]
    return Plug(routes=tuple(routes), stop=(mirror.close,))


async def _stylesheet(_: web.Request) -> web.FileResponse:
    # Revalidated by its ETag, so a new version is seen at once.
    return web.FileResponse(STATIC / "web.css", headers={"Cache-Control": "public, no-cache"})


ADAPTER = Adapter("web", read_settings, plug)
