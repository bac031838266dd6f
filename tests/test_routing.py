"""Who authorizes what (AR 1114: Authorization), and what happens when nobody can."""

from __future__ import annotations

import dataclasses

from tests.conftest import (
    COACH,
    CONTACT,
    DESIGNEE,
    PRINCIPAL,
    ROOSEVELT_PRINCIPAL,
    SUPERINTENDENT,
    TEACHER,
)
from tests.fakes import FakeClock, SequentialIds
from tests.records import audit_entries
from tests.stories import ask_for_page, button_labels, messages_to, only_message_to
from workflows.district.config import DistrictConfig
from workflows.engine import Engine
from workflows.kernel.commands import Decide, RouteAgain
from workflows.kernel.model import RequestStatus, Verdict
from workflows.kernel.ports import Store


async def test_a_coachs_team_page_goes_to_their_principal(engine: Engine) -> None:
    outcome = await engine.handle(ask_for_page(COACH, kind="team", school="roosevelt"))
    assert button_labels(only_message_to(outcome, ROOSEVELT_PRINCIPAL)) == [
        "Approve",
        "Request changes",
        "Deny",
    ]
    assert not messages_to(outcome, SUPERINTENDENT)


async def test_a_district_page_goes_to_the_superintendent_and_every_designee(
    engine: Engine,
) -> None:
    outcome = await engine.handle(ask_for_page(TEACHER, kind="district", school=None))
    assert only_message_to(outcome, SUPERINTENDENT).card.buttons
    assert only_message_to(outcome, DESIGNEE).card.buttons
    assert "the Superintendent or a designee (Maria Lopez and James Chen)" in (
        only_message_to(outcome, TEACHER).card.text
    )


async def test_a_principal_never_approves_their_own_classroom_page(engine: Engine) -> None:
    outcome = await engine.handle(ask_for_page(PRINCIPAL))
    assert [message.to for message in outcome.messages if message.ref.startswith("approval:")] == [
        SUPERINTENDENT.email,
        DESIGNEE.email,
    ]
    refused = await engine.handle(Decide(PRINCIPAL, "REQ-1", 1, Verdict.APPROVE))
    assert (
        refused.reply is not None and "Only the Superintendent or a designee" in refused.reply.text
    )


async def test_the_superintendents_own_request_goes_to_a_designee(engine: Engine) -> None:
    outcome = await engine.handle(ask_for_page(SUPERINTENDENT, kind="district", school=None))
    assert [message.to for message in outcome.messages if message.ref.startswith("approval:")] == [
        DESIGNEE.email
    ]


async def test_a_school_without_a_principal_uses_its_backup_approver(
    config: DistrictConfig, store: Store, clock: FakeClock
) -> None:
    lincoln = dataclasses.replace(config.schools[0], principals=())
    vacancy = dataclasses.replace(config, schools=(lincoln, *config.schools[1:]))
    engine = Engine(vacancy, store, clock, SequentialIds())
    outcome = await engine.handle(ask_for_page(TEACHER))
    backup = only_message_to(outcome, config.person("sam.okafor@example.org") or TEACHER)
    assert backup.card.buttons


async def test_with_no_approver_the_request_is_held_for_the_district_contact(
    config: DistrictConfig, store: Store, clock: FakeClock
) -> None:
    roosevelt = dataclasses.replace(config.schools[1], principals=())
    vacancy = dataclasses.replace(config, schools=(config.schools[0], roosevelt, config.schools[2]))
    engine = Engine(vacancy, store, clock, SequentialIds())

    outcome = await engine.handle(ask_for_page(COACH, kind="team", school="roosevelt"))

    told = only_message_to(outcome, COACH).card
    assert told.title == "Request on hold: Room 12 News"
    assert "no principal is set up for Roosevelt High School yet" in told.text
    assert "you do not need to send it again" in told.text
    alert = only_message_to(outcome, CONTACT)
    assert button_labels(alert) == ["Route again"]
    request = await store.get_request("REQ-1")
    assert request is not None and request.status is RequestStatus.HELD
    assert [entry.action for entry in await audit_entries(store, "REQ-1")] == [
        "PageRequested",
        "RequestHeld",
    ]

    # Still no principal: routing again says so and changes nothing.
    still = await engine.handle(RouteAgain(CONTACT, "REQ-1"))
    assert still.reply is not None and "Roosevelt High School" in still.reply.text

    # The district adds the principal and restarts; the contact routes the request again.
    fixed = Engine(config, store, clock, SequentialIds())
    stranger = await fixed.handle(RouteAgain(COACH, "REQ-1"))
    assert stranger.reply is not None and "Only the district contact" in stranger.reply.text
    routed = await fixed.handle(RouteAgain(CONTACT, "REQ-1"))
    assert only_message_to(routed, ROOSEVELT_PRINCIPAL).card.buttons
    assert only_message_to(routed, CONTACT).update
    approved = await fixed.handle(Decide(ROOSEVELT_PRINCIPAL, "REQ-1", 1, Verdict.APPROVE))
    assert approved.accepted and messages_to(approved, COACH)
