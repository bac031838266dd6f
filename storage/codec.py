"""Records as plain JSON-ready dicts, and back. Shared by every store that writes to disk."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from workflows.model import (
    Acknowledgement,
    AuditEntry,
    Decision,
    Page,
    PageDetails,
    PageRequest,
    PageStatus,
    Person,
    Removal,
    RequestStatus,
    Verdict,
)
from workflows.policy import Clause

Record = dict[str, Any]


def request_to_dict(request: PageRequest) -> Record:
    return {
        "id": request.id,
        "requester": _person(request.requester),
        "details": _details(request.details),
        "status": request.status.value,
        "approvers": list(request.approvers),
        "route": request.route,
        "submitted_at": request.submitted_at.isoformat(),
        "revision": request.revision,
        "decisions": [_decision(decision) for decision in request.decisions],
        "page_id": request.page_id,
        "routed_at": _moment(request.routed_at),
        "reminded_at": _moment(request.reminded_at),
        "escalated_at": _moment(request.escalated_at),
        "version": request.version,
    }


def request_from_dict(data: Record) -> PageRequest:
    return PageRequest(
        id=data["id"],
        requester=_to_person(data["requester"]),
        details=_to_details(data["details"]),
        status=RequestStatus(data["status"]),
        approvers=tuple(data["approvers"]),
        route=data["route"],
        submitted_at=datetime.fromisoformat(data["submitted_at"]),
        revision=data["revision"],
        decisions=tuple(_to_decision(item) for item in data["decisions"]),
        page_id=data["page_id"],
        routed_at=_to_moment(data.get("routed_at")),
        reminded_at=_to_moment(data.get("reminded_at")),
        escalated_at=_to_moment(data.get("escalated_at")),
        version=data["version"],
    )


def page_to_dict(page: Page) -> Record:
    return {
        "id": page.id,
        "request_id": page.request_id,
        "details": _details(page.details),
        "owners": [_person(owner) for owner in page.owners],
        "status": page.status.value,
        "approved_by": _person(page.approved_by),
        "approved_at": page.approved_at.isoformat(),
        "url": page.url,
        "live_at": _moment(page.live_at),
        "retired_at": _moment(page.retired_at),
        "retired_reason": page.retired_reason,
        "next_check_due": _moment(page.next_check_due),
        "nudged_at": _moment(page.nudged_at),
        "nudge_answered_at": _moment(page.nudge_answered_at),
        "escalated_at": _moment(page.escalated_at),
        "setup_reminded_at": _moment(page.setup_reminded_at),
        "removals": [_removal(removal) for removal in page.removals],
        "transfer_to": _person(page.transfer_to) if page.transfer_to else None,
        "transfer_from": page.transfer_from,
        "version": page.version,
    }


def page_from_dict(data: Record) -> Page:
    return Page(
        id=data["id"],
        request_id=data["request_id"],
        details=_to_details(data["details"]),
        owners=tuple(_to_person(owner) for owner in data["owners"]),
        status=PageStatus(data["status"]),
        approved_by=_to_person(data["approved_by"]),
        approved_at=datetime.fromisoformat(data["approved_at"]),
        url=data["url"],
        live_at=_to_moment(data["live_at"]),
        retired_at=_to_moment(data["retired_at"]),
        retired_reason=data["retired_reason"],
        next_check_due=_to_moment(data.get("next_check_due")),
        nudged_at=_to_moment(data.get("nudged_at")),
        nudge_answered_at=_to_moment(data.get("nudge_answered_at")),
        escalated_at=_to_moment(data.get("escalated_at")),
        setup_reminded_at=_to_moment(data.get("setup_reminded_at")),
        removals=tuple(_to_removal(item) for item in data.get("removals", [])),
        transfer_to=_to_person(data["transfer_to"]) if data.get("transfer_to") else None,
        transfer_from=data.get("transfer_from"),
        version=data["version"],
    )


def audit_to_dict(entry: AuditEntry) -> Record:
    return {
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "clause": entry.clause,
        "detail": entry.detail,
    }


def audit_from_dict(data: Record) -> AuditEntry:
    return AuditEntry(
        at=datetime.fromisoformat(data["at"]),
        actor=data["actor"],
        action=data["action"],
        subject=data["subject"],
        clause=Clause(data["clause"]),
        detail=data["detail"],
    )


def acknowledgement_to_dict(acknowledgement: Acknowledgement) -> Record:
    return {
        "id": acknowledgement.person.email,
        "person": _person(acknowledgement.person),
        "at": acknowledgement.at.isoformat(),
        "reminded_at": _moment(acknowledgement.reminded_at),
    }


def acknowledgement_from_dict(data: Record) -> Acknowledgement:
    return Acknowledgement(
        _to_person(data["person"]),
        datetime.fromisoformat(data["at"]),
        _to_moment(data.get("reminded_at")),
    )


def _person(person: Person) -> Record:
    return {"email": person.email, "name": person.name, "title": person.title}


def _to_person(data: Record) -> Person:
    return Person(data["email"], data["name"], data["title"])


def _details(details: PageDetails) -> Record:
    return {
        "kind": details.kind,
        "school": details.school,
        "platform": details.platform,
        "page_name": details.page_name,
        "purpose": details.purpose,
        "audience": details.audience,
        "co_owners": [_person(person) for person in details.co_owners],
    }


def _to_details(data: Record) -> PageDetails:
    return PageDetails(
        kind=data["kind"],
        school=data["school"],
        platform=data["platform"],
        page_name=data["page_name"],
        purpose=data["purpose"],
        audience=data["audience"],
        co_owners=tuple(_to_person(person) for person in data["co_owners"]),
    )


def _decision(decision: Decision) -> Record:
    return {
        "verdict": decision.verdict.value,
        "by": _person(decision.by),
        "at": decision.at.isoformat(),
        "note": decision.note,
        "revision": decision.revision,
    }


def _to_decision(data: Record) -> Decision:
    return Decision(
        verdict=Verdict(data["verdict"]),
        by=_to_person(data["by"]),
        at=datetime.fromisoformat(data["at"]),
        note=data["note"],
        revision=data["revision"],
    )


def _removal(removal: Removal) -> Record:
    return {
        "at": removal.at.isoformat(),
        "by": _person(removal.by),
        "reason": removal.reason,
        "description": removal.description,
        "saved_copy": removal.saved_copy,
    }


def _to_removal(data: Record) -> Removal:
    return Removal(
        at=datetime.fromisoformat(data["at"]),
        by=_to_person(data["by"]),
        reason=data["reason"],
        description=data["description"],
        saved_copy=data["saved_copy"],
    )


def _moment(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _to_moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
