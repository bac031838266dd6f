"""A large district in Slack and Teams: 300 schools and 10,000 pages. Every Slack payload the
bot sends is checked with slack_sdk's own Block Kit models (and Slack's 50 blocks a message),
every Teams message against Teams' size limit; the school picker is searched as one types;
summaries say what they leave out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from adapters.teams.cards import MESSAGE_MAX, adaptive_card, fit
from storage.memory import MemoryStore
from tests.bot_process import FORM_ANSWERS
from tests.chat_drivers import slack_chat, slack_id, teams_chat
from tests.fake_slack import text_of
from tests.fake_teams import actions, plain
from tests.generated import district_with_schools, live_page
from tests.playground_chat import as_text
from workflows.district.config import DistrictConfig
from workflows.district.loading import parse_config
from workflows.kernel.cards import Card, Field
from workflows.kernel.model import Person
from workflows.kernel.ports import Changes

SCHOOLS, PAGES = 300, 10_000
LIVE = datetime(2026, 9, 1, 16, 0, tzinfo=UTC)
CONTACT = "dana.whitfield@example.org"
BUSY_OWNER = Person("tom.baker@example.org", "Tom Baker", "Teacher")


def large_district(schools: int) -> DistrictConfig:
    """The example district with `schools` more schools, named long enough that Slack's
    75-character option labels would cut them all the same."""
    long_name = "Unified Elementary School of the Greater Metropolitan Area, Campus {}".format
    return parse_config(district_with_schools(schools, long_name), "large")


async def many_pages(config: DistrictConfig, count: int) -> MemoryStore:
    """`count` active pages spread over the schools; Tom owns 200 of them."""
    store = MemoryStore()
    pages = tuple(
        live_page(
            number,
            BUSY_OWNER if number < 200 else Person(f"o{number}@example.org", f"Owner {number}"),
            LIVE,
            config.schools[number % len(config.schools)].id,
        )
        for number in range(count)
    )
    await store.commit(Changes(pages=pages))
    return store


def valid_blocks(blocks: list[dict[str, Any]], limit: int = 50) -> None:
    assert len(blocks) <= limit, f"{len(blocks)} blocks"
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()


def valid_view(view: dict[str, Any]) -> None:
    View(**view).validate_json()  # Block Kit's rules for views, 100 blocks included
    valid_blocks(view["blocks"], 100)


async def test_every_slack_payload_fits_at_300_schools_and_10000_pages() -> None:
    config = large_district(SCHOOLS)
    store = await many_pages(config, PAGES)
    async with slack_chat(config, store) as chat:
        tom = slack_id(BUSY_OWNER.email)
        await chat.slack.slash_command(tom)
        await chat.fake.wait_for(lambda f: bool(f.of("views.open")), "the form")
        form = chat.fake.of("views.open")[-1].args["view"]
        valid_view(form)
        [school] = [b for b in form["blocks"] if b.get("block_id") == "school"]
        assert school["element"]["type"] == "external_select"

        # Typing in the school picker: matching schools, at most 100, every label distinct.
        status, body = await chat.slack.suggest(tom, form, "school", "campus 12")
        options = json.loads(body)["options"]
        assert status == 200 and 0 < len(options) <= 100
        labels = [option["text"]["text"] for option in options]
        assert len(set(labels)) == len(labels) and all(len(label) <= 75 for label in labels)
        assert all("Campus 12" in label for label in labels)
        assert (
            len(json.loads((await chat.slack.suggest(tom, form, "school", ""))[1])["options"])
            == 100
        )
        chosen = next(o for o in options if o["value"] == "s012")
        answers = {**FORM_ANSWERS, "school": chosen, "page_name": "Campus Twelve News"}
        assert await chat.slack.submit(tom, form, answers) == (200, "")
        [request] = [r for r in await store.find_requests() if r.details.school == "s012"]

        for command, who in (("/pages", tom), ("/compliance", slack_id(CONTACT))):
            answered = len(chat.fake.responses)
            await chat.slack.slash_command(who, command)
            await chat.fake.wait_for(lambda f, n=answered: len(f.responses) > n, command)
            valid_blocks(chat.fake.responses[-1]["blocks"])
        assert "The first 40 are shown." in text_of(chat.fake.responses[-2]["blocks"])
        assert "more" in text_of(chat.fake.responses[-1]["blocks"])

        await chat.slack.event({"type": "app_home_opened", "user": tom, "tab": "home"})
        await chat.fake.wait_for(lambda f: bool(f.of("views.publish")), "the Home tab")
        home = chat.fake.of("views.publish")[-1].args["view"]
        valid_view(home)
        assert "more items (requests and pages) not shown here" in text_of(home["blocks"])
        await chat.settle()
        for call in chat.fake.of("chat.postMessage") + chat.fake.of("chat.update"):
            valid_blocks(call.args["blocks"])
    assert request.approvers == ("p012@example.org",)


async def test_every_teams_message_fits_at_300_schools_and_10000_pages() -> None:
    config = large_district(SCHOOLS)
    store = await many_pages(config, PAGES)
    async with teams_chat(config, store) as chat:
        tom, contact = chat._user(BUSY_OWNER.email), chat._user(CONTACT)
        for user, line in ((tom, "request-page"), (tom, "pages"), (tom, "my-pages"),
                           (contact, "compliance")):  # fmt: skip
            assert await chat.teams.say(user, line) == 201
        await chat.settle()
        sent = chat.connector.sent
        assert sent
        for activity in sent:
            size = len(json.dumps(activity.body, separators=(",", ":")).encode("utf-16-le"))
            assert size <= MESSAGE_MAX + 2_000, f"{size} bytes in UTF-16"
        [picker] = [
            element
            for activity in chat.connector.to(tom)
            for element in activity.card.get("body", [])
            if element.get("id") == "school"
        ]
        assert picker["style"] == "filtered" and picker["choices"] == []
        status, found = await chat.teams.search(tom, picker, "campus 12")
        assert status == 200
        results = found["value"]["results"]
        assert 0 < len(results) <= 15 and all("Campus 12" in r["title"] for r in results)
        values = {**FORM_ANSWERS, "school": "s012", "page_name": "Campus Twelve News"}
        [send] = [
            actions(a.card)["Send request"]
            for a in chat.connector.to(tom)
            if "Send request" in actions(a.card)
        ]
        await chat.teams.submit(tom, send, {k: as_text(v) for k, v in values.items()})
        await chat.settle()
        [request] = [r for r in await store.find_requests() if r.details.school == "s012"]
        assert request.approvers == ("p012@example.org",)
        said = " ".join(
            plain(e) for a in chat.connector.to(contact) for e in a.card.get("body", [])
        )
        assert "more" in said


def test_a_teams_card_too_large_is_cut_with_a_note_and_then_fits() -> None:
    fields = tuple(Field(f"Page {number}", "x" * 200) for number in range(2_000))
    card = adaptive_card(Card("Official pages", fields=fields))
    fitted = fit(card)
    size = len(json.dumps(fitted, separators=(",", ":")).encode("utf-16-le"))
    assert size <= MESSAGE_MAX
    kept = len(fitted["body"]) - 1
    assert fitted["body"][:kept] == card["body"][:kept] and kept > 10
    left_out = len(card["body"]) - kept
    assert plain(fitted["body"][-1]).startswith(f"{left_out} more parts did not fit")
