"""The clauses of the district's regulation that Pagekeeper carries out, as data.

Every message about a duty and every audit entry cites one of them, so a reader can trace
each action back to the sentence of the regulation that requires it. The code names a clause
by what it is about (`Rule`); the district's file says how its own regulation numbers and
titles it (`Regulation`), AR 1114 unless it says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NewType

Clause = NewType("Clause", str)


class Rule(StrEnum):
    """What a clause is about, whatever the district's regulation calls it."""

    AUTHORIZATION = "authorization"
    REQUIRED_NOTICES = "required_notices"
    UNRECOGNIZED_LINKS = "unrecognized_links"
    COPYRIGHT = "copyright"
    MONITORING = "monitoring"
    EMPLOYEE_POSTING = "employee_posting"
    STAFF_INFORMATION = "staff_information"
    DEFINITIONS = "definitions"


# How AR 1114 (the CSBA model regulation) titles each clause Pagekeeper cites.
AR_1114_TITLES: dict[Rule, str] = {
    Rule.AUTHORIZATION: "Authorization for Official District Social Media Platforms",
    Rule.REQUIRED_NOTICES: "Each official platform shall prominently display items 1-8",
    Rule.UNRECOGNIZED_LINKS: "Links not recognized by the district must be stated clearly",
    Rule.COPYRIGHT: "Copyright laws are not violated",
    Rule.MONITORING: "Platforms are regularly monitored; viewpoint-neutral removal",
    Rule.EMPLOYEE_POSTING: "Employees identify themselves and add a views disclaimer",
    Rule.STAFF_INFORMATION: "All staff receive information about appropriate use",
    Rule.DEFINITIONS: "Definitions (official district social media platform)",
}


@dataclass(frozen=True)
class Regulation:
    """The district's regulation on official social media: its number, its name, and the
    title of each clause Pagekeeper cites."""

    number: str = "AR 1114"
    name: str = "District Sponsored Social Media"
    titles: tuple[tuple[Rule, str], ...] = tuple(AR_1114_TITLES.items())

    def cite(self, rule: Rule) -> Clause:
        """'AR 1114: Authorization for Official District Social Media Platforms'."""
        title = dict(self.titles).get(rule) or AR_1114_TITLES[rule]
        return Clause(f"{self.number}: {title}")
