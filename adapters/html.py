"""Building HTML by hand, safely: every value is escaped as it goes in (playground, web pages)."""

from __future__ import annotations

from html import escape


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
