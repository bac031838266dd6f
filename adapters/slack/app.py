"""The Slack app: Bolt listeners that translate Slack payloads to engine commands and back.

Nothing here decides anything: the engine decides, `blocks` renders, `messenger` delivers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.rendering import RenderedOnce
from adapters.slack.blank_forms import BlankForms
from adapters.slack.blocks import (
    FORM_CALLBACK_PREFIX,
    card_blocks,
    card_text,
    fit,
    home_view,
    matching_options,
    modal,
    modal_errors,
    reply_modal,
)
from adapters.slack.follow_ups import FollowUps
from adapters.slack.messenger import SlackMessenger
from adapters.slack.people import SlackPeople
from adapters.slack.submitted_forms import SubmittedForms
from adapters.slack.workspaces import from_district
from workflows.conversation.actions import OPEN_LINK
from workflows.conversation.forms import CO_OWNERS_MAX
from workflows.conversation.slash_commands import answer, form_opened_by
from workflows.conversation.submissions import FormValues, UnknownAction, command_for, form_for
from workflows.engine import Engine
from workflows.kernel.cards import Card, Form
from workflows.kernel.commands import RefuseOutsider
from workflows.kernel.handling import FieldError, Outcome
from workflows.kernel.model import Person
from workflows.reports.overview import overview

log = logging.getLogger(__name__)

SLACK_API_URL = "https://slack.com/api/"
# Slack shows the person an error when an answer takes longer than 3 seconds; the last half
# second is left for the answer to travel.
ACK_SECONDS = 2.5
# The slash commands the app's manifest declares (manifest/slack.yaml).
SLASH_COMMANDS = (
    "/request-page",
    "/pages",
    "/is-official",
    "/social-media-guidelines",
    "/compliance",
    "/dashboard",
)
RETRIES = 3
# No form picks more people than a page's co-owners.
PEOPLE_PICKED_MAX = CO_OWNERS_MAX


def slack_client(token: str, api_url: str = "") -> AsyncWebClient:
    """A Web API client that retries rate limits (honouring Retry-After) and server errors.

    It keeps one HTTP session, so calls reuse connections; close it with `client.session`.
    Call it inside the running event loop.
    """
    base_url = (api_url or SLACK_API_URL).rstrip("/") + "/"
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        session=ClientSession(),
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=RETRIES),
            # One quick retry here; longer waits are the outbox dispatcher's job.
            AsyncRateLimitErrorRetryHandler(max_retry_count=1),
            AsyncServerErrorRetryHandler(max_retry_count=1),
        ],
    )


@dataclass(frozen=True)
class SlackApp:
    bolt: AsyncApp
    messenger: SlackMessenger
    blank_forms: BlankForms
    submitted_forms: SubmittedForms


def build_slack_app(engine: Engine, client: AsyncWebClient, team_ids: frozenset[str]) -> SlackApp:
    """The Bolt app with every Pagekeeper listener (requests must come from one of
    `team_ids`), and the messenger the dispatcher delivers Slack messages with."""
    app = AsyncApp(
        client=client,
        # Every HTTP request is verified before Bolt sees it, against replays too
        # (`slack_events_handler`), and Bolt is given the payload already decoded, which its
        # own check of the signature would refuse; Socket Mode needs no signature.
        request_verification_enabled=False,
        logger=logging.getLogger("slack_bolt"),
        # Answer Slack as soon as a listener returns, rather than learn that it acknowledged
        # by polling every 10 ms; what follows the answer runs as a follow-up.
        process_before_response=True,
    )
    follow_ups = FollowUps()
    listeners = SlackListeners(engine, client, follow_ups)
    app.middleware(SkipRedeliveries())
    app.middleware(OnlyFrom(engine, team_ids))
    # Bolt tries each listener in turn, at a cost each: the forms and clicks that write come
    # first, and one listener takes every command.
    app.view(re.compile("^" + re.escape(FORM_CALLBACK_PREFIX)))(listeners.form_submitted)
    app.action(re.compile(r".+"))(listeners.button_clicked)
    app.command(re.compile("^(" + "|".join(map(re.escape, SLASH_COMMANDS)) + ")$"))(listeners.typed)
    app.options(re.compile(r".+"))(listeners.options_wanted)
    app.event("app_home_opened")(listeners.home_opened)
    blank_forms = BlankForms(
        engine, client, team_ids, SLASH_COMMANDS, listeners.blank_modal, follow_ups
    )
    submitted_forms = SubmittedForms(listeners.form_submitted, team_ids)
    return SlackApp(app, listeners.messenger, blank_forms, submitted_forms)


# The middlewares below are Bolt's middleware classes, not functions: Bolt builds every
# argument it could pass a function (about thirty) on each request, for each function.


class SkipRedeliveries(AsyncMiddleware):
    """Slack re-sends a request it thinks was lost; the first delivery is already handled."""

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        if req.headers.get("x-slack-retry-num"):
            log.info("slack redelivery skipped retry=%s", req.headers["x-slack-retry-num"][0])
            return BoltResponse(status=200, body="")
        return await next()


class OnlyFrom(AsyncMiddleware):
    """Bolt middleware: only the district's workspaces (or Enterprise Grid org) get through.
    Anyone else is refused with a plain answer and audited, before anything looks them up."""

    def __init__(self, engine: Engine, team_ids: frozenset[str]) -> None:
        self._engine = engine
        self._team_ids = team_ids

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        context = req.context
        if from_district(context.team_id, context.enterprise_id, self._team_ids):
            return await next()
        where = context.enterprise_id or context.team_id or ""
        log.warning("slack request refused: workspace %r is not the district's", where)
        refusal = RefuseOutsider("Slack", context.user_id or "", where)
        outcome = await self._engine.handle(refusal)
        card = outcome.reply or Card("Not the district's account")
        if req.body.get("type") == "view_submission":
            answer = {"response_action": "update", "view": reply_modal(card)}
            return BoltResponse(status=200, body=json.dumps(answer))
        if req.body.get("command"):
            return BoltResponse(status=200, body=card_text(card))
        return BoltResponse(status=200, body="")


class SlackListeners:
    """Each listener answers Slack (`ack`) and returns; what the person sees next (a form,
    a reply, the Home tab redrawn) comes as a follow-up."""

    def __init__(self, engine: Engine, client: AsyncWebClient, follow_ups: FollowUps) -> None:
        self._engine = engine
        self._later = follow_ups.start
        self._store = engine.context.store
        self._client = client
        self._people = SlackPeople(client)
        self.messenger = SlackMessenger(client, self._people)
        # A blank form (nobody to pre-fill in a people picker) is rendered once.
        self.blank_modal = RenderedOnce(lambda form: modal(form, {}))

    async def typed(
        self,
        ack: Callable[..., Awaitable[None]],
        body: dict[str, Any],
        command: dict[str, Any],
        respond: AsyncRespond,
    ) -> None:
        """A slash command: a form opens as a modal; anything else is shown to the person
        alone."""
        await ack()
        line = f"{command['command']} {command.get('text', '')}"
        form = form_opened_by(self._engine.context.config, line)
        if form is not None:  # nobody needs looking up to open a blank form
            opening = self._client.views_open(
                trigger_id=body["trigger_id"], view=self.blank_modal(form)
            )
            self._later(opening, f"opening the form {form.action}")
            return
        self._later(self._answer(command, line, respond), f"answering {command['command']}")

    async def _answer(self, command: dict[str, Any], line: str, respond: AsyncRespond) -> None:
        person = await self._people.person(command["user_id"])
        reply = await answer(self._engine, person, line)
        blocks = [
            block for card in reply.cards for block in [*card_blocks(card), {"type": "divider"}]
        ]
        text = "\n\n".join(card_text(card) for card in reply.cards)
        await respond(text=text[:3000], blocks=fit(blocks[:-1]), response_type="ephemeral")

    async def button_clicked(
        self,
        ack: Callable[..., Awaitable[None]],
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
    ) -> None:
        name, value = action["action_id"], action.get("value", "")
        if name == OPEN_LINK:  # the browser opened the link; there is nothing to do here
            await ack()
            return
        from_home = body.get("view", {}).get("type") == "home"
        form = await form_for(self._engine.context.config, self._store, name, value)
        if form is not None:
            await ack()
            opening = self._open_form(body["trigger_id"], form, home=from_home)
            self._later(opening, f"opening the form {form.action}")
            return
        actor = await self._people.person(body["user"]["id"])
        try:
            command = command_for(name, value, actor)
        except UnknownAction:
            await ack()
            self._later(self._reply(body, respond, _outdated()), f"answering {name}")
            return
        # Acknowledge only once the click is stored: an acknowledged decision is never lost.
        started = time.monotonic()
        outcome = await self._engine.handle(command, _click_key(body, action))
        await ack()
        reply = outcome.reply
        if _too_late(started):
            # Slack has shown the person an error by now, so say what really happened.
            reply = reply and _late(reply)
        self._later(self._reply(body, respond, reply), f"answering {name}")
        if from_home:
            self._later(self._publish_home(body["user"]["id"], actor), "redrawing Home")

    async def form_submitted(
        self, ack: Callable[..., Awaitable[None]], body: dict[str, Any], view: dict[str, Any]
    ) -> None:
        action = view["callback_id"].removeprefix(FORM_CALLBACK_PREFIX)
        metadata = json.loads(view.get("private_metadata") or "{}")
        actor = await self._people.person(body["user"]["id"])
        try:
            values = await self._values(view)
            command = command_for(action, str(metadata.get("value", "")), actor, values)
        except UnknownAction:
            await ack(response_action="update", view=reply_modal(_outdated()))
            return
        except PeopleProblem as problem:
            outcome = Outcome(errors=(FieldError(problem.field, str(problem)),))
        else:
            started = time.monotonic()
            outcome = await self._engine.handle(command, _view_key(body, view))
            if _too_late(started):
                # Too late to answer in the form (Slack shows the person an error there, and
                # a second Submit is answered "Already received"): say it by message.
                await ack()
                late = _late(outcome.reply or Card("Done", "What you sent was saved."))
                if not outcome.accepted:
                    problems = " ".join(error.message for error in outcome.errors)
                    late = Card("Nothing was saved", f"Please check the form: {problems}")
                self._later(self._direct(body["user"]["id"], late), f"answering {action} late")
                return
        if outcome.errors:
            blocks = view.get("blocks") or []
            inputs = tuple(b["block_id"] for b in blocks if b.get("type") == "input")
            if inputs:
                await ack(response_action="errors", errors=modal_errors(inputs, outcome.errors))
            else:  # nowhere to pin the messages: show them instead of the form
                problems = " ".join(error.message for error in outcome.errors)
                await ack(
                    response_action="update", view=reply_modal(Card("Please check", problems))
                )
            return
        if outcome.reply:
            await ack(response_action="update", view=reply_modal(outcome.reply))
        else:
            await ack()
        if metadata.get("home"):
            self._later(self._publish_home(body["user"]["id"], actor), "redrawing Home")

    async def options_wanted(
        self, ack: Callable[..., Awaitable[None]], body: dict[str, Any]
    ) -> None:
        """A searched choice in a form: the options matching what the person typed. The form
        is rebuilt from the view, so any process can answer."""
        view = body.get("view") or {}
        action = str(view.get("callback_id", "")).removeprefix(FORM_CALLBACK_PREFIX)
        metadata = json.loads(view.get("private_metadata") or "{}")
        form = await form_for(
            self._engine.context.config, self._store, action, str(metadata.get("value", ""))
        )
        inputs = form.inputs if form else ()
        field = next((i for i in inputs if i.name == body.get("action_id")), None)
        await ack(options=matching_options(field, str(body.get("value", ""))) if field else [])

    async def home_opened(self, event: dict[str, Any]) -> None:
        if event.get("tab") == "home":
            self._later(self._home_for(event["user"]), "drawing Home")

    async def _home_for(self, user_id: str) -> None:
        await self._publish_home(user_id, await self._people.person(user_id))

    async def _open_form(self, trigger_id: str, form: Form, *, home: bool) -> None:
        people = [i.initial for i in form.inputs if isinstance(i.initial, tuple)]
        user_ids = await self._people.known_user_ids(tuple(e for group in people for e in group))
        view = modal(form, user_ids, from_home=home)
        await self._client.views_open(trigger_id=trigger_id, view=view)

    async def _values(self, view: dict[str, Any]) -> FormValues:
        values: dict[str, str | bool | tuple[Person, ...]] = {}
        for elements in view.get("state", {}).get("values", {}).values():
            for name, element in elements.items():
                kind = element.get("type")
                if kind in ("plain_text_input", "url_text_input", "number_input"):
                    values[name] = element.get("value") or ""
                elif kind == "datepicker":
                    values[name] = element.get("selected_date") or ""
                elif kind in ("static_select", "external_select"):
                    values[name] = (element.get("selected_option") or {}).get("value", "")
                elif kind == "multi_users_select":
                    values[name] = await self._chosen_people(name, element)
                elif kind == "checkboxes":
                    values[name] = bool(element.get("selected_options"))
        return values

    async def _chosen_people(self, name: str, element: dict[str, Any]) -> tuple[Person, ...]:
        """The people picked in a people picker, looked up only when there are few enough
        (a hand-made submission could name hundreds, each a Web API call)."""
        users = element.get("selected_users") or []
        if not isinstance(users, list) or len(users) > PEOPLE_PICKED_MAX:
            raise PeopleProblem(name, f"Choose at most {PEOPLE_PICKED_MAX} people.")
        try:
            return tuple([await self._co_owner(str(user)) for user in users])
        except SlackApiError as error:
            if error.response.get("error") in ("user_not_found", "invalid_arguments"):
                raise PeopleProblem(
                    name, "Someone chosen here is not in this Slack workspace."
                ) from None
            raise

    async def _co_owner(self, user_id: str) -> Person:
        person = await self._people.person(user_id)
        # Without an email the engine cannot identify them; say whom it is about.
        return person if person.email else Person(f"{person.name} (no email in Slack)", person.name)

    async def _reply(self, body: dict[str, Any], respond: AsyncRespond, card: Card | None) -> None:
        """Show a reply to the person who clicked: in place if Slack allows it, else by DM."""
        if card is None:
            return
        if body.get("response_url"):
            await respond(
                text=card_text(card),
                blocks=card_blocks(card),
                response_type="ephemeral",
                replace_original=False,
            )
            return
        await self._direct(body["user"]["id"], card)

    async def _direct(self, user_id: str, card: Card) -> None:
        blocks, text = card_blocks(card), card_text(card)
        await self._client.chat_postMessage(channel=user_id, blocks=blocks, text=text)

    async def _publish_home(self, user_id: str, person: Person) -> None:
        context = self._engine.context
        cards = await overview(context.config, self._store, person.email)
        dashboard = context.links.dashboard() if context.links.on else ""
        view = home_view(cards, dashboard)
        await self._client.views_publish(user_id=user_id, view=view)


class PeopleProblem(ValueError):
    """The people chosen in a form cannot be used; the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _view_key(body: dict[str, Any], view: dict[str, Any]) -> str:
    """The same for Submit pressed again on the same form with the same answers (as after
    Slack's "trouble connecting" error), different once anything in it changed."""
    form = [view.get("callback_id"), view.get("private_metadata"), view.get("state", {})]
    answers = json.dumps(form, sort_keys=True)
    digest = hashlib.sha256(answers.encode()).hexdigest()[:32]
    return f"slack:view:{body['user']['id']}:{view.get('id', '')}:{digest}"


def _click_key(body: dict[str, Any], action: dict[str, Any]) -> str:
    """The same for a button clicked again on the same message (or the same Home tab, until
    it is redrawn), different on any other; none when Slack does not say where it was."""
    view = body.get("view") or {}
    where = (body.get("container") or {}).get("message_ts") or (
        f"{view['id']}:{view['hash']}" if view.get("id") and view.get("hash") else ""
    )
    if not where:
        return ""  # which message it came from is unknown: nothing to tell a repeat by
    target = f"{action['action_id']}:{action.get('value', '')}"
    return f"slack:click:{body['user']['id']}:{where}:{target}"


def _too_late(started: float) -> bool:
    """Whether Slack has stopped waiting for the answer to a request begun at `started`."""
    return time.monotonic() - started > ACK_SECONDS


def _late(card: Card) -> Card:
    note = "Slack may have shown you an error because saving took a while, but this was saved."
    return dataclasses.replace(card, text=f"{note} {card.text}".strip())


def _outdated() -> Card:
    return Card(
        "This button no longer works",
        "It belongs to an older message. Open Pagekeeper's Home tab for the current ones.",
    )
