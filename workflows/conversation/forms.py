"""The forms people fill in, as neutral inputs every adapter can render."""

from __future__ import annotations

import dataclasses

from workflows.conversation import actions
from workflows.district.config import DistrictConfig
from workflows.district.moderation import Allowance
from workflows.kernel.cards import Form, Input, InputKind, Option
from workflows.kernel.model import (
    AnswerKind,
    ModerationAction,
    ModerationKind,
    PageDetails,
    Question,
)
from workflows.kernel.policy import Rule

KIND = "kind"
SCHOOL = "school"
PLATFORM = "platform"
PAGE_NAME = "page_name"
PURPOSE = "purpose"
AUDIENCE = "audience"
CO_OWNERS = "co_owners"
FORUM = "forum"
ACKNOWLEDGED = "acknowledged"
URL = "url"
NOTICES_DISPLAYED = "notices_displayed"
NOTE = "note"
REASON = "reason"
DESCRIPTION = "description"
SAVED_COPY = "saved_copy"
ACTION = "action"
ACCOUNT = "account"
DAYS = "days"
NEW_OWNER = "new_owner"
FROM_OWNER = "from_owner"
DELEGATE = "delegate"
FIRST_DAY = "first_day"
LAST_DAY = "last_day"

# A review step's statement, ticked by the reviewer (see district.loading_approvals).
CONFIRMED = "confirmed"

# Fields of Pagekeeper's own forms; any other field answers a district's own question.
STANDARD_FIELDS = frozenset(
    {KIND, SCHOOL, PLATFORM, PAGE_NAME, PURPOSE, AUDIENCE, CO_OWNERS, FORUM, ACKNOWLEDGED, NOTE}
)

# Fields whose text form (in HTML or card submissions) needs converting: see actions.from_text.
CHECKBOX_FIELDS = frozenset({ACKNOWLEDGED, NOTICES_DISPLAYED, CONFIRMED})
PEOPLE_FIELDS = frozenset({CO_OWNERS})

PAGE_NAME_MAX = 100
PURPOSE_MIN, PURPOSE_MAX = 20, 1000
AUDIENCE_MAX = 200
CO_OWNERS_MAX = 10
NOTE_MAX = 1000
ACCOUNT_MAX = 200


def request_form(
    config: DistrictConfig, *, request_id: str = "", initial: PageDetails | None = None
) -> Form:
    """The official-page request form; with `request_id`, the form to resubmit that request.

    The blank form is made once per district file and the same object handed out after,
    so platforms can render it once too."""
    if request_id or initial is not None:
        return _request_form(config, request_id, initial)
    return _BLANK.form_for(config)


class _BlankForm:
    """The blank request form of the district file in use (files are read once, so the
    file's identity is enough to tell it changed)."""

    def __init__(self) -> None:
        self._made: tuple[DistrictConfig, Form] | None = None

    def form_for(self, config: DistrictConfig) -> Form:
        if self._made is None or self._made[0] is not config:
            self._made = (config, _request_form(config, "", None))
        return self._made[1]


_BLANK = _BlankForm()


def _request_form(config: DistrictConfig, request_id: str, initial: PageDetails | None) -> Form:
    kinds = tuple(Option(kind.id, kind.label) for kind in config.kinds)
    schools = tuple(Option(school.id, school.name) for school in config.schools)
    platforms = tuple(Option(platform.id, platform.label) for platform in config.platforms)
    start = initial or PageDetails("", None, "", "", "", "")
    return Form(
        title="Edit your page request" if request_id else "Request an official page",
        action=actions.RESUBMIT_REQUEST if request_id else actions.REQUEST_PAGE,
        value=request_id,
        submit_label="Resubmit" if request_id else "Send request",
        intro=(
            "Official district pages must be authorized before they are created "
            f"({config.cite(Rule.AUTHORIZATION)}). Your request goes to the person who must "
            "approve it."
        ),
        inputs=(
            Input(KIND, "Kind of page", InputKind.CHOICE, options=kinds, initial=start.kind),
            Input(
                SCHOOL,
                "School",
                InputKind.CHOICE,
                required=False,
                options=schools,
                initial=start.school or "",
                hint=_school_hint(config),
            ),
            Input(
                PLATFORM, "Platform", InputKind.CHOICE, options=platforms, initial=start.platform
            ),
            Input(PAGE_NAME, "Page name", initial=start.page_name, max_length=PAGE_NAME_MAX),
            Input(
                PURPOSE,
                "Purpose of the page",
                InputKind.MULTILINE,
                initial=start.purpose,
                hint="Shown on the page as its stated purpose (AR 1114, notice 1).",
                max_length=PURPOSE_MAX,
            ),
            Input(
                AUDIENCE,
                "Intended audience",
                initial=start.audience,
                hint="For example: families of Room 12 students.",
                max_length=AUDIENCE_MAX,
            ),
            Input(
                CO_OWNERS,
                "Co-owners (other staff who will help run the page)",
                InputKind.PEOPLE,
                required=False,
                initial=tuple(person.email for person in start.co_owners),
            ),
            *forum_choice(config, start),
            *district_questions(config, start),
            Input(
                ACKNOWLEDGED,
                "I have read the district's staff guidelines for official social media",
                InputKind.CHECKBOX,
                hint=config.guidelines,
            ),
        ),
    )


def _school_hint(config: DistrictConfig) -> str:
    needing = [kind.label for kind in config.kinds if kind.needs_school]
    return f"Needed for: {', '.join(needing)}." if needing else ""


def forum_choice(config: DistrictConfig, start: PageDetails) -> tuple[Input, ...]:
    """Which forum type the page is, for the kinds that let the requester choose."""
    choosing = [kind for kind in config.kinds if len(kind.forums) > 1]
    if not choosing:
        return ()
    offered = dict.fromkeys(forum for kind in choosing for forum in kind.forums)
    options = tuple(
        Option(forum.id, forum.label) for forum_id in offered if (forum := config.forum(forum_id))
    )
    hint = "Asked for: " + ", ".join(kind.label for kind in choosing) + "."
    return (
        Input(
            FORUM,
            "Forum type (comments on or off)",
            InputKind.CHOICE,
            required=False,
            options=options,
            initial=start.forum,
            hint=hint,
        ),
    )


def district_questions(config: DistrictConfig, start: PageDetails) -> tuple[Input, ...]:
    """The district's own questions of every page kind, once each. The form cannot know the
    kind before it is sent, so a question some kinds skip is optional here and says which
    kinds ask it; the engine checks each request against its own kind's questions."""
    asked: dict[str, tuple[Question, list[str]]] = {}
    for kind in config.kinds:
        for question in kind.questions:
            asked.setdefault(question.id, (question, []))[1].append(kind.label)
    inputs = []
    for question, kinds in asked.values():
        shown = question_input(question, start.answer(question.id))
        if len(kinds) < len(config.kinds):
            help_text = f"Asked for: {', '.join(kinds)}. {question.help}".strip()
            shown = dataclasses.replace(shown, required=False, hint=help_text)
        inputs.append(shown)
    return tuple(inputs)


def comment_form(title: str, action: str, value: str, label: str, submit: str) -> Form:
    """A one-field form asking for a required comment or reason."""
    return Form(
        title=title,
        action=action,
        value=value,
        submit_label=submit,
        inputs=(Input(NOTE, label, InputKind.MULTILINE, max_length=NOTE_MAX),),
    )


def changes_form(decision_value: str) -> Form:
    return comment_form(
        "Request changes",
        actions.REQUEST_CHANGES,
        decision_value,
        "What should be changed?",
        "Send",
    )


def deny_form(decision_value: str, evidence: tuple[Question, ...] = ()) -> Form:
    form = comment_form("Deny request", actions.DENY, decision_value, "Reason for denying", "Deny")
    return _with_questions(form, evidence)


def approve_form(decision_value: str, evidence: tuple[Question, ...], *, review: bool) -> Form:
    """What an approver gives with an approval: the step's evidence (a review's statement
    first), and an optional comment."""
    comment = Input(NOTE, "Comment (optional)", InputKind.MULTILINE, False, max_length=NOTE_MAX)
    return Form(
        title="Confirm the review" if review else "Approve request",
        action=actions.APPROVE,
        value=decision_value,
        submit_label="Confirm" if review else "Approve",
        inputs=(*(question_input(question) for question in evidence), comment),
    )


def question_input(question: Question, initial: str = "") -> Input:
    """A district's own question as a form field."""
    if question.id == CONFIRMED:
        return Input(CONFIRMED, question.label, InputKind.CHECKBOX)
    kind = {
        AnswerKind.TEXT: InputKind.TEXT,
        AnswerKind.LONG_TEXT: InputKind.MULTILINE,
        AnswerKind.CHOICE: InputKind.CHOICE,
        AnswerKind.YES_NO: InputKind.CHOICE,
        AnswerKind.NUMBER: InputKind.NUMBER,
        AnswerKind.DATE: InputKind.DATE,
    }[question.kind]
    choices = ("Yes", "No") if question.kind is AnswerKind.YES_NO else question.choices
    return Input(
        question.id,
        question.label,
        kind,
        required=question.required,
        options=tuple(Option(choice, choice) for choice in choices),
        initial=initial,
        hint=question.help,
        max_length=question.max_length,
    )


def _with_questions(form: Form, questions: tuple[Question, ...]) -> Form:
    inputs = (*(question_input(question) for question in questions), *form.inputs)
    return Form(form.title, form.action, form.value, form.submit_label, inputs, form.intro)


def withdraw_form(request_id: str) -> Form:
    return Form(
        title="Withdraw the request",
        action=actions.WITHDRAW_REQUEST,
        value=request_id,
        submit_label="Withdraw",
        intro="Nobody will need to decide it any more. You can ask again later.",
        inputs=(
            Input(NOTE, "Why (optional)", InputKind.MULTILINE, required=False, max_length=NOTE_MAX),
        ),
    )


def away_form() -> Form:
    """An approver names who decides in their place while they are away."""
    return Form(
        title="Name a delegate while away",
        action=actions.DELEGATE,
        value="",
        submit_label="Save",
        intro=(
            "While you are away, requests waiting for you also go to your delegate, who decides "
            "in your place where they may decide that step (they hold its role, stand in for "
            "it, or are its fallback). To end it early, give yesterday as the last day."
        ),
        inputs=(
            Input(DELEGATE, "Work email of your delegate", max_length=200),
            Input(FIRST_DAY, "First day away", InputKind.DATE),
            Input(LAST_DAY, "Last day away", InputKind.DATE),
        ),
    )


def retire_form(page_id: str) -> Form:
    return comment_form(
        "Retire page", actions.RETIRE_PAGE, page_id, "Why is the page being retired?", "Retire"
    )


def confirm_live_form(page_id: str) -> Form:
    """Asks an owner for the live page's address and that the notices are shown."""
    return Form(
        title="Confirm the page is live",
        action=actions.CONFIRM_LIVE,
        value=page_id,
        submit_label="Confirm",
        inputs=(
            Input(URL, "Address (URL) of the page", InputKind.URL, hint="https://..."),
            Input(
                NOTICES_DISPLAYED,
                "The page prominently displays every required notice, word for word",
                InputKind.CHECKBOX,
            ),
        ),
    )


def change_address_form(page_id: str) -> Form:
    return Form(
        title="Change the page's address",
        action=actions.CHANGE_ADDRESS,
        value=page_id,
        submit_label="Change",
        intro="The registry and the directory will show the new address from now on.",
        inputs=(Input(URL, "New address (URL) of the page", InputKind.URL, hint="https://..."),),
    )


def moderation_form(
    config: DistrictConfig,
    page_id: str,
    *,
    from_check: bool = False,
    initial: ModerationAction | None = None,
) -> Form:
    """What an owner records about a moderation action: what they did (of what the district
    allows), the viewpoint-neutral reason, what was addressed, the account concerned and
    where the saved copy is. `initial` fills it in (a referral prompted by repeat actions)."""
    rules = config.moderation
    reasons = tuple(Option(reason.id, reason.label) for reason in config.removal_reasons)
    start = _filled(initial)
    chosen = () if rules.removal_only else (_action_choice(config, start[ACTION]),)
    days: tuple[Input, ...] = ()
    if rules.rule(ModerationKind.SUSPEND).allowance is not Allowance.FORBIDDEN:
        days = (
            Input(
                DAYS,
                f"Days of suspension (suspensions only, at most {rules.suspend_max_days})",
                InputKind.NUMBER,
                required=False,
            ),
        )
    return Form(
        title="I removed a post" if rules.removal_only else "Record a moderation action",
        action=actions.POST_REMOVED if from_check else actions.RECORD_MODERATION,
        value=page_id,
        submit_label="Record",
        intro=(
            "Posts may be removed only for one of the district's reasons, never because of the "
            f"viewpoint they express ({config.cite(Rule.MONITORING)}). Keep a copy of what you "
            "addressed." + _approval_note(config)
        ),
        inputs=(
            *chosen,
            Input(REASON, "Reason", InputKind.CHOICE, options=reasons, initial=start[REASON]),
            Input(
                DESCRIPTION,
                "What the post said or showed, or what the user did, briefly",
                InputKind.MULTILINE,
                initial=start[DESCRIPTION],
                max_length=NOTE_MAX,
            ),
            Input(
                ACCOUNT,
                "Platform account concerned",
                required=False,
                initial=start[ACCOUNT],
                hint="The user's name or @handle as the platform shows it.",
                max_length=ACCOUNT_MAX,
            ),
            *days,
            Input(
                SAVED_COPY,
                "Where the saved copy is",
                initial=start[SAVED_COPY],
                hint="A link to the screenshot or file, or where it is kept.",
                max_length=500,
            ),
        ),
    )


def _filled(action: ModerationAction | None) -> dict[str, str]:
    if action is None:
        return dict.fromkeys((ACTION, REASON, DESCRIPTION, ACCOUNT, SAVED_COPY), "")
    return {
        ACTION: action.action.value,
        REASON: action.reason,
        DESCRIPTION: action.description,
        ACCOUNT: action.account,
        SAVED_COPY: action.saved_copy,
    }


def _action_choice(config: DistrictConfig, initial: str) -> Input:
    office = refer_office(config)
    options = []
    for rule in config.moderation.offered:
        label = rule.named(office)
        if rule.allowance is Allowance.APPROVAL:
            label += " (needs approval first)"
        options.append(Option(rule.kind.value, label))
    return Input(ACTION, "What you did", InputKind.CHOICE, options=tuple(options), initial=initial)


def _approval_note(config: DistrictConfig) -> str:
    waiting = [rule for rule in config.moderation.offered if rule.allowance is Allowance.APPROVAL]
    if not waiting:
        return ""
    return (
        " Actions marked as needing approval go to the approver first: record them before you "
        "act, and act once approved."
    )


def refer_office(config: DistrictConfig, school: str = "") -> str:
    """Who repeat violators are referred to, as the district names that role."""
    role = config.role(config.moderation.refer_to)
    return role.named(school) if role else config.moderation.refer_to


def referral_form(config: DistrictConfig, page_id: str, prompted_by: ModerationAction) -> Form:
    """The referral of a repeat violator, filled in from the action that prompted it."""
    office = refer_office(config)
    return moderation_form(
        config,
        page_id,
        initial=dataclasses.replace(
            prompted_by,
            action=ModerationKind.REFER,
            description=f"Repeat violations by {prompted_by.account}; referred to {office}.",
        ),
    )


def refuse_moderation_form(value: str) -> Form:
    return comment_form(
        "Refuse the action",
        actions.REFUSE_MODERATION,
        value,
        "Why may it not be done?",
        "Refuse",
    )


def transfer_form(page_id: str) -> Form:
    return Form(
        title="Transfer the page",
        action=actions.TRANSFER_PAGE,
        value=page_id,
        submit_label="Offer",
        intro="The new owner must accept before the page is theirs.",
        inputs=(Input(NEW_OWNER, "Work email of the new owner", max_length=200),),
    )


def reassign_form() -> Form:
    return Form(
        title="Reassign someone's pages",
        action=actions.REASSIGN_PAGES,
        value="",
        submit_label="Reassign",
        intro="For staff who have left: every page they own moves to the new owner.",
        inputs=(
            Input(FROM_OWNER, "Work email of the person who left", max_length=200),
            Input(NEW_OWNER, "Work email of the new owner", max_length=200),
        ),
    )
