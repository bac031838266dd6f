"""Pieces the web pages share: a table of plain-text cells, the school and platform choices,
and a search form of labelled fields."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from adapters.html import tag
from workflows.district.config import DistrictConfig


def table(
    headings: Sequence[str], rows: Iterable[Sequence[str]], *, first_is_html: bool = False
) -> str:
    """A table that scrolls sideways on its own on a narrow screen; cells are text (the
    first may be HTML already, a link)."""
    head = tag("tr", "".join(tag("th", escape(h), scope="col") for h in headings))
    body = "".join(
        tag(
            "tr",
            "".join(
                tag("td", cell if (first_is_html and index == 0) else escape(cell))
                for index, cell in enumerate(row)
            ),
        )
        for row in rows
    )
    return tag("div", tag("table", tag("thead", head) + tag("tbody", body)), class_="table-wrap")


def school_choices(config: DistrictConfig, chosen: str) -> str:
    return tag("option", "Every school and office", value="") + "".join(
        tag("option", escape(s.name), value=s.id, selected=s.id == chosen) for s in config.schools
    )


def platform_choices(config: DistrictConfig, chosen: str) -> str:
    return tag("option", "Every platform", value="") + "".join(
        tag("option", escape(p.label), value=p.id, selected=p.id == chosen)
        for p in config.platforms
    )


def search_form(action: str, submit: str, fields: Iterable[tuple[str, str, str]]) -> str:
    """A GET form of (label, id, control) fields side by side, wrapping on a phone."""
    drawn = "".join(
        tag("div", tag("label", escape(label), for_=ident) + control)
        for label, ident, control in fields
    )
    return tag(
        "form",
        drawn + tag("button", escape(submit), type="submit"),
        method="get",
        action=action,
        class_="inline",
    )
