"""Monitoring in Slack: checks arrive as DMs, answers take one click, outages are ridden out."""

from __future__ import annotations

import json

from tests.fake_slack import buttons, text_of
from tests.slack_harness import Harness, a_live_page
from workflows.kernel.commands import RunReminders


def checks_to(harness: Harness, user: str) -> list[dict[str, object]]:
    return [
        c.args
        for c in harness.fake.messages_to(user)
        if "Monitoring check" in text_of(c.args["blocks"])
    ]  # type: ignore[arg-type]


async def test_a_weekly_check_is_answered_with_one_click(harness: Harness) -> None:
    await a_live_page(harness)
    harness.clock.advance(days=7)
    await harness.engine.handle(RunReminders())
    await harness.fake.wait_for(
        lambda f: bool(checks_to(harness, "UTOM")), "Tom's monitoring check"
    )
    check = checks_to(harness, "UTOM")[0]
    blocks = check["blocks"]
    assert list(buttons(blocks)) == [
        "Checked - nothing to remove",
        "I removed a post",
        "Snooze 1 day",
    ]  # type: ignore[arg-type]
    assert "Tom Baker, Third Grade Teacher, Lincoln Elementary." in text_of(blocks)  # type: ignore[arg-type]

    await harness.click("UTOM", buttons(blocks)["Checked - nothing to remove"])  # type: ignore[arg-type]
    await harness.fake.wait_for(
        lambda f: any(
            "Checked, nothing to remove, by Tom Baker" in text_of(c.args["blocks"])
            for c in f.of("chat.update")
        ),
        "the check updated in place",
    )


async def test_a_removal_is_recorded_only_with_a_listed_reason(harness: Harness) -> None:
    page_id = await a_live_page(harness)
    harness.clock.advance(days=7)
    await harness.engine.handle(RunReminders())
    await harness.fake.wait_for(
        lambda f: bool(checks_to(harness, "UTOM")), "Tom's monitoring check"
    )
    blocks = checks_to(harness, "UTOM")[0]["blocks"]
    form = await harness.click_for_form("UTOM", buttons(blocks)["I removed a post"])  # type: ignore[arg-type]
    reasons = next(b for b in form["blocks"] if b.get("block_id") == "reason")["element"]["options"]
    assert len(reasons) == 9

    # A forged submission with a reason outside the list is refused on the field.
    forged = json.loads(json.dumps(form))
    forged["blocks"][[b.get("block_id") for b in forged["blocks"]].index("reason")]["element"][
        "options"
    ].append({"text": {"type": "plain_text", "text": "I disagree"}, "value": "disagree"})
    _, body = await harness.slack.submit(
        "UTOM",
        forged,
        {
            "reason": "disagree",
            "description": "Criticism of the bake sale",
            "saved_copy": "drive/1",
        },
    )
    assert "viewpoint" in json.loads(body)["errors"]["reason"]

    _, body = await harness.slack.submit(
        "UTOM",
        form,
        {"reason": "commercial", "description": "An ad for a car dealer", "saved_copy": "drive/2"},
    )
    assert body == ""
    page = await harness.store.get_page(page_id)
    assert page is not None and [r.reason for r in page.moderation] == ["commercial"]


async def test_an_outage_delays_messages_but_loses_and_doubles_none(harness: Harness) -> None:
    fake = harness.fake
    await a_live_page(harness)
    await fake.wait_for(
        lambda f: any("Live: " in text_of(c.args["blocks"]) for c in f.of("chat.update")), "live"
    )
    fake.fail("chat.postMessage", 500, times=3)
    harness.clock.advance(days=7)
    await harness.engine.handle(RunReminders())
    for _ in range(10):
        if checks_to(harness, "UTOM"):
            break
        # Each round the platform is asked again, after the backoff the (fake) clock allows.
        seen = fake.refused_calls + len(fake.calls)
        harness.clock.advance(minutes=10)
        harness.dispatcher.kick()
        await fake.wait_for(
            lambda f, seen=seen: (
                f.refused_calls + len(f.calls) > seen or bool(checks_to(harness, "UTOM"))
            ),
            "a retry or the check",
        )
        # The round that called Slack finishes (and records the retry) before time moves on.
        await harness.dispatcher.drain()
    assert fake.refused_calls == 3
    # A whole round of its own, after the one that delivered it: a double would show here.
    harness.clock.advance(minutes=10)
    await harness.dispatcher.drain()
    assert len(checks_to(harness, "UTOM")) == 1
    assert await harness.store.failed_messages() == []
