"""Reading the calendar parts of the district's file: closed days (listed, or from the
district's iCalendar file) and each page kind's monitoring schedule."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from workflows.district.config import DAYS, Calendar, ClosedDays, MonitoringSchedule
from workflows.district.icalendar import CalendarProblem, closed_days
from workflows.district.reader import Table, dotted

# An iCalendar file larger than this is not a school calendar.
ICAL_MAX_BYTES = 2 * 1024 * 1024


def read_calendar(table: Table | None, folder: Path | None) -> Calendar:
    """`[calendar]`: `closed = [{ from = 2026-12-21, to = 2027-01-01, name = "..." }]` and
    `ical = "calendar.ics"` (beside the district file)."""
    if table is None:
        return Calendar()
    closed = [_closed(entry) for entry in table.optional_tables("closed")]
    ical = table.text("ical", "")
    if ical:
        closed.extend(_from_ical(table, ical, folder))
    table.finish()
    return Calendar(tuple(sorted(closed, key=lambda span: span.first)))


def read_schedule(table: Table | None) -> MonitoringSchedule:
    """`[page_kinds.<id>.monitoring]`: `every_days`, or `weekdays` and/or `times`."""
    if table is None:
        return MonitoringSchedule()
    every = table.optional_count("every_days")
    weekdays = table.words("weekdays", ())
    unknown = [day for day in weekdays if day not in DAYS]
    if unknown:
        raise table.problem(
            "weekdays", f"{dotted((*table.path, 'weekdays'))}: use {', '.join(DAYS)}"
        )
    times = tuple(_time(table, text) for text in table.words("times", ()))
    if every is not None and (weekdays or times):
        raise table.problem(
            "every_days",
            f"{dotted(table.path)}: give every_days, or weekdays and times, not both",
        )
    table.finish()
    return MonitoringSchedule(every, frozenset(DAYS.index(day) for day in weekdays), times)


def _closed(table: Table) -> ClosedDays:
    first = table.date("from")
    last = table.date("to", first)
    if last < first:
        raise table.problem("to", f"{dotted((*table.path, 'to'))} comes before its 'from'")
    name = table.text("name", "Closed")
    table.finish()
    return ClosedDays(first, last, name)


def _from_ical(table: Table, name: str, folder: Path | None) -> list[ClosedDays]:
    if folder is None:
        raise table.problem("ical", "calendar.ical: name the file from a district file on disk")
    path = folder / name
    try:
        if path.stat().st_size > ICAL_MAX_BYTES:
            raise table.problem("ical", f"calendar.ical: {path} is larger than a school calendar")
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise table.problem("ical", f"calendar.ical: cannot read {path} ({error})") from None
    try:
        return list(closed_days(text))
    except CalendarProblem as problem:
        raise table.problem("ical", f"calendar.ical: {path}: {problem}") from None


def _time(table: Table, text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise table.problem(
            "times", f'{dotted((*table.path, "times"))}: write times like "09:00" (got {text!r})'
        ) from None
