"""Generated districts and registries, for tests and benchmarks that need a large district."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from workflows.district.loading import example_text
from workflows.kernel.model import Page, PageDetails, PageStatus, Person

APPROVER = Person("ana.ruiz@example.org", "Ana Ruiz", "Principal")
PURPOSE = "Share classroom news, homework reminders and photos of student work with families."


def district_with_schools(
    count: int, name: Callable[[int], str] = lambda index: f"School {index}"
) -> str:
    """The example district's file with `count` more schools (ids s000...), each with a
    principal of its own (p000@example.org...), so no one principal is a bottleneck."""
    text = example_text()
    extra = [
        f'[[people]]\nemail = "p{index:03d}@example.org"\nname = "Principal {index}"\n'
        f'title = "Principal"\n\n[[schools]]\nid = "s{index:03d}"\nname = "{name(index)}"\n'
        f'principals = ["p{index:03d}@example.org"]\n'
        for index in range(count)
    ]
    first_kind = text.index("[page_kinds.")
    return text[:first_kind] + "\n".join(extra) + "\n" + text[first_kind:]


def allowing_many_requests(text: str, per_hour: int = 1000) -> str:
    """A district file (the example's wording) letting one person send `per_hour` requests an
    hour: a load test or a long story is not a flood."""
    default = "requests_per_person_per_hour = 5"
    assert default in text, "the district file no longer sets the limit this way"
    return text.replace(default, f"requests_per_person_per_hour = {per_hour}")


def live_page(
    number: int,
    owner: Person,
    live: datetime,
    school: str = "lincoln",
    due: datetime | None = None,
) -> Page:
    """Active page number `number`, run by `owner` since `live`; its check is due at `due`
    (when it went live, unless given)."""
    details = PageDetails("classroom", school, "facebook", f"Room {number}", PURPOSE, "Families")
    return Page(
        id=f"PAGE-{number}",
        request_id=f"REQ-{number}",
        details=details,
        owners=(owner,),
        status=PageStatus.ACTIVE,
        approved_by=APPROVER,
        approved_at=live,
        url=f"https://www.facebook.com/room{number}",
        live_at=live,
        next_check_due=due or live,
    )


OLIVIA = Person("olivia.park@example.org", "Olivia Park", "Principal, Lincoln Elementary")
LINCOLN_PRINCIPALS = 'principals = ["ana.ruiz@example.org"]'


def lincoln_led_by(text: str, principals: str) -> str:
    """The example's district file `text` with Lincoln's principals line set to `principals`
    (a TOML line), and Olivia Park in the directory (a principal arriving mid-year)."""
    assert LINCOLN_PRINCIPALS in text, "the example no longer names Lincoln's principal so"
    text = text.replace(LINCOLN_PRINCIPALS, principals)
    entry = (
        f'[[people]]\nemail = "{OLIVIA.email}"\nname = "{OLIVIA.name}"\n'
        f'title = "{OLIVIA.title}"\n\n'
    )
    first_school = text.index("[[schools]]")
    return text[:first_school] + entry + text[first_school:]
