"""Render neutral cards and forms as Adaptive Cards (schema 1.5) for Microsoft Teams.

Every text is a RichTextBlock of TextRuns: Teams reads markdown in a TextBlock or a fact, and
text people typed (a page's purpose, a comment) must show as typed, never as a live link or
bold "APPROVED"."""

from __future__ import annotations

import json
import logging
from typing import Any

from workflows.conversation.limits import TEXT_MAX
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

Element = dict[str, Any]
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
DATA_KEY = "pagekeeper"
log = logging.getLogger(__name__)
PEOPLE_HINT = "Work emails, separated by commas"
# Teams takes up to 100 KB per message, measured in UTF-16, and took 40 KB until recently:
# cards are kept under the smaller, with room for the activity around them.
MESSAGE_MAX = 38_000
# Past this many choices a list is searched as one types rather than scrolled.
FILTERED_CHOICES_FROM = 100
SEARCH_RESULTS_MAX = 50


def adaptive_card(card: Card) -> Element:
    """A card with its buttons; a button that needs a form shows it inline (Action.ShowCard)."""
    body: list[Element] = [_heading(card.title)]
    if card.text:
        body.append(_text(card.text))
    body.extend(_step(line) for line in card.progress)
    body.extend(_fact(field.label, field.value) for field in card.fields)
    for section in card.sections:
        body.extend(_section(section))
    if card.clause:
        body.append(_text(f"Rule: {card.clause}", size="Small", isSubtle=True))
    return _card(body, [_action(button) for button in card.buttons])


def form_card(
    form: Form, errors: tuple[FieldError, ...] = (), entered: dict[str, Any] | None = None
) -> Element:
    """A form as a card of its own, showing `errors` under their fields and keeping `entered`."""
    body: list[Element] = [_heading(form.title)]
    if form.intro:
        body.append(_text(form.intro, isSubtle=True))
    problems = {error.field: error.message for error in errors}
    for field in form.inputs:
        searched = dataset(form, field)
        body.extend(
            _input(field, (entered or {}).get(field.name), problems.get(field.name), searched)
        )
    unplaced = [
        message for name, message in problems.items() if name not in {i.name for i in form.inputs}
    ]
    body.extend(_text(message, color="Attention") for message in unplaced)
    return _card(body, [_submit(form)])


def submitted(value: Any) -> tuple[str, str] | None:
    """The (action, value) a card submission carries, or None if it is not one of ours."""
    if not isinstance(value, dict) or not isinstance(value.get(DATA_KEY), dict):
        return None
    data = value[DATA_KEY]
    return str(data.get("action", "")), str(data.get("value", ""))


def _card(body: list[Element], actions: list[Element]) -> Element:
    card: Element = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if actions:
        card["actions"] = actions
    return card


STEP_MARKS = {
    StepState.DONE: "✅",
    StepState.CURRENT: "⏳",
    StepState.LATER: "○",
    StepState.STOPPED: "⛔",
}


def _step(line: StepLine) -> Element:
    value = line.label + (f": {line.detail}" if line.detail else "")
    return _fact(STEP_MARKS[line.state], value)


def _fact(label: str, value: str) -> Element:
    """A label and its value on one line, as plain text."""
    runs = [{"type": "TextRun", "text": f"{label}: ", "weight": "Bolder"}, _run(value)]
    return {"type": "RichTextBlock", "inlines": runs, "spacing": "Small"}


def _action(button: Button) -> Element:
    if button.url:
        return {"type": "Action.OpenUrl", "title": button.label, "url": button.url}
    if button.form is not None:
        inline = form_card(button.form)
        inline.pop("$schema")
        return {"type": "Action.ShowCard", "title": button.label, "card": inline}
    action: Element = {
        "type": "Action.Submit",
        "title": button.label,
        "data": {DATA_KEY: {"action": button.action, "value": button.value}},
    }
    style = {ButtonStyle.PRIMARY: "positive", ButtonStyle.DANGER: "destructive"}.get(button.style)
    if style:
        action["style"] = style
    return action


def _submit(form: Form) -> Element:
    return {
        "type": "Action.Submit",
        "title": form.submit_label,
        "style": "positive",
        "data": {DATA_KEY: {"action": form.action, "value": form.value}},
    }


def dataset(form: Form, field: Input) -> str:
    """Where a searched choice's options come from, as Teams sends it back with what was
    typed: the form (rebuilt from its action and value, so any process can answer) and field."""
    return json.dumps([form.action, form.value, field.name], separators=(",", ":"))


def search_results(field: Input, typed: str, skip: int, top: int) -> Element:
    """The answer to Teams' `application/search` for a searched choice."""
    found = field.matching(typed)[skip : skip + max(1, min(top, SEARCH_RESULTS_MAX))]
    return {
        "type": "application/vnd.microsoft.search.searchResponse",
        "value": {"results": [{"title": o.label, "value": o.value} for o in found]},
    }


def _input(field: Input, entered: Any, problem: str | None, searched: str) -> list[Element]:
    elements: list[Element] = []
    if isinstance(entered, str) and len(entered) > TEXT_MAX:
        entered = None  # refused as too long: shown again, it could not fit in the card
    initial = entered if entered is not None else field.initial
    if field.kind is InputKind.CHECKBOX:
        if field.hint:
            elements.append(_text(field.hint, size="Small"))
        elements.append(
            {
                "type": "Input.Toggle",
                "id": field.name,
                "title": field.label,
                "label": "Please confirm",
                "valueOn": "true",
                "valueOff": "false",
                "value": "true" if initial in (True, "true") else "false",
                "isRequired": field.required,
                "errorMessage": "Please confirm.",
            }
        )
    else:
        elements.append(_field_input(field, initial, searched))
        if field.hint:
            elements.append(_text(field.hint, size="Small", isSubtle=True, spacing="None"))
    if problem:
        elements.append(_text(problem, color="Attention", spacing="None"))
    return elements


def _field_input(field: Input, initial: Any, searched: str) -> Element:
    common: Element = {"id": field.name, "label": field.label, "isRequired": field.required}
    if field.required:
        common["errorMessage"] = f"{field.label} is needed."
    if field.kind is InputKind.CHOICE:
        choices = [{"title": option.label, "value": option.value} for option in field.options]
        if len(choices) <= FILTERED_CHOICES_FROM:
            choices_set: Element = {"style": "compact", "choices": choices}
        else:
            # A long list (a large district's schools) would not fit in a message: Teams
            # asks the bot for the options matching what the person types.
            picked = [choice for choice in choices if choice["value"] == initial]
            choices_set = {
                "style": "filtered",
                "choices": picked,
                "choices.data": {"type": "Data.Query", "dataset": searched},
                "placeholder": "Type to search",
            }
        return {
            "type": "Input.ChoiceSet",
            **choices_set,
            "value": str(initial or ""),
            **common,
        }
    if field.kind is InputKind.NUMBER:
        number: Element = {"type": "Input.Number", **common}
        if initial:
            number["value"] = str(initial)
        return number
    if field.kind is InputKind.DATE:
        chosen: Element = {"type": "Input.Date", **common}
        if initial:
            chosen["value"] = str(initial)
        return chosen
    text: Element = {"type": "Input.Text", **common}
    if field.kind is InputKind.MULTILINE:
        text["isMultiline"] = True
    if field.kind is InputKind.URL:
        text["style"] = "Url"
    if field.kind is InputKind.PEOPLE:
        text["placeholder"] = PEOPLE_HINT
        initial = ", ".join(initial) if isinstance(initial, tuple) else initial
    if field.max_length:
        text["maxLength"] = field.max_length
    if initial:
        text["value"] = str(initial)
    return text


def _section(section: Section) -> list[Element]:
    heading = _text(section.heading, weight="Bolder")
    if not section.copyable:
        return [heading, _text(section.text)]
    # Teams shows a CodeBlock with a copy button; other hosts fall back to monospace text.
    fallback = _text(section.text, fontType="Monospace")
    return [
        heading,
        {
            "type": "CodeBlock",
            "codeSnippet": section.text,
            "language": "PlainText",
            "fallback": fallback,
        },
    ]


def _heading(text: str) -> Element:
    return _text(text, size="Large", weight="Bolder")


# What belongs to the block rather than to its text.
BLOCK_PROPERTIES = frozenset({"spacing", "separator", "horizontalAlignment"})


def fit(card: Element) -> Element:
    """The card within what Teams takes in one message (MESSAGE_MAX, counted as Teams counts:
    UTF-16): past it, body parts are left out from the end and the card says so, rather than
    Teams refusing the whole message."""
    if payload_size(card) <= MESSAGE_MAX:
        return card
    log.warning("teams card cut to fit size=%d limit=%d", payload_size(card), MESSAGE_MAX)
    body = list(card.get("body", []))
    # Each part costs its own size and the comma before it (2 bytes in UTF-16), so the parts
    # that fit are counted once each rather than the card measured again and again.
    room = MESSAGE_MAX - payload_size({**card, "body": [_LEFT_OUT]})
    kept = 0
    for element in body:
        room -= payload_size(element) + 2
        if room < 0:
            break
        kept += 1
    left_out = len(body) - kept
    body = body[:kept]
    notice = _text(
        f"{left_out} more parts did not fit in one Teams message and are not shown. "
        "Ask for less at a time (for example, one school's).",
        isSubtle=True,
    )
    return {**card, "body": [*body, notice]}


_LEFT_OUT = {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": "x" * 160}]}


def payload_size(card: Element) -> int:
    """A card's size as Teams counts it against its message limit (UTF-16 bytes)."""
    return len(json.dumps(card, separators=(",", ":")).encode("utf-16-le"))


def _text(text: str, **style: Any) -> Element:
    """Plain text (no markdown) in the given style."""
    block: Element = {"type": "RichTextBlock", "inlines": [_run(text, **style)]}
    block.update({key: value for key, value in style.items() if key in BLOCK_PROPERTIES})
    return block


def _run(text: str, **style: Any) -> Element:
    run: Element = {"type": "TextRun", "text": text}
    run.update({key: value for key, value in style.items() if key not in BLOCK_PROPERTIES})
    return run
