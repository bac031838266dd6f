"""Approval chains through the engine: steps, sending back, denying, withdrawing, delegates
while away, escalation along the current step, and who never approves their own page."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest

from storage.memory import MemoryStore
from tests.conftest import CONTACT, DESIGNEE, PRINCIPAL, SUPERINTENDENT, TEACHER
from tests.fakes import FakeClock, SequentialIds
from tests.records import audit_entries
from tests.stories import ask_for_page, errors_by_field, messages_to, only_message_to
from workflows.district.config import DistrictConfig
from workflows.district.loading import load_config
from workflows.engine import Engine
from workflows.kernel.commands import (
    Decide,
    ResubmitRequest,
    RunReminders,
    SetAway,
    WithdrawRequest,
)
from workflows.kernel.model import PageDetails, Person, RequestStatus, Verdict

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
SARA = Person("sara.lind@riverside.example.org", "Sara Lind")
BEN = Person("ben.cole@riverside.example.org", "Ben Cole")
OWEN = Person("owen.price@riverside.example.org", "Owen Price")
LUCIA = Person("lucia.ferro@riverside.example.org", "Lucia Ferro")
DEV = Person("dev.raman@riverside.example.org", "Dev Raman")
RUTH = Person("ruth.amos@riverside.example.org", "Ruth Amos")
CARLA = Person("carla.ng@riverside.example.org", "Carla Ng")
BACKUP = Person("sam.okafor@example.org", "Sam Okafor")
OAK_PAGE = PageDetails(
    kind="classroom",
    school="oak",
    platform="facebook",
    page_name="Room 3 Readers",
    purpose="Share classroom news and reading lists with families.",
    audience="Families of Room 3",
    co_owners=(BEN,),
)


@pytest.fixture
def riverside() -> DistrictConfig:
    return load_config(EXAMPLES / "riverside-review-chain.toml")


def engine_for(config: DistrictConfig, clock: FakeClock) -> tuple[Engine, MemoryStore]:
    store = MemoryStore()
    return Engine(config, store, clock, SequentialIds()), store


async def test_sent_back_at_step_two_it_starts_again_at_step_one_keeping_its_history(
    riverside: DistrictConfig, clock: FakeClock
) -> None:
    engine, store = engine_for(riverside, clock)
    await engine.handle(ask_for_page(SARA, **vars(OAK_PAGE)))
    await engine.handle(Decide(OWEN, "REQ-1", 1, Verdict.APPROVE))
    sent_back = await engine.handle(
        Decide(DEV, "REQ-1", 1, Verdict.REQUEST_CHANGES, "Name the grade.", step=1)
    )
    told = only_message_to(sent_back, SARA).card
    assert "Once resubmitted it starts again at the first step." in told.text
    resent = await engine.handle(
        ResubmitRequest(
            SARA, "REQ-1", dataclasses.replace(OAK_PAGE, page_name="Grade 3 Readers"), True
        )
    )
    card = only_message_to(resent, OWEN).card
    assert "Step 1 of 4" in card.text
    history = next(section for section in card.sections if section.heading == "Earlier decisions")
    assert "Revision 1: Approved by Owen Price" in history.text
    assert "Revision 1: Sent back for changes by Dev Raman" in history.text
    request = await store.get_request("REQ-1")
    assert request is not None and (request.step, request.revision) == (0, 2)
    # A step-1 card of the first revision can no longer decide anything.
    stale = await engine.handle(Decide(LUCIA, "REQ-1", 1, Verdict.APPROVE))
    assert stale.reply is not None and stale.reply.title == "Already decided"


async def test_deny_at_any_step_ends_the_request(
    riverside: DistrictConfig, clock: FakeClock
) -> None:
    engine, store = engine_for(riverside, clock)
    await engine.handle(ask_for_page(SARA, **vars(OAK_PAGE)))
    await engine.handle(Decide(LUCIA, "REQ-1", 1, Verdict.APPROVE))
    await engine.handle(Decide(DEV, "REQ-1", 1, Verdict.APPROVE, step=1))
    review_deny = await engine.handle(Decide(RUTH, "REQ-1", 1, Verdict.DENY, "No.", step=2))
    assert review_deny.reply is not None and "is a review" in review_deny.reply.text
    denied = await engine.handle(Decide(DEV, "REQ-1", 1, Verdict.DENY, "Not needed.", step=1))
    assert denied.reply is not None and denied.reply.title == "Already decided"
    await engine.handle(
        Decide(RUTH, "REQ-1", 1, Verdict.APPROVE, step=2, answers=(("confirmed", "true"),))
    )
    ended = await engine.handle(
        Decide(CARLA, "REQ-1", 1, Verdict.DENY, "One page per grade.", step=3)
    )
    assert ended.accepted
    request = await store.get_request("REQ-1")
    assert request is not None and request.status is RequestStatus.DENIED
    assert "One page per grade." in only_message_to(ended, SARA).card.fields[0].value
    assert await store.find_pages() == []


async def test_a_step_for_the_wrong_person_or_an_old_step_is_refused_plainly(
    riverside: DistrictConfig, clock: FakeClock
) -> None:
    engine, _ = engine_for(riverside, clock)
    await engine.handle(ask_for_page(SARA, **vars(OAK_PAGE)))
    early = await engine.handle(Decide(DEV, "REQ-1", 1, Verdict.APPROVE, step=1))
    assert early.reply is not None and early.reply.title == "This card is out of date"
    await engine.handle(Decide(OWEN, "REQ-1", 1, Verdict.APPROVE))
    late = await engine.handle(Decide(LUCIA, "REQ-1", 1, Verdict.APPROVE))
    assert late.reply is not None and late.reply.text.startswith("Approved by Owen Price")
    wrong = await engine.handle(Decide(OWEN, "REQ-1", 1, Verdict.APPROVE, step=1))
    assert wrong.reply is not None and wrong.reply.title == "Not your step"


async def test_the_requester_withdraws_and_every_approver_card_stops_asking(
    engine: Engine,
) -> None:
    await engine.handle(ask_for_page(TEACHER))
    stranger = await engine.handle(WithdrawRequest(PRINCIPAL, "REQ-1"))
    assert stranger.reply is not None and "Only the person who asked" in stranger.reply.text
    withdrawn = await engine.handle(WithdrawRequest(TEACHER, "REQ-1", "We merged classes."))
    assert withdrawn.reply is not None and withdrawn.reply.title.startswith("Withdrawn")
    card = only_message_to(withdrawn, PRINCIPAL)
    assert card.update and not card.card.buttons and "Withdrawn by Tom Baker" in card.card.text
    assert only_message_to(withdrawn, TEACHER).update
    again = await engine.handle(WithdrawRequest(TEACHER, "REQ-1"))
    assert again.reply is not None and again.reply.title == "Nothing to withdraw"
    too_late = await engine.handle(Decide(PRINCIPAL, "REQ-1", 1, Verdict.APPROVE))
    assert too_late.reply is not None and too_late.reply.title == "This card is out of date"
    trail = [(e.action, e.detail) for e in await audit_entries(engine.context.store, "REQ-1")]
    assert ("RequestWithdrawn", "withdrawn by the requester: We merged classes.") in trail


async def test_an_approver_away_names_a_delegate_who_decides_in_their_place(
    config: DistrictConfig, clock: FakeClock
) -> None:
    engine, store = engine_for(config, clock)
    await engine.handle(ask_for_page(TEACHER))
    today = clock.now().date()
    bad = await engine.handle(SetAway(PRINCIPAL, BACKUP, "tomorrow", str(today)))
    assert errors_by_field(bad) == {"first_day": "Enter the first day you are away."}
    away = await engine.handle(
        SetAway(PRINCIPAL, BACKUP, str(today), str(today + timedelta(days=5)))
    )
    assert away.reply is not None and "Sent to them now: REQ-1." in away.reply.text
    card = only_message_to(away, BACKUP).card
    assert [button.label for button in card.buttons] == ["Approve", "Request changes", "Deny"]
    approved = await engine.handle(Decide(BACKUP, "REQ-1", 1, Verdict.APPROVE))
    assert approved.accepted
    request = await store.get_request("REQ-1")
    assert request is not None and request.status is RequestStatus.APPROVED
    assert request.last_decision is not None
    assert request.last_decision.for_approver == PRINCIPAL.email
    ana = only_message_to(approved, PRINCIPAL).card
    assert "Approved by Sam Okafor" in ana.text and "for Ana Ruiz" in ana.text
    # New requests go to the delegate too while the principal is away.
    fresh = await engine.handle(ask_for_page(TEACHER, page_name="Room 12 Art"))
    assert only_message_to(fresh, BACKUP).card.buttons


async def test_a_delegate_who_may_not_decide_the_step_is_not_added(
    config: DistrictConfig, clock: FakeClock
) -> None:
    engine, _ = engine_for(config, clock)
    await engine.handle(ask_for_page(TEACHER))
    today = clock.now().date()
    grace = Person("grace.hopper@example.org", "Grace Hopper")
    away = await engine.handle(SetAway(PRINCIPAL, grace, str(today), str(today)))
    assert away.reply is not None and "Grace Hopper may not decide REQ-1" in away.reply.text
    assert not messages_to(away, grace)


async def test_an_absence_that_starts_later_reaches_waiting_requests_that_day(
    config: DistrictConfig, clock: FakeClock
) -> None:
    engine, store = engine_for(config, clock)
    tomorrow = clock.now().date() + timedelta(days=1)
    await engine.handle(SetAway(PRINCIPAL, BACKUP, str(tomorrow), str(tomorrow)))
    await engine.handle(ask_for_page(TEACHER))
    assert (await store.get_request("REQ-1")).approvers == (PRINCIPAL.email,)  # type: ignore[union-attr]
    clock.advance(days=1)
    reminded = await engine.handle(RunReminders())
    assert only_message_to(reminded, BACKUP).card.buttons
    request = await store.get_request("REQ-1")
    assert request is not None and BACKUP.email in request.approvers


async def test_when_nobody_else_can_decide_the_contact_is_asked_to_follow_up(
    config: DistrictConfig, clock: FakeClock
) -> None:
    engine, _ = engine_for(config, clock)
    # The Superintendent asks: only the designee can decide, and nobody is above them.
    await engine.handle(ask_for_page(SUPERINTENDENT, kind="district", school=None))
    outcomes = []
    for _ in range(8):
        clock.advance(days=1)
        outcomes.append(await engine.handle(RunReminders()))
    messages = [message for outcome in outcomes for message in outcome.messages]
    assert not any("also went to" in m.card.text for m in messages)
    alert = [m for m in messages if m.to == CONTACT.email]
    assert len(alert) == 1 and "nobody else can decide it" in alert[0].card.text
    assert "James Chen" in alert[0].card.text
    assert [m.to for m in messages if m.ref.startswith("approval:")] == [DESIGNEE.email]


async def test_reminders_and_escalation_follow_the_current_step(
    riverside: DistrictConfig, clock: FakeClock
) -> None:
    engine, _ = engine_for(riverside, clock)
    await engine.handle(ask_for_page(SARA, **vars(OAK_PAGE)))
    await engine.handle(Decide(OWEN, "REQ-1", 1, Verdict.APPROVE))
    reminded = []
    for _ in range(9):
        clock.advance(days=1)
        reminded.append(await engine.handle(RunReminders()))
    cards = [m for outcome in reminded for m in outcome.messages if m.ref.startswith("approval:")]
    office = {"elena.park@riverside.example.org", "marcus.hale@riverside.example.org"}
    assert {m.to for m in cards} == {DEV.email, *office}
    assert all(m.ref == "approval:REQ-1:1:step2" for m in cards)


async def test_one_of_two_principals_asks_and_the_other_decides(
    config: DistrictConfig, clock: FakeClock
) -> None:
    second = Person("priya.natarajan@example.org", "Priya Natarajan")
    lincoln = dataclasses.replace(config.schools[0], principals=(PRINCIPAL.email, second.email))
    two = dataclasses.replace(config, schools=(lincoln, *config.schools[1:]))
    engine, _ = engine_for(two, clock)
    outcome = await engine.handle(ask_for_page(PRINCIPAL))
    assert [m.to for m in outcome.messages if m.ref.startswith("approval:")] == [second.email]
