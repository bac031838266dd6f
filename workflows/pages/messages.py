"""Cards about official pages: what owners must post, and changes to the page's status."""

from __future__ import annotations

from workflows.conversation import forms
from workflows.conversation.actions import (
    CHANGE_ADDRESS,
    CONFIRM_LIVE,
    RECORD_MODERATION,
    RETIRE_PAGE,
    TRANSFER_PAGE,
)
from workflows.conversation.wording import when
from workflows.district.config import DistrictConfig
from workflows.kernel.cards import Button, ButtonStyle, Card, Field, Section
from workflows.kernel.links import Links
from workflows.kernel.messages import Message
from workflows.kernel.model import Page, Person
from workflows.kernel.policy import Rule
from workflows.pages.notices import copyright_reminder, page_notices, posting_disclaimer
from workflows.pages.short_lines import full_text_place, short_line


def setup_ref(page: Page) -> str:
    return f"page:{page.id}"


def page_approved(
    config: DistrictConfig, page: Page, requester: Person, links: Links
) -> tuple[Message, ...]:
    """Each owner's instructions: the notice text, their own disclaimer, and Confirm live."""
    return tuple(
        Message(owner.email, _setup_card(config, page, owner, requester, links), setup_ref(page))
        for owner in page.owners
    )


def _setup_card(
    config: DistrictConfig, page: Page, owner: Person, requester: Person, links: Links
) -> Card:
    notices = page_notices(config, page.details)
    if owner.email == requester.email:
        opening = f"{page.approved_by.display} approved your request."
    else:
        opening = (
            f"{requester.name} named you a co-owner and {page.approved_by.display} approved it."
        )
    return Card(
        title=f"Approved: set up {page.details.page_name}",
        text=(
            f"{opening} {page.details.page_name} is now registered as an official district page "
            f"({page.id}). Create it, paste the notice text below where visitors see it "
            "(for example the About section or a pinned post), then confirm it is live."
        ),
        sections=(
            Section(
                f"Notice text to display on the page ({config.cite(Rule.REQUIRED_NOTICES)})",
                notices.page_text(),
                copyable=True,
            ),
            *_short_line(config, page, links, notices.page_text()),
            Section(
                f"Your posting disclaimer ({config.cite(Rule.EMPLOYEE_POSTING)})",
                posting_disclaimer(config, page.details, owner),
                copyable=True,
            ),
            Section(
                f"Copyright ({config.cite(Rule.COPYRIGHT)})",
                copyright_reminder(config, page.details),
            ),
        ),
        buttons=(confirm_live_button(page),),
        clause=config.cite(Rule.REQUIRED_NOTICES),
    )


def _short_line(config: DistrictConfig, page: Page, links: Links, full: str) -> tuple[Section, ...]:
    """Where the platform has too little room for the notices, a line that links to them on
    the district's public directory (once the page is live)."""
    if not links.on:
        return ()
    line = short_line(config, page, links.official_page(page.id))
    if line is None:
        return ()
    roomy = full_text_place(config, page, full)
    where = (
        f" The {roomy.place} holds {roomy.room} characters: the notice text above "
        + ("fits there." if roomy.fits else f"({len(full)} characters) does not fit.")
        if roomy
        else ""
    )
    return (
        Section(
            f"Short line for the {line.place} ({line.count_text()})",
            line.text,
            copyable=True,
        ),
        Section(
            "Where the short line goes",
            f"The {line.place} holds {line.room} characters"
            + (", too few for the notice text. " if len(full) > line.room else ". ")
            + "Post the short line there: its link opens this page's full notices on the "
            f"district's directory of official pages (it works once you confirm the page is "
            f"live).{where}",
        ),
    )


def confirm_live_button(page: Page) -> Button:
    return Button(
        "Confirm page is live",
        CONFIRM_LIVE,
        page.id,
        ButtonStyle.PRIMARY,
        form=forms.confirm_live_form(page.id),
    )


def transfer_button(page: Page) -> Button:
    return Button(
        "Transfer to someone else", TRANSFER_PAGE, page.id, form=forms.transfer_form(page.id)
    )


def retire_button(page: Page) -> Button:
    return Button(
        "Retire page",
        RETIRE_PAGE,
        page.id,
        ButtonStyle.DANGER,
        form=forms.retire_form(page.id),
    )


def page_live(config: DistrictConfig, page: Page) -> tuple[Message, ...]:
    """Owners' setup cards become a record of the live page; the approver hears of it."""
    to_approver = Card(
        title=f"Now live: {page.details.page_name}",
        text=f"The page you approved is live at {page.url}.",
        clause=config.cite(Rule.AUTHORIZATION),
    )
    return _live_cards_and_approver(config, page, to_approver, f"live:{page.id}")


def _live_cards_and_approver(
    config: DistrictConfig, page: Page, to_approver: Card, ref: str
) -> tuple[Message, ...]:
    """Every owner's live card, updated in place, and `to_approver` for the page's approver
    unless they own it (they see their own card)."""
    owners = tuple(
        Message(owner.email, _live_card(config, page, owner), setup_ref(page), update=True)
        for owner in page.owners
    )
    if page.is_owned_by(page.approved_by.email):
        return owners
    return (*owners, Message(page.approved_by.email, to_approver, ref=ref))


def _live_card(config: DistrictConfig, page: Page, owner: Person) -> Card:
    assert page.url is not None and page.live_at is not None
    return Card(
        title=f"Live: {page.details.page_name}",
        text=(
            f"{page.details.page_name} is an active official district page since "
            f"{when(config, page.live_at)}. Add your posting disclaimer to each post."
        ),
        fields=(Field("Address", page.url), Field("Page", page.id)),
        sections=(
            Section(
                f"Your posting disclaimer ({config.cite(Rule.EMPLOYEE_POSTING)})",
                posting_disclaimer(config, page.details, owner),
                copyable=True,
            ),
        ),
        buttons=(
            moderation_button(config, page),
            address_button(page),
            transfer_button(page),
            retire_button(page),
        ),
        clause=config.cite(Rule.REQUIRED_NOTICES),
    )


def moderation_button(config: DistrictConfig, page: Page) -> Button:
    """Owners record what they did about a post or user, whenever they do it."""
    return Button(
        "Record a removed post" if config.moderation.removal_only else "Record a moderation action",
        RECORD_MODERATION,
        page.id,
        form=forms.moderation_form(config, page.id),
    )


def address_button(page: Page) -> Button:
    return Button(
        "Change address", CHANGE_ADDRESS, page.id, form=forms.change_address_form(page.id)
    )


def address_changed(config: DistrictConfig, page: Page, by: Person) -> tuple[Message, ...]:
    """Every owner's live card shows the new address; the approver hears of the move."""
    told = Card(
        title=f"New address: {page.details.page_name}",
        text=f"{by.name} moved the page you approved to {page.url}.",
        clause=config.cite(Rule.DEFINITIONS),
    )
    return _live_cards_and_approver(config, page, told, f"address:{page.id}")


def page_retired(config: DistrictConfig, page: Page) -> tuple[Message, ...]:
    assert page.retired_at is not None
    card = Card(
        title=f"Retired: {page.details.page_name}",
        text=(
            f"{page.details.page_name} was retired on {when(config, page.retired_at)} and is "
            "no longer an official district page. Take it down or mark it as no longer "
            "maintained by the district."
        ),
        fields=(Field("Reason", page.retired_reason), Field("Page", page.id)),
        clause=config.cite(Rule.DEFINITIONS),
    )
    return tuple(Message(o.email, card, setup_ref(page), update=True) for o in page.owners)
