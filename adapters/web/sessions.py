"""Signing in and out of the dashboard. A link from chat (`dashboard`) opens a page with one
button: the link is used only when the person presses it, so a link preview or a mail
scanner fetching the address cannot use it up. The session cookie is HttpOnly, SameSite=Lax,
Secure outside local mode, and lasts 8 hours; the store keeps only its hash."""

from __future__ import annotations

import hashlib
import hmac
import logging
from html import escape

from aiohttp import web

from adapters.html import tag
from adapters.web.layout import document, html_response
from workflows.dashboard.access import Viewer, viewer
from workflows.dashboard.sign_in import (
    LINK_LASTS,
    SESSION_LASTS,
    link_key,
    new_token,
    session_key,
)
from workflows.engine import Engine
from workflows.kernel.model import Person
from workflows.kernel.ports import Passes

log = logging.getLogger(__name__)

COOKIE = "pagekeeper_session"
# Tokens are 43 characters of URL-safe base64; anything else is not looked up.
TOKEN_LENGTH = 43

_MINUTES = int(LINK_LASTS.total_seconds() // 60)
USED_OR_EXPIRED = (
    f"This sign-in link has already been used or has expired (links work once, for {_MINUTES} "
    "minutes). Type dashboard in chat (in Slack: /dashboard) for a new one."
)
HOW_TO_SIGN_IN = (
    "The dashboard is for the district's staff. To sign in, type dashboard in Pagekeeper's "
    f"chat (in Slack: /dashboard); it sends you a link that works once, for {_MINUTES} minutes."
)


class SignIns:
    def __init__(self, engine: Engine, passes: Passes) -> None:
        self._engine = engine
        self._passes = passes
        # Set when the district signs people in through its identity provider too.
        self.single_sign_on = False

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/dashboard/sign-in/{token}", self.confirm),
            web.post("/dashboard/sign-in/{token}", self.sign_in),
            web.post("/dashboard/sign-out", self.sign_out),
        ]

    async def viewer(self, request: web.Request) -> Viewer | None:
        """The signed-in person and their reach, or None."""
        token = request.cookies.get(COOKIE, "")
        if len(token) != TOKEN_LENGTH:
            return None
        context = self._engine.context
        email = await self._passes.read_pass(session_key(token), context.clock.now())
        if email is None:
            return None
        return viewer(context.config, context.config.person(email) or Person(email, email))

    def csrf(self, request: web.Request) -> str:
        """The token every form of this session carries: only a page of this site, read
        with the session's cookie, can know it."""
        token = request.cookies.get(COOKIE, "")
        return hmac.new(token.encode(), b"pagekeeper-form", hashlib.sha256).hexdigest()

    def forged(self, request: web.Request, sent: str) -> bool:
        """A form that did not come from this site's own page (CSRF), or from another site."""
        if self._from_elsewhere(request):
            return True
        return not hmac.compare_digest(sent.encode(), self.csrf(request).encode())

    async def confirm(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        body = tag("h1", "Sign in to the dashboard") + tag(
            "form",
            tag("p", "Press the button to sign in. The link then stops working.")
            + tag("button", "Sign in", type="submit"),
            method="post",
            action=f"/dashboard/sign-in/{token}",
        )
        return self.page(request, "Sign in", body)

    async def sign_in(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        clock = self._engine.context.clock
        if self._from_elsewhere(request):
            return self.page(request, "Not signed in", tag("p", "Sign in from the link."), 403)
        email = (
            await self._passes.take_pass(link_key(token), clock.now())
            if len(token) == TOKEN_LENGTH
            else None
        )
        if email is None:
            body = tag("h1", "This link no longer works") + tag("p", escape(USED_OR_EXPIRED))
            return self.page(request, "Link used or expired", body, 400)
        return await self.start_session(email, "chat link")

    async def start_session(self, email: str, how: str) -> web.Response:
        """Sign `email` in: a new session, its cookie, and on to the overview."""
        clock = self._engine.context.clock
        session = new_token()
        await self._passes.keep_pass(session_key(session), email, clock.now() + SESSION_LASTS)
        log.info("dashboard sign-in person=%s by=%s", email, how)
        response = web.Response(status=303, headers={"Location": "/dashboard"})
        response.set_cookie(
            COOKIE,
            session,
            max_age=int(SESSION_LASTS.total_seconds()),
            path="/",
            httponly=True,
            samesite="Lax",
            secure=self._engine.context.links.secure,
        )
        return response

    async def sign_out(self, request: web.Request) -> web.Response:
        form = await request.post()
        if self.forged(request, str(form.get("_csrf", ""))):
            return self.page(request, "Not signed out", tag("p", "Sign out from the page."), 403)
        token = request.cookies.get(COOKIE, "")
        if len(token) == TOKEN_LENGTH:
            await self._passes.drop_pass(session_key(token))
        body = tag("h1", "Signed out") + tag("p", escape(HOW_TO_SIGN_IN))
        response = self.page(request, "Signed out", body)
        response.del_cookie(COOKIE, path="/")
        return response

    def signed_out_page(self, request: web.Request) -> web.Response:
        body = tag("h1", "Sign in to the dashboard") + tag("p", escape(HOW_TO_SIGN_IN))
        if self.single_sign_on:
            body += tag(
                "p",
                tag(
                    "a",
                    "Sign in with your district account",
                    href="/dashboard/sso",
                    class_="button",
                ),
            )
        return self.page(request, "Sign in", body, 401)

    def page(self, request: web.Request, title: str, body: str, status: int = 200) -> web.Response:
        """A page of the sign-in pages' kind (never kept by shared caches)."""
        district = self._engine.context.config.name
        return html_response(request, document(title, district, body), status=status, private=True)

    def _from_elsewhere(self, request: web.Request) -> bool:
        """Sent by a page of another site: this one is named as the district published it,
        or as the browser reached it."""
        origin = request.headers.get("Origin")
        here = {self._engine.context.links.origin, f"{request.scheme}://{request.host}"}
        return origin is not None and origin not in here
