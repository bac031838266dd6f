"""The district's configuration file: the example works, and mistakes point at their line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from workflows.district.config import ConfigError
from workflows.district.loading import example_text, load_config, parse_config

EXAMPLE = example_text()
ROOT = Path(__file__).resolve().parent.parent


def broken(old: str, new: str) -> str:
    assert old in EXAMPLE, f"the example no longer contains {old!r}"
    return EXAMPLE.replace(old, new, 1)


def line_with(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_the_built_in_district_has_everything_the_regulation_needs() -> None:
    config = load_config(None)
    assert {kind.id for kind in config.kinds} >= {"classroom", "team", "school", "district"}
    assert {p.id for p in config.platforms} >= {
        "facebook",
        "instagram",
        "x",
        "youtube",
        "linkedin",
        "blog",
        "other",
    }
    assert len(config.removal_reasons) == 9
    assert config.person("ANA.RUIZ@example.org") is not None  # emails match in any case


def test_the_documented_example_is_the_built_in_district() -> None:
    docs = (ROOT / "docs" / "configuration.md").read_text("utf-8")
    block = re.search(r"```toml\n(.*?)```", docs, re.DOTALL)
    assert block is not None, "docs/configuration.md should show the full example"
    assert block.group(1) == EXAMPLE


LEGACY = (ROOT / "tests" / "fixtures" / "district-0.1.0.toml").read_text()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("views = ", "veiws = ", "unknown setting 'notices.veiws'; did you mean 'views'?"),
        (
            "Please communicate on this page",
            "{principal} asks you to communicate on this page",
            "notices.protocols: unknown placeholder {principal}",
        ),
    ],
)
def test_a_mistake_in_the_eight_named_notices_of_earlier_files_names_its_line(
    old: str, new: str, message: str
) -> None:
    changed = LEGACY.replace(old, new, 1)
    with pytest.raises(ConfigError) as raised:
        parse_config(changed, "district.toml")
    assert message in raised.value.message
    assert raised.value.line == line_with(changed, new)


@pytest.mark.parametrize(
    ("old", "new", "fragment", "message"),
    [
        (
            'principals = ["ana.ruiz@example.org"]',
            'principals = ["ana.ruiz"]',
            'principals = ["ana.ruiz"]',
            "schools[1].principals: 'ana.ruiz' is not an email",
        ),
        (
            'principals = ["robert.kim@example.org"]',
            'principals = ["bob.kim@example.org"]',
            "bob.kim@example.org",
            "bob.kim@example.org is not listed under [[people]]; add their name and title",
        ),
        (
            'route = "superintendent"\nneeds_school = false\n\n[page_kinds.district]',
            'route = "board"\nneeds_school = false\n\n[page_kinds.district]',
            'route = "board"',
            "route must be 'principal' or 'superintendent', not 'board'",
        ),
        (
            'time_zone = "America/Los_Angeles"',
            'time_zone = "Pacific"',
            'time_zone = "Pacific"',
            "district.time_zone: unknown time zone 'Pacific' (try 'America/Chicago')",
        ),
        (
            'heading = "Views disclaimer"',
            'hedaing = "Views disclaimer"',
            "hedaing = ",
            "unknown setting 'notices.items[6].hedaing'; did you mean 'heading'?",
        ),
        (
            "Protocols for users: users are expected",
            "{principal} expects users",
            "{principal} expects users",
            "notices.items[4].text: unknown placeholder {principal}",
        ),
        (
            'id = "roosevelt"',
            'id = "lincoln"',
            'id = "lincoln"',
            "schools: 'lincoln' appears twice",
        ),
    ],
)
def test_a_mistake_names_the_file_the_line_and_the_problem(
    old: str, new: str, fragment: str, message: str
) -> None:
    text = broken(old, new)
    with pytest.raises(ConfigError) as raised:
        parse_config(text, "district.toml")
    error = raised.value
    assert error.source == "district.toml"
    assert message in error.message
    # Duplicates point at the second occurrence; everything else at the line that was changed.
    expected = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line][-1]
    assert error.line == expected, str(error)
    assert str(error).startswith(f"district.toml:{expected}: ")


def test_a_missing_setting_is_named() -> None:
    text = broken('contact = "dana.whitfield@example.org"\n', "")
    with pytest.raises(ConfigError, match=r"'contact' is missing from \[district\]"):
        parse_config(text, "district.toml")


def test_broken_toml_points_at_the_line() -> None:
    text = broken('name = "Lincoln Elementary"', 'name = "Lincoln Elementary')
    with pytest.raises(ConfigError) as raised:
        parse_config(text, "district.toml")
    assert raised.value.line == line_with(text, 'name = "Lincoln Elementary')
    assert "not valid TOML" in raised.value.message


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the file"):
        load_config(tmp_path / "missing.toml")


def test_check_config_prints_a_summary_or_the_problem(tmp_path: Path) -> None:
    good = subprocess.run(
        [sys.executable, "-m", "bot", "check-config"], capture_output=True, text=True, cwd=ROOT
    )
    assert good.returncode == 0, good.stderr
    assert "built-in example district: OK" in good.stdout
    assert "Lincoln Elementary [lincoln]: ana.ruiz@example.org" in good.stdout

    bad_file = tmp_path / "district.toml"
    bad_file.write_text(broken("[[people]]", "[[peeple]]"))
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "check-config", str(bad_file)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert bad.returncode == 2
    assert f"{bad_file}:" in bad.stderr and "peeple" in bad.stderr
