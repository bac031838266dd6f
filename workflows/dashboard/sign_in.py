"""Signing in to the dashboard from chat: the person asks (`dashboard`), the bot answers them
alone with a link that works once, for 10 minutes. The store keeps only a hash of it."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from workflows.conversation.actions import OPEN_LINK
from workflows.kernel.cards import Button, ButtonStyle, Card
from workflows.kernel.links import Links
from workflows.kernel.model import Person
from workflows.kernel.ports import Clock, Passes

LINK_LASTS = timedelta(minutes=10)
SESSION_LASTS = timedelta(hours=8)

NOT_SET_UP = (
    "The dashboard is not set up for this district yet. Whoever runs Pagekeeper can turn it "
    "on by giving it the server's public address (the setting PAGEKEEPER_PUBLIC_URL)."
)


def link_key(token: str) -> str:
    return "link:" + hashlib.sha256(token.encode()).hexdigest()


def session_key(token: str) -> str:
    return "session:" + hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """256 random bits, as URL-safe text."""
    return secrets.token_urlsafe(32)


async def dashboard_link(links: Links, passes: Passes | None, clock: Clock, person: Person) -> Card:
    """A one-time sign-in link for `person`, valid for LINK_LASTS."""
    if not links.on or passes is None:
        return Card("The dashboard is not set up", NOT_SET_UP)
    token = new_token()
    await passes.keep_pass(link_key(token), person.email, clock.now() + LINK_LASTS)
    minutes = int(LINK_LASTS.total_seconds() // 60)
    link = links.sign_in(token)
    return Card(
        "Your dashboard link",
        f"Open this link within {minutes} minutes to sign in to the dashboard:\n{link}\n"
        "It works once, and only for you: do not pass it on. For a new one, type dashboard "
        "again.",
        buttons=(Button("Open the dashboard", OPEN_LINK, "", ButtonStyle.PRIMARY, url=link),),
    )
