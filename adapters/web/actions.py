"""The cards' buttons as plain HTML forms posted to `/dashboard/act`: each carries the action
and its record as chat's buttons do, the session's CSRF token and the page to return to."""

from __future__ import annotations

from html import escape

from adapters.html import input_html, scope_of, tag
from workflows.kernel.cards import Button, ButtonStyle

ACT = "/dashboard/act"


def action_form(button: Button, csrf: str, back: str) -> str:
    """One button: a form of its own fields behind a disclosure, or a single button."""
    style = "danger" if button.style is ButtonStyle.DANGER else ""
    if button.url:
        return tag("a", escape(button.label), href=button.url, class_="button")
    form = button.form
    action, value = (form.action, form.value) if form else (button.action, button.value)
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(given)}">'
        for name, given in (
            ("_action", action),
            ("_value", value),
            ("_csrf", csrf),
            ("_back", back),
        )
    )
    if form is None:
        return tag(
            "form",
            hidden + tag("button", escape(button.label), type="submit", class_=style),
            method="post",
            action=ACT,
            class_="act",
        )
    fields = "".join(input_html(field, scope_of(action, value)) for field in form.inputs)
    intro = tag("p", escape(form.intro)) if form.intro else ""
    submit = tag("button", escape(form.submit_label), type="submit", class_=style)
    body = tag("form", hidden + intro + fields + submit, method="post", action=ACT, class_="act")
    return tag("details", tag("summary", escape(button.label)) + body, class_="act")
