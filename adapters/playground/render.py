"""Render neutral cards and forms as HTML for the local playground (everything escaped)."""

from __future__ import annotations

from html import escape

from adapters.html import card_article, input_html, scope_of, tag
from workflows.kernel.cards import (
    Button,
    ButtonStyle,
    Card,
    Form,
)

STYLES = {ButtonStyle.PRIMARY: "primary", ButtonStyle.DANGER: "danger", ButtonStyle.DEFAULT: ""}


def card_html(card: Card, place: str = "") -> str:
    """A card in the conversation; `place` (its entry's) keeps its form controls' ids apart
    from those of the same form in another entry."""
    return card_article(card, lambda button: _button(button, place), copy_button=True)


def form_html(form: Form, place: str = "") -> str:
    body = [tag("h3", escape(form.title))]
    if form.intro:
        body.append(tag("p", escape(form.intro), class_="intro"))
    scope = scope_of(place, form.action, form.value)
    body.extend(input_html(field, scope) for field in form.inputs)
    body.append(tag("p", "", class_="error", data_for=""))
    body.append(tag("button", escape(form.submit_label), type="submit", class_="primary"))
    return tag("form", "".join(body), class_="form", data_action=form.action, data_value=form.value)


def _button(button: Button, place: str) -> str:
    style = STYLES[button.style]
    if button.url:
        return tag("a", escape(button.label), href=button.url, class_=f"button {style}".strip())
    if button.form is not None:
        summary = tag("summary", escape(button.label))
        return tag("details", summary + form_html(button.form, place), class_=style)
    return tag(
        "button",
        escape(button.label),
        type="button",
        class_=style,
        data_action=button.action,
        data_value=button.value,
    )
