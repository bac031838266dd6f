"""Who must authorize a page: AR 1114's approval routes, with nobody approving their own request."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.district.config import DistrictConfig, Route
from workflows.kernel.model import PageDetails


@dataclass(frozen=True)
class Routing:
    """The approvers a request goes to, in words a requester understands.

    No approvers means the request is held for the district contact; `description` says why.
    """

    approvers: tuple[str, ...]
    description: str

    @property
    def held(self) -> bool:
        return not self.approvers


def route_request(config: DistrictConfig, requester: str, details: PageDetails) -> Routing:
    """The approvers for a request from `requester`; its kind and school are already valid."""
    kind = config.kind(details.kind)
    if kind is not None and kind.route is Route.PRINCIPAL:
        return _to_principal(config, requester, details.school)
    return _to_superintendent(config, requester)


def _to_principal(config: DistrictConfig, requester: str, school_id: str | None) -> Routing:
    school = config.school(school_id)
    if school is None:
        return Routing((), "no school was chosen")
    if school.principals:
        approvers = _excluding(school.principals, requester)
        if approvers:
            return Routing(approvers, f"the principal of {school.name}")
        # The principal asked for the page: it goes up to the Superintendent's office.
        return _to_superintendent(config, requester)
    if school.backup_approver and school.backup_approver != requester:
        return Routing((school.backup_approver,), f"the backup approver for {school.name}")
    return Routing((), f"no principal is set up for {school.name} yet")


def _to_superintendent(config: DistrictConfig, requester: str) -> Routing:
    approvers = _excluding(config.superintendent_and_designees, requester)
    if approvers:
        return Routing(approvers, "the Superintendent or a designee")
    return Routing((), "no one besides you can authorize it for the Superintendent")


def _excluding(emails: tuple[str, ...], requester: str) -> tuple[str, ...]:
    return tuple(email for email in emails if email != requester)
