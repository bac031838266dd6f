"""Cards for the duties the bot carries forward: monitoring checks, reminders, escalations."""

from __future__ import annotations

import dataclasses

from workflows.conversation import forms
from workflows.conversation.actions import MONITORING_CHECKED, POST_REMOVED, SNOOZE_CHECK
from workflows.conversation.wording import names, when
from workflows.district.config import DistrictConfig
from workflows.district.notices import DEFAULT_MONITORING
from workflows.kernel.cards import Button, ButtonStyle, Card, Field, Section
from workflows.kernel.messages import Message
from workflows.kernel.model import Page, PageRequest, Person
from workflows.kernel.policy import Rule
from workflows.pages import messages as page_messages
from workflows.pages.notices import posting_disclaimer
from workflows.requests import messages as request_messages


def nudge_ref(page: Page) -> str:
    return f"check:{page.id}"


def monitoring_checks(config: DistrictConfig, page: Page) -> tuple[Message, ...]:
    """Each owner's monitoring check, restating their own posting disclaimer."""
    return tuple(
        Message(owner.email, _check_card(config, page, owner), nudge_ref(page))
        for owner in page.owners
    )


def _check_card(config: DistrictConfig, page: Page, owner: Person) -> Card:
    address = f" ({page.url})" if page.url else ""
    forum = config.forum(page.details.forum)
    instruction = forum.monitoring if forum else DEFAULT_MONITORING
    return Card(
        title=f"Monitoring check: {page.details.page_name}",
        text=instruction.format(page_name=page.details.page_name, address=address),
        sections=(
            Section(
                f"When you post, add your disclaimer ({config.cite(Rule.EMPLOYEE_POSTING)})",
                posting_disclaimer(config, page.details, owner),
                copyable=True,
            ),
        ),
        buttons=(
            Button("Checked - nothing to remove", MONITORING_CHECKED, page.id, ButtonStyle.PRIMARY),
            Button(
                "I removed a post"
                if config.moderation.removal_only
                else "I removed a post or acted",
                POST_REMOVED,
                page.id,
                form=forms.moderation_form(config, page.id, from_check=True),
            ),
            Button("Snooze 1 day", SNOOZE_CHECK, page.id),
        ),
        clause=config.cite(Rule.MONITORING),
    )


def check_answered(
    config: DistrictConfig, page: Page, by: Person, what: str
) -> tuple[Message, ...]:
    """Every owner's check is updated in place: who answered, when, and how."""
    assert page.nudge_answered_at is not None
    card = Card(
        title=f"Monitoring check: {page.details.page_name}",
        text=f"{what} by {by.name} on {when(config, page.nudge_answered_at)}.",
        fields=(
            Field("Next check", when(config, page.next_check_due))
            if page.next_check_due
            else Field("Page", page.id),
        ),
        clause=config.cite(Rule.MONITORING),
    )
    return tuple(Message(owner.email, card, nudge_ref(page), update=True) for owner in page.owners)


def check_overdue(config: DistrictConfig, page: Page) -> Message:
    """The approver hears which page is overdue on monitoring, and since when."""
    assert page.nudged_at is not None
    owners = names(config, tuple(owner.email for owner in page.owners))
    return Message(
        page.approved_by.email,
        Card(
            title=f"Monitoring overdue: {page.details.page_name}",
            text=(
                f"The owners of {page.details.page_name} ({owners}) "
                f"have not answered the monitoring check sent on {when(config, page.nudged_at)}. "
                "Official pages must be monitored regularly; please follow up with them."
            ),
            fields=(Field("Page", page.id), *((Field("Address", page.url),) if page.url else ())),
            clause=config.cite(Rule.MONITORING),
        ),
        ref=f"overdue:{page.id}",
    )


def setup_reminders(config: DistrictConfig, page: Page) -> tuple[Message, ...]:
    card = Card(
        title=f"Reminder: set up {page.details.page_name}",
        text=(
            f"{page.details.page_name} was approved on {when(config, page.approved_at)} but is not "
            "confirmed live yet. Post the notice text you received on the page, then confirm it "
            "is live."
        ),
        buttons=(page_messages.confirm_live_button(page),),
        clause=config.cite(Rule.REQUIRED_NOTICES),
    )
    return tuple(Message(owner.email, card, f"setup-reminder:{page.id}") for owner in page.owners)


def setup_escalated(config: DistrictConfig, page: Page) -> Message:
    """The approver hears that a page they approved is still not live."""
    owners = names(config, tuple(owner.email for owner in page.owners))
    return Message(
        page.approved_by.email,
        Card(
            title=f"Not live yet: {page.details.page_name}",
            text=(
                f"{page.details.page_name}, which you approved on "
                f"{when(config, page.approved_at)}, is still not confirmed live after "
                f"{page.setup_reminders} reminders to its owners ({owners}). Please follow up "
                "with them, or retire the page if it will not be created."
            ),
            fields=(Field("Page", page.id),),
            clause=config.cite(Rule.REQUIRED_NOTICES),
        ),
        ref=f"setup-escalated:{page.id}",
    )


def approval_reminders(config: DistrictConfig, request: PageRequest) -> tuple[Message, ...]:
    """The approval card again, for approvers who have not decided; the requester is told."""
    waiting = _undecided(request)
    to_approvers = []
    for email in waiting:
        card = request_messages.approval_card(config, request, email)
        since = when(config, request.waiting_since)
        reminder = dataclasses.replace(
            card,
            title=f"Reminder: {card.title}",
            text=f"This request has waited since {since}. {card.text}",
        )
        to_approvers.append(Message(email, reminder, request_messages.approval_ref(request)))
    verb = "was" if len(waiting) == 1 else "were"
    told = Message(
        request.requester.email,
        Card(
            title=f"Still waiting: {request.details.page_name}",
            text=(
                f"Your request {request.id} has not been decided yet, so "
                f"{names(config, waiting)} {verb} reminded."
            ),
            clause=config.cite(Rule.AUTHORIZATION),
        ),
        ref=f"request-reminder:{request.id}",
    )
    return (*to_approvers, told)


def escalated(
    config: DistrictConfig, request: PageRequest, added: tuple[str, ...]
) -> tuple[Message, ...]:
    """The request reaches more approvers and the requester is told who; when nobody else
    can decide it, the district contact is asked to follow up instead."""
    if not added:
        return (_nobody_else(config, request),)
    ref = request_messages.approval_ref(request)
    to_added = tuple(
        Message(email, request_messages.approval_card(config, request, email), ref)
        for email in added
    )
    told = Message(
        request.requester.email,
        Card(
            title=f"Sent to more approvers: {request.details.page_name}",
            text=(
                f"Your request {request.id} has waited since "
                f"{when(config, request.waiting_since)}, so it also went to "
                f"{names(config, added)}. Any of them can decide."
            ),
            clause=config.cite(Rule.AUTHORIZATION),
        ),
        ref=f"request-escalated:{request.id}",
    )
    return (*to_added, told)


def _nobody_else(config: DistrictConfig, request: PageRequest) -> Message:
    waiting = _undecided(request)
    return Message(
        config.contact,
        Card(
            title=f"A request is waiting: {request.details.page_name}",
            text=(
                f"Request {request.id} from {request.requester.display} has waited since "
                f"{when(config, request.waiting_since)} for {request.route} "
                f"({names(config, waiting)}), and nobody else can decide it. "
                "Please follow up with them."
            ),
            fields=(Field("Request", request.id),),
            clause=config.cite(Rule.AUTHORIZATION),
        ),
        ref=f"request-escalated:{request.id}",
    )


def _undecided(request: PageRequest) -> tuple[str, ...]:
    """The current step's approvers who have not approved it yet."""
    agreed = {decision.by.email for decision in request.decisions_on(request.step)}
    return tuple(email for email in request.approvers if email not in agreed)
