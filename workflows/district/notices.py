"""What the district's file says every official page must display: its own list of notices,
in its own words, the statements that go with them, and its forum types.

Files written before the list (`[notices]` with the eight named keys of AR 1114) read as that
list of eight, with the headings they always had.
"""

from __future__ import annotations

from dataclasses import dataclass

# The eight named notices of earlier files, in AR 1114's order, with the headings they had.
NAMED_NOTICES = (
    ("purpose", "Purpose of this page"),
    ("security", "Security settings"),
    ("monitoring", "Monitoring and removal of posts"),
    ("protocols", "How to take part"),
    ("responsibility", "Your responsibility"),
    ("views", "Views disclaimer"),
    ("endorsement", "No endorsement"),
    ("contact", "Reporting a violation"),
)
STATEMENTS = ("unrecognized_links", "copyright", "posting_disclaimer")
PAGE_PLACEHOLDERS = frozenset(
    {
        "district",
        "page_name",
        "kind",
        "owner_unit",
        "platform",
        "purpose",
        "audience",
        "security_help",
        "removal_categories",
        "contact_name",
        "contact_title",
        "contact_email",
        "page_word",
        "forum",
    }
)
OWNER_PLACEHOLDERS = PAGE_PLACEHOLDERS | {"name", "title"}
# What owners are asked to do at a monitoring check, unless the page's forum type says.
DEFAULT_MONITORING = (
    "Please look over {page_name}{address} for posts to remove. Remove a post only for one of "
    "the district's reasons, never because of the viewpoint it expresses, and keep a copy of "
    "what you remove."
)


@dataclass(frozen=True)
class NoticeItem:
    """One thing a page must display: a heading and a template. With `kinds` or `forums` it
    is displayed only by pages of those kinds or forum types."""

    heading: str
    text: str
    kinds: tuple[str, ...] = ()
    forums: tuple[str, ...] = ()

    def applies(self, kind: str, forum: str) -> bool:
        return (not self.kinds or kind in self.kinds) and (not self.forums or forum in self.forums)


@dataclass(frozen=True)
class Notices:
    """The district's notices and the three statements that go with them: the one on links
    the district does not recognize (shown with the notices), the copyright reminder and the
    personal posting disclaimer (for owners). `page_word` is the district's word for a page
    (page, account, site)."""

    items: tuple[NoticeItem, ...]
    unrecognized_links: str
    copyright: str
    posting_disclaimer: str
    page_word: str = "page"


@dataclass(frozen=True)
class Forum:
    """A forum type a page can be, as the district declares it (a limited public forum with
    comments on and comment rules linked, a non-public forum with comments off, ...), and
    what its owners check when they monitor it."""

    id: str
    label: str
    monitoring: str
