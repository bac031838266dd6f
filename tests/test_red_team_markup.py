"""Red-team finding 3: what people type never becomes markup. A request whose purpose is
written as links, bold and mentions reaches the approver exactly as typed, in every field and
in the notification text, on Slack and on Teams."""

from __future__ import annotations

from typing import Any

from tests.chat_drivers import chat_on, latest, slack_id
from tests.fake_slack import FakeSlack
from workflows.district.loading import load_config

TOM, ANA = "tom.baker@example.org", "ana.ruiz@example.org"
HOSTILE = (
    "[Approve now](https://evil.example/a) **Decision: APPROVED** *bold* _it_ ~gone~ `code` "
    "<!channel> <@U0ADMIN> <https://evil.example|the district site> &amp;"
)
REQUEST = {
    "kind": "classroom",
    "school": "lincoln",
    "platform": "facebook",
    "page_name": "Room 12 News",
    "purpose": HOSTILE,
    "audience": "Families **only**",
    "acknowledged": True,
}


def _texts(value: Any) -> list[tuple[str, str]]:
    """Every (type, text) text object in some Block Kit blocks."""
    found = []
    if isinstance(value, dict):
        if value.get("type") in ("plain_text", "mrkdwn") and isinstance(value.get("text"), str):
            found.append((value["type"], value["text"]))
        for item in value.values():
            found.extend(_texts(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_texts(item))
    return found


async def test_slack_shows_what_was_typed_and_mentions_no_one() -> None:
    async with chat_on("slack", load_config(None)) as chat:
        assert await chat.request(TOM, REQUEST) == {}
        card = latest(await chat.cards(ANA), "Room 12 News")
        carrying = [(kind, text) for kind, text in _texts(card.raw) if "Approve now" in text]
        assert carrying and all(kind == "plain_text" for kind, _ in carrying)
        assert any(HOSTILE in text for _, text in carrying), "shown exactly as typed"
        fake: FakeSlack = chat.fake  # type: ignore[attr-defined]
        [post] = [c for c in fake.of("chat.postMessage") if c.args["channel"] == slack_id(ANA)]
        assert post.args["mrkdwn"] is False
        fallback = post.args["text"]
        for live in ("<!channel>", "<@U0ADMIN>", "<https://evil.example|"):
            assert live not in fallback, f"the notification text must not carry {live}"
        assert "&lt;!channel&gt;" in fallback


def _runs(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [run for element in card.get("body", []) for run in element.get("inlines", [])]


async def test_teams_shows_what_was_typed_without_markdown() -> None:
    async with chat_on("teams", load_config(None)) as chat:
        assert await chat.request(TOM, REQUEST) == {}
        card = latest(await chat.cards(ANA), "Room 12 News").raw
        kinds = {element["type"] for element in card["body"]}
        assert kinds <= {"RichTextBlock", "CodeBlock"}, "no TextBlock or FactSet reads markdown"
        assert any(run["text"] == HOSTILE for run in _runs(card))
        assert any(run["text"] == "Families **only**" for run in _runs(card))
