"""The registry lists the official pages (not retired ones), for the district or one school."""

from __future__ import annotations

from tests.conftest import COACH, PRINCIPAL, ROOSEVELT_PRINCIPAL, TEACHER
from tests.stories import ask_for_page, only_message_to
from workflows.district.config import DistrictConfig
from workflows.engine import Engine
from workflows.kernel.commands import ConfirmPageLive, Decide, RetirePage
from workflows.kernel.model import Verdict
from workflows.kernel.ports import Store
from workflows.reports.registry import registry


async def test_the_registry_shows_official_pages_and_leaves_out_retired_ones(
    engine: Engine, store: Store, config: DistrictConfig
) -> None:
    await engine.handle(ask_for_page(TEACHER))
    room12 = only_message_to(
        await engine.handle(Decide(PRINCIPAL, "REQ-1", 1, Verdict.APPROVE)), TEACHER
    )
    await engine.handle(
        ConfirmPageLive(
            TEACHER, room12.card.buttons[0].value, "https://www.facebook.com/room12", True
        )
    )
    await engine.handle(
        ask_for_page(COACH, kind="team", school="roosevelt", page_name="Roosevelt Soccer")
    )
    await engine.handle(Decide(ROOSEVELT_PRINCIPAL, "REQ-2", 1, Verdict.APPROVE))
    await engine.handle(ask_for_page(TEACHER, page_name="Old Page"))
    old = only_message_to(
        await engine.handle(Decide(PRINCIPAL, "REQ-3", 1, Verdict.APPROVE)), TEACHER
    )
    await engine.handle(RetirePage(TEACHER, old.card.buttons[0].value, "Not needed."))

    everything = await registry(config, store)
    assert [f.label for f in everything.fields] == [
        "Room 12 News (PAGE-1)",
        "Roosevelt Soccer (PAGE-2)",
    ]
    assert everything.fields[0].value == (
        "Facebook; https://www.facebook.com/room12; owners: Tom Baker; active"
    )
    assert "address not confirmed yet" in everything.fields[1].value
    assert "are not official district platforms" in everything.text
    lincoln = await registry(config, store, "lincoln")
    assert lincoln.title == "Official pages: Lincoln Elementary"
    assert [f.label for f in lincoln.fields] == ["Room 12 News (PAGE-1)"]
