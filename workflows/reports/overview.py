"""A person's overview: their requests, their pages, and what waits for their decision.

The two halves are made apart: `my-requests` shows only the first and `my-pages` only the
second, and someone with forty pages in setup should not wait for forty page cards (their
forms included) to ask about their requests."""

from __future__ import annotations

from workflows.conversation import forms
from workflows.conversation.actions import DELEGATE, REQUEST_PAGE
from workflows.conversation.wording import names, when
from workflows.district.config import DistrictConfig
from workflows.kernel.cards import Button, ButtonStyle, Card, Field
from workflows.kernel.model import Away, Page, PageRequest, PageStatus, RequestStatus
from workflows.kernel.policy import Rule
from workflows.kernel.ports import Records
from workflows.pages import messages as page_messages
from workflows.requests import messages as request_messages

RECENT = 20


async def overview(config: DistrictConfig, store: Records, email: str) -> tuple[Card, ...]:
    """One person's whole overview: their requests and what waits for them, then their
    pages."""
    return (*await request_cards(config, store, email), *await page_cards(config, store, email))


async def request_cards(config: DistrictConfig, store: Records, email: str) -> tuple[Card, ...]:
    """Their requests, then what waits for them to act on a request: decisions, held requests
    (for the district contact), changes asked of them, and for approvers who decides while
    they are away."""
    email = email.strip().lower()
    waiting = await store.find_requests(approver=email, status=RequestStatus.PENDING)
    mine = await store.find_requests(requester=email)
    held = await store.find_requests(status=RequestStatus.HELD) if email == config.contact else []
    away: tuple[Card, ...] = ()
    if config.decides(email):
        kept = next((a for a in await store.aways() if a.person == email), None)
        away = (away_card(config, kept),)
    return (
        _summary(config, mine),
        *(request_messages.approval_card(config, request, email) for request in waiting),
        *(
            request_messages.request_held(config, request, request.route)[1].card
            for request in held
        ),
        *(
            request_messages.changes_requested(config, request).card
            for request in mine
            if request.status is RequestStatus.CHANGES_REQUESTED
        ),
        *away,
    )


async def page_cards(config: DistrictConfig, store: Records, email: str) -> tuple[Card, ...]:
    """The pages they run, retired ones aside."""
    pages = await store.find_pages(owner=email.strip().lower())
    kept = (page for page in pages if page.status is not PageStatus.RETIRED)
    return tuple(_page_card(config, page) for page in kept)


def away_card(config: DistrictConfig, away: Away | None) -> Card:
    """For approvers: who decides in their place while they are away, and a way to set it."""
    if away is None:
        text = "Away for a while? Name a delegate who decides in your place meanwhile."
    else:
        text = (
            f"{away.delegate.name} decides in your place from {away.first_day.isoformat()} to "
            f"{away.last_day.isoformat()}, where they may decide the step."
        )
    button = Button("Name a delegate", DELEGATE, "", form=forms.away_form())
    return Card(
        "While you are away", text, buttons=(button,), clause=config.cite(Rule.AUTHORIZATION)
    )


def _summary(config: DistrictConfig, requests: list[PageRequest]) -> Card:
    recent = requests[-RECENT:][::-1]
    return Card(
        title="Your page requests",
        text=(
            "Official district pages must be authorized before they are created."
            if recent
            else "You have not asked for an official page yet."
        ),
        fields=tuple(
            Field(f"{request.details.page_name} ({request.id})", _status(config, request))
            for request in recent
        ),
        buttons=(
            Button(
                "Request a page",
                REQUEST_PAGE,
                "",
                ButtonStyle.PRIMARY,
                form=forms.request_form(config),
            ),
        ),
        clause=config.cite(Rule.AUTHORIZATION),
    )


def _status(config: DistrictConfig, request: PageRequest) -> str:
    decision = request.last_decision
    if request.status is RequestStatus.WITHDRAWN:
        return "Withdrawn"
    if request.status is RequestStatus.PENDING:
        steps = len(request.chain)
        where = f"step {request.step + 1} of {steps}: " if steps > 1 else ""
        return f"Waiting for {where}{names(config, request.approvers)}"
    if request.status is RequestStatus.HELD:
        return f"On hold: {request.route}"
    assert decision is not None
    return request_messages.already_decided_text(config, decision)


def _page_card(config: DistrictConfig, page: Page) -> Card:
    platform = config.platform(page.details.platform)
    fields = [
        Field("Platform", platform.label if platform else page.details.platform),
        Field("Owners", ", ".join(owner.name for owner in page.owners)),
    ]
    if page.status is PageStatus.ACTIVE and page.url and page.live_at:
        fields.insert(0, Field("Status", f"Live since {when(config, page.live_at)}"))
        fields.insert(1, Field("Address", page.url))
        buttons = (page_messages.transfer_button(page), page_messages.retire_button(page))
    else:
        fields.insert(0, Field("Status", "Setting up: post the notices, then confirm it is live"))
        buttons = (page_messages.confirm_live_button(page), page_messages.transfer_button(page))
    return Card(
        title=f"{page.details.page_name} ({page.id})",
        fields=tuple(fields),
        buttons=buttons,
        clause=config.cite(Rule.REQUIRED_NOTICES),
    )
