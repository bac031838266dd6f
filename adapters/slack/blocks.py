"""Render neutral cards and forms as Slack Block Kit (messages, modals and the App Home).

Every text a card carries is plain_text: mrkdwn would make what people typed (a page's
purpose, a comment) bold, struck through, a link or an @channel. Only labels the bot writes
itself are mrkdwn (escaped), for bold."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from typing import Any

from workflows.kernel.cards import (
    Button,
    ButtonStyle,
    Card,
    Form,
    Input,
    InputKind,
    Section,
    StepLine,
    StepState,
)
from workflows.kernel.handling import FieldError

Block = dict[str, Any]
log = logging.getLogger(__name__)

# Block Kit's limits (https://api.slack.com/reference/block-kit/blocks).
SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
FIELDS_PER_SECTION = 10
HEADER_MAX = 150
BUTTON_TEXT_MAX = 75
OPTION_TEXT_MAX = 75
# A static_select holds at most 100 options; past that the list is searched as one types.
STATIC_OPTIONS_MAX = 100
MODAL_TITLE_MAX = 24
VIEW_BLOCKS_MAX = 100
MESSAGE_BLOCKS_MAX = 50
FORM_CALLBACK_PREFIX = "pagekeeper:"


def escape(text: str) -> str:
    """Slack treats &, < and > as markup (links, @channel) in mrkdwn and message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def card_blocks(card: Card, key: str = "card") -> list[Block]:
    """A card as blocks; `key` keeps block ids unique when several cards share one view."""
    blocks: list[Block] = [_plain("header", card.title, HEADER_MAX)]
    if card.text:
        blocks.extend(_sections(card.text))
    if card.progress:
        blocks.extend(_sections("\n".join(_step_line(line) for line in card.progress)))
    for start in range(0, len(card.fields), FIELDS_PER_SECTION):
        chunk = card.fields[start : start + FIELDS_PER_SECTION]
        fields = [_plain_text(f"{f.label}\n{f.value}", FIELD_TEXT_MAX) for f in chunk]
        blocks.append({"type": "section", "fields": fields})
    for section in card.sections:
        blocks.extend(_section_blocks(section))
    if card.buttons:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"{key}:actions",
                "elements": [_button(button) for button in card.buttons],
            }
        )
    if card.clause:
        blocks.append({"type": "context", "elements": [_plain_text(f"Rule: {card.clause}", 2000)]})
    return fit(blocks)


def fit(blocks: list[Block], limit: int = MESSAGE_BLOCKS_MAX) -> list[Block]:
    """At most `limit` blocks (a message's or a view's), so Slack never refuses it: past the
    limit the last block says how much did not fit, rather than anything going silently."""
    if len(blocks) <= limit:
        return blocks
    left_out = len(blocks) - (limit - 1)
    log.warning("slack payload cut to fit blocks=%d limit=%d", len(blocks), limit)
    notice = (
        f"{left_out} more parts did not fit in one Slack message and are not shown. "
        "Ask for less at a time (for example, one school's)."
    )
    return [*blocks[: limit - 1], {"type": "context", "elements": [_plain_text(notice, 2000)]}]


def card_text(card: Card) -> str:
    """The notification and screen-reader text that goes with a card's blocks (escaped: a
    message's text is read for links and mentions even where its blocks are not)."""
    return escape(card.plain_text()[:SECTION_TEXT_MAX])


def home_view(cards: tuple[Card, ...], dashboard: str = "") -> dict[str, Any]:
    """Whole cards, as many as a view holds; past that, how many more there are and, when
    the district has a dashboard, the link to see them all there."""
    blocks: list[Block] = []
    for index, card in enumerate(cards):
        drawn = ([{"type": "divider"}] if blocks else []) + card_blocks(card, key=f"home{index}")
        if len(blocks) + len(drawn) > VIEW_BLOCKS_MAX - 1:
            left = len(cards) - index
            notice = (
                f"{left} more item{'s' if left != 1 else ''} (requests and pages) not shown here."
            )
            if dashboard:
                notice += (
                    f" See them all on the dashboard: {dashboard} (type /dashboard to sign in)."
                )
            blocks.append({"type": "context", "elements": [_plain_text(notice, 2000)]})
            break
        blocks.extend(drawn)
    return {"type": "home", "blocks": blocks}


def modal(form: Form, user_ids: Mapping[str, str], *, from_home: bool = False) -> dict[str, Any]:
    """A form as a modal; `user_ids` maps emails to Slack ids for pre-filled people pickers.

    `from_home` is remembered so the App Home can be refreshed once the form is submitted.
    """
    blocks: list[Block] = []
    if form.intro:
        blocks.extend(_sections(form.intro))
    blocks.extend(_input(field, user_ids) for field in form.inputs)
    blocks = fit(blocks, VIEW_BLOCKS_MAX)
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK_PREFIX + form.action,
        "private_metadata": json.dumps({"value": form.value, "home": from_home}),
        "title": _plain_text(form.title, MODAL_TITLE_MAX),
        "submit": _plain_text(form.submit_label, MODAL_TITLE_MAX),
        "close": _plain_text("Cancel"),
        "blocks": blocks,
    }


def reply_modal(card: Card) -> dict[str, Any]:
    """What a modal turns into when its submission is answered with a message, not errors."""
    return {
        "type": "modal",
        "title": _plain_text("Pagekeeper"),
        "close": _plain_text("Close"),
        "blocks": fit(card_blocks(card, key="reply"), VIEW_BLOCKS_MAX),
    }


def modal_errors(form_inputs: tuple[str, ...], errors: tuple[FieldError, ...]) -> dict[str, str]:
    """Errors keyed by the input block they belong to (anything else goes on the first)."""
    shown: dict[str, str] = {}
    for error in errors:
        block = error.field if error.field in form_inputs else form_inputs[0]
        shown[block] = f"{shown[block]} {error.message}" if block in shown else error.message
    return shown


def _input(field: Input, user_ids: Mapping[str, str]) -> Block:
    block: Block = {
        "type": "input",
        "block_id": field.name,
        "optional": not field.required,
        "label": _plain_text(field.label, FIELD_TEXT_MAX),
        "element": _element(field, user_ids),
    }
    if field.kind is InputKind.CHECKBOX:
        block["label"] = _plain_text("Please confirm")
    if field.hint:
        block["hint"] = _plain_text(field.hint, FIELD_TEXT_MAX)
    return block


def _element(field: Input, user_ids: Mapping[str, str]) -> Block:
    initial = field.initial
    if field.kind in (InputKind.TEXT, InputKind.MULTILINE, InputKind.URL):
        element: Block = {
            "type": "url_text_input" if field.kind is InputKind.URL else "plain_text_input",
            "action_id": field.name,
        }
        if field.kind is InputKind.MULTILINE:
            element["multiline"] = True
        if field.max_length and field.kind is not InputKind.URL:
            element["max_length"] = field.max_length
        if isinstance(initial, str) and initial:
            element["initial_value"] = initial
        return element
    if field.kind is InputKind.NUMBER:
        element = {"type": "number_input", "action_id": field.name, "is_decimal_allowed": True}
        if isinstance(initial, str) and initial:
            element["initial_value"] = initial
        return element
    if field.kind is InputKind.DATE:
        element = {"type": "datepicker", "action_id": field.name}
        if isinstance(initial, str) and initial:
            element["initial_date"] = initial
        return element
    if field.kind is InputKind.CHOICE:
        options = choice_options(field)
        if len(options) > STATIC_OPTIONS_MAX:
            # Slack asks the bot for the options matching what the person types.
            element = {
                "type": "external_select",
                "action_id": field.name,
                "min_query_length": 0,
                "placeholder": _plain_text("Type to search"),
            }
        else:
            element = {"type": "static_select", "action_id": field.name, "options": options}
        chosen = [option for option in options if option["value"] == initial]
        if chosen:
            element["initial_option"] = chosen[0]
        return element
    if field.kind is InputKind.PEOPLE:
        element = {"type": "multi_users_select", "action_id": field.name}
        emails = initial if isinstance(initial, tuple) else ()
        known = [user_ids[email] for email in emails if email in user_ids]
        if known:
            element["initial_users"] = known
        return element
    return {
        "type": "checkboxes",
        "action_id": field.name,
        "options": [_option(field.label, "yes")],
    }


STEP_MARKS = {
    StepState.DONE: ":white_check_mark:",
    StepState.CURRENT: ":hourglass_flowing_sand:",
    StepState.LATER: ":white_circle:",
    StepState.STOPPED: ":no_entry:",
}


def _step_line(line: StepLine) -> str:
    detail = f"\n{line.detail}" if line.detail else ""
    return f"{STEP_MARKS[line.state]} {line.label}{detail}"


def _button(button: Button) -> Block:
    element: Block = {
        "type": "button",
        "action_id": button.action,
        "text": _plain_text(button.label, BUTTON_TEXT_MAX),
        "value": button.value,
    }
    if button.style is not ButtonStyle.DEFAULT:
        element["style"] = button.style.value
    if button.url:
        element["url"] = button.url  # Slack opens it; the click it reports is only acknowledged
    return element


def _section_blocks(section: Section) -> Iterator[Block]:
    yield {"type": "section", "text": _mrkdwn(f"*{escape(section.heading)}*")}
    yield from _sections(section.text)


def _sections(text: str) -> Iterator[Block]:
    """Plain text in as many sections as Slack's limit needs (emoji codes still show)."""
    for chunk in _chunks(text, SECTION_TEXT_MAX):
        yield {"type": "section", "text": _plain_text(chunk, SECTION_TEXT_MAX, emoji=True)}


def _chunks(text: str, size: int) -> Iterator[str]:
    """Split long text at line breaks where possible, so no block exceeds Slack's limit."""
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        cut = cut if cut > 0 else size
        yield text[:cut]
        text = text[cut:].lstrip("\n")
    yield text


def choice_options(field: Input) -> list[Block]:
    """A choice's options with labels Slack can show (75 characters) that stay distinct: two
    that would read the same once shortened end with their own value instead."""
    shown = [_plain_text(option.label, OPTION_TEXT_MAX)["text"] for option in field.options]
    repeated = {text for text in shown if shown.count(text) > 1}
    options = []
    for option, text in zip(field.options, shown, strict=True):
        if text in repeated:
            suffix = f" ({option.value})"
            text = _plain_text(option.label, OPTION_TEXT_MAX - len(suffix))["text"] + suffix
        options.append({"text": {"type": "plain_text", "text": text}, "value": option.value})
    return options


def matching_options(field: Input, typed: str) -> list[Block]:
    """The options matching what was typed, as many as a menu shows, for a searched choice
    (labels made distinct across the whole list, so each reads the same in every search)."""
    shown = {option["value"]: option for option in choice_options(field)}
    return [shown[option.value] for option in field.matching(typed)][:STATIC_OPTIONS_MAX]


def _option(label: str, value: str) -> Block:
    return {"text": _plain_text(label, OPTION_TEXT_MAX), "value": value}


def _plain(kind: str, text: str, limit: int) -> Block:
    return {"type": kind, "text": _plain_text(text, limit)}


def _plain_text(text: str, limit: int = HEADER_MAX, *, emoji: bool = False) -> Block:
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    block: Block = {"type": "plain_text", "text": shown or " "}
    if emoji:
        block["emoji"] = True
    return block


def _mrkdwn(text: str, limit: int = SECTION_TEXT_MAX) -> Block:
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "mrkdwn", "text": shown}
