"""What the district's file says about authorizing pages: its roles and who holds them, each
page kind's approval chain, who may own a page, and what the request form asks.

Every rule here is the district's own: code knows kinds of rules, never a district's rule.
A file written before chains existed (`route = "principal"` or `"superintendent"`) reads as
the one-step chain it always meant.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.kernel.model import Question

# Roles every district has, held as the file's [district] and [[schools]] tables say.
SUPERINTENDENT = "superintendent"  # the Superintendent and the designees
PRINCIPAL = "principal"  # a school's principals
BACKUP_APPROVER = "backup_approver"  # acts for a school's principal while there is none
BUILT_IN_ROLES = (SUPERINTENDENT, PRINCIPAL, BACKUP_APPROVER)


@dataclass(frozen=True)
class Role:
    """A role as the district names it. A school role's `label` may say `{school}`; its
    holders are listed school by school. `vacant` says why a request waits when nobody holds
    it (it may say `{school}` and `{label}`)."""

    id: str
    label: str
    at_school: bool
    holders: tuple[str, ...] = ()
    vacant: str = "nobody is set up as {label} yet"

    def named(self, school: str = "") -> str:
        return self.label.format(school=school)

    def vacancy(self, school: str = "") -> str:
        return self.vacant.format(school=school, label=self.named(school))


@dataclass(frozen=True)
class StepRule:
    """One step of an approval chain, as the district's file sets it.

    The step goes to everyone holding `roles` (at the request's school, for school roles)
    and to `people`; `needs_all` makes every one of them approve, else any one decides.
    It applies only to the listed `platforms` and `kinds` (empty: all), and with
    `only_if_filled` only where someone holds its roles. When nobody holds them, `stand_in`
    acts for them; when everyone who could decide is the requester or a co-owner, `fallback`
    takes the step. A `review` step is confirmed (the `confirm` statement), not decided.
    """

    title: str = ""
    roles: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    needs_all: bool = False
    review: bool = False
    confirm: str = ""
    evidence: tuple[Question, ...] = ()
    platforms: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    only_if_filled: bool = False
    stand_in: tuple[str, ...] = ()
    fallback: tuple[str, ...] = (SUPERINTENDENT,)


# What a file from before chains meant by its two routes.
PRINCIPAL_ROUTE = (StepRule(roles=(PRINCIPAL,), stand_in=(BACKUP_APPROVER,)),)
SUPERINTENDENT_ROUTE = (StepRule(roles=(SUPERINTENDENT,)),)


@dataclass(frozen=True)
class OwnerRules:
    """Who may own a page of a kind, and how many owners it needs (the requester counts).

    Each owner must satisfy every rule given: an email at one of `email_domains`, a title
    containing one of `titles` (in any case), or holding one of `roles`."""

    minimum: int = 1
    maximum: int = 11
    email_domains: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class NameRule:
    """What a page's name must contain (`{school}`: the school's name, `{district}`: the
    district's), and the message that explains it to the person filling in the form."""

    must_include: tuple[str, ...] = ()
    message: str = ""
