"""The public directory: `/official` lists the district's official pages and checks any
address; `/official/{page_id}` is one page's notices, owners and contact."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from aiohttp import web

from adapters.html import tag, text
from adapters.web.layout import document, html_response
from adapters.web.mirror import RegistryMirror
from adapters.web.widgets import platform_choices, school_choices, search_form
from workflows.conversation.wording import when
from workflows.district.config import DistrictConfig
from workflows.engine import Engine
from workflows.kernel.cards import Card
from workflows.reports.directory import KeptListings, Listing, PublicPage, public_page
from workflows.reports.official import check_address

PER_PAGE = 50
# An address, share link or handle is short; a longer one is not looked up.
ADDRESS_MAX = 500

PRIVACY = (
    "Privacy: this directory shows only what the district publishes about each official page: "
    "its notices, and the names and work titles of the staff who run it. It sets no cookies "
    "and keeps no record of your searches."
)


class Directory:
    def __init__(self, engine: Engine, mirror: RegistryMirror) -> None:
        self._engine = engine
        self._mirror = mirror
        self._kept = KeptListings()

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/official", self.listing),
            web.get("/official/{page_id}", self.page),
        ]

    async def listing(self, request: web.Request) -> web.Response:
        config = self._engine.context.config
        query = request.query
        address = query.get("address", "")[:ADDRESS_MAX]
        school, platform = query.get("school", ""), query.get("platform", "")
        words = query.get("q", "")[:200]
        pages = await self._mirror.pages()
        every = await self._mirror.derived("listings", lambda: self._kept.listings(config, pages))
        found = [e for e in every if e.matches(school, platform, words)]
        page_number = _number(query.get("page", "1"))
        last_page = max(1, -(-len(found) // PER_PAGE))
        page_number = min(page_number, last_page)
        shown = found[(page_number - 1) * PER_PAGE : page_number * PER_PAGE]
        checked = ""
        if "address" in query:
            official, card = await check_address(config, self._engine.context.store, address)
            checked = _answer(card, official=official)
        body = (
            tag("h1", "Official social media pages")
            + tag(
                "p",
                escape(
                    f"The official social media pages of {config.name}, as the district's "
                    "registry lists them. Sites not listed here are not official district "
                    "platforms."
                ),
            )
            + _check_form(address)
            + checked
            + _search_form(config, school, platform, words)
            + _results(found, shown, page_number, last_page, query)
            + tag("p", escape(PRIVACY), class_="note")
        )
        return html_response(request, document("Official pages", config.name, body))

    async def page(self, request: web.Request) -> web.Response:
        config = self._engine.context.config
        found = await public_page(config, self._engine.context.store, request.match_info["page_id"])
        if found is None:
            body = tag("h1", "Not an official page") + tag(
                "p",
                escape(
                    "No active official page has this address. It may have been retired, or "
                    "the link may be mistyped. "
                )
                + tag("a", "See every official page", href="/official"),
            )
            return html_response(request, document("Not found", config.name, body), status=404)
        return html_response(
            request, document(found.listing.name, config.name, _public_page(config, found))
        )


def _check_form(address: str) -> str:
    box = (
        f'<input id="address" name="address" type="text" value="{escape(address)}" '
        'autocomplete="url" inputmode="url">'
    )
    label = "Page address, share link or @handle"
    form = search_form("/official", "Check", ((label, "address", box),))
    return tag(
        "section",
        tag("h2", "Is this page official?", id="check") + form,
        aria_labelledby="check",
    )


def _answer(card: Card, *, official: bool) -> str:
    parts = tag("h3", escape(card.title)) + tag("p", text(card.text))
    if card.fields:
        rows = "".join(tag("dt", escape(f.label)) + tag("dd", escape(f.value)) for f in card.fields)
        parts += tag("dl", rows, class_="facts")
    if card.clause:
        parts += tag("p", escape(f"Rule: {card.clause}"), class_="rule")
    return tag("div", parts, class_="result" if official else "result no", role="status")


def _search_form(config: DistrictConfig, school: str, platform: str, words: str) -> str:
    schools = tag("select", school_choices(config, school), id="school", name="school")
    platforms = tag("select", platform_choices(config, platform), id="platform", name="platform")
    form = search_form(
        "/official",
        "Search",
        (
            ("Name", "q", f'<input id="q" name="q" type="search" value="{escape(words)}">'),
            ("School", "school", schools),
            ("Platform", "platform", platforms),
        ),
    )
    return tag("section", tag("h2", "Find a page", id="find") + form, aria_labelledby="find")


def _results(
    found: list[Listing], shown: list[Listing], number: int, last: int, query: object
) -> str:
    count = f"{len(found)} official page{'s' if len(found) != 1 else ''}"
    if last > 1:
        count += f", page {number} of {last}"
    items = "".join(_item(entry) for entry in shown)
    listing = tag("ul", items, class_="listing") if items else tag("p", "No page matches.")
    return (
        tag("h2", "Pages", id="pages")
        + tag("p", escape(count), role="status")
        + listing
        + _paging(number, last, query)
    )


def _item(entry: Listing) -> str:
    meta = f"{entry.platform_label} · {entry.unit}"
    address = tag("a", escape(entry.address), href=entry.address) if entry.address else ""
    return tag(
        "li",
        tag("a", escape(entry.name), href=f"/official/{entry.page_id}")
        + tag("span", escape(meta), class_="meta")
        + address,
    )


def _paging(number: int, last: int, query: object) -> str:
    if last <= 1:
        return ""
    given = dict(query)  # type: ignore[call-overload]
    links = []
    if number > 1:
        links.append(
            tag("a", "Previous page", href="/official?" + urlencode(given | {"page": number - 1}))
        )
    if number < last:
        links.append(
            tag("a", "Next page", href="/official?" + urlencode(given | {"page": number + 1}))
        )
    return tag("nav", "".join(links), class_="paging", aria_label="Pages of results")


def _public_page(config: DistrictConfig, found: PublicPage) -> str:
    entry = found.listing
    owners = "; ".join(
        owner.name + (f", {owner.title}" if owner.title else "") for owner in found.owners
    )
    facts = [
        ("Address", tag("a", escape(entry.address), href=entry.address) if entry.address else ""),
        ("Platform", escape(entry.platform_label)),
        ("Run by", escape(owners)),
        ("Official since", escape(when(config, found.live_since)) if found.live_since else ""),
        (
            "Last monitored",
            escape(when(config, found.last_monitored)) if found.last_monitored else "not yet",
        ),
    ]
    rows = "".join(tag("dt", escape(label)) + tag("dd", value) for label, value in facts if value)
    notices = "".join(
        tag("li", tag("strong", escape(heading) + ":") + " " + text(body))
        for heading, body in found.notices.items
    )
    contact = found.contact
    return (
        tag("h1", escape(entry.name))
        + tag("p", escape(f"An official {entry.kind_label.lower()} of {entry.unit}."))
        + tag("dl", rows, class_="facts")
        + tag("h2", "Notices", id="notices")
        + tag("ol", notices, class_="notices")
        + tag("p", text(found.notices.unrecognized_links))
        + tag("h2", "Report a violation", id="report")
        + tag(
            "p",
            escape(f"{contact.name}, {contact.title}: ")
            + tag("a", escape(contact.email), href=f"mailto:{contact.email}"),
        )
        + tag("p", tag("a", "Every official page", href="/official"))
        + tag("p", escape(PRIVACY), class_="note")
    )


def _number(text: str) -> int:
    return int(text) if text.isdigit() and 0 < len(text) < 7 else 1
