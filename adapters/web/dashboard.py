"""The staff dashboard's routes. Every page asks who is signed in and shows only what their
role reaches (anything else is "not found", so its existence is not given away); every action
is a form carrying the session's CSRF token, turned into the same command chat would send."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from adapters.html import tag
from adapters.spreadsheets import stream_csv
from adapters.web import dashboard_html as draw
from adapters.web.layout import document, html_response
from adapters.web.mirror import RegistryMirror
from adapters.web.sessions import SignIns
from adapters.web.trail import TrailFollower
from workflows.conversation.submissions import UnknownAction, command_for, form_for, from_text
from workflows.dashboard.access import Viewer
from workflows.dashboard.actions import district_actions, page_actions, request_actions
from workflows.dashboard.attention import needs_attention
from workflows.dashboard.figures import (
    as_of,
    moderation_by_reason,
    monitoring_by_week,
    pages_by_school,
    requests_by_status,
)
from workflows.dashboard.registry import RegistryQuery, registry_view
from workflows.engine import Engine
from workflows.kernel.model import Page, PageRequest
from workflows.kernel.ports import AuditReader
from workflows.reports import exports
from workflows.requests.messages import progress

View = Callable[[web.Request, Viewer], Awaitable[web.StreamResponse]]
# The few items the overview lists by name; the rest are counted and a link away.
ATTENTION_SHOWN = 10


class Dashboard:
    def __init__(
        self, engine: Engine, sign_ins: SignIns, mirror: RegistryMirror, trail: AuditReader
    ) -> None:
        self._engine = engine
        self._sign_ins = sign_ins
        self._mirror = mirror
        self._trail = TrailFollower(trail)

    async def _schools(self) -> dict[str, str]:
        pages = await self._mirror.pages()
        return await self._mirror.derived(
            "schools", lambda: {page.id: page.details.school or "" for page in pages}
        )

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/dashboard", self._signed_in(self.overview)),
            web.get("/dashboard/pages", self._signed_in(self.registry)),
            web.get("/dashboard/pages.csv", self._signed_in(self.registry_csv)),
            web.get("/dashboard/pages/{page_id}", self._signed_in(self.page)),
            web.get("/dashboard/requests", self._signed_in(self.requests)),
            web.get("/dashboard/requests/{request_id}", self._signed_in(self.request)),
            web.post("/dashboard/act", self._signed_in(self.act)),
        ]

    def _signed_in(self, view: View) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            viewer = await self._sign_ins.viewer(request)
            if viewer is None:
                return self._sign_ins.signed_out_page(request)
            return await view(request, viewer)

        return handle

    async def overview(self, request: web.Request, viewer: Viewer) -> web.Response:
        config, now = self._engine.context.config, self._engine.context.clock.now()
        pages, requests = list(await self._mirror.pages()), list(await self._mirror.requests())
        await self._trail.catch_up(await self._schools())
        today = as_of(now, config)
        figures = (
            pages_by_school(config, viewer, pages),
            monitoring_by_week(self._trail.tally, viewer, today),
            requests_by_status(viewer, requests),
            moderation_by_reason(config, viewer, pages, today),
        )
        attention = self._attention(viewer, pages, requests)
        actions = (district_actions(config, viewer), self._sign_ins.csrf(request), "/dashboard")
        body = draw.overview(config, viewer, figures, attention, actions)
        return self._respond(request, viewer, "Overview", body)

    def _attention(
        self, viewer: Viewer, pages: list[Page], requests: list[PageRequest]
    ) -> list[tuple[str, str]]:
        """The few items to name (each kind's first ATTENTION_SHOWN) and how many more."""
        context = self._engine.context
        found = needs_attention(context.config, viewer, pages, requests, context.clock.now())
        kinds = (
            ("Waiting for your decision", found.waiting, "requests", "requests waiting for "
             "your decision", "/dashboard/requests"),
            ("Monitoring overdue", found.overdue, "pages", "pages with monitoring overdue",
             "/dashboard/pages?sort=monitored"),
            ("Held, nobody to approve it", found.held, "requests", "held requests",
             "/dashboard/requests"),
        )  # fmt: skip
        items = []
        for label, records, where, _, _ in kinds:
            items += [
                (f"{label}: {r.details.page_name} ({r.id})", f"/dashboard/{where}/{r.id}")
                for r in records[:ATTENTION_SHOWN]
            ]
        for _, records, _, what, more in kinds:
            if len(records) > ATTENTION_SHOWN:
                items.append((f"and {len(records) - ATTENTION_SHOWN} more {what}", more))
        return items

    async def registry(self, request: web.Request, viewer: Viewer) -> web.Response:
        config = self._engine.context.config
        query = RegistryQuery.read(request.query)
        view = registry_view(config, viewer, await self._mirror.pages(), query)
        body = draw.registry(config, view, query)
        return self._respond(request, viewer, "Registry", body)

    async def registry_csv(self, request: web.Request, viewer: Viewer) -> web.StreamResponse:
        config = self._engine.context.config
        query = RegistryQuery.read(request.query)
        view = registry_view(config, viewer, await self._mirror.pages(), query)

        async def rows() -> AsyncIterator[tuple[str, ...]]:
            for page in view.pages:
                yield exports.page_row(page)

        return await stream_csv(request, "official-pages.csv", exports.PAGES, rows(), private=True)

    async def page(self, request: web.Request, viewer: Viewer) -> web.Response:
        context = self._engine.context
        page = await context.store.get_page(request.match_info["page_id"])
        if page is None or not viewer.sees_page(page):
            return self._not_found(request, viewer)
        await self._trail.catch_up(await self._schools())
        timeline = await self._trail.timeline(page.id, page.request_id)
        back = f"/dashboard/pages/{page.id}"
        actions = (page_actions(context.config, viewer, page), self._sign_ins.csrf(request), back)
        body = draw.page_view(context.config, page, timeline, context.links, actions)
        return self._respond(request, viewer, page.details.page_name, body)

    async def requests(self, request: web.Request, viewer: Viewer) -> web.Response:
        seen = [r for r in await self._mirror.requests() if viewer.sees_request(r)]
        waiting = [r for r in seen if request_actions(viewer, r)]
        newest_first = sorted(seen, key=lambda r: r.submitted_at, reverse=True)
        body = draw.requests_list(self._engine.context.config, waiting, newest_first)
        return self._respond(request, viewer, "Requests", body)

    async def request(self, request: web.Request, viewer: Viewer) -> web.Response:
        context = self._engine.context
        found = await context.store.get_request(request.match_info["request_id"])
        if found is None or not viewer.sees_request(found):
            return self._not_found(request, viewer)
        await self._trail.catch_up(await self._schools())
        timeline = await self._trail.timeline(found.id)
        back = f"/dashboard/requests/{found.id}"
        actions = (request_actions(viewer, found), self._sign_ins.csrf(request), back)
        steps = progress(context.config, found)
        body = draw.request_view(context.config, found, steps, timeline, actions)
        return self._respond(request, viewer, f"Request {found.id}", body)

    async def act(self, request: web.Request, viewer: Viewer) -> web.Response:
        form = await request.post()
        given = {name: str(value) for name, value in form.items() if isinstance(value, str)}
        back = given.get("_back", "/dashboard")
        if not back.startswith("/dashboard") or "//" in back:
            back = "/dashboard"  # only ever back into the dashboard, never elsewhere
        if self._sign_ins.forged(request, given.get("_csrf", "")):
            body = tag("h1", "Nothing was changed") + tag(
                "p",
                "This form did not come from the dashboard's own page. Open the page again "
                "and try once more.",
            )
            return self._respond(request, viewer, "Nothing was changed", body, 403)
        action, value = given.get("_action", ""), given.get("_value", "")
        values = from_text({k: v for k, v in given.items() if not k.startswith("_")})
        context = self._engine.context
        try:
            command = command_for(action, value, viewer.person, values)
        except UnknownAction:
            body = tag("h1", "Nothing was changed") + tag("p", "This action is not known.")
            return self._respond(request, viewer, "Nothing was changed", body, 400)
        outcome = await self._engine.handle(command)
        labels: dict[str, str] = {}
        if outcome.errors:  # named as the form the person filled in names them
            shown = await form_for(context.config, context.store, action, value)
            labels = {field.name: field.label for field in shown.inputs} if shown else {}
        title = "Nothing was changed" if outcome.errors else "Done"
        body = draw.outcome_page(title, outcome.reply, outcome.errors, labels, back)
        return self._respond(request, viewer, title, body, 422 if outcome.errors else 200)

    def _not_found(self, request: web.Request, viewer: Viewer) -> web.Response:
        body = tag("h1", "Not found") + tag(
            "p",
            "There is nothing here that you can see. "
            + tag("a", "Back to the overview", href="/dashboard"),
        )
        return self._respond(request, viewer, "Not found", body, 404)

    def _respond(
        self, request: web.Request, viewer: Viewer, title: str, body: str, status: int = 200
    ) -> web.Response:
        config = self._engine.context.config
        nav = draw.nav(viewer, self._sign_ins.csrf(request))
        return html_response(
            request, document(title, config.name, body, nav=nav), status=status, private=True
        )
