"""Turn a clicked button or a submitted form, as any adapter received it, into a command."""

from __future__ import annotations

import re
from collections.abc import Mapping

from workflows.conversation import actions as names
from workflows.conversation import forms
from workflows.district.config import DistrictConfig
from workflows.kernel.cards import Form
from workflows.kernel.commands import (
    AcknowledgeGuidelines,
    AnswerTransfer,
    AttestMonitoring,
    ChangeAddress,
    Command,
    ConfirmPageLive,
    Decide,
    DecideModeration,
    LiftModeration,
    OfferTransfer,
    ReassignPages,
    RecordModeration,
    RequestPage,
    ResubmitRequest,
    RetirePage,
    RouteAgain,
    SetAway,
    SnoozeCheck,
    WithdrawRequest,
)
from workflows.kernel.model import Answer, ModerationKind, PageDetails, Person, Verdict
from workflows.kernel.ports import Records

FormValue = str | bool | tuple[Person, ...]
FormValues = Mapping[str, FormValue]

_VERDICTS = {
    names.APPROVE: Verdict.APPROVE,
    names.REQUEST_CHANGES: Verdict.REQUEST_CHANGES,
    names.DENY: Verdict.DENY,
}


_SEPARATORS = re.compile(r"[\s,;]+")


def from_text(raw: Mapping[str, object]) -> FormValues:
    """Form values from a surface that sends only text: checkboxes as "true"/"on", people as
    emails separated by commas, spaces or semicolons. Anything not text is ignored."""
    values: dict[str, FormValue] = {}
    for name, given in raw.items():
        if isinstance(given, bool) or not isinstance(given, str | int | float):
            continue
        entry = str(given)  # a number input may arrive as a number
        if name in forms.CHECKBOX_FIELDS:
            values[name] = entry.strip().lower() in {"true", "on", "yes"}
        elif name in forms.PEOPLE_FIELDS:
            emails = [email.lower() for email in _SEPARATORS.split(entry) if email]
            values[name] = tuple(Person(email, email) for email in emails)
        else:
            values[name] = entry
    return values


class UnknownAction(ValueError):
    """A button or form this version of Pagekeeper does not know (or a tampered value)."""


def command_for(
    action: str, value: str, actor: Person, values: FormValues | None = None
) -> Command:
    """The command for `action` on `value` (a request or page id), with any form values."""
    given = values or {}
    if action in _VERDICTS:
        request_id, revision, step = _decision_target(value)
        note = _text(given, forms.NOTE)
        return Decide(actor, request_id, revision, _VERDICTS[action], note, step, _answers(given))
    if action == names.WITHDRAW_REQUEST:
        return WithdrawRequest(actor, value, _text(given, forms.NOTE))
    if action == names.DELEGATE:
        first, last = _text(given, forms.FIRST_DAY), _text(given, forms.LAST_DAY)
        return SetAway(actor, _someone(_text(given, forms.DELEGATE)), first, last)
    if action == names.REQUEST_PAGE:
        return RequestPage(actor, page_details(given), _flag(given, forms.ACKNOWLEDGED))
    if action == names.RESUBMIT_REQUEST:
        return ResubmitRequest(actor, value, page_details(given), _flag(given, forms.ACKNOWLEDGED))
    if action == names.ROUTE_AGAIN:
        return RouteAgain(actor, value)
    if action == names.CONFIRM_LIVE:
        url, shown = _text(given, forms.URL), _flag(given, forms.NOTICES_DISPLAYED)
        return ConfirmPageLive(actor, value, url, shown)
    if action == names.RETIRE_PAGE:
        return RetirePage(actor, value, _text(given, forms.NOTE))
    if action == names.CHANGE_ADDRESS:
        return ChangeAddress(actor, value, _text(given, forms.URL))
    if action == names.MONITORING_CHECKED:
        return AttestMonitoring(actor, value)
    if action == names.SNOOZE_CHECK:
        return SnoozeCheck(actor, value)
    if action in (names.POST_REMOVED, names.RECORD_MODERATION):
        return RecordModeration(
            actor,
            value,
            _text(given, forms.REASON),
            _text(given, forms.DESCRIPTION),
            _text(given, forms.SAVED_COPY),
            # The check's "I removed a post" form of earlier versions had no choice of action.
            _text(given, forms.ACTION)
            or (ModerationKind.REMOVE.value if action == names.POST_REMOVED else ""),
            _text(given, forms.ACCOUNT),
            _text(given, forms.DAYS),
            from_check=action == names.POST_REMOVED,
        )
    if action in (names.APPROVE_MODERATION, names.REFUSE_MODERATION):
        page_id, action_id = _action_target(value)
        approve = action == names.APPROVE_MODERATION
        return DecideModeration(actor, page_id, action_id, approve, _text(given, forms.NOTE))
    if action == names.LIFT_MODERATION:
        return LiftModeration(actor, *_action_target(value))
    if action == names.ACKNOWLEDGE_GUIDELINES:
        return AcknowledgeGuidelines(actor)
    if action == names.TRANSFER_PAGE:
        return OfferTransfer(actor, value, _someone(_text(given, forms.NEW_OWNER)))
    if action in (names.ACCEPT_TRANSFER, names.DECLINE_TRANSFER):
        return AnswerTransfer(actor, value, action == names.ACCEPT_TRANSFER)
    if action == names.REASSIGN_PAGES:
        gone, to = _text(given, forms.FROM_OWNER), _someone(_text(given, forms.NEW_OWNER))
        return ReassignPages(actor, gone, to)
    raise UnknownAction(action)


def _someone(email: str) -> Person:
    clean = email.strip().lower()
    return Person(clean, clean)


def page_details(values: FormValues) -> PageDetails:
    """The request form's values as page details (validation happens in the engine)."""
    co_owners = values.get(forms.CO_OWNERS, ())
    return PageDetails(
        kind=_text(values, forms.KIND),
        school=_text(values, forms.SCHOOL) or None,
        platform=_text(values, forms.PLATFORM),
        page_name=_text(values, forms.PAGE_NAME),
        purpose=_text(values, forms.PURPOSE),
        audience=_text(values, forms.AUDIENCE),
        co_owners=co_owners if isinstance(co_owners, tuple) else (),
        forum=_text(values, forms.FORUM),
        # Unchecked as yet: the engine matches them to the page kind's questions.
        answers=tuple(Answer(name, "", value) for name, value in _answers(values)),
    )


def _decision_target(value: str) -> tuple[str, int, int]:
    """'REQ-1:2' (revision 2, first step) or 'REQ-1:2:1' (revision 2, second step)."""
    parts = value.split(":")
    numbers = parts[1:]
    if len(parts) not in (2, 3) or not parts[0] or not all(n.isdigit() for n in numbers):
        raise UnknownAction(value)
    return parts[0], int(numbers[0]), int(numbers[1]) if len(numbers) == 2 else 0


def _action_target(value: str) -> tuple[str, str]:
    """'PAGE-1:MOD-2': a page and one of its moderation actions."""
    page_id, _, action_id = value.partition(":")
    if not page_id or not action_id:
        raise UnknownAction(value)
    return page_id, action_id


async def _referral_form(config: DistrictConfig, store: Records, value: str) -> Form | None:
    """The referral of a repeat violator, filled in from the action that prompted it."""
    page_id, action_id = _action_target(value)
    page = await store.get_page(page_id)
    action = next((a for a in page.moderation if a.id == action_id), None) if page else None
    if page is None or action is None:
        return None
    return forms.referral_form(config, page.id, action)


def _answers(values: FormValues) -> tuple[tuple[str, str], ...]:
    """Every other field of a form, as text: the answers to a district's own questions."""
    return tuple(
        (name, "true" if entry is True else "false" if entry is False else entry)
        for name, entry in values.items()
        if isinstance(entry, str | bool) and name not in forms.STANDARD_FIELDS
    )


def _text(values: FormValues, name: str) -> str:
    value = values.get(name, "")
    return value if isinstance(value, str) else ""


def _flag(values: FormValues, name: str) -> bool:
    return values.get(name) is True


async def form_for(config: DistrictConfig, store: Records, action: str, value: str) -> Form | None:
    """The form a button opens, rebuilt from its action and value (None: it acts at once).

    Platforms that cannot carry a form inside a button (Slack) open it with this on click.
    """
    if action in _VERDICTS or action == names.WITHDRAW_REQUEST:
        return await _decision_form(store, action, value)
    if action == names.REQUEST_PAGE:
        return forms.request_form(config)
    if action == names.CONFIRM_LIVE:
        return forms.confirm_live_form(value)
    if action == names.RETIRE_PAGE:
        return forms.retire_form(value)
    if action == names.CHANGE_ADDRESS:
        return forms.change_address_form(value)
    if action in (names.POST_REMOVED, names.RECORD_MODERATION):
        return forms.moderation_form(config, value, from_check=action == names.POST_REMOVED)
    if action == names.REFER_VIOLATOR:
        return await _referral_form(config, store, value)
    if action == names.REFUSE_MODERATION:
        return forms.refuse_moderation_form(value)
    if action == names.TRANSFER_PAGE:
        return forms.transfer_form(value)
    if action == names.REASSIGN_PAGES:
        return forms.reassign_form()
    if action == names.DELEGATE:
        return forms.away_form()
    if action in (names.EDIT_REQUEST, names.RESUBMIT_REQUEST):
        request = await store.get_request(value)
        return (
            forms.request_form(config, request_id=value, initial=request.details)
            if request
            else None
        )
    return None


async def _decision_form(store: Records, action: str, value: str) -> Form | None:
    """A decision's form, with whatever the request's current step asks for with it."""
    if action == names.WITHDRAW_REQUEST:
        return forms.withdraw_form(value)
    if action == names.REQUEST_CHANGES:
        return forms.changes_form(value)
    try:
        request_id, _, _ = _decision_target(value)
    except UnknownAction:
        return None
    request = await store.get_request(request_id)
    step = request.current if request else None
    evidence = step.evidence if step else ()
    if action == names.DENY:
        return forms.deny_form(value, evidence)
    if step is not None and (step.review or evidence):
        return forms.approve_form(value, evidence, review=step.review)
    return None
