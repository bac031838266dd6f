"""The first decision wins, however many approvers click and however fast."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from tests.conftest import DESIGNEE, PRINCIPAL, SUPERINTENDENT, TEACHER
from tests.fakes import FakeClock, SequentialIds
from tests.records import audit_entries
from tests.stories import ROOM_12, ask_for_page, messages_to, only_message_to
from workflows.district.config import DistrictConfig
from workflows.engine import Engine
from workflows.kernel.commands import Decide, ResubmitRequest
from workflows.kernel.model import RequestStatus, Verdict
from workflows.kernel.ports import Changes, Store


class SlowStore:
    """Lets other tasks run at every call, as a store on disk or over a network does;
    `turns`: how many commands one engine carries out on it side by side."""

    def __init__(self, inner: Store, turns: int | None = None) -> None:
        self._inner = inner
        self.turns = inner.turns if turns is None else turns

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)

        async def slowly(*args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(0)
            result = await method(*args, **kwargs)
            await asyncio.sleep(0)
            return result

        return slowly

    async def commit(self, changes: Changes) -> None:
        await asyncio.sleep(0)
        await self._inner.commit(changes)


async def test_two_designees_deciding_at_once_produce_exactly_one_outcome(
    config: DistrictConfig, store: Store, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="workflows.engine")
    # Two engines on one store stand for two server processes: no shared lock between them.
    ids = SequentialIds()
    slow: Any = SlowStore(store)
    first, second = Engine(config, slow, clock, ids), Engine(config, slow, clock, ids)
    await first.handle(ask_for_page(TEACHER, kind="district", school=None))

    approve, deny = await asyncio.gather(
        first.handle(Decide(SUPERINTENDENT, "REQ-1", 1, Verdict.APPROVE)),
        second.handle(Decide(DESIGNEE, "REQ-1", 1, Verdict.DENY, "Duplicate of the PTA page.")),
    )

    decided = [outcome for outcome in (approve, deny) if outcome.messages]
    refused = [outcome for outcome in (approve, deny) if outcome.reply]
    assert len(decided) == 1 and len(refused) == 1
    request = await store.get_request("REQ-1")
    assert request is not None and len(request.decisions) == 1
    assert request.status in {RequestStatus.APPROVED, RequestStatus.DENIED}
    assert len(await store.find_pages()) == (1 if request.status is RequestStatus.APPROVED else 0)
    winner = request.decisions[0].by.name
    reply = refused[0].reply
    assert reply is not None and reply.text.startswith(
        f"{'Approved' if request.status is RequestStatus.APPROVED else 'Denied'} by {winner}"
    )
    decisions = [
        entry
        for entry in await audit_entries(store, "REQ-1")
        if entry.action in {"RequestApproved", "RequestDenied"}
    ]
    assert len(decisions) == 1
    assert "write conflict" in caplog.text, "the two decisions never actually raced"


async def test_approve_and_deny_at_once_in_one_process_make_one_decision(
    config: DistrictConfig, store: Store, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """One engine carrying out commands side by side, as it does on PostgreSQL: the store's
    check of versions decides, and the loser is told who won, as between two processes."""
    caplog.set_level(logging.INFO, logger="workflows.engine")
    engine = Engine(config, SlowStore(store, turns=4), clock, SequentialIds())
    await engine.handle(ask_for_page(TEACHER, kind="district", school=None))

    approve, deny = await asyncio.gather(
        engine.handle(Decide(SUPERINTENDENT, "REQ-1", 1, Verdict.APPROVE)),
        engine.handle(Decide(DESIGNEE, "REQ-1", 1, Verdict.DENY, "Duplicate of the PTA page.")),
    )

    assert "write conflict" in caplog.text, "the two decisions never actually raced"
    request = await store.get_request("REQ-1")
    assert request is not None and len(request.decisions) == 1
    winner, loser = (approve, deny) if request.status is RequestStatus.APPROVED else (deny, approve)
    assert winner.messages and winner.reply is None
    assert not loser.messages and loser.reply is not None
    assert loser.reply.text.startswith(f"{request.status.value.capitalize()} by ")
    decisions = [
        entry
        for entry in await audit_entries(store, "REQ-1")
        if entry.action in {"RequestApproved", "RequestDenied"}
    ]
    assert len(decisions) == 1


async def test_one_form_sent_twice_at_once_in_one_process_is_carried_out_once(
    config: DistrictConfig, store: Store, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="workflows.engine")
    engine = Engine(config, SlowStore(store, turns=4), clock, SequentialIds())
    first, second = await asyncio.gather(
        engine.handle(ask_for_page(TEACHER), submission="view-1"),
        engine.handle(ask_for_page(TEACHER), submission="view-1"),
    )

    assert "write conflict" in caplog.text, "the two never actually raced"
    assert len(await store.find_requests()) == 1
    done, repeat = (first, second) if first.messages else (second, first)
    assert done.accepted and not repeat.messages
    assert repeat.reply is not None and "not done a second time" in repeat.reply.text


async def test_a_double_click_decides_once_and_sends_one_set_of_messages(engine: Engine) -> None:
    await engine.handle(ask_for_page(TEACHER))
    click = Decide(PRINCIPAL, "REQ-1", 1, Verdict.APPROVE)
    outcomes = await asyncio.gather(engine.handle(click), engine.handle(click))
    assert sum(len(messages_to(outcome, TEACHER)) for outcome in outcomes) == 1


async def test_every_approvers_card_shows_the_outcome(engine: Engine) -> None:
    await engine.handle(ask_for_page(TEACHER, kind="school", school="lincoln"))
    outcome = await engine.handle(Decide(DESIGNEE, "REQ-1", 1, Verdict.APPROVE, "Welcome!"))
    for approver in (SUPERINTENDENT, DESIGNEE):
        card = only_message_to(outcome, approver)
        assert card.update and not card.card.buttons
        assert card.card.text == "Approved by James Chen on Nov 30, 2026 at 8:00 AM PST."
    late = await engine.handle(Decide(SUPERINTENDENT, "REQ-1", 1, Verdict.DENY, "No."))
    assert late.reply is not None
    assert late.reply.text == "Approved by James Chen on Nov 30, 2026 at 8:00 AM PST."


async def test_a_card_for_an_earlier_revision_cannot_decide_the_new_one(engine: Engine) -> None:
    await engine.handle(ask_for_page(TEACHER))
    await engine.handle(Decide(PRINCIPAL, "REQ-1", 1, Verdict.REQUEST_CHANGES, "Shorter name."))
    await engine.handle(ResubmitRequest(TEACHER, "REQ-1", ROOM_12, True))
    stale = await engine.handle(Decide(PRINCIPAL, "REQ-1", 1, Verdict.APPROVE))
    assert stale.reply is not None
    assert stale.reply.text.startswith("Sent back for changes by Ana Ruiz")
    older = await engine.handle(Decide(PRINCIPAL, "REQ-1", 0, Verdict.APPROVE))
    assert older.reply is not None and older.reply.title == "This card is out of date"
    fresh = await engine.handle(Decide(PRINCIPAL, "REQ-1", 2, Verdict.APPROVE))
    assert fresh.messages
