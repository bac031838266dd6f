"""Moderation actions as each district allows them, on every store: allowed at once,
forbidden, or waiting for a role's approval; suspensions that end and are lifted; repeat
violations that prompt the referral the district names; and the rules as the file says them."""

from __future__ import annotations

import dataclasses
from importlib import resources

import pytest

from tests.conftest import PRINCIPAL, SUPERINTENDENT, TEACHER
from tests.fakes import FakeClock, SequentialIds
from tests.records import audit_entries
from tests.stories import ask_for_page, button_labels, errors_by_field, messages_to, only_message_to
from workflows.district.config import ConfigError, DistrictConfig
from workflows.district.loading import load_config, parse_config
from workflows.district.moderation import ActionRule, Allowance, Moderation, RepeatRule
from workflows.engine import Engine
from workflows.kernel.commands import (
    ConfirmPageLive,
    Decide,
    DecideModeration,
    LiftModeration,
    RecordModeration,
    RunReminders,
)
from workflows.kernel.model import ActionState, ModerationKind, Person, Verdict
from workflows.kernel.ports import Store

CO_TEACHER = Person("grace.hopper@example.org", "Grace Hopper")
ALLOWED, APPROVAL = Allowance.ALLOWED, Allowance.APPROVAL
RULES = Moderation(
    actions=(
        ActionRule(ModerationKind.REMOVE, ALLOWED),
        ActionRule(ModerationKind.BLOCK, ALLOWED),
        ActionRule(ModerationKind.SUSPEND, APPROVAL, approvers=("principal",)),
        ActionRule(ModerationKind.REFER, ALLOWED),
    ),
    suspend_max_days=30,
    repeat=RepeatRule(violations=3, within_days=30),
)


def act(page_id: str, action: str = "remove", account: str = "", days: str = "", **kw: object):
    return RecordModeration(
        kw.get("by", TEACHER),  # type: ignore[arg-type]
        page_id,
        "commercial",
        "An advert for a car dealer",
        "drive/ads/1.png",
        action,
        account,
        days,
    )


async def live_page(engine: Engine) -> str:
    await engine.handle(ask_for_page(TEACHER, co_owners=(CO_TEACHER,)))
    approved = await engine.handle(Decide(PRINCIPAL, "REQ-1", 1, Verdict.APPROVE))
    page_id = only_message_to(approved, TEACHER).card.buttons[0].value
    assert (
        await engine.handle(ConfirmPageLive(TEACHER, page_id, "facebook.com/r12", True))
    ).accepted
    return page_id


@pytest.fixture
def district(config: DistrictConfig) -> DistrictConfig:
    return dataclasses.replace(config, moderation=RULES)


@pytest.fixture
def moderated(district: DistrictConfig, store: Store, clock: FakeClock) -> Engine:
    return Engine(district, store, clock, SequentialIds())


async def test_ar_1114_lets_owners_remove_posts_and_nothing_else(
    engine: Engine, store: Store
) -> None:
    page_id = await live_page(engine)
    refused = await engine.handle(act(page_id, "block", "@deals4u"))
    assert errors_by_field(refused)["action"] == (
        "The district's rules do not let owners do that (AR 1114: Platforms are regularly "
        "monitored; viewpoint-neutral removal). Owners may: Remove the post."
    )
    # From the page's card, any time: recorded, and the weekly check is not answered by it.
    recorded = await engine.handle(act(page_id))
    assert [m.card.title for m in messages_to(recorded, CO_TEACHER)] == [
        "Post removed: Room 12 News"
    ]
    page = await store.get_page(page_id)
    assert page is not None and [a.action for a in page.moderation] == [ModerationKind.REMOVE]
    assert page.nudge_answered_at is None
    [entry] = [e for e in await audit_entries(store, page_id) if e.action == "PostRemoved"]
    assert entry.detail.startswith("reason: Not related to the stated purpose of the site")


async def test_an_action_needing_approval_waits_for_the_role_and_is_decided_once(
    moderated: Engine, store: Store
) -> None:
    page_id = await live_page(moderated)
    too_long = await moderated.handle(act(page_id, "suspend", "@deals4u", "45"))
    assert errors_by_field(too_long) == {"days": "Give the days of suspension: 1 to 30."}
    nameless = await moderated.handle(act(page_id, "suspend", "", "7"))
    assert errors_by_field(nameless) == {"account": "Name the platform account this is about."}

    asked = await moderated.handle(act(page_id, "suspend", "@deals4u", "7"))
    card = only_message_to(asked, PRINCIPAL).card
    assert button_labels(only_message_to(asked, PRINCIPAL)) == ["Approve", "Refuse"]
    assert "Suspend the user for a number of days (7 days)" in card.text
    assert "Do not act on the platform" in only_message_to(asked, CO_TEACHER).card.text
    page = await store.get_page(page_id)
    assert page is not None
    [waiting] = page.moderation
    assert waiting.state is ActionState.AWAITING_APPROVAL and waiting.until is None

    not_theirs = await moderated.handle(DecideModeration(SUPERINTENDENT, page_id, waiting.id, True))
    assert "Only the people who approve this kind of action" in not_theirs.reply.text  # type: ignore[union-attr]
    no_reason = await moderated.handle(DecideModeration(PRINCIPAL, page_id, waiting.id, False))
    assert errors_by_field(no_reason) == {"note": "Please say why it may not be done."}

    approved = await moderated.handle(DecideModeration(PRINCIPAL, page_id, waiting.id, True))
    told = only_message_to(approved, TEACHER)
    assert told.update and "Approved by Ana Ruiz" in told.card.text
    again = await moderated.handle(DecideModeration(PRINCIPAL, page_id, waiting.id, False, "No"))
    assert "Ana Ruiz has already decided this action" in again.reply.text  # type: ignore[union-attr]
    page = await store.get_page(page_id)
    assert page is not None
    [done] = page.moderation
    assert done.state is ActionState.DONE and done.decided_by is not None
    assert done.decided_by.email == PRINCIPAL.email
    assert done.until is not None and (done.until - done.at).days == 7


async def test_an_owner_who_holds_the_approving_role_goes_to_the_superintendent(
    district: DistrictConfig, store: Store, clock: FakeClock
) -> None:
    principal_owned = Engine(district, store, clock, SequentialIds())
    await principal_owned.handle(ask_for_page(TEACHER, co_owners=(PRINCIPAL,)))
    approved = await principal_owned.handle(Decide(SUPERINTENDENT, "REQ-1", 1, Verdict.APPROVE))
    page_id = only_message_to(approved, TEACHER).card.buttons[0].value
    await principal_owned.handle(ConfirmPageLive(TEACHER, page_id, "facebook.com/r12", True))
    asked = await principal_owned.handle(act(page_id, "suspend", "@x", "3", by=PRINCIPAL))
    assert [m.to for m in asked.messages if m.card.buttons] == [
        "maria.lopez@example.org",
        "james.chen@example.org",
    ]


async def test_a_suspension_ends_and_the_owners_are_asked_once_to_lift_it(
    moderated: Engine, store: Store, clock: FakeClock
) -> None:
    page_id = await live_page(moderated)
    asked = await moderated.handle(act(page_id, "suspend", "@deals4u", "2"))
    [waiting] = [m for m in asked.messages if m.to == PRINCIPAL.email]
    action_id = waiting.card.buttons[0].value.split(":")[1]
    await moderated.handle(DecideModeration(PRINCIPAL, page_id, action_id, True))

    clock.advance(days=1)
    assert not [
        e
        for e in (await moderated.handle(RunReminders())).events
        if "Suspension" in type(e).__name__
    ]
    clock.advance(days=1)
    ended = await moderated.handle(RunReminders())
    # (A monitoring check may fall due the same day: only the lift reminder matters here.)
    [lift] = [m for m in messages_to(ended, CO_TEACHER) if m.ref.startswith("lift")]
    assert lift.card.title == "Lift the suspension: @deals4u"
    assert button_labels(lift) == ["Lifted"]
    again = await moderated.handle(RunReminders())
    assert not any("lift" in m.ref for m in again.messages)

    lifted = await moderated.handle(LiftModeration(CO_TEACHER, page_id, action_id))
    assert "Lifted by Grace Hopper" in only_message_to(lifted, TEACHER).card.text
    page = await store.get_page(page_id)
    assert page is not None and page.moderation[0].state is ActionState.LIFTED
    actions = [
        e.action
        for e in await audit_entries(store, page_id)
        if not e.action.startswith("MonitoringCheck")  # a check may have gone out meanwhile
    ]
    assert actions[-3:] == ["ModerationDecided", "SuspensionEnded", "SuspensionLifted"]


async def test_repeat_violations_prompt_a_referral_once(
    moderated: Engine, store: Store, clock: FakeClock
) -> None:
    page_id = await live_page(moderated)
    for account in ("@Deals4U", "deals4u"):
        outcome = await moderated.handle(
            act(page_id, "block" if "@" in account else "remove", account)
        )
        assert not [m for m in outcome.messages if m.ref.startswith("repeat:")]
        clock.advance(days=10)
    third = await moderated.handle(act(page_id, "remove", "@deals4u"))
    [prompt] = [m for m in messages_to(third, TEACHER) if m.ref.startswith("repeat:")]
    assert "has needed 3 moderation actions on Room 12 News in the last 30 days" in prompt.card.text
    assert button_labels(prompt) == ["Refer to the Superintendent or a designee"]
    form = prompt.card.buttons[0].form
    assert form is not None
    filled = {field.name: field.initial for field in form.inputs}
    assert filled["action"] == "refer" and filled["account"] == "@deals4u"

    referred = await moderated.handle(act(page_id, "refer", "@deals4u"))
    to_office = [m for m in referred.messages if m.ref.startswith("referral:")]
    assert {m.to for m in to_office} == {"maria.lopez@example.org", "james.chen@example.org"}
    fourth = await moderated.handle(act(page_id, "remove", "@deals4u"))
    assert not [m for m in fourth.messages if m.ref.startswith("repeat:")], "referred already"


MODERATION = """
[moderation]
approvers = ["principal"]
suspend_max_days = 14
refer_to = "superintendent"

[moderation.actions]
remove = "allowed"
hide = "allowed"
suspend = { allowance = "approval", approvers = ["superintendent"], label = "Suspend the user" }
refer = "allowed"

[moderation.repeat]
violations = 4
within_days = 60
"""


EXAMPLE = resources.files("workflows.district").joinpath("example_district.toml").read_text()


def with_moderation(text: str) -> str:
    return EXAMPLE + text


def test_the_file_sets_each_action_and_its_approvers() -> None:
    config = parse_config(with_moderation(MODERATION), "district.toml")
    rules = config.moderation
    assert [(r.kind.value, r.allowance.value) for r in rules.offered] == [
        ("remove", "allowed"),
        ("hide", "allowed"),
        ("suspend", "approval"),
        ("refer", "allowed"),
    ]
    assert rules.rule(ModerationKind.SUSPEND).approvers == ("superintendent",)
    assert rules.rule(ModerationKind.SUSPEND).named("x") == "Suspend the user"
    assert rules.rule(ModerationKind.BLOCK).allowance is Allowance.FORBIDDEN
    assert rules.suspend_max_days == 14 and rules.repeat == RepeatRule(4, 60)


def test_a_file_without_moderation_allows_removal_only() -> None:
    rules = load_config(None).moderation
    assert rules.removal_only and rules.repeat is None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('hide = "allowed"', 'hyde = "allowed"', "no such action; did you mean 'hide'?"),
        ('hide = "allowed"', 'hide = "yes"', "must be one of allowed, forbidden, approval"),
        ('approvers = ["principal"]', 'approvers = ["princpal"]', "did you mean 'principal'?"),
        ('refer = "allowed"', 'refer = "forbidden"', "moderation.actions.refer must be"),
        ('refer_to = "superintendent"', 'refer_to = "board"', "no role 'board'"),
    ],
)
def test_a_mistake_in_the_moderation_rules_is_named(old: str, new: str, message: str) -> None:
    text = with_moderation(MODERATION.replace(old, new))
    with pytest.raises(ConfigError) as raised:
        parse_config(text, "district.toml")
    assert message in str(raised.value)
