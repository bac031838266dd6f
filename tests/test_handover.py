"""A district file put in force while requests wait (part of #19, through the engine): a new
principal gets the requests waiting for the old one, with the cards; the old principal's card
says where it went and their click no longer counts; everything is audited; nothing changes
when nobody changed hands; a vacant role is reported, not guessed at."""

from __future__ import annotations

from storage.memory import MemoryStore
from tests.conftest import CONTACT, PRINCIPAL, TEACHER
from tests.fakes import FakeClock, SequentialIds
from tests.generated import LINCOLN_PRINCIPALS, OLIVIA, allowing_many_requests, lincoln_led_by
from tests.records import audit_entries
from tests.stories import ask_for_page, messages_to, only_message_to
from workflows.district.config import DistrictConfig
from workflows.district.loading import EXAMPLE_SOURCE, example_text, parse_config
from workflows.engine import Engine
from workflows.kernel.commands import AdoptDistrictFile, Decide, RefuseDistrictFile
from workflows.kernel.model import RequestStatus, Verdict


def district(lincoln: str) -> DistrictConfig:
    """The example district with Lincoln's principals line set to `lincoln`."""
    text = lincoln_led_by(allowing_many_requests(example_text()), lincoln)
    return parse_config(text, EXAMPLE_SOURCE)


def new_principal() -> DistrictConfig:
    return district('principals = ["olivia.park@example.org"]')


async def waiting_engine() -> tuple[Engine, MemoryStore]:
    """The example district with Tom Baker's classroom page waiting for Ana Ruiz."""
    store = MemoryStore()
    engine = Engine(district(LINCOLN_PRINCIPALS), store, FakeClock(), SequentialIds())
    await engine.handle(ask_for_page(TEACHER))
    return engine, store


async def test_a_new_principal_gets_the_requests_waiting_for_the_old_one() -> None:
    engine, store = await waiting_engine()
    await engine.adopt(new_principal())
    outcome = await engine.handle(AdoptDistrictFile("0123456789ab"))

    request = await store.get_request("REQ-1")
    assert request is not None and request.status is RequestStatus.PENDING
    assert request.approvers == (OLIVIA.email,)
    assert request.current.title == "the principal of Lincoln Elementary"

    card = only_message_to(outcome, OLIVIA)
    assert [b.label for b in card.card.buttons] == ["Approve", "Request changes", "Deny"]
    old = only_message_to(outcome, PRINCIPAL)
    assert old.update and old.ref == card.ref, "Ana's card is the one updated, in place"
    assert old.card.buttons == ()
    assert old.card.text.startswith(
        "Request REQ-1 now goes to Olivia Park: the district file now in force names them for "
        "this step (the principal of Lincoln Elementary)."
    )
    assert "Nothing more is needed from you" in old.card.text
    mine = only_message_to(outcome, TEACHER)
    assert mine.update and "Olivia Park" in mine.card.text
    summary = only_message_to(outcome, CONTACT)
    assert summary.card.title == "District file reloaded"
    assert "0123456789ab" in summary.card.text
    moved = summary.card.sections[0]
    assert moved.heading == "1 waiting requests moved to whoever holds the role now"
    assert moved.text == "REQ-1 (Room 12 News): from Ana Ruiz to Olivia Park"
    assert all(m.card.clause is not None for m in outcome.messages), "each names its rule"

    trail = [(e.action, e.subject, e.detail) for e in await audit_entries(store)][-2:]
    assert trail == [
        (
            "RequestHandedOver",
            "REQ-1",
            f"no longer with {PRINCIPAL.email}; now also with {OLIVIA.email}",
        ),
        ("DistrictFileAdopted", "district", "district file 0123456789ab in force; 1 waiting "
         "requests moved"),
    ]  # fmt: skip

    refused = await engine.handle(Decide(PRINCIPAL, "REQ-1", 1, Verdict.APPROVE))
    assert refused.reply is not None and refused.reply.title == "Nothing was changed"
    approved = await engine.handle(Decide(OLIVIA, "REQ-1", 1, Verdict.APPROVE))
    assert not approved.errors
    decided = await store.get_request("REQ-1")
    assert decided is not None and decided.status is RequestStatus.APPROVED


async def test_reading_the_same_file_again_moves_nothing() -> None:
    engine, store = await waiting_engine()
    before = await store.get_request("REQ-1")
    trail = len(await audit_entries(store))

    at_start = await engine.handle(AdoptDistrictFile("same", reloaded=False))
    assert at_start.events == () and at_start.messages == ()
    assert len(await audit_entries(store)) == trail, "a start with nothing to move writes nothing"

    reloaded = await engine.handle(AdoptDistrictFile("same"))
    assert await store.get_request("REQ-1") == before
    summary = only_message_to(reloaded, CONTACT)
    assert "No waiting request changed hands." in summary.card.text
    assert [e.action for e in await audit_entries(store)][trail:] == ["DistrictFileAdopted"]


async def test_at_start_a_changed_file_moves_requests_and_says_so() -> None:
    engine, _ = await waiting_engine()
    await engine.adopt(new_principal())
    outcome = await engine.handle(AdoptDistrictFile("abc", reloaded=False))
    assert only_message_to(outcome, OLIVIA).card.buttons
    assert only_message_to(outcome, CONTACT).card.title == "Waiting requests moved"


async def test_a_role_nobody_holds_now_is_reported_and_the_request_stays() -> None:
    engine, store = await waiting_engine()
    before = await store.get_request("REQ-1")
    text = (
        example_text()
        .replace(LINCOLN_PRINCIPALS, "principals = []")
        .replace('backup_approver = "sam.okafor@example.org"\n', "")
    )
    await engine.adopt(parse_config(text, EXAMPLE_SOURCE))
    outcome = await engine.handle(AdoptDistrictFile("vacant"))
    assert await store.get_request("REQ-1") == before
    assert messages_to(outcome, PRINCIPAL) == []
    stuck = only_message_to(outcome, CONTACT).card.sections[0]
    assert stuck.heading.startswith("1 waiting requests could not move")
    assert stuck.text.startswith("REQ-1 (Room 12 News): ")


async def test_many_moves_are_listed_briefly() -> None:
    engine, _ = await waiting_engine()
    for number in range(2, 31):
        await engine.handle(ask_for_page(TEACHER, page_name=f"Club {number} News"))
    await engine.adopt(new_principal())
    outcome = await engine.handle(AdoptDistrictFile("many"))
    moved = only_message_to(outcome, CONTACT).card.sections[0]
    assert moved.heading.startswith("30 waiting requests moved")
    assert len(moved.text.splitlines()) == 21 and moved.text.endswith("and 10 more")


async def test_a_refused_file_is_reported_to_the_contact_and_audited() -> None:
    engine, store = await waiting_engine()
    outcome = await engine.handle(RefuseDistrictFile("line 12: schools[0].principals: bad"))
    card = only_message_to(outcome, CONTACT).card
    assert card.title == "The district file was not reloaded"
    assert "rules already in force stay as they were" in card.text
    assert "line 12: schools[0].principals: bad" in card.text
    last = (await audit_entries(store))[-1]
    assert (last.action, last.subject) == ("DistrictFileRefused", "district")
