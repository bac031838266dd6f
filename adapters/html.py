"""Building HTML by hand, safely: every value is escaped as it goes in (playground, web pages)."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from workflows.kernel.cards import Button, Card, Input, InputKind, Section, StepLine, StepState


def tag(name: str, content: str = "", /, **attributes: str | bool) -> str:
    """An HTML element; `content` must already be HTML, attribute values are escaped here."""
    return f"<{name}{attributes_html(attributes)}>{content}</{name}>"


def attributes_html(attributes: dict[str, str | bool]) -> str:
    """` key="value"` pairs; True gives a bare attribute, False leaves it out."""
    attrs = ""
    for key, value in attributes.items():
        attr = key.rstrip("_").replace("_", "-")
        if value is True:
            attrs += f" {attr}"
        elif value is not False:
            attrs += f' {attr}="{escape(str(value))}"'
    return attrs


def text(value: str) -> str:
    """Plain text as HTML, line breaks kept."""
    return "<br>".join(escape(line) for line in value.splitlines())


_ADDRESS = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")


def scope_of(*parts: str) -> str:
    """A prefix for ids from what names a form (its action and record), safe in an id."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", "-".join(parts)) + "-"


def linked_text(value: str) -> str:
    """Plain text as HTML with its web addresses as links (a sign-in link, the directory)."""
    lines = []
    for line in value.splitlines():
        parts, last = [], 0
        for found in _ADDRESS.finditer(line):
            address = found.group(0)
            parts += [escape(line[last : found.start()]), tag("a", escape(address), href=address)]
            last = found.end()
        lines.append("".join(parts) + escape(line[last:]))
    return "<br>".join(lines)


def input_html(field: Input, scope: str = "") -> str:
    """A form control with its label, hint and a place for its error; `scope` keeps ids
    unique when several forms on one page ask the same thing (a note to deny, to ask for
    changes)."""
    ident = f"f-{scope}{field.name}"
    hint_id: str | bool = f"hint-{scope}{field.name}" if field.hint else False
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


def card_article(
    card: Card, button: Callable[[Button], str], *, copy_button: bool = False, level: int = 3
) -> str:
    """A neutral card as an <article>; each button drawn by `button` (the playground's act
    through its script, the web pages' are plain forms). `copy_button` adds a Copy button
    beside text meant to be pasted (it needs the playground's script)."""
    parts = [tag(f"h{level}", escape(card.title))]
    if card.text:
        parts.append(tag("p", linked_text(card.text)))
    if card.progress:
        parts.append(tag("ol", "".join(_step(line) for line in card.progress), class_="steps"))
    if card.fields:
        rows = "".join(tag("dt", escape(f.label)) + tag("dd", text(f.value)) for f in card.fields)
        parts.append(tag("dl", rows))
    parts.extend(_section(section, copy_button, level + 1) for section in card.sections)
    if card.buttons:
        parts.append(tag("div", "".join(button(b) for b in card.buttons), class_="actions"))
    if card.clause:
        parts.append(tag("p", escape(f"Rule: {card.clause}"), class_="rule"))
    return tag("article", "".join(parts), class_="card")


def _section(section: Section, copy_button: bool, level: int) -> str:
    heading = tag(f"h{level}", escape(section.heading))
    if not section.copyable:
        return tag("section", heading + tag("p", text(section.text)))
    copy = tag("button", "Copy", type="button", class_="copy") if copy_button else ""
    return tag("section", heading + tag("pre", escape(section.text), class_="copy") + copy)


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
