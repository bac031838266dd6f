"""The district's working time: nudges never go out at night or at the weekend."""

from __future__ import annotations

from datetime import datetime, timedelta

from workflows.district.config import DistrictConfig


def is_working_time(config: DistrictConfig, moment: datetime) -> bool:
    local = moment.astimezone(config.time_zone)
    hours = config.working_time
    return local.weekday() in hours.days and hours.start <= local.time() < hours.end


def add_working_days(config: DistrictConfig, moment: datetime, days: int) -> datetime:
    """The same local time `days` working days later (weekends and other days off skipped)."""
    local = moment.astimezone(config.time_zone)
    remaining = days
    while remaining > 0:
        local += timedelta(days=1)
        if local.weekday() in config.working_time.days:
            remaining -= 1
    return local


def next_working_moment(config: DistrictConfig, moment: datetime) -> datetime:
    """`moment` itself in working time, else the start of the next working hours."""
    if is_working_time(config, moment):
        return moment
    local = moment.astimezone(config.time_zone)
    hours = config.working_time
    day = local if local.time() < hours.start else local + timedelta(days=1)
    while day.weekday() not in hours.days:
        day += timedelta(days=1)
    start = day.replace(hour=hours.start.hour, minute=hours.start.minute, second=0, microsecond=0)
    return start
