"""The district's working time: nudges never go out at night, at the weekend or on the days
the school calendar closes, and no working-day clock runs on them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from workflows.district.config import DistrictConfig

# The longest run of days without a working day a calendar may have (a summer is shorter).
LONGEST_CLOSURE = 400


def is_working_day(config: DistrictConfig, day: date) -> bool:
    """A working weekday the school calendar does not close."""
    return day.weekday() in config.working_time.days and config.calendar.closed_on(day) is None


def is_working_time(config: DistrictConfig, moment: datetime) -> bool:
    local = moment.astimezone(config.time_zone)
    hours = config.working_time
    return is_working_day(config, local.date()) and hours.start <= local.time() < hours.end


def add_working_days(config: DistrictConfig, moment: datetime, days: int) -> datetime:
    """The same local time `days` working days later (weekends, days off and closed days
    skipped)."""
    local = moment.astimezone(config.time_zone)
    remaining = days
    for _ in range(days + LONGEST_CLOSURE):
        if remaining <= 0:
            break
        local += timedelta(days=1)
        if is_working_day(config, local.date()):
            remaining -= 1
    return local


def next_working_moment(config: DistrictConfig, moment: datetime) -> datetime:
    """`moment` itself in working time, else the start of the next working hours."""
    if is_working_time(config, moment):
        return moment
    local = moment.astimezone(config.time_zone)
    hours = config.working_time
    day = local if local.time() < hours.start else local + timedelta(days=1)
    for _ in range(LONGEST_CLOSURE):
        if is_working_day(config, day.date()):
            break
        day += timedelta(days=1)
    return day.replace(hour=hours.start.hour, minute=hours.start.minute, second=0, microsecond=0)


def closed_because(config: DistrictConfig, moment: datetime) -> str:
    """The name of the closure `moment` falls in ("" on an open day)."""
    span = config.calendar.closed_on(moment.astimezone(config.time_zone).date())
    return span.name if span else ""
