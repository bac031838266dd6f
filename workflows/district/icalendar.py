"""The closed days of a district's iCalendar file (RFC 5545): each event is a closure.

Only what a school calendar needs: all-day events (`DTSTART;VALUE=DATE`, with `DTEND` the
day after the last) and timed ones (their dates), folded lines, and the summary as the
closure's name. A recurring event counts once, on its first day.
"""

from __future__ import annotations

from datetime import date, timedelta

from workflows.district.config import ClosedDays


class CalendarProblem(ValueError):
    """The file is not an iCalendar file Pagekeeper can read; the message says where."""


def closed_days(text: str) -> tuple[ClosedDays, ...]:
    """Every event of the calendar as closed days, in the file's order."""
    lines = _unfolded(text)
    if not lines or lines[0].upper() != "BEGIN:VCALENDAR":
        raise CalendarProblem("it does not start with BEGIN:VCALENDAR")
    closures: list[ClosedDays] = []
    event: dict[str, str] | None = None
    for number, line in enumerate(lines, start=1):
        name, _, value = line.partition(":")
        key = name.split(";")[0].upper()
        if line.upper() == "BEGIN:VEVENT":
            event = {}
        elif line.upper() == "END:VEVENT" and event is not None:
            closures.append(_closure(event, number))
            event = None
        elif event is not None and key in ("DTSTART", "DTEND", "SUMMARY"):
            event[key] = value.strip()
    return tuple(closures)


def _closure(event: dict[str, str], line: int) -> ClosedDays:
    if "DTSTART" not in event:
        raise CalendarProblem(f"the event ending on line {line} has no DTSTART")
    first = _day(event["DTSTART"], line)
    last = first
    if "DTEND" in event:
        end = _day(event["DTEND"], line)
        timed = "T" in event["DTEND"]
        last = max(first, end if timed else end - timedelta(days=1))
    summary = event.get("SUMMARY", "").replace("\\,", ",").replace("\\n", " ") or "Closed"
    return ClosedDays(first, last, summary)


def _day(value: str, line: int) -> date:
    digits = value[:8]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise CalendarProblem(f"the event ending on line {line} has a date {value!r}") from None


def _unfolded(text: str) -> list[str]:
    """Lines with RFC 5545 folding undone (a line starting with a space continues the last)."""
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        elif raw.strip():
            lines.append(raw.strip())
    return lines
