"""Asking for a page: every problem comes back per field; nothing is stored until it is right."""

from __future__ import annotations

from tests.conftest import PRINCIPAL, TEACHER
from tests.records import audit_entries
from tests.stories import ROOM_12, ask_for_page, errors_by_field, only_message_to
from workflows.conversation import forms
from workflows.conversation.submissions import from_text
from workflows.district.config import DistrictConfig
from workflows.engine import Engine
from workflows.kernel.cards import InputKind
from workflows.kernel.commands import Decide, RequestPage, ResubmitRequest
from workflows.kernel.model import PageDetails, Person, Question, RequestStatus, Verdict
from workflows.kernel.ports import Store


async def test_an_empty_form_lists_every_missing_field_and_stores_nothing(
    engine: Engine, store: Store
) -> None:
    outcome = await engine.handle(
        RequestPage(TEACHER, PageDetails("", None, "", "", "", ""), acknowledged_guidelines=False)
    )
    assert errors_by_field(outcome) == {
        "kind": "Choose what kind of page this is.",
        "platform": "Choose the platform the page will be on.",
        "page_name": "Please enter a page name.",
        "purpose": "Please enter the purpose.",
        "audience": "Please enter the audience.",
        "acknowledged": "Please confirm you have read the staff guidelines "
        "(AR 1114: All staff receive information about appropriate use).",
    }
    assert not outcome.messages
    assert await store.find_requests() == []
    assert await audit_entries(store) == []


async def test_choices_outside_the_district_lists_are_refused(engine: Engine) -> None:
    outcome = await engine.handle(ask_for_page(TEACHER, kind="fan-club", platform="myspace"))
    assert errors_by_field(outcome) == {
        "kind": "Choose a kind of page from the list.",
        "platform": "Choose a platform from the list.",
    }


async def test_a_classroom_page_needs_a_school(engine: Engine) -> None:
    outcome = await engine.handle(ask_for_page(TEACHER, school=None))
    assert errors_by_field(outcome) == {"school": "Choose the school this classroom page is for."}


async def test_too_short_and_too_long_answers_say_what_to_do(engine: Engine) -> None:
    outcome = await engine.handle(
        ask_for_page(TEACHER, purpose="Fun", page_name="R" * 101, audience="x" * 201)
    )
    assert errors_by_field(outcome) == {
        "page_name": "Keep a page name under 100 characters (it has 101).",
        "purpose": "Please write the purpose in at least 20 characters.",
        "audience": "Keep the audience under 200 characters (it has 201).",
    }


async def test_control_characters_and_spaces_are_cleaned_before_storing(
    engine: Engine, store: Store
) -> None:
    outcome = await engine.handle(ask_for_page(TEACHER, page_name="  Room\x00 12\x1b News  "))
    assert outcome.accepted
    [request] = await store.find_requests()
    assert request.details.page_name == "Room 12 News"


async def test_co_owners_need_work_emails_and_the_requester_is_not_listed_twice(
    engine: Engine, store: Store
) -> None:
    bad = await engine.handle(ask_for_page(TEACHER, co_owners=(Person("not-an-email", "Pat"),)))
    assert errors_by_field(bad) == {"co_owners": "not-an-email is not a work email address."}

    good = await engine.handle(
        ask_for_page(
            TEACHER,
            co_owners=(
                Person("TOM.BAKER@example.org", "Tom"),
                Person("Grace.Hopper@Example.org", "G"),
                Person("grace.hopper@example.org", "G"),
            ),
        )
    )
    assert good.accepted
    [request] = await store.find_requests()
    # Emails match without regard to case; the directory supplies names and titles.
    assert [person.display for person in request.details.co_owners] == [
        "Grace Hopper, Science Teacher, Jefferson Middle School"
    ]


async def test_a_second_request_for_the_same_page_is_pointed_at_the_first(
    engine: Engine, store: Store
) -> None:
    first = await engine.handle(ask_for_page(TEACHER))
    assert first.accepted
    again = await engine.handle(ask_for_page(PRINCIPAL, page_name="room 12 NEWS"))
    assert errors_by_field(again) == {
        "page_name": "A request for a Facebook page named Room 12 News is already open "
        "(REQ-1, from Tom Baker)."
    }
    # Once approved, the registered page itself is what a duplicate is pointed at.
    await engine.handle(Decide(PRINCIPAL, "REQ-1", 1, Verdict.APPROVE))
    later = await engine.handle(ask_for_page(TEACHER))
    assert (
        "already an official Facebook page named Room 12 News (PAGE-1)"
        in (errors_by_field(later)["page_name"])
    )
    # Another platform is another page.
    instagram = await engine.handle(ask_for_page(TEACHER, platform="instagram"))
    assert instagram.accepted


async def test_only_the_requester_can_resubmit_and_only_after_changes_were_asked(
    engine: Engine, store: Store
) -> None:
    asked = await engine.handle(ask_for_page(TEACHER))
    assert only_message_to(asked, TEACHER)
    early = await engine.handle(ResubmitRequest(TEACHER, "REQ-1", ROOM_12, True))
    assert early.reply is not None and "only after an approver asks for changes" in early.reply.text

    await engine.handle(
        Decide(PRINCIPAL, "REQ-1", 1, Verdict.REQUEST_CHANGES, "Add a room number.")
    )
    other = await engine.handle(ResubmitRequest(PRINCIPAL, "REQ-1", ROOM_12, True))
    assert other.reply is not None and "Only the person who asked" in other.reply.text
    invalid = await engine.handle(ResubmitRequest(TEACHER, "REQ-1", ROOM_12, False))
    assert set(errors_by_field(invalid)) == {"acknowledged"}
    request = await store.get_request("REQ-1")
    assert request is not None and request.status is RequestStatus.CHANGES_REQUESTED


async def test_someone_whose_email_the_platform_withheld_is_told_and_nothing_is_stored(
    engine: Engine, store: Store
) -> None:
    outcome = await engine.handle(ask_for_page(Person("", "Pat")))
    assert outcome.reply is not None and outcome.reply.title == "We could not tell who you are"
    assert await store.find_requests() == []


def test_fields_converted_from_text_are_the_checkbox_and_people_inputs(
    config: DistrictConfig,
) -> None:
    all_inputs = [
        *forms.request_form(config).inputs,
        *forms.confirm_live_form("PAGE-1").inputs,
        *forms.changes_form("REQ-1:1").inputs,
        *forms.approve_form("REQ-1:1", (Question(forms.CONFIRMED, "I did."),), review=True).inputs,
    ]
    checkboxes = {i.name for i in all_inputs if i.kind is InputKind.CHECKBOX}
    people = {i.name for i in all_inputs if i.kind is InputKind.PEOPLE}
    assert (checkboxes, people) == (forms.CHECKBOX_FIELDS, forms.PEOPLE_FIELDS)
    values = from_text({"acknowledged": "true", "co_owners": "A@x.org, b@x.org;", "page_name": "R"})
    assert values["acknowledged"] is True
    assert values["co_owners"] == (Person("a@x.org", "a@x.org"), Person("b@x.org", "b@x.org"))
