"""The overview's figures as server-drawn SVG bar charts, each with a text alternative and
its data as a table (for screen readers, and for anyone who would rather read numbers)."""

from __future__ import annotations

from html import escape

from adapters.html import tag
from workflows.dashboard.figures import Figure

# Colours with at least 3:1 contrast against white (WCAG 1.4.11) and told apart by pattern
# of position too: each series keeps its place in every group.
COLOURS = ("#0b4f8a", "#b35c00", "#2e6b30", "#7b3294", "#a3211f", "#4a4a4a")
BAR, GAP, LABEL_WIDTH, WIDTH = 14, 6, 210, 640
# Rows drawn at most (a district of 1,000 schools): the largest; the table holds them all.
ROWS_DRAWN = 30
LABEL_CHARACTERS = 30


def figure_html(figure: Figure, ident: str) -> str:
    """The chart, its summary as the figure's caption, and the table behind it."""
    summary = figure.summary
    if len(figure.rows) > ROWS_DRAWN:
        summary += f" The {ROWS_DRAWN} largest are drawn; the table lists all {len(figure.rows)}."
    caption = tag("figcaption", tag("strong", escape(figure.title)) + " " + escape(summary))
    if figure.empty:
        return tag("figure", caption + tag("p", "Nothing to show yet."), aria_labelledby=ident)
    return tag(
        "figure",
        caption.replace("<figcaption>", f'<figcaption id="{ident}">', 1)
        + (_columns(figure, ident) if figure.over_time else _svg(figure, ident))
        + tag("details", tag("summary", "The data as a table") + _table(figure)),
        aria_labelledby=ident,
    )


def _svg(figure: Figure, ident: str) -> str:
    groups = list(zip(figure.rows, figure.values, strict=True))
    if len(groups) > ROWS_DRAWN:
        largest_first = sorted(groups, key=lambda group: -sum(group[1]))[:ROWS_DRAWN]
        groups = [group for group in groups if group in largest_first]
    largest = max((v for _, values in groups for v in values), default=0) or 1
    per_group = len(figure.series) * BAR + GAP
    scale = (WIDTH - LABEL_WIDTH - 50) / largest
    parts = []
    y = 0
    for row, values in groups:
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + per_group / 2}" text-anchor="end" '
            f'dominant-baseline="middle" font-size="12" fill="#1a1a1a">{escape(_short(row))}</text>'
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
    return _framed(parts, figure.series, LABEL_WIDTH, y + 8, ident)


def _columns(figure: Figure, ident: str) -> str:
    """A time series: a group of columns per week or month, left to right, labelled every
    few groups so the labels never overlap."""
    left, plot_height, bottom = 40, 180, 40
    count = len(figure.rows)
    largest = max((v for values in figure.values for v in values), default=0) or 1
    group = (WIDTH - left - 10) / max(count, 1)
    bar = max(1.0, (group - 2) / len(figure.series))
    every = max(1, -(-count * 70 // (WIDTH - left)))  # a label needs about 70 px
    parts = [
        f'<line x1="{left}" y1="{plot_height}" x2="{WIDTH - 10}" y2="{plot_height}" '
        'stroke="#4a4a4a"></line>'
        f'<text x="{left - 4}" y="12" text-anchor="end" font-size="11" fill="#1a1a1a">'
        f"{largest}</text>"
        f'<text x="{left - 4}" y="{plot_height}" text-anchor="end" font-size="11" '
        'fill="#1a1a1a">0</text>'
    ]
    for index, (row, values) in enumerate(zip(figure.rows, figure.values, strict=True)):
        x = left + index * group
        for series, value in enumerate(values):
            height = value / largest * (plot_height - 10)
            parts.append(
                f'<rect x="{x + 1 + series * bar:.1f}" y="{plot_height - height:.1f}" '
                f'width="{bar:.1f}" height="{height:.1f}" '
                f'fill="{COLOURS[series % len(COLOURS)]}"></rect>'
            )
        if index % every == 0:
            label = row.removeprefix("week of ")
            parts.append(
                f'<text x="{x + 1:.1f}" y="{plot_height + 16}" font-size="11" '
                f'fill="#1a1a1a">{escape(_short(label, 12))}</text>'
            )
    return _framed(parts, figure.series, left, plot_height + bottom - 16, ident)


def _framed(parts: list[str], series: tuple[str, ...], x: float, y: float, ident: str) -> str:
    """The drawing with its legend (one series a line, from `x`, `y`) in an <svg> named by
    the figure's caption."""
    legend = "".join(
        f'<rect x="{x}" y="{y + i * 18}" width="12" height="12" '
        f'fill="{COLOURS[i % len(COLOURS)]}"></rect>'
        f'<text x="{x + 18}" y="{y + 10 + i * 18}" font-size="12" '
        f'fill="#1a1a1a">{escape(_short(name, 80))}</text>'
        for i, name in enumerate(series)
    )
    height = y + len(series) * 18 + 4
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


def _short(label: str, room: int = LABEL_CHARACTERS) -> str:
    return label if len(label) <= room else label[: room - 1] + "…"
