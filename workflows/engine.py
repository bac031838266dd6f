"""The engine: one command in, records written together with their audit trail, an outcome out.

`HANDLERS` is the one list of every command and the handler (in its area's package) that
carries it out."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from workflows.conversation.limits import oversized
from workflows.conversation.outsiders import refuse_outsider
from workflows.conversation.repeats import repeated, submitted
from workflows.delivery.undeliverable import report_delivery_failed, report_undeliverable
from workflows.district.config import DistrictConfig
from workflows.duties.guidelines import acknowledge_guidelines
from workflows.duties.moderation import decide_moderation, lift_moderation, record_moderation
from workflows.duties.monitoring import attest_monitoring, snooze_check
from workflows.duties.reminders import run_reminders
from workflows.duties.schedule import duties_due_at
from workflows.kernel.commands import (
    AcknowledgeGuidelines,
    AdoptDistrictFile,
    AnswerTransfer,
    AttestMonitoring,
    ChangeAddress,
    Command,
    ConfirmPageLive,
    Decide,
    DecideModeration,
    LiftModeration,
    OfferTransfer,
    ReassignPages,
    RecordModeration,
    RefuseDistrictFile,
    RefuseOutsider,
    ReportDeliveryFailed,
    ReportUndeliverable,
    RequestPage,
    ResubmitRequest,
    RetirePage,
    RouteAgain,
    RunReminders,
    SetAway,
    ShowCompliance,
    SnoozeCheck,
    WithdrawRequest,
)
from workflows.kernel.handling import Context, Handled, Outcome
from workflows.kernel.ids import message_ids, random_id
from workflows.kernel.links import NO_LINKS, Links
from workflows.kernel.messages import OutboxEntry
from workflows.kernel.model import Person, Submission, is_email
from workflows.kernel.ports import (
    Changes,
    Clock,
    ConflictError,
    Durable,
    Passes,
    Records,
    already_durable,
)
from workflows.kernel.registry import Handler, Handlers
from workflows.kernel.turns import Turns
from workflows.pages.lifecycle import change_address, confirm_page_live, retire_page
from workflows.pages.stewardship import answer_transfer, offer_transfer, reassign_pages
from workflows.reports.compliance import show_compliance
from workflows.requests.deciding import decide
from workflows.requests.delegation import set_away
from workflows.requests.handover import adopt_district_file, refuse_district_file
from workflows.requests.requesting import (
    request_page,
    resubmit_request,
    route_again,
    withdraw_request,
)

log = logging.getLogger(__name__)

HANDLERS = (
    Handlers()
    .add(RequestPage, request_page)
    .add(ResubmitRequest, resubmit_request)
    .add(Decide, decide)
    .add(RouteAgain, route_again)
    .add(WithdrawRequest, withdraw_request)
    .add(SetAway, set_away)
    .add(ConfirmPageLive, confirm_page_live)
    .add(ChangeAddress, change_address)
    .add(RetirePage, retire_page)
    .add(ReportUndeliverable, report_undeliverable)
    .add(ReportDeliveryFailed, report_delivery_failed)
    .add(AttestMonitoring, attest_monitoring)
    .add(RefuseOutsider, refuse_outsider)
    .add(RecordModeration, record_moderation)
    .add(DecideModeration, decide_moderation)
    .add(LiftModeration, lift_moderation)
    .add(SnoozeCheck, snooze_check)
    .add(RunReminders, run_reminders, alone=True)
    .add(AcknowledgeGuidelines, acknowledge_guidelines)
    .add(OfferTransfer, offer_transfer)
    .add(AnswerTransfer, answer_transfer)
    .add(ReassignPages, reassign_pages, alone=True)
    .add(ShowCompliance, show_compliance, reads_only=True)
    .add(AdoptDistrictFile, adopt_district_file, alone=True)
    .add(RefuseDistrictFile, refuse_district_file)
)

UNKNOWN_PERSON = (
    "Pagekeeper could not read your work email from your chat account, so it cannot tell who "
    "you are. Ask your chat administrator to show work emails to Pagekeeper."
)

# A conflict means another writer got there first; re-reading and deciding again is enough.
MAX_ATTEMPTS = 3


class Engine:
    """Carries out commands in turns, so two clicks can never both see 'pending'.

    A store says how many commands may run side by side (`Records.turns`): one at a time,
    unless the store itself refuses every write made on a stale read, as a database shared by
    several processes must. Then two commands racing for one record are one write and one
    ConflictError, and the loser reads again and decides again, as between two processes."""

    def __init__(
        self,
        config: DistrictConfig,
        store: Records,
        clock: Clock,
        new_id: Callable[[str], str] = random_id,
        handlers: Handlers = HANDLERS,
        links: Links = NO_LINKS,
        passes: Passes | None = None,
    ) -> None:
        self.context = Context(config, store, clock, new_id, links)
        # Dashboard sign-ins (not records: nothing in the audit trail depends on them).
        self.passes = passes
        self._handlers = handlers
        self._turns = Turns(store.turns)
        self._listeners: list[Callable[[], None]] = []
        self._turn_listeners: list[Callable[[float], None]] = []
        self._writers: list[Callable[[Changes], None]] = []

    async def adopt(self, config: DistrictConfig) -> None:
        """Put a district file read again in force: a command already being carried out
        finishes under the file it started with, every later one runs under this one."""
        async with self._turns.alone():
            self.context = dataclasses.replace(self.context, config=config)

    def on_write(self, listener: Callable[[Changes], None]) -> None:
        """Call `listener` with every commit's changes once written (records as stored), so
        a view kept in memory follows what this process writes without reading it back."""
        self._writers.append(listener)

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every commit that queued messages (the dispatcher wakes)."""
        self._listeners.append(listener)

    def on_turn(self, listener: Callable[[float], None]) -> None:
        """Call `listener` with how long each command held its turn in the engine, in
        seconds: while every turn is held, a command that changes records waits."""
        self._turn_listeners.append(listener)

    async def handle(self, command: Command, submission: str = "") -> Outcome:
        """Carry out `command`; its records and audit entries are stored before this returns.

        `submission` is the key the chat platform gives the form or click that sent it (the
        same for a repeat of it): carried out once, it is stored with the records, and a
        repeat is answered with what happened then, doing nothing."""
        handler = self._handlers.handler_for(command)
        actor = getattr(command, "actor", None)
        if isinstance(actor, Person) and not is_email(actor.email):
            return Outcome(
                reply=self.context.refusal(UNKNOWN_PERSON, "We could not tell who you are")
            )
        too_large = oversized(command)
        if too_large:
            return Outcome(errors=too_large)
        if self._handlers.reads_only(command) and not submission:
            # Nothing it reads can be changed by it: no need to wait for the others' turns, nor
            # to make them wait (what it writes, an audit line at most, needs no turn).
            handled = await handler(command, self.context)
            if handled.changes_records:
                raise RuntimeError(f"{type(command).__name__} reads only, yet changed records")
            await self._written(handled.outcome, await self._write(handled, ()))
            return handled.outcome
        turn = self._turns.alone() if self._handlers.alone(command) else self._turns.beside_others()
        async with turn:
            began = time.perf_counter()
            try:
                outcome, durable = await self._in_turn(handler, command, submission)
            finally:
                held = time.perf_counter() - began
                for listener in self._turn_listeners:
                    listener(held)
        # Out of the turn: the next command goes ahead while the disk syncs, and shares it.
        await self._written(outcome, durable)
        return outcome

    async def _in_turn(
        self, handler: Handler[Any], command: Command, submission: str
    ) -> tuple[Outcome, Durable]:
        """Carry out `command` while holding the turn: its outcome, and the wait for its
        commit to be durable (a repeat writes nothing)."""
        attempt = 1
        while True:
            handled = await handler(command, self.context)
            # A repeat of a command that writes is refused by the store (its submission is
            # stored once), and found on the next attempt: a first time costs no read.
            kept = _kept(handled, submission, self.context.clock.now())
            if submission and (attempt > 1 or not kept):
                done = await self.context.store.submission(submission)
                if done is not None:
                    return repeated(self.context.config, done, handled), already_durable
            try:
                return handled.outcome, await self._write(handled, kept)
            except ConflictError:
                if attempt == MAX_ATTEMPTS:
                    raise
                log.info("write conflict command=%s attempt=%d", type(command).__name__, attempt)
                attempt += 1

    async def _written(self, outcome: Outcome, durable: Durable) -> None:
        """Once the commit is durable, wake whoever delivers the messages it queued."""
        await durable()
        if outcome.messages:
            for listener in self._listeners:
                listener()

    async def _write(self, handled: Handled, kept: tuple[Submission, ...]) -> Durable:
        """Records, audit lines, the messages they cause and the submission `kept` with
        them, in one commit; returns the wait for it to be durable."""
        cite = self.context.config.cite
        audit = tuple(event.audit_entry(cite) for event in handled.outcome.events)
        now = self.context.clock.now()
        messages = handled.outcome.messages
        outbox = tuple(
            OutboxEntry(message_id, message, now, now)
            for message_id, message in zip(message_ids(len(messages)), messages, strict=True)
        )
        if handled.changes_records or audit or outbox:
            config = self.context.config
            pages = tuple(
                dataclasses.replace(page, duties_due_at=duties_due_at(config, page))
                for page in handled.pages
            )
            changes = Changes(
                handled.requests,
                pages,
                audit,
                outbox,
                handled.acknowledgements,
                aways=handled.aways,
                submissions=kept,
            )
            durable = await self.context.store.commit_in_turn(changes)
            for writer in self._writers:
                writer(changes)
            return durable
        return already_durable


def _kept(handled: Handled, key: str, now: datetime) -> tuple[Submission, ...]:
    """The submission stored with `handled`'s commit: only with records or audit lines (a
    reply alone is not worth keeping)."""
    if handled.changes_records or handled.outcome.events:
        return submitted(key, handled.outcome, now)
    return ()
