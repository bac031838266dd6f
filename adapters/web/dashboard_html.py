"""The dashboard's pages as HTML: overview, registry, one page, one request, and what an
action did. Everything here only draws what it is given; who sees what is decided before."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from urllib.parse import urlencode

from adapters.html import card_article, tag, text
from adapters.web.actions import action_form
from adapters.web.charts import figure_html
from adapters.web.widgets import platform_choices, school_choices, search_form, table
from workflows.conversation.wording import detail_fields, when
from workflows.dashboard.access import Viewer
from workflows.dashboard.figures import REQUEST_WORDS, Figure
from workflows.dashboard.registry import SORT_WORDS, RegistryQuery, RegistryView
from workflows.district.config import DistrictConfig
from workflows.kernel.cards import Button, Card, StepLine
from workflows.kernel.handling import FieldError
from workflows.kernel.links import Links
from workflows.kernel.model import AuditEntry, Page, PageRequest
from workflows.pages.notices import page_notices
from workflows.pages.short_lines import short_line
from workflows.reports.registry import STATUS_WORDS

Actions = tuple[Sequence[Button], str, str]  # the buttons, the CSRF token, the page to return to


def nav(viewer: Viewer, csrf: str) -> str:
    links = "".join(
        tag("a", label, href=href)
        for label, href in (
            ("Overview", "/dashboard"),
            ("Registry", "/dashboard/pages"),
            ("Requests", "/dashboard/requests"),
            ("Public directory", "/official"),
        )
    )
    sign_out = tag(
        "form",
        f'<input type="hidden" name="_csrf" value="{escape(csrf)}">'
        + tag("button", "Sign out", type="submit", class_="quiet"),
        method="post",
        action="/dashboard/sign-out",
        class_="sign-out",
    )
    who = tag("span", escape(f"{viewer.person.name} ({viewer.role})"), class_="who")
    return links + who + sign_out


def reach(config: DistrictConfig, viewer: Viewer) -> str:
    if viewer.every_school:
        return "You see every school and office of the district."
    names = sorted(s.name for s in config.schools if s.id in viewer.schools)
    if names:
        return "You see " + ", ".join(names) + ", and your own pages and requests."
    return "You see the pages you run and the requests you made or decide."


def overview(
    config: DistrictConfig,
    viewer: Viewer,
    figures: Sequence[Figure],
    attention: Sequence[tuple[str, str]],
    actions: Actions,
) -> str:
    needs = (
        tag(
            "ul",
            "".join(tag("li", tag("a", escape(label), href=href)) for label, href in attention),
        )
        if attention
        else tag("p", "Nothing needs your attention.")
    )
    charts = "".join(figure_html(figure, f"figure-{n}") for n, figure in enumerate(figures, 1))
    return (
        tag("h1", "Overview")
        + tag("p", escape(reach(config, viewer)))
        + tag("h2", "Needs attention", id="attention")
        + needs
        + _actions(*actions)
        + tag("h2", "Figures", id="figures")
        + charts
    )


def registry(config: DistrictConfig, view: RegistryView, query: RegistryQuery) -> str:
    statuses = tag("option", "Any status", value="") + "".join(
        tag("option", escape(word), value=status.value, selected=status.value == query.status)
        for status, word in STATUS_WORDS.items()
    )
    sorts = "".join(
        tag("option", escape(word), value=key, selected=key == query.sort)
        for key, word in SORT_WORDS.items()
    )
    orders = tag("option", "A to Z, oldest first", value="") + tag(
        "option", "Z to A, newest first", value="desc", selected=query.descending
    )
    words = f'<input id="q" name="q" type="search" value="{escape(query.words)}">'
    platforms = platform_choices(config, query.platform)
    form = search_form(
        "/dashboard/pages",
        "Show",
        (
            ("Search", "q", words),
            ("School", "school", _select("school", school_choices(config, query.school))),
            ("Platform", "platform", _select("platform", platforms)),
            ("Status", "status", _select("status", statuses)),
            ("Sort by", "sort", _select("sort", sorts)),
            ("Order", "order", _select("order", orders)),
        ),
    )
    count = f"{len(view.pages)} page{'s' if len(view.pages) != 1 else ''}"
    if view.last > 1:
        count += f", page {view.number} of {view.last}"
    csv_link = tag(
        "a",
        "Download these pages as CSV",
        href="/dashboard/pages.csv?" + urlencode(query.as_params(page=0)),
    )
    rows = [_registry_row(config, page) for page in view.shown]
    headings = ("Page", "School", "Platform", "Status", "Owners", "Last monitored")
    drawn = table(headings, rows, first_is_html=True) if rows else tag("p", "No page matches.")
    paging = []
    if view.number > 1:
        previous = urlencode(query.as_params(page=view.number - 1))
        paging.append(tag("a", "Previous page", href=f"/dashboard/pages?{previous}"))
    if view.number < view.last:
        following = urlencode(query.as_params(page=view.number + 1))
        paging.append(tag("a", "Next page", href=f"/dashboard/pages?{following}"))
    return (
        tag("h1", "Registry of official pages")
        + form
        + tag("p", escape(count) + " · " + csv_link, role="status")
        + drawn
        + (
            tag("nav", "".join(paging), class_="paging", aria_label="Pages of results")
            if paging
            else ""
        )
    )


def _registry_row(config: DistrictConfig, page: Page) -> tuple[str, ...]:
    school = config.school(page.details.school)
    platform = config.platform(page.details.platform)
    return (
        tag("a", escape(page.details.page_name), href=f"/dashboard/pages/{page.id}"),
        school.name if school else config.name,
        platform.label if platform else page.details.platform,
        STATUS_WORDS[page.status],
        ", ".join(owner.name for owner in page.owners),
        when(config, page.nudge_answered_at) if page.nudge_answered_at else "not yet",
    )


def _select(name: str, options: str) -> str:
    return tag("select", options, id=name, name=name)


def page_view(
    config: DistrictConfig,
    page: Page,
    timeline: Sequence[AuditEntry],
    links: Links,
    actions: Actions,
) -> str:
    school = config.school(page.details.school)
    platform = config.platform(page.details.platform)
    kind = config.kind(page.details.kind)
    public = links.official_page(page.id)
    facts = [
        ("Status", escape(STATUS_WORDS[page.status])),
        ("Address", tag("a", escape(page.url), href=page.url) if page.url else "not confirmed yet"),
        ("Public page", tag("a", escape(public), href=f"/official/{page.id}")),
        ("Kind", escape(kind.label if kind else page.details.kind)),
        ("School or office", escape(school.name if school else config.name)),
        ("Platform", escape(platform.label if platform else page.details.platform)),
        ("Owners", escape("; ".join(f"{o.display} <{o.email}>" for o in page.owners))),
        ("Authorized by", escape(f"{page.approved_by.display}, {when(config, page.approved_at)}")),
        ("Live since", escape(when(config, page.live_at)) if page.live_at else "not live yet"),
        (
            "Last monitored",
            escape(when(config, page.nudge_answered_at)) if page.nudge_answered_at else "not yet",
        ),
        (
            "Next check due",
            escape(when(config, page.next_check_due)) if page.next_check_due else "",
        ),
        (
            "Request",
            tag("a", escape(page.request_id), href=f"/dashboard/requests/{page.request_id}"),
        ),
    ]
    rows = "".join(tag("dt", label) + tag("dd", value) for label, value in facts if value)
    notices = page_notices(config, page.details)
    line = short_line(config, page, public)
    short = (
        tag("h3", escape(f"Short line for the {line.place} ({line.count_text()})"))
        + tag("pre", escape(line.text), class_="copy")
        if line
        else ""
    )
    monitoring = [entry for entry in timeline if entry.action.startswith("Monitoring")]
    return (
        tag("h1", escape(page.details.page_name))
        + tag("dl", rows, class_="facts")
        + _actions(*actions)
        + tag("h2", "Notices", id="notices")
        + tag("pre", escape(notices.page_text()), class_="copy")
        + short
        + tag("h2", "Monitoring history", id="monitoring")
        + _timeline(config, monitoring, "No monitoring check yet.")
        + tag("h2", "Moderation log", id="moderation")
        + _moderation(config, page)
        + tag("h2", "Timeline", id="timeline")
        + _timeline(config, timeline, "Nothing recorded yet.")
    )


def _moderation(config: DistrictConfig, page: Page) -> str:
    if not page.moderation:
        return tag("p", "No moderation action recorded.")
    labels = {reason.id: reason.label for reason in config.removal_reasons}
    rows = [
        (
            when(config, action.at),
            action.by.name,
            action.action.value,
            labels.get(action.reason, action.reason),
            action.description,
            action.state.value.replace("_", " "),
        )
        for action in page.moderation
    ]
    return table(("When", "By", "Action", "Reason", "What", "State"), rows)


def request_view(
    config: DistrictConfig,
    request: PageRequest,
    steps: Sequence[StepLine],
    timeline: Sequence[AuditEntry],
    actions: Actions,
) -> str:
    facts = [
        ("Status", escape(REQUEST_WORDS[request.status])),
        ("Submitted", escape(when(config, request.submitted_at))),
        ("Waiting on", escape(request.current.title) if request.status.open else ""),
        (
            "Page",
            tag("a", escape(request.page_id), href=f"/dashboard/pages/{request.page_id}")
            if request.page_id
            else "",
        ),
    ]
    facts += [
        (escape(f.label), text(f.value))
        for f in detail_fields(config, request.details, request.requester)
    ]
    rows = "".join(tag("dt", label) + tag("dd", value) for label, value in facts if value)
    chain = (
        tag("ol", "".join(tag("li", escape(line.plain_text())) for line in steps), class_="steps")
        if steps
        else tag("p", escape(f"One step: {request.current.title}."))
    )
    return (
        tag("h1", escape(f"Request {request.id}: {request.details.page_name}"))
        + tag("dl", rows, class_="facts")
        + tag("h2", "Approval chain", id="chain")
        + chain
        + _actions(*actions)
        + tag("h2", "History", id="history")
        + _timeline(config, timeline, "Nothing recorded yet.")
    )


# Requests listed at once, newest first; older ones are reached from their pages.
REQUESTS_SHOWN = 200


def requests_list(
    config: DistrictConfig, waiting: Sequence[PageRequest], others: Sequence[PageRequest]
) -> str:
    more = len(others) - REQUESTS_SHOWN
    note = (
        tag("p", escape(f"The newest {REQUESTS_SHOWN} of {len(others)} are shown."))
        if more > 0
        else ""
    )
    return (
        tag("h1", "Requests")
        + tag("h2", "Waiting for your decision", id="waiting")
        + _request_table(config, waiting, "Nothing waits for your decision.")
        + tag("h2", "Every request you can see", id="all")
        + note
        + _request_table(config, others[:REQUESTS_SHOWN], "No request yet.")
    )


def _request_table(config: DistrictConfig, requests: Sequence[PageRequest], empty: str) -> str:
    if not requests:
        return tag("p", escape(empty))
    rows = [
        (
            tag("a", escape(r.id), href=f"/dashboard/requests/{r.id}"),
            r.details.page_name,
            r.requester.name,
            REQUEST_WORDS[r.status],
            when(config, r.submitted_at),
        )
        for r in requests
    ]
    return table(("Request", "Page", "From", "Status", "Submitted"), rows, first_is_html=True)


def _timeline(config: DistrictConfig, entries: Sequence[AuditEntry], empty: str) -> str:
    if not entries:
        return tag("p", escape(empty))
    rows = [
        (
            when(config, entry.at),
            _who(config, entry.actor),
            _words(entry.action),
            entry.detail,
            entry.clause,
        )
        for entry in entries
    ]
    return table(("When", "Who", "What", "Detail", "Rule"), rows)


def outcome_page(
    title: str, card: Card | None, errors: Sequence[FieldError], labels: dict[str, str], back: str
) -> str:
    parts = [tag("h1", escape(title))]
    if errors:
        items = "".join(
            tag(
                "li",
                escape(f"{labels.get(e.field, e.field)}: {e.message}")
                if e.field
                else escape(e.message),
            )
            for e in errors
        )
        parts.append(tag("div", tag("ul", items), class_="flash problem", role="alert"))
    if card is not None:
        parts.append(card_article(card, lambda _: "", level=2))
    parts.append(tag("p", tag("a", "Back", href=back)))
    return "".join(parts)


def _actions(buttons: Sequence[Button], csrf: str, back: str) -> str:
    if not buttons:
        return ""
    forms = "".join(action_form(button, csrf, back) for button in buttons)
    return tag("h2", "Actions", id="actions") + tag("div", forms, class_="actions")


def _who(config: DistrictConfig, email: str) -> str:
    person = config.person(email)
    return person.name if person else email


def _words(action: str) -> str:
    """'MonitoringChecked' as 'Monitoring checked'."""
    spaced = "".join(f" {c.lower()}" if c.isupper() else c for c in action).strip()
    return spaced[:1].upper() + spaced[1:]
