"""A form or click sent again (Slack showed an error while the first was still being saved;
a double click; a retry) is carried out once; the repeat is told what happened the first
time, in plain words."""

from __future__ import annotations

from datetime import datetime, timedelta

from workflows.conversation.wording import when
from workflows.district.config import DistrictConfig
from workflows.kernel.cards import Card
from workflows.kernel.handling import Handled, Outcome
from workflows.kernel.model import Submission

# Enough of the first reply to recognise it; the whole of it was shown (or sent) then.
REPLY_KEPT = 600
# How long a carried-out form or click is remembered, so that a repeat of it is told what
# happened (a store may forget it after). A day is far past any platform's retries, a double
# click, or Submit pressed again after an error. Later, the command is carried out again, and
# its own checks refuse what no longer applies (a request already decided, a page already
# live), as they do for the same button on any other message. Remembered for ever, one a
# click, a large district's weekly checks added about 50,000 a week to the store; a day's
# are about 7,000.
SUBMISSIONS_KEPT = timedelta(days=1)


def submitted(key: str, outcome: Outcome, now: datetime) -> tuple[Submission, ...]:
    """The submission to store with a command's records: only for a keyed one that changed
    something (a form sent back with errors changed nothing and may be sent again)."""
    if not key or not outcome.accepted:
        return ()
    # What the person saw then: the reply, else the first message it sent (an update to the
    # card they pressed, a note to the page's owners).
    shown = outcome.reply or next((message.card for message in outcome.messages), None)
    title, text = (shown.title, shown.text[:REPLY_KEPT]) if shown else ("", "")
    return (Submission(key, now, title, text),)


def repeated(config: DistrictConfig, done: Submission, again: Handled) -> Outcome:
    """The answer to a repeat, which changes nothing. `again` is what the command would do
    now: when that changes nothing either, its own reply says best why (a request already
    decided names who decided it); otherwise the person hears it was done the first time."""
    if not again.changes_records and again.outcome.reply is not None:
        return Outcome(reply=again.outcome.reply)
    text = (
        f"You sent this on {when(config, done.at)}, and Pagekeeper carried it out then. "
        "It was not done a second time."
    )
    if done.title:
        then = f'What happened then: "{done.title}"'
        text += f"\n\n{then}: {done.text}" if done.text else f"\n\n{then}."
    return Outcome(reply=Card("Already received", text))
