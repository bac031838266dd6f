"""The district's view: is-official, guidelines, page hand-overs and the compliance report."""

from __future__ import annotations

import dataclasses

import pytest

from tests.conftest import COACH, CONTACT, PRINCIPAL, ROOSEVELT_PRINCIPAL, STRANGER, TEACHER
from tests.fakes import FakeClock, SequentialIds
from tests.records import audit_entries
from tests.stories import ask_for_page, errors_by_field, messages_to, only_message_to
from workflows.conversation.slash_commands import answer
from workflows.district.config import DistrictConfig
from workflows.engine import Engine
from workflows.kernel.commands import (
    AcknowledgeGuidelines,
    AnswerTransfer,
    AttestMonitoring,
    ConfirmPageLive,
    Decide,
    OfferTransfer,
    ReassignPages,
    RecordModeration,
    RunReminders,
)
from workflows.kernel.model import Person, Verdict
from workflows.kernel.ports import Store
from workflows.pages.addresses import comparable

GRACE = Person("grace.hopper@example.org", "Grace Hopper")


async def live(
    engine: Engine, requester: Person, approver: Person, number: int, url: str, **details: object
) -> str:
    await engine.handle(ask_for_page(requester, **details))
    approved = await engine.handle(Decide(approver, f"REQ-{number}", 1, Verdict.APPROVE))
    page_id = only_message_to(approved, requester).card.buttons[0].value
    if url:
        await engine.handle(ConfirmPageLive(requester, page_id, url, True))
    return page_id


@pytest.mark.parametrize(
    "typed",
    [
        "https://www.facebook.com/Room12News",
        "http://facebook.com/room12news/",
        "facebook.com/ROOM12NEWS",
        "https://m.facebook.com/room12news?fbclid=IwAR0x&utm_source=newsletter",
        "https://www.facebook.com/room12news/#about",
    ],
)
def test_addresses_match_however_they_are_typed(typed: str) -> None:
    assert comparable(typed) == comparable("https://www.facebook.com/Room12News")


def test_different_pages_do_not_match() -> None:
    assert comparable("https://facebook.com/room12news") != comparable(
        "https://facebook.com/room13news"
    )
    assert comparable("https://youtube.com/watch?v=abc") != comparable(
        "https://youtube.com/watch?v=xyz"
    )
    assert comparable("https://instagram.com/room12news") != comparable(
        "https://facebook.com/room12news"
    )


async def test_is_official_answers_yes_with_the_page_and_no_in_the_regulations_words(
    engine: Engine,
) -> None:
    await live(engine, TEACHER, PRINCIPAL, 1, "https://www.facebook.com/Room12News")
    yes = (
        await answer(engine, STRANGER, "/is-official http://facebook.com/room12news/?utm_source=x")
    ).cards[0]
    assert yes.title == "Yes: an official Example Unified School District page"
    assert "Room 12 News is a registered official page of Lincoln Elementary" in yes.text
    no = (await answer(engine, STRANGER, "is-official https://facebook.com/LincolnPTA")).cards[0]
    assert no.title == "Not an official district page"
    assert (
        "parent-teacher organizations, booster clubs" in no.text
        and "not official district" in no.text
    )


async def test_guidelines_are_shown_acknowledged_and_renewed_yearly(
    config: DistrictConfig, store: Store, clock: FakeClock
) -> None:
    yearly = dataclasses.replace(config, guidelines_renewal_days=365)
    engine = Engine(yearly, store, clock, SequentialIds())
    shown = (await answer(engine, TEACHER, "/social-media-guidelines")).cards[0]
    assert "Please read them and confirm." in shown.text
    assert [b.label for b in shown.buttons] == ["I have read the guidelines"]
    thanks = await engine.handle(AcknowledgeGuidelines(TEACHER))
    assert thanks.reply is not None and "recorded" in thanks.reply.text
    again = (await answer(engine, TEACHER, "/social-media-guidelines")).cards[0]
    assert "You confirmed reading them on Nov 30, 2026" in again.text

    clock.advance(days=364)
    assert not messages_to(await engine.handle(RunReminders()), TEACHER)
    clock.advance(days=1)  # a year later, a Tuesday
    reminder = only_message_to(await engine.handle(RunReminders()), TEACHER)
    assert reminder.card.title == "Please read the social media guidelines again"
    assert not messages_to(await engine.handle(RunReminders()), TEACHER), "once per year"
    assert "GuidelinesAcknowledged" in [e.action for e in await audit_entries(store, TEACHER.email)]


async def test_a_transfer_waits_for_the_new_owner_who_may_accept_or_decline(
    engine: Engine, store: Store
) -> None:
    page_id = await live(engine, TEACHER, PRINCIPAL, 1, "https://facebook.com/room12")
    stranger = await engine.handle(OfferTransfer(STRANGER, page_id, GRACE))
    assert stranger.reply is not None and "Only an owner" in stranger.reply.text
    bad = await engine.handle(OfferTransfer(TEACHER, page_id, Person("grace", "Grace")))
    assert errors_by_field(bad) == {"new_owner": "Enter the new owner's work email."}

    offered = await engine.handle(OfferTransfer(TEACHER, page_id, GRACE))
    offer = only_message_to(offered, GRACE)
    assert [b.label for b in offer.card.buttons] == ["Accept", "Decline"]
    declined = await engine.handle(AnswerTransfer(GRACE, page_id, accept=False))
    assert "Grace Hopper declined" in only_message_to(declined, TEACHER).card.text
    page = await store.get_page(page_id)
    assert page is not None and [o.email for o in page.owners] == [TEACHER.email]

    await engine.handle(OfferTransfer(TEACHER, page_id, GRACE))
    accepted = await engine.handle(AnswerTransfer(GRACE, page_id, accept=True))
    assert "Grace Hopper accepted" in only_message_to(accepted, TEACHER).card.text
    assert any(
        "Grace Hopper, Science Teacher" in s.text
        for n in messages_to(accepted, GRACE)
        for s in n.card.sections
    )
    page = await store.get_page(page_id)
    assert page is not None and [o.email for o in page.owners] == [GRACE.email]
    late = await engine.handle(AnswerTransfer(GRACE, page_id, accept=True))
    assert late.reply is not None and "no transfer" in late.reply.text
    actions = [e.action for e in await audit_entries(store, page_id)]
    assert actions.count("TransferOffered") == 2 and actions.count("TransferAnswered") == 2


async def test_the_contact_reassigns_the_pages_of_someone_who_left(
    engine: Engine, store: Store
) -> None:
    first = await live(engine, TEACHER, PRINCIPAL, 1, "https://facebook.com/room12")
    second = await live(
        engine, TEACHER, PRINCIPAL, 2, "", page_name="Room 12 Photos", platform="instagram"
    )
    refused = await engine.handle(ReassignPages(PRINCIPAL, TEACHER.email, GRACE))
    assert refused.reply is not None and "Only the district contact" in refused.reply.text
    nobody = await engine.handle(ReassignPages(CONTACT, "nobody@example.org", GRACE))
    assert "owns no official page" in errors_by_field(nobody)["from_owner"]

    moved = await engine.handle(ReassignPages(CONTACT, TEACHER.email, GRACE))
    assert (
        moved.reply is not None
        and "Grace Hopper now owns Room 12 News, Room 12 Photos" in moved.reply.text
    )
    assert len(messages_to(moved, GRACE)) == 2
    for page_id in (first, second):
        page = await store.get_page(page_id)
        assert page is not None and [o.email for o in page.owners] == [GRACE.email]
        assert "PageReassigned" in [e.action for e in await audit_entries(store, page_id)]


async def test_the_compliance_report_counts_what_needs_attention(
    engine: Engine, store: Store, clock: FakeClock
) -> None:
    room12 = await live(engine, TEACHER, PRINCIPAL, 1, "https://facebook.com/room12")
    await live(
        engine,
        COACH,
        ROOSEVELT_PRINCIPAL,
        2,
        "https://facebook.com/rhs-soccer",
        kind="team",
        school="roosevelt",
        page_name="RHS Soccer",
    )
    await live(engine, TEACHER, PRINCIPAL, 3, "", page_name="Room 12 Photos", platform="instagram")
    await engine.handle(ask_for_page(TEACHER, page_name="Room 12 Blog", platform="blog"))
    clock.advance(days=7)
    await engine.handle(RunReminders())  # both live pages are checked; only Room 12 answers
    await engine.handle(AttestMonitoring(TEACHER, room12))
    await engine.handle(
        RecordModeration(TEACHER, room12, "commercial", "An ad", "drive/1", from_check=True)
    )
    clock.advance(days=2)

    refused = (await answer(engine, TEACHER, "/compliance")).cards[0]
    assert "Only the district contact" in refused.text
    report = (await answer(engine, CONTACT, "/compliance")).cards[0]
    sections = {section.heading: section.text for section in report.sections}
    lincoln, roosevelt = sections["Lincoln Elementary"], sections["Roosevelt High School"]
    assert "Active pages: 1" in lincoln and "Overdue on monitoring: 0" in lincoln
    assert "Approved, not confirmed live: 1 (Room 12 Photos)" in lincoln
    assert "Requests waiting: 1" in lincoln and "REQ-4 Room 12 Blog: 9 days" in lincoln
    assert (
        "Removals by reason: Not related to the stated purpose of the site: a comment of a "
        "commercial nature 1"
    ) in lincoln
    assert "Overdue on monitoring: 1 (RHS Soccer)" in roosevelt
    assert "Jefferson Middle School" not in sections
    assert [b.label for b in report.buttons] == ["Reassign someone's pages"]


def test_the_compliance_report_names_a_few_and_counts_the_rest(config: DistrictConfig) -> None:
    from tests.generated import live_page
    from workflows.kernel.links import Links
    from workflows.reports.compliance import compliance_report

    clock = FakeClock()
    overdue = [
        dataclasses.replace(
            live_page(n, TEACHER, clock.now()),
            nudged_at=clock.now(),
            next_check_due=clock.now(),
        )
        for n in range(1, 13)
    ]
    clock.advance(days=10)
    report = compliance_report(
        config, overdue, [], clock.now(), links=Links("https://pk.example.org")
    )
    [lincoln] = [s.text for s in report.sections if s.heading == "Lincoln Elementary"]
    assert "Overdue on monitoring: 12 (Room 1, Room 2, Room 3, Room 4, Room 5 and 7 more)" in (
        lincoln
    )
    assert "In all: 12 active pages; 12 items need attention in 1 school or office." in report.text
    assert "https://pk.example.org/dashboard" in report.text
