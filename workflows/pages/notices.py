"""The text an official page must display (the district's list of notices, AR 1114 items 1-8
in the example) and what its owners post with, filled in for one page."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.district.config import DistrictConfig
from workflows.kernel.model import PageDetails, Person


@dataclass(frozen=True)
class PageNotices:
    """The notices a page displays, each with its heading, and the statement on links."""

    items: tuple[tuple[str, str], ...]
    unrecognized_links: str

    def page_text(self) -> str:
        numbered = [f"{n}. {heading}: {text}" for n, (heading, text) in enumerate(self.items, 1)]
        return "\n".join([*numbered, self.unrecognized_links])


def page_notices(config: DistrictConfig, details: PageDetails) -> PageNotices:
    """The notices of the district's list that apply to this page, and the links statement,
    filled in for it."""
    values = _placeholders(config, details)
    notices = config.notices
    items = tuple(
        (item.heading, item.text.format_map(values))
        for item in notices.items
        if item.applies(details.kind, details.forum)
    )
    return PageNotices(items, notices.unrecognized_links.format_map(values))


def copyright_reminder(config: DistrictConfig, details: PageDetails) -> str:
    return config.notices.copyright.format_map(_placeholders(config, details))


def posting_disclaimer(config: DistrictConfig, details: PageDetails, owner: Person) -> str:
    """The owner's own line to add to posts: name, district title, views are theirs alone."""
    values = _placeholders(config, details) | {
        "name": owner.name,
        "title": owner.title or f"staff member, {config.name}",
    }
    return config.notices.posting_disclaimer.format_map(values)


def _placeholders(config: DistrictConfig, details: PageDetails) -> dict[str, str]:
    kind = config.kind(details.kind)
    platform = config.platform(details.platform)
    school = config.school(details.school)
    contact = config.contact_person
    # A published answer fills its placeholder; private ones never reach the page.
    published = {q.id: details.answer(q.id) for q in kind.questions if q.published} if kind else {}
    return published | {
        "district": config.name,
        "page_name": details.page_name,
        "kind": kind.label.lower() if kind else details.kind,
        "owner_unit": school.name if school else config.name,
        "platform": platform.label if platform else details.platform,
        "purpose": _sentence(details.purpose),
        "audience": details.audience,
        "security_help": platform.security_help if platform else "",
        "removal_categories": "; ".join(r.label.lower() for r in config.removal_reasons),
        "contact_name": contact.name,
        "contact_title": contact.title,
        "contact_email": contact.email,
        "page_word": config.notices.page_word,
        "forum": forum.label if (forum := config.forum(details.forum)) else "",
    }


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."
