"""An approved page goes live once its owner confirms the notices are shown; it can be retired."""

from __future__ import annotations

from workflows.conversation import forms
from workflows.conversation.validation import check_note
from workflows.conversation.wording import when
from workflows.duties.schedule import next_check
from workflows.kernel.cards import Card
from workflows.kernel.commands import ChangeAddress, ConfirmPageLive, RetirePage
from workflows.kernel.events import ActionRefused, AddressChanged, PageRetired, PageWentLive
from workflows.kernel.handling import (
    Context,
    FieldError,
    Handled,
    Outcome,
    refused,
    rejected,
)
from workflows.kernel.model import Page, PageStatus, next_version
from workflows.kernel.policy import Rule
from workflows.pages import messages as page_messages
from workflows.pages.addresses import check_url, comparable


async def confirm_page_live(command: ConfirmPageLive, ctx: Context) -> Handled:
    actor = ctx.resolve(command.actor)
    page = await ctx.store.get_page(command.page_id)
    now = ctx.clock.now()
    if page is None or not page.is_owned_by(actor.email):
        return refused(
            ActionRefused(command.page_id, actor.email, now, "confirm live", "not an owner"),
            ctx.refusal("Only the page's owners can confirm it is live."),
        )
    if page.status is not PageStatus.SETTING_UP:
        return _unchanged(ctx, page, actor.email, "confirm live")
    url, problem = check_url(command.url, ctx.config.platform(page.details.platform))
    errors = [problem] if problem else []
    if not problem:
        errors.extend(await _address_taken(ctx, page, url))
    if not command.notices_displayed:
        errors.append(
            FieldError(
                forms.NOTICES_DISPLAYED,
                "Post the notice text on the page first, then tick this box "
                f"({ctx.config.cite(Rule.REQUIRED_NOTICES)}).",
            )
        )
    if errors:
        return rejected(*errors)
    live = next_version(
        page,
        status=PageStatus.ACTIVE,
        url=url,
        live_at=now,
        next_check_due=next_check(ctx.config, page, now),
    )
    return Handled(
        Outcome(
            events=(PageWentLive(page.id, actor.email, now, url),),
            messages=page_messages.page_live(ctx.config, live),
        ),
        pages=(live,),
    )


async def change_address(command: ChangeAddress, ctx: Context) -> Handled:
    actor = ctx.resolve(command.actor)
    page = await ctx.store.get_page(command.page_id)
    now = ctx.clock.now()
    if page is None or not page.is_owned_by(actor.email):
        return refused(
            ActionRefused(command.page_id, actor.email, now, "change address", "not an owner"),
            ctx.refusal("Only the page's owners can change its address."),
        )
    if page.status is not PageStatus.ACTIVE or page.url is None:
        return _unchanged(ctx, page, actor.email, "change address")
    url, problem = check_url(command.url, ctx.config.platform(page.details.platform))
    errors = [problem] if problem else await _address_taken(ctx, page, url)
    if errors:
        return rejected(*errors)
    if comparable(url) == comparable(page.url):
        return rejected(FieldError(forms.URL, "That is the address the page has already."))
    moved = next_version(page, url=url)
    event = AddressChanged(page.id, actor.email, now, page.url, url)
    reply = Card(
        f"Address changed: {page.details.page_name}",
        f"{page.details.page_name} is now registered at {url}.",
        clause=ctx.config.cite(Rule.DEFINITIONS),
    )
    sent = page_messages.address_changed(ctx.config, moved, actor)
    return Handled(Outcome(events=(event,), messages=sent, reply=reply), pages=(moved,))


async def retire_page(command: RetirePage, ctx: Context) -> Handled:
    actor = ctx.resolve(command.actor)
    page = await ctx.store.get_page(command.page_id)
    now = ctx.clock.now()
    if page is None or not (page.is_owned_by(actor.email) or actor.email == ctx.config.contact):
        return refused(
            ActionRefused(command.page_id, actor.email, now, "retire", "not an owner"),
            ctx.refusal("Only the page's owners or the district contact can retire it."),
        )
    if page.status is PageStatus.RETIRED:
        return _unchanged(ctx, page, actor.email, "retire")
    reason, problem = check_note(command.reason, "the reason for retiring the page")
    if problem:
        return rejected(problem)
    retired = next_version(page, status=PageStatus.RETIRED, retired_at=now, retired_reason=reason)
    return Handled(
        Outcome(
            events=(PageRetired(page.id, actor.email, now, reason),),
            messages=page_messages.page_retired(ctx.config, retired),
        ),
        pages=(retired,),
    )


async def _address_taken(ctx: Context, page: Page, url: str) -> list[FieldError]:
    wanted = comparable(url)
    for other in await ctx.store.find_pages(status=PageStatus.ACTIVE, url=url):
        if other.id != page.id and other.url and comparable(other.url) == wanted:
            return [
                FieldError(
                    forms.URL,
                    f"That address is already registered to {other.details.page_name} "
                    f"({other.id}).",
                )
            ]
    return []


def _unchanged(ctx: Context, page: Page, actor: str, action: str) -> Handled:
    """The page is already past this step: say where it stands."""
    if page.status is PageStatus.ACTIVE and page.live_at:
        text = f"{page.details.page_name} is already live since {when(ctx.config, page.live_at)}."
    elif page.retired_at:
        text = f"{page.details.page_name} was retired on {when(ctx.config, page.retired_at)}."
    else:
        text = f"{page.details.page_name} is still being set up."
    event = ActionRefused(page.id, actor, ctx.clock.now(), action, f"page is {page.status.value}")
    return refused(event, ctx.refusal(text, rule=Rule.REQUIRED_NOTICES))
