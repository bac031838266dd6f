"""Reading the notice parts of the district's file: the regulation's number and clause titles,
forum types, and the notices every page displays (the district's own list, or the eight named
notices of earlier files)."""

from __future__ import annotations

import difflib
import string

from workflows.district.config import PageKind
from workflows.district.notices import (
    DEFAULT_MONITORING,
    NAMED_NOTICES,
    OWNER_PLACEHOLDERS,
    PAGE_PLACEHOLDERS,
    STATEMENTS,
    Forum,
    NoticeItem,
    Notices,
)
from workflows.district.reader import Table, dotted
from workflows.kernel.policy import AR_1114_TITLES, Regulation, Rule


def read_regulation(table: Table | None) -> Regulation:
    """`[regulation]`: number, name and clause titles; AR 1114's where the file is silent."""
    if table is None:
        return Regulation()
    number = table.text("number")
    name = table.text("name", Regulation().name)
    titles = dict(AR_1114_TITLES)
    clauses = table.optional_table("clauses")
    if clauses is not None:
        for key in clauses.names():
            if key not in {rule.value for rule in Rule}:
                close = difflib.get_close_matches(key, [rule.value for rule in Rule], n=1)
                hint = f"did you mean '{close[0]}'?" if close else "see docs/configuration.md"
                raise clauses.problem(key, f"regulation.clauses: no clause '{key}'; {hint}")
            titles[Rule(key)] = clauses.text(key)
        clauses.finish()
    table.finish()
    return Regulation(number, name, tuple(titles.items()))


def read_forums(root: Table) -> tuple[Forum, ...]:
    """`[forums.<id>]`: the forum types a page can be, and what owners check on each."""
    forums = []
    for forum_id, table in root.optional_named_tables("forums"):
        monitoring = table.text("monitoring", DEFAULT_MONITORING)
        _placeholders(table, "monitoring", monitoring, frozenset({"page_name", "address"}))
        forums.append(Forum(forum_id, table.text("label"), monitoring))
        table.finish()
    return tuple(forums)


def read_notices(table: Table, kinds: tuple[PageKind, ...], forums: tuple[Forum, ...]) -> Notices:
    """`[notices]`: the district's list (`[[notices.items]]`) or the eight named notices, and
    the statements. A template may use the answer to a published request field when every
    page kind the template is for asks it."""
    named = [key for key, _ in NAMED_NOTICES if table.has(key)]
    if named and table.has("items"):
        raise table.problem(
            named[0],
            "notices: list the notices either as [[notices.items]] or as the eight named "
            "notices (purpose, security, ...), not both",
        )
    page_word = table.text("page_word", "page")
    if table.has("items"):
        items = tuple(_item(entry, kinds, forums) for entry in table.tables("items"))
    else:
        items = tuple(NoticeItem(heading, table.text(key)) for key, heading in NAMED_NOTICES)
        for key, _ in NAMED_NOTICES:
            _check_template(table, key, table.text(key), PAGE_PLACEHOLDERS, kinds)
    statements = {}
    for key in STATEMENTS:
        template = table.text(key)
        allowed = OWNER_PLACEHOLDERS if key == "posting_disclaimer" else PAGE_PLACEHOLDERS
        _check_template(table, key, template, allowed, kinds)
        statements[key] = template
    table.finish()
    return Notices(items, page_word=page_word, **statements)


def _item(table: Table, kinds: tuple[PageKind, ...], forums: tuple[Forum, ...]) -> NoticeItem:
    heading = table.text("heading")
    text = table.text("text")
    only_kinds = table.words("kinds", ())
    _known(table, "kinds", only_kinds, [kind.id for kind in kinds], "page_kinds")
    only_forums = table.words("forums", ())
    _known(table, "forums", only_forums, [forum.id for forum in forums], "forums")
    for_kinds = tuple(kind for kind in kinds if not only_kinds or kind.id in only_kinds)
    _check_template(table, "text", text, PAGE_PLACEHOLDERS, for_kinds)
    table.finish()
    return NoticeItem(heading, text, only_kinds, only_forums)


def _known(table: Table, key: str, given: tuple[str, ...], known: list[str], section: str) -> None:
    for name in given:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise table.problem(key, f"{dotted((*table.path, key))}: no [{section}.{name}]{hint}")


def _check_template(
    table: Table,
    key: str,
    template: str,
    allowed: frozenset[str],
    kinds: tuple[PageKind, ...],
) -> None:
    published = {q.id for kind in kinds for q in kind.questions if q.published}
    used = _placeholders(table, key, template, allowed | published)
    for field in sorted(used & published):
        lacking = [kind.id for kind in kinds if field not in _published(kind)]
        if lacking:
            raise table.problem(
                key,
                f"{dotted((*table.path, key))} uses {{{field}}}, but page kind '{lacking[0]}' "
                "does not publish it; add the field to every page kind it is for",
            )


def _published(kind: PageKind) -> set[str]:
    return {question.id for question in kind.questions if question.published}


def _placeholders(
    table: Table, key: str, template: str, allowed: frozenset[str] | set[str]
) -> set[str]:
    where = dotted((*table.path, key))
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        raise table.problem(key, f"{where}: {error} (write {{{{ and }}}} for braces)") from None
    for name in sorted(names):
        if name not in allowed:
            choices = ", ".join("{" + option + "}" for option in sorted(allowed))
            raise table.problem(key, f"{where}: unknown placeholder {{{name}}}; use {choices}")
    return names
