"""The engine: one command in, records written together with their audit trail, an outcome out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from workflows.commands import (
    AcknowledgeGuidelines,
    AnswerTransfer,
    AttestMonitoring,
    Command,
    ConfirmPageLive,
    Decide,
    LogRemoval,
    OfferTransfer,
    ReassignPages,
    ReportDeliveryFailed,
    ReportUndeliverable,
    RequestPage,
    ResubmitRequest,
    RetirePage,
    RouteAgain,
    RunReminders,
    ShowCompliance,
    SnoozeCheck,
)
from workflows.compliance import show_compliance
from workflows.config import DistrictConfig
from workflows.deciding import decide
from workflows.guidelines import acknowledge_guidelines
from workflows.ids import message_id, random_id
from workflows.model import Person
from workflows.monitoring import attest_monitoring, log_removal, snooze_check
from workflows.outbox import OutboxMessage
from workflows.outcome import Context, Handled, Outcome
from workflows.page_lifecycle import confirm_page_live, retire_page
from workflows.ports import Changes, Clock, ConflictError, Store
from workflows.reminders import run_reminders
from workflows.request_messages import refusal
from workflows.requesting import request_page, resubmit_request, route_again
from workflows.stewardship import answer_transfer, offer_transfer, reassign_pages
from workflows.undeliverable import report_delivery_failed, report_undeliverable
from workflows.validation import is_email

log = logging.getLogger(__name__)

Handler = Callable[[Any, Context], Awaitable[Handled]]

HANDLERS: dict[type, Handler] = {
    RequestPage: request_page,
    ResubmitRequest: resubmit_request,
    Decide: decide,
    RouteAgain: route_again,
    ConfirmPageLive: confirm_page_live,
    RetirePage: retire_page,
    ReportUndeliverable: report_undeliverable,
    ReportDeliveryFailed: report_delivery_failed,
    AttestMonitoring: attest_monitoring,
    LogRemoval: log_removal,
    SnoozeCheck: snooze_check,
    RunReminders: run_reminders,
    AcknowledgeGuidelines: acknowledge_guidelines,
    OfferTransfer: offer_transfer,
    AnswerTransfer: answer_transfer,
    ReassignPages: reassign_pages,
    ShowCompliance: show_compliance,
}

UNKNOWN_PERSON = refusal(
    "Pagekeeper could not read your work email from your chat account, so it cannot tell who "
    "you are. Ask your chat administrator to show work emails to Pagekeeper.",
    "We could not tell who you are",
)

# A conflict means another writer got there first; re-reading and deciding again is enough.
MAX_ATTEMPTS = 3


class Engine:
    """Carries out commands one at a time, so two clicks can never both see 'pending'."""

    def __init__(
        self,
        config: DistrictConfig,
        store: Store,
        clock: Clock,
        new_id: Callable[[str], str] = random_id,
    ) -> None:
        self.context = Context(config, store, clock, new_id)
        self._turn = asyncio.Lock()
        self._listeners: list[Callable[[], None]] = []

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every commit that queued messages (the dispatcher wakes)."""
        self._listeners.append(listener)

    async def handle(self, command: Command) -> Outcome:
        """Carry out `command`; its records and audit entries are stored before this returns."""
        handler = HANDLERS[type(command)]
        actor = getattr(command, "actor", None)
        if isinstance(actor, Person) and not is_email(actor.email):
            return Outcome(reply=UNKNOWN_PERSON)
        async with self._turn:
            for attempt in range(1, MAX_ATTEMPTS + 1):
                handled = await handler(command, self.context)
                try:
                    await self._write(handled)
                except ConflictError:
                    if attempt == MAX_ATTEMPTS:
                        raise
                    log.info(
                        "write conflict command=%s attempt=%d", type(command).__name__, attempt
                    )
                    continue
                return handled.outcome
        raise AssertionError("unreachable")

    async def _write(self, handled: Handled) -> None:
        """Records, audit lines and the messages they cause, all in one commit."""
        audit = tuple(event.audit_entry() for event in handled.outcome.events)
        now = self.context.clock.now()
        outbox = tuple(
            OutboxMessage(message_id(), notice, now, now) for notice in handled.outcome.notices
        )
        records = handled.requests or handled.pages or handled.acknowledgements
        if records or audit or outbox:
            changes = Changes(
                handled.requests, handled.pages, audit, outbox, handled.acknowledgements
            )
            await self.context.store.commit(changes)
        if outbox:
            for listener in self._listeners:
                listener()
