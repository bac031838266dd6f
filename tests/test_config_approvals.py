"""The approval parts of a district's file: every example loads and says what it means, and
each mistake names its file, its line and what is wrong, with a suggestion where one fits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from workflows.district.config import ConfigError
from workflows.district.loading import parse_config

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"
RIVERSIDE = (EXAMPLES / "riverside-review-chain.toml").read_text()
HILLCREST = (EXAMPLES / "hillcrest-board-approval.toml").read_text()
PRAIRIE = (EXAMPLES / "prairie-valley-co-moderators.toml").read_text()


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_each_example_checks_and_describes_its_chains_in_words(path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check-config", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert f"{path}: OK" in result.stdout
    assert "1. " in result.stdout


def test_the_summary_reads_each_step() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "check-config",
            str(EXAMPLES / "riverside-review-chain.toml"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    said = result.stdout
    assert "1. the administration of the school: the administration of the school" in said
    assert "2. the district supervisor for the school (any one decides); skipped where" in said
    assert '3. review by the technology coach of the school, who confirms "I walked' in said
    assert (
        "4. the district office (IT and communications): the IT director and the director of "
        "communications (every one of them must approve)"
    ) in said


CASES = [
    (
        RIVERSIDE,
        'roles = ["tech_coach"]',
        'roles = ["tech_coch"]',
        "chains.school_pages.steps[3].roles: no role 'tech_coch'; did you mean 'tech_coach'?",
        'roles = ["tech_coch"]',
    ),
    (
        RIVERSIDE,
        "tech_coach = [",
        "tech_cooch = [",
        "'tech_cooch' is not one of the [school_roles.*] in this file; did you mean 'tech_coach'?",
        "roles = { administration",
    ),
    (
        RIVERSIDE,
        'confirm = "I walked',
        'comment = "I walked',
        'chains.school_pages.steps[3] is a review: add confirm = "...", the statement',
        "[[chains.school_pages.steps]]",
    ),
    (
        RIVERSIDE,
        'chain = "school_pages"',
        'chain = "school_page"',
        "there is no [chains.school_page] in this file; did you mean 'school_pages'?",
        'chain = "school_page"',
    ),
    (
        RIVERSIDE,
        'needs = "all"',
        'needs = "every"',
        "chains.school_pages.steps[4].needs must be one of any, all, not 'every'",
        'needs = "every"',
    ),
    (
        RIVERSIDE,
        'route = "superintendent"',
        'route = "superintendent"\nchain = "school_pages"',
        "[page_kinds.school] sets route and chain; use only one",
        'chain = "school_pages"',
    ),
    (
        RIVERSIDE,
        'director"\npeople = ["carla.ng@riverside',
        'director"\npeople = ["carla.ngg@riverside',
        "carla.ngg@riverside.example.org is not listed under [[people]]",
        'people = ["carla.ngg',
    ),
    (
        RIVERSIDE,
        "[roles.communications]",
        "[roles.superintendent]",
        "'superintendent' is built in",
        "[roles.superintendent]",
    ),
    (
        HILLCREST,
        'kind = "date"',
        'kind = "datetime"',
        "must be one of text, long_text, date, number, not 'datetime'; did you mean 'date'?",
        'kind = "datetime"',
    ),
    (
        PRAIRIE,
        "max = 4",
        "max = 20",
        "page_kinds.classroom.owners.max can be at most 11",
        "max = 20",
    ),
    (
        PRAIRIE,
        'must_include = ["{school}"]',
        'must_include = ["{principal}"]',
        "unknown placeholder {principal}; use {district}, {school}",
        'must_include = ["{principal}"]',
    ),
]


@pytest.mark.parametrize(("text", "old", "new", "message", "at"), CASES)
def test_a_mistake_in_the_approval_rules_names_its_line(
    text: str, old: str, new: str, message: str, at: str
) -> None:
    assert old in text, f"the example no longer contains {old!r}"
    changed = text.replace(old, new, 1)
    with pytest.raises(ConfigError) as raised:
        parse_config(changed, "district.toml")
    assert message in raised.value.message
    line = changed.splitlines()[raised.value.line - 1]
    assert at in line, f"line {raised.value.line} is {line!r}"


def test_a_published_field_in_a_notice_must_be_asked_by_every_kind() -> None:
    district_field = PRAIRIE[PRAIRIE.index("[[page_kinds.district.fields]]") :]
    district_field = district_field[
        : district_field.index("published = true") + len("published = true")
    ]
    with pytest.raises(ConfigError) as raised:
        parse_config(PRAIRIE.replace(district_field, ""), "district.toml")
    assert raised.value.message == (
        "notices.purpose uses {posting_frequency}, but page kind 'district' does not publish it; "
        "add the field to every page kind it is for"
    )


def _keys(value: object, path: tuple[str, ...] = ()) -> set[str]:
    """Every setting name a file uses (not the ids a district chooses for its own things)."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= _keys(item, path)
    elif isinstance(value, dict):
        for key, item in value.items():
            if path[-1:] in (("roles",), ("school_roles",), ("chains",), ("page_kinds",)) and (
                len(path) == 1 or path[-2:-1] == ("schools",)
            ):
                found |= _keys(item, (*path, "<id>"))  # a district's own id
                continue
            if path in (("platforms",), ("forums",)):
                found |= _keys(item, (*path, "<id>"))
                continue
            if not isinstance(item, dict | list) or (
                isinstance(item, list) and item and not isinstance(item[0], dict)
            ):
                found.add(key)
            found |= _keys(item, (*path, key))
    return found


def test_every_setting_the_examples_use_is_documented() -> None:
    import tomllib

    docs = (ROOT / "docs" / "configuration.md").read_text()
    used = set()
    for path in EXAMPLES.glob("*.toml"):
        used |= _keys(tomllib.loads(path.read_text()))
    undocumented = sorted(key for key in used if f"`{key}`" not in docs)
    assert not undocumented, f"docs/configuration.md does not describe {undocumented}"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_the_schools_a_person_holds_are_those_naming_them(path: Path) -> None:
    """Principals, backup approvers and school role holders, looked up in an index made once:
    the same schools, in the same order, as reading every school."""
    config = parse_config(path.read_text(), str(path))
    emails = {person.email for person in config.people} | {"nobody@example.org"}
    for email in sorted(emails):
        scanned = tuple(
            school
            for school in config.schools
            if email in school.principals
            or email == school.backup_approver
            or any(email in holders for _, holders in school.roles)
        )
        assert config.schools_held_by(email) == scanned, email
    assert any(config.schools_held_by(email) for email in emails)
