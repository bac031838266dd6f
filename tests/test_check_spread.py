"""Weekly checks spread over the week (#18): a district whose pages all went live on one day
(a registry imported, a Monday after a break) gets their checks over the working hours of the
week, not at once; each page keeps its own moment, checks stay exactly a week apart and never
further, and every check falls in working time."""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from datetime import datetime, timedelta

from tests.conftest import TEACHER
from tests.generated import live_page
from workflows.district.config import DistrictConfig
from workflows.district.working_time import is_working_time
from workflows.duties.schedule import next_check

PAGES = 2000


def test_pages_live_on_one_day_are_checked_across_the_working_week(
    config: DistrictConfig,
) -> None:
    live = datetime(2026, 9, 7, 9, 0, tzinfo=config.time_zone)  # a Monday morning
    firsts = [next_check(config, live_page(n, TEACHER, live), live) for n in range(PAGES)]

    assert all(live < first <= live + timedelta(days=7) for first in firsts)
    assert all(is_working_time(config, first) for first in firsts), "only in working time"
    by_day = Counter(first.strftime("%a") for first in firsts)
    assert set(by_day) == {"Mon", "Tue", "Wed", "Thu", "Fri"}, "each working day takes a share"
    assert max(by_day.values()) < PAGES * 0.3, f"no day takes much more than a fifth: {by_day}"
    by_hour = Counter((first.date(), first.hour) for first in firsts)
    assert max(by_hour.values()) < PAGES * 0.05, "nor any hour"


def test_a_page_keeps_its_moment_and_its_checks_stay_a_week_apart(
    config: DistrictConfig,
) -> None:
    live = datetime(2026, 9, 7, 9, 0, tzinfo=config.time_zone)
    page = live_page(1, TEACHER, live)
    first = next_check(config, page, live)
    later = [first]
    for _ in range(10):
        # The check goes out at its moment (or a little later, when the bot was busy).
        sent = later[-1] + timedelta(minutes=3)
        later.append(next_check(config, dataclasses.replace(page, nudged_at=sent), sent))
    gaps = {b - a for a, b in itertools.pairwise(later)}
    # A week on the calendar: an hour less or more when the clocks change in between.
    assert gaps <= {timedelta(days=7) + timedelta(hours=shift) for shift in (-1, 0, 1)}, gaps
    assert {moment.strftime("%a %H:%M") for moment in later} == {first.strftime("%a %H:%M")}
