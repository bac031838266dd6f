"""`GET /admin/export/{pages,audit,removals}.csv`: streamed CSV for records requests.

Protected by a bearer token (PAGEKEEPER_ADMIN_TOKEN); without one configured the routes do not
exist. `from` and `to` (YYYY-MM-DD, in the district's time zone, both included) narrow the rows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, time, timedelta

from aiohttp import web

from adapters.admin.guard import TokenGuard
from adapters.spreadsheets import stream_csv
from workflows.district.config import DistrictConfig
from workflows.kernel.ports import Records
from workflows.reports import exports

Rows = Callable[[Records, datetime | None, datetime | None], AsyncIterator[tuple[str, ...]]]
EXPORTS: dict[str, tuple[tuple[str, ...], Rows]] = {
    "pages": (exports.PAGES, exports.page_rows),
    "audit": (exports.AUDIT, exports.audit_rows),
    "removals": (exports.REMOVALS, exports.removal_rows),
}


def export_routes(
    store: Records, district: Callable[[], DistrictConfig], guard: TokenGuard
) -> tuple[web.AbstractRouteDef, ...]:
    async def export(request: web.Request) -> web.StreamResponse:
        refused = guard.refusal(request)
        if refused is not None:
            return refused
        name = request.match_info["name"]
        if name not in EXPORTS:
            raise web.HTTPNotFound(text=f"no export called {name}; use pages, audit or removals")
        try:
            config = district()
            start = _day(config, request.query.get("from"), 0)
            end = _day(config, request.query.get("to"), 1)
        except (ValueError, OverflowError):
            return web.json_response({"error": "from and to are dates like 2026-09-01"}, status=400)
        if start is not None and end is not None and start >= end:
            return web.json_response({"error": "from must be on or before to"}, status=400)
        header, rows = EXPORTS[name]
        return await stream_csv(request, f"pagekeeper-{name}.csv", header, rows(store, start, end))

    return (web.get("/admin/export/{name}.csv", export),)


def _day(config: DistrictConfig, text: str | None, shift: int) -> datetime | None:
    if not text:
        return None
    day = date.fromisoformat(text.strip()) + timedelta(days=shift)
    return datetime.combine(day, time(), config.time_zone)
