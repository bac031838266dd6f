"""Render neutral cards and forms as HTML for the local playground (everything escaped)."""

from __future__ import annotations

from html import escape

from adapters.html import attributes_html, tag, text
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

STYLES = {ButtonStyle.PRIMARY: "primary", ButtonStyle.DANGER: "danger", ButtonStyle.DEFAULT: ""}


def card_html(card: Card) -> str:
    parts = [tag("h3", escape(card.title))]
    if card.text:
        parts.append(tag("p", text(card.text)))
    if card.progress:
        parts.append(tag("ol", "".join(_step(line) for line in card.progress), class_="steps"))
    if card.fields:
        rows = "".join(tag("dt", escape(f.label)) + tag("dd", text(f.value)) for f in card.fields)
        parts.append(tag("dl", rows))
    parts.extend(_section(section) for section in card.sections)
    if card.buttons:
        parts.append(tag("div", "".join(_button(b) for b in card.buttons), class_="actions"))
    if card.clause:
        parts.append(tag("p", escape(f"Rule: {card.clause}"), class_="rule"))
    return tag("article", "".join(parts), class_="card")


def form_html(form: Form) -> str:
    body = [tag("h3", escape(form.title))]
    if form.intro:
        body.append(tag("p", escape(form.intro), class_="intro"))
    body.extend(_input(field) for field in form.inputs)
    body.append(tag("p", "", class_="error", data_for=""))
    body.append(tag("button", escape(form.submit_label), type="submit", class_="primary"))
    return tag("form", "".join(body), class_="form", data_action=form.action, data_value=form.value)


def _section(section: Section) -> str:
    heading = tag("h4", escape(section.heading))
    if not section.copyable:
        return tag("section", heading + tag("p", text(section.text)))
    copy = tag("button", "Copy", type="button", class_="copy")
    return tag("section", heading + tag("pre", escape(section.text)) + copy)


STEP_WORDS = {
    StepState.DONE: "Done",
    StepState.CURRENT: "Now",
    StepState.LATER: "Later",
    StepState.STOPPED: "Stopped",
}


def _step(line: StepLine) -> str:
    state = tag("span", escape(STEP_WORDS[line.state]) + ": ", class_="state")
    detail = tag("span", escape(line.detail), class_="detail") if line.detail else ""
    current = "step" if line.state is StepState.CURRENT else False
    content = state + tag("strong", escape(line.label)) + detail
    return tag("li", content, class_=line.state.value, aria_current=current)


def _button(button: Button) -> str:
    style = STYLES[button.style]
    if button.form is not None:
        summary = tag("summary", escape(button.label))
        return tag("details", summary + form_html(button.form), class_=style)
    return tag(
        "button",
        escape(button.label),
        type="button",
        class_=style,
        data_action=button.action,
        data_value=button.value,
    )


def _input(field: Input) -> str:
    ident = f"f-{field.name}"
    hint_id: str | bool = f"hint-{field.name}" if field.hint else False
    hint = tag("small", text(field.hint), id=hint_id) if field.hint else ""
    error = tag("p", "", class_="error", data_for=field.name)
    initial = field.initial if isinstance(field.initial, str) else ", ".join(field.initial)
    common: dict[str, str | bool] = {  # what every kind of control carries
        "id": ident,
        "name": field.name,
        "required": field.required,
        "aria_describedby": hint_id,
    }
    if field.kind is InputKind.CHECKBOX:
        box = f'<input type="checkbox" value="true"{attributes_html(common)}> {escape(field.label)}'
        return tag("div", hint + tag("label", box, class_="check") + error, class_="field")
    label = tag("label", escape(field.label), for_=ident)
    return tag("div", label + _control(field, initial, common) + hint + error, class_="field")


def _control(field: Input, initial: str, common: dict[str, str | bool]) -> str:
    if field.kind is InputKind.CHOICE:
        options = tag("option", "Choose…", value="")
        for option in field.options:
            chosen = option.value == initial
            options += tag("option", escape(option.label), value=option.value, selected=chosen)
        return tag("select", options, **common)
    if field.kind is InputKind.MULTILINE:
        return tag("textarea", escape(initial), rows="3", **common)
    kind = {InputKind.URL: "url", InputKind.NUMBER: "number", InputKind.DATE: "date"}.get(
        field.kind, "text"
    )
    extra: dict[str, str | bool] = {"type": kind, "value": initial}
    if field.kind is InputKind.PEOPLE:
        extra["placeholder"] = "name@district.org, …"
    return f"<input{attributes_html(extra | common)}>"
