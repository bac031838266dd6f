"""The web pages plugged into the bot: on when the district has a public address
(PAGEKEEPER_PUBLIC_URL) and always in local mode."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from aiohttp import web

from adapters.network import is_loopback
from adapters.plug import Adapter, Hook, Host, Plug, SettingsProblem, setting, setting_list
from adapters.web.dashboard import Dashboard
from adapters.web.directory import Directory
from adapters.web.mirror import RegistryMirror
from adapters.web.sessions import SignIns
from adapters.web.sso import SingleSignOn, SsoSettings

STATIC = Path(__file__).parent / "static"


def read_settings(environ: Mapping[str, str]) -> SsoSettings | None:
    """Single sign-on's settings, when the district gives them (the public address is the
    bot's own setting: it is the base of every link it sends)."""
    issuer = setting(environ, "PAGEKEEPER_OIDC_ISSUER").rstrip("/")
    client_id = setting(environ, "PAGEKEEPER_OIDC_CLIENT_ID")
    secret = setting(environ, "PAGEKEEPER_OIDC_CLIENT_SECRET")
    domains = frozenset(
        d.lower().lstrip("@") for d in setting_list(environ, "PAGEKEEPER_OIDC_DOMAINS")
    )
    if not (issuer or client_id or secret):
        return None
    missing = [
        name
        for name, value in (
            ("PAGEKEEPER_OIDC_ISSUER", issuer),
            ("PAGEKEEPER_OIDC_CLIENT_ID", client_id),
            ("PAGEKEEPER_OIDC_CLIENT_SECRET", secret),
            ("PAGEKEEPER_OIDC_DOMAINS", domains),
        )
        if not value
    ]
    if missing:
        raise SettingsProblem(
            "Single sign-on needs " + ", ".join(missing) + " as well (see the README's "
            '"Single sign-on")'
        )
    scheme, _, rest = issuer.partition("://")
    host = rest.split("/")[0].split(":")[0]
    if scheme != "https" and not (scheme == "http" and is_loopback(host)):
        raise SettingsProblem(
            f"PAGEKEEPER_OIDC_ISSUER must be an https address, such as "
            f"https://login.microsoftonline.com/<tenant id>/v2.0, not {issuer!r}"
        )
    return SsoSettings(issuer, client_id, secret, domains)


def plug(settings: SsoSettings | None, host: Host) -> Plug | None:
    engine = host.engine
    if not engine.context.links.on:
        return None
    mirror = RegistryMirror(engine, shared=host.shared_store)
    routes = [*Directory(engine, mirror).routes(), web.get("/web.css", _stylesheet)]
    stop: list[Hook] = []
    if engine.passes is not None and host.audit is not None:
        sign_ins = SignIns(engine, engine.passes)
        dashboard = Dashboard(engine, sign_ins, mirror, host.audit)
        routes += [*sign_ins.routes(), *dashboard.routes()]
        if settings is not None:
            sso = SingleSignOn(settings, sign_ins, engine.context.links)
            sign_ins.single_sign_on = True
            routes += sso.routes()
            stop.append(sso.close)
    return Plug(routes=tuple(routes), stop=(*stop, mirror.close))


async def _stylesheet(_: web.Request) -> web.FileResponse:
    # Revalidated by its ETag, so a new version is seen at once.
    return web.FileResponse(STATIC / "web.css", headers={"Cache-Control": "public, no-cache"})


ADAPTER = Adapter("web", read_settings, plug)
