"""The actions the dashboard offers a person: the very buttons chat offers them, so they run
through the same commands, rules and audit (the engine still checks every one)."""

from __future__ import annotations

from workflows.conversation import actions as names
from workflows.conversation import forms
from workflows.dashboard.access import Viewer
from workflows.district.config import DistrictConfig
from workflows.kernel.cards import Button
from workflows.kernel.model import Page, PageRequest, PageStatus, RequestStatus
from workflows.pages.messages import (
    address_button,
    confirm_live_button,
    moderation_button,
    retire_button,
    transfer_button,
)
from workflows.requests.messages import decision_buttons


def page_actions(config: DistrictConfig, viewer: Viewer, page: Page) -> tuple[Button, ...]:
    """An owner runs the page (moderation, address, transfer, retire); the district contact
    may retire any page."""
    email = viewer.person.email
    owner = page.is_owned_by(email)
    if page.status is PageStatus.SETTING_UP:
        return (confirm_live_button(page),) if owner else ()
    if page.status is not PageStatus.ACTIVE:
        return ()
    buttons: list[Button] = []
    if owner:
        buttons += [moderation_button(config, page), address_button(page), transfer_button(page)]
    if owner or email == config.contact:
        buttons.append(retire_button(page))
    return tuple(buttons)


def request_actions(viewer: Viewer, request: PageRequest) -> tuple[Button, ...]:
    """An approver of the step the request waits on decides it, as on their chat card."""
    if request.status is not RequestStatus.PENDING:
        return ()
    email = viewer.person.email
    step = request.current
    already = {d.by.email for d in request.decisions_on(request.step)}
    if email in already or not (email in step.approvers or email in step.allowed):
        return ()
    return decision_buttons(request)


def district_actions(config: DistrictConfig, viewer: Viewer) -> tuple[Button, ...]:
    """The district contact moves the pages of someone who has left."""
    if viewer.person.email != config.contact:
        return ()
    return (Button("Reassign pages", names.REASSIGN_PAGES, "", form=forms.reassign_form()),)
