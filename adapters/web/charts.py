"""The overview's figures as server-drawn SVG bar charts, each with a text alternative and
its data as a table (for screen readers, and for anyone who would rather read numbers)."""

from __future__ import annotations

from html import escape

from adapters.html import tag
from workflows.dashboard.figures import Figure

# Colours with at least 3:1 contrast against white (WCAG 1.4.11) and told apart by pattern
# of position too: each series keeps its place in every group.
COLOURS = ("#0b4f8a", "#b35c00", "#2e6b30", "#7b3294", "#a3211f", "#4a4a4a")
BAR, GAP, LABEL_WIDTH, WIDTH = 14, 6, 190, 640


def figure_html(figure: Figure, ident: str) -> str:
    """The chart, its summary as the figure's caption, and the table behind it."""
    caption = tag("figcaption", tag("strong", escape(figure.title)) + " " + escape(figure.summary))
    if figure.empty:
        return tag("figure", caption + tag("p", "Nothing to show yet."), aria_labelledby=ident)
    return tag(
        "figure",
        caption.replace("<figcaption>", f'<figcaption id="{ident}">', 1)
        + _svg(figure, ident)
        + tag("details", tag("summary", "The data as a table") + _table(figure)),
        aria_labelledby=ident,
    )


def _svg(figure: Figure, ident: str) -> str:
    groups = [(row, values) for row, values in zip(figure.rows, figure.values, strict=True)]
    largest = max((v for _, values in groups for v in values), default=0) or 1
    per_group = len(figure.series) * BAR + GAP
    height = len(groups) * per_group + 30
    scale = (WIDTH - LABEL_WIDTH - 50) / largest
    parts = []
    y = 0
    for row, values in groups:
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + per_group / 2}" text-anchor="end" '
            f'dominant-baseline="middle" font-size="12" fill="#1a1a1a">{escape(row[:32])}</text>'
        )
        for index, value in enumerate(values):
            top = y + index * BAR
            width = value * scale
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{top}" width="{width:.1f}" height="{BAR - 2}" '
                f'fill="{COLOURS[index % len(COLOURS)]}"></rect>'
                f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{top + BAR / 2}" font-size="11" '
                f'dominant-baseline="middle" fill="#1a1a1a">{value}</text>'
            )
        y += per_group
    legend = "".join(
        f'<rect x="{LABEL_WIDTH + i * 150}" y="{y + 8}" width="12" height="12" '
        f'fill="{COLOURS[i % len(COLOURS)]}"></rect>'
        f'<text x="{LABEL_WIDTH + i * 150 + 16}" y="{y + 18}" font-size="12" '
        f'fill="#1a1a1a">{escape(name[:20])}</text>'
        for i, name in enumerate(figure.series)
    )
    return (
        f'<svg viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{ident}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(parts)
        + legend
        + "</svg>"
    )


def _table(figure: Figure) -> str:
    head = tag(
        "tr",
        tag("th", "", scope="col")
        + "".join(tag("th", escape(name), scope="col") for name in figure.series),
    )
    rows = "".join(
        tag("tr", tag("th", escape(row), scope="row") + "".join(tag("td", str(v)) for v in values))
        for row, values in zip(figure.rows, figure.values, strict=True)
    )
    return tag("div", tag("table", tag("thead", head) + tag("tbody", rows)), class_="table-wrap")
