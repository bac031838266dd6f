"""The whole life of an official page, told through the engine with a fake clock."""

from __future__ import annotations

import dataclasses

from tests.conftest import CONTACT, PRINCIPAL, STRANGER, SUPERINTENDENT, TEACHER
from tests.fakes import FakeClock
from tests.records import audit_entries
from tests.stories import ROOM_12, ask_for_page, button_labels, only_message_to
from workflows.engine import Engine
from workflows.kernel.commands import ConfirmPageLive, Decide, ResubmitRequest, RetirePage
from workflows.kernel.model import PageStatus, Person, RequestStatus, Verdict
from workflows.kernel.ports import Store

CO_TEACHER = Person("grace.hopper@example.org", "Grace Hopper")


async def test_a_classroom_page_from_request_to_retirement(
    engine: Engine, store: Store, clock: FakeClock
) -> None:
    # A teacher asks; the request goes to the school's principal.
    asked = await engine.handle(ask_for_page(TEACHER, co_owners=(CO_TEACHER,)))
    assert asked.accepted
    sent = only_message_to(asked, TEACHER)
    assert "went to the principal of Lincoln Elementary (Ana Ruiz)" in sent.card.text
    approval = only_message_to(asked, PRINCIPAL)
    assert button_labels(approval) == ["Approve", "Request changes", "Deny"]
    assert approval.card.clause is not None and "Authorization" in approval.card.clause
    request_id = approval.card.buttons[0].value.split(":")[0]

    # Someone who is not an approver clicks Approve: refused, nothing changes, it is audited.
    clock.advance(minutes=5)
    stranger = await engine.handle(Decide(STRANGER, request_id, 1, Verdict.APPROVE))
    assert stranger.reply is not None
    assert "Only the principal of Lincoln Elementary (Ana Ruiz) can decide" in stranger.reply.text
    assert not stranger.messages
    request = await store.get_request(request_id)
    assert request is not None and request.status is RequestStatus.PENDING

    # The principal asks for changes; the requester is told what to change.
    clock.advance(hours=1)
    changes = await engine.handle(
        Decide(PRINCIPAL, request_id, 1, Verdict.REQUEST_CHANGES, "Please name the room's teacher.")
    )
    assert "Please name the room's teacher." in only_message_to(changes, TEACHER).card.plain_text()
    updated = only_message_to(changes, PRINCIPAL)
    assert updated.update and updated.ref == approval.ref and not updated.card.buttons
    assert "Sent back for changes by Ana Ruiz" in updated.card.text

    # The teacher edits and resubmits; the principal gets a fresh card for revision 2.
    clock.advance(hours=2)
    edited = dataclasses.replace(ROOM_12, page_name="Mr. Baker's Room 12", co_owners=(CO_TEACHER,))
    resubmitted = await engine.handle(
        ResubmitRequest(TEACHER, request_id, edited, acknowledged_guidelines=True)
    )
    assert resubmitted.accepted
    second_card = only_message_to(resubmitted, PRINCIPAL)
    assert "(revision 2)" in second_card.card.title and second_card.ref != approval.ref

    # Approved: the teacher and the co-teacher get the notice text and their own disclaimer.
    clock.advance(days=1)
    approved = await engine.handle(Decide(PRINCIPAL, request_id, 2, Verdict.APPROVE))
    owner_card = only_message_to(approved, TEACHER)
    notice_text = owner_card.card.sections[0]
    assert notice_text.copyable
    for number in range(1, 9):
        assert f"\n{number}. " in "\n" + notice_text.text, f"notice {number} is missing"
    assert "not officially recognized, authorized or acknowledged by the district" in (
        notice_text.text
    )
    assert "regularly monitored" in notice_text.text and "political activity" in notice_text.text
    assert "dana.whitfield@example.org" in notice_text.text
    disclaimer = owner_card.card.sections[1].text
    assert disclaimer.startswith("Tom Baker, Third Grade Teacher, Lincoln Elementary.")
    assert "mine alone" in disclaimer
    co_card = only_message_to(approved, CO_TEACHER)
    assert co_card.card.sections[1].text.startswith("Grace Hopper, Science Teacher")
    assert button_labels(owner_card) == ["Confirm page is live"]
    page_id = owner_card.card.buttons[0].value
    page = await store.get_page(page_id)
    assert page is not None and page.status is PageStatus.SETTING_UP

    # A second click changes nothing and says who decided when.
    clock.advance(minutes=1)
    again = await engine.handle(Decide(PRINCIPAL, request_id, 2, Verdict.APPROVE))
    assert again.reply is not None and not again.messages
    assert again.reply.text == "Approved by Ana Ruiz on Dec 1, 2026 at 11:05 AM PST."

    # The teacher confirms the page is live and the notices are shown.
    clock.advance(days=2)
    live = await engine.handle(
        ConfirmPageLive(TEACHER, page_id, " https://www.facebook.com/Room12News ", True)
    )
    assert live.accepted
    assert "active official district page" in only_message_to(live, TEACHER).card.text
    assert (
        "live at https://www.facebook.com/Room12News" in only_message_to(live, PRINCIPAL).card.text
    )
    page = await store.get_page(page_id)
    assert page is not None and page.status is PageStatus.ACTIVE
    assert page.url == "https://www.facebook.com/Room12News"

    # Later the page is retired, with a reason.
    clock.advance(days=200)
    retired = await engine.handle(RetirePage(TEACHER, page_id, "School year ended."))
    assert "no longer an official district page" in only_message_to(retired, CO_TEACHER).card.text
    page = await store.get_page(page_id)
    assert page is not None and page.status is PageStatus.RETIRED

    # The audit trail tells the same story, each line with its actor and clause.
    trail = await audit_entries(store, request_id)
    assert [(entry.action, entry.actor) for entry in trail] == [
        ("PageRequested", TEACHER.email),
        ("DecisionRefused", STRANGER.email),
        ("ChangesRequested", PRINCIPAL.email),
        ("RequestResubmitted", TEACHER.email),
        ("RequestApproved", PRINCIPAL.email),
        ("DecisionRefused", PRINCIPAL.email),
    ]
    assert all(entry.clause.startswith("AR 1114") for entry in trail)
    page_trail = [entry.action for entry in await audit_entries(store, page_id)]
    assert page_trail == ["PageRegistered", "PageWentLive", "PageRetired"]


async def test_a_denied_request_tells_the_requester_why(engine: Engine, store: Store) -> None:
    asked = await engine.handle(ask_for_page(TEACHER))
    request_id = only_message_to(asked, PRINCIPAL).card.buttons[0].value.split(":")[0]

    missing_reason = await engine.handle(Decide(PRINCIPAL, request_id, 1, Verdict.DENY, "  "))
    assert [error.message for error in missing_reason.errors] == ["Please add a reason."]

    denied = await engine.handle(
        Decide(PRINCIPAL, request_id, 1, Verdict.DENY, "We already have a grade-level page.")
    )
    told = only_message_to(denied, TEACHER).card
    assert "must not be created as an official district page" in told.text
    assert told.fields[0].value == "We already have a grade-level page."
    request = await store.get_request(request_id)
    assert request is not None and request.status is RequestStatus.DENIED


async def test_only_owners_confirm_a_page_live_with_a_real_address(
    engine: Engine, store: Store
) -> None:
    asked = await engine.handle(ask_for_page(TEACHER))
    request_id = only_message_to(asked, PRINCIPAL).card.buttons[0].value.split(":")[0]
    approved = await engine.handle(Decide(PRINCIPAL, request_id, 1, Verdict.APPROVE))
    page_id = only_message_to(approved, TEACHER).card.buttons[0].value

    not_owner = await engine.handle(
        ConfirmPageLive(SUPERINTENDENT, page_id, "https://x.com/a", True)
    )
    assert not_owner.reply is not None and "Only the page's owners" in not_owner.reply.text

    bad = await engine.handle(ConfirmPageLive(TEACHER, page_id, "facebook room 12", False))
    assert {error.field for error in bad.errors} == {"url", "notices_displayed"}
    page = await store.get_page(page_id)
    assert page is not None and page.status is PageStatus.SETTING_UP

    # The district contact may retire any page, for instance after staff leave.
    retired = await engine.handle(RetirePage(CONTACT, page_id, "Teacher left the district."))
    assert retired.accepted and retired.messages


async def test_every_message_names_the_rule_it_comes_from(engine: Engine) -> None:
    commands = [
        ask_for_page(TEACHER),
        Decide(STRANGER, "REQ-1", 1, Verdict.APPROVE),
        Decide(PRINCIPAL, "REQ-1", 1, Verdict.REQUEST_CHANGES, "Add the room number."),
        Decide(PRINCIPAL, "REQ-1", 1, Verdict.APPROVE),
        ResubmitRequest(TEACHER, "REQ-1", ROOM_12, True),
        Decide(PRINCIPAL, "REQ-1", 1, Verdict.APPROVE),
        Decide(PRINCIPAL, "REQ-1", 2, Verdict.APPROVE),
        ConfirmPageLive(STRANGER, "PAGE-1", "https://x.com/r12", True),
        ConfirmPageLive(TEACHER, "PAGE-1", "https://x.com/r12", True),
        ConfirmPageLive(TEACHER, "PAGE-1", "https://x.com/r12", True),
        RetirePage(TEACHER, "PAGE-1", "Year over."),
        RetirePage(TEACHER, "PAGE-1", "Year over."),
        ask_for_page(TEACHER, page_name="Room 14", kind="district", school=None),
        Decide(SUPERINTENDENT, "REQ-2", 1, Verdict.DENY, "One district page is enough."),
    ]
    cards = []
    for command in commands:
        outcome = await engine.handle(command)
        cards.extend(message.card for message in outcome.messages)
        cards.extend([outcome.reply] if outcome.reply else [])
    assert len(cards) > 15
    for card in cards:
        assert card.clause and card.clause.startswith("AR 1114"), f"{card.title!r} cites no rule"
        assert f"Rule: {card.clause}" in card.plain_text()
