"""The district's commands through the real Slack and Teams adapters."""

from __future__ import annotations

import json
import urllib.parse

from tests.fake_slack import buttons, text_of
from tests.fake_teams import DANA, GRACE, STRANGER, FakeConnector, TeamsClient, actions
from tests.fake_teams import TOM as TEAMS_TOM
from tests.fake_teams import text_of as teams_text
from tests.slack_harness import Harness, a_live_page
from tests.stories import ask_for_page
from workflows.engine import Engine
from workflows.kernel.commands import ConfirmPageLive, Decide
from workflows.kernel.model import Person, Verdict

TOM = Person("tom.baker@example.org", "Tom Baker")
ANA = Person("ana.ruiz@example.org", "Ana Ruiz")


async def slash(harness: Harness, user: str, command: str, text: str = "") -> dict[str, object]:
    """Run a lookup command; returns the private answer Slack would show."""
    seen = len(harness.fake.responses)
    form = {
        "command": command,
        "text": text,
        "user_id": user,
        "team_id": "T1",
        "channel_id": "C1",
        "trigger_id": "t",
        "response_url": harness.fake.response_url(f"{command.strip('/')}-{seen}"),
    }
    body = urllib.parse.urlencode(form)
    assert (await harness.slack.post(body, "application/x-www-form-urlencoded"))[0] == 200
    await harness.fake.wait_for(lambda f: len(f.responses) > seen, f"the answer to {command}")
    answer = harness.fake.responses[-1]
    assert answer["response_type"] == "ephemeral"
    return answer


async def test_pages_and_is_official_in_slack(harness: Harness) -> None:
    await a_live_page(harness)
    registry = await slash(harness, "USTRANGER", "/pages", "lincoln")
    assert "Official pages: Lincoln Elementary" in text_of(registry["blocks"])  # type: ignore[arg-type]
    assert "https://www.facebook.com/Room12News" in text_of(registry["blocks"])  # type: ignore[arg-type]
    yes = await slash(harness, "USTRANGER", "/is-official", "facebook.com/room12news/?fbclid=abc")
    assert "Yes: an official" in text_of(yes["blocks"])  # type: ignore[arg-type]
    no = await slash(harness, "USTRANGER", "/is-official", "https://facebook.com/LincolnBoosters")
    assert "not official district social media platforms" in text_of(no["blocks"])  # type: ignore[arg-type]


async def test_guidelines_are_acknowledged_with_one_click_in_slack(harness: Harness) -> None:
    shown = await slash(harness, "UTOM", "/social-media-guidelines")
    await harness.click("UTOM", buttons(shown["blocks"])["I have read the guidelines"])  # type: ignore[arg-type]
    await harness.fake.wait_for(
        lambda f: any("is recorded" in r.get("text", "") for r in f.responses), "thanks"
    )
    [acknowledgement] = await harness.store.acknowledgements()
    assert acknowledgement.person.email == TOM.email


async def test_compliance_is_for_the_district_contact_in_slack(harness: Harness) -> None:
    await a_live_page(harness)
    refused = await slash(harness, "UTOM", "/compliance")
    assert "Only the district contact" in text_of(refused["blocks"])  # type: ignore[arg-type]
    report = await slash(harness, "UDANA", "/compliance")
    assert "Lincoln Elementary" in text_of(report["blocks"]) and "Active pages: 1" in text_of(
        report["blocks"]
    )  # type: ignore[arg-type]


async def test_a_page_is_transferred_and_accepted_through_slack_buttons(harness: Harness) -> None:
    page_id = await a_live_page(harness)
    await harness.fake.wait_for(
        lambda f: any("Live: " in text_of(c.args["blocks"]) for c in f.of("chat.update")), "live"
    )
    live = next(
        c.args for c in harness.fake.of("chat.update") if "Live: " in text_of(c.args["blocks"])
    )
    form = await harness.click_for_form("UTOM", buttons(live["blocks"])["Transfer to someone else"])
    _, body = await harness.slack.submit("UTOM", form, {"new_owner": "not an email"})
    assert json.loads(body)["errors"] == {"new_owner": "Enter the new owner's work email."}
    _, body = await harness.slack.submit("UTOM", form, {"new_owner": "Grace.Hopper@example.org"})
    assert json.loads(body)["response_action"] == "update"  # "Transfer offered" replaces the form
    offer = await harness.latest_message_to("UGRACE", 1)
    await harness.click("UGRACE", buttons(offer["blocks"])["Accept"])
    await harness.fake.wait_for(
        lambda f: any("accepted" in text_of(c.args["blocks"]) for c in f.messages_to("UTOM")),
        "Tom told",
    )
    page = await harness.store.get_page(page_id)
    assert page is not None and [o.email for o in page.owners] == ["grace.hopper@example.org"]


async def test_pages_is_official_and_compliance_in_teams(
    teams: tuple[TeamsClient, FakeConnector, Engine],
) -> None:
    client, connector, engine = teams
    await engine.handle(ask_for_page(TOM))
    approved = await engine.handle(
        Decide(ANA, (await engine.context.store.find_requests())[0].id, 1, Verdict.APPROVE)
    )
    page_id = next(n for n in approved.messages if n.to == TOM.email).card.buttons[0].value
    await engine.handle(ConfirmPageLive(TOM, page_id, "https://www.facebook.com/Room12News", True))

    await client.say(STRANGER, "pages")
    await connector.wait_for(
        lambda c: any("Official pages" in teams_text(s.card) for s in c.to(STRANGER)),
        "the registry",
    )
    await client.say(STRANGER, "is-official https://FACEBOOK.com/room12news/")
    await connector.wait_for(
        lambda c: any("Yes: an official" in teams_text(s.card) for s in c.to(STRANGER)), "yes"
    )
    await client.say(STRANGER, "compliance")
    await connector.wait_for(
        lambda c: any("Only the district contact" in teams_text(s.card) for s in c.to(STRANGER)),
        "no",
    )
    await client.say(DANA, "compliance")
    await connector.wait_for(
        lambda c: any("Active pages: 1" in teams_text(s.card) for s in c.to(DANA)), "the report"
    )


async def test_guidelines_and_a_transfer_in_teams(
    teams: tuple[TeamsClient, FakeConnector, Engine],
) -> None:
    client, connector, engine = teams
    await client.install(TEAMS_TOM)
    await client.say(TEAMS_TOM, "social-media-guidelines")
    await connector.wait_for(
        lambda c: any("Guidelines for official" in teams_text(s.card) for s in c.to(TEAMS_TOM)),
        "the guidelines",
    )
    shown = next(
        s for s in connector.to(TEAMS_TOM) if "Guidelines for official" in teams_text(s.card)
    )
    await client.submit(TEAMS_TOM, actions(shown.card)["I have read the guidelines"], {})
    await connector.wait_for(
        lambda c: any("is recorded" in teams_text(s.card) for s in c.to(TEAMS_TOM)), "thanks"
    )

    await engine.handle(ask_for_page(TOM))
    approved = await engine.handle(
        Decide(ANA, (await engine.context.store.find_requests())[0].id, 1, Verdict.APPROVE)
    )
    page_id = next(n for n in approved.messages if n.to == TOM.email).card.buttons[0].value
    await client.install(GRACE)
    await client.say(TEAMS_TOM, "my-pages")
    await connector.wait_for(
        lambda c: any("Transfer to someone else" in actions(s.card) for s in c.to(TEAMS_TOM)),
        "Tom's page",
    )
    card = next(
        s for s in connector.to(TEAMS_TOM) if "Transfer to someone else" in actions(s.card)
    ).card
    offer = actions(card)["Transfer to someone else > Offer"]
    await client.submit(TEAMS_TOM, offer, {"new_owner": "grace.hopper@example.org"})
    await connector.wait_for(
        lambda c: any("Accept" in actions(s.card) for s in c.to(GRACE)), "the offer"
    )
    sent = next(s for s in connector.to(GRACE) if "Accept" in actions(s.card))
    await client.submit(GRACE, actions(sent.card)["Accept"], {})
    await connector.wait_for(
        lambda c: any("accepted" in teams_text(s.card) for s in c.to(TEAMS_TOM)), "Tom told"
    )
    page = await engine.context.store.get_page(page_id)
    assert page is not None and [o.email for o in page.owners] == ["grace.hopper@example.org"]


async def test_dashboard_sends_a_private_sign_in_link_in_slack(harness: Harness) -> None:
    answer = await slash(harness, "UDANA", "/dashboard")
    shown = text_of(answer["blocks"])  # type: ignore[arg-type]
    assert "Your dashboard link" in shown and "/dashboard/sign-in/" in shown
    assert "works once, and only for you" in shown
    [button] = [e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]]  # type: ignore[union-attr, index]
    assert button["text"]["text"] == "Open the dashboard"
    assert button["url"].startswith("https://pagekeeper.example.org/dashboard/sign-in/")
    # Slack reports the click too: it is acknowledged and nothing else happens.
    status, _ = await harness.click("UDANA", button)
    assert status == 200


async def test_dashboard_sends_a_sign_in_link_in_teams(
    teams: tuple[TeamsClient, FakeConnector, Engine],
) -> None:
    client, connector, _ = teams
    await client.say(DANA, "dashboard")
    await connector.wait_for(
        lambda c: any("/dashboard/sign-in/" in teams_text(s.card) for s in c.to(DANA)),
        "the sign-in link",
    )
    [shown] = [s for s in connector.to(DANA) if "/dashboard/sign-in/" in teams_text(s.card)]
    [opens] = shown.card["actions"]
    assert opens["type"] == "Action.OpenUrl" and "/dashboard/sign-in/" in opens["url"]
