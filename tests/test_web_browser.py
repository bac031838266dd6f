"""The public directory and the dashboard in a real browser, at desktop and phone widths,
by keyboard, with axe-core finding no WCAG 2.1 AA violation; the playground passes the same
check. With UPDATE_SCREENSHOTS=1 it refreshes the README's screenshots in docs/screenshots."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("selenium.webdriver")
pytest.importorskip("axe_core_python")
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from storage.tinydb_store import TinyDBStore
from tests.browsing import (
    CHROMEDRIVER,
    CHROMIUM,
    SCREENSHOTS,
    WAIT,
    axe_violations,
    chromium,
    free_port,
    overflows,
    running_bot,
)
from tests.fakes import FakeClock, SequentialIds
from tests.generated import live_page
from tests.stories import ask_for_page
from workflows.district.loading import load_config
from workflows.engine import Engine
from workflows.kernel.model import AuditEntry, ModerationAction, Person
from workflows.kernel.policy import Regulation, Rule
from workflows.kernel.ports import Changes

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Chromium is not installed; scripts/ensure-browser.sh installs it (make test runs it)",
)
TOM = Person("tom.baker@example.org", "Tom Baker", "Third Grade Teacher, Lincoln Elementary")
DANA = "dana.whitfield@example.org"
# An address as long as people paste: it must wrap on a phone, not widen the page.
LONG = "https://www.facebook.com/profile.php?id=100089451234567890123456789&sk=about_details"


async def seed(folder: Path) -> None:
    """A registry of 60 pages (one with a very long address) with a term of monitoring and
    a few removals behind them, and a request waiting."""
    clock = FakeClock()
    store = await TinyDBStore.open(folder)
    term = clock.now() - timedelta(weeks=12)
    pages = [live_page(n, TOM, term) for n in range(1, 61)]
    pages[0] = dataclasses.replace(pages[0], url=LONG)
    for n, reason in ((1, "off_purpose"), (2, "obscene"), (3, "commercial"), (4, "off_purpose")):
        removed = ModerationAction(term + timedelta(days=9 * n), TOM, reason, "A post", "Saved")
        pages[n] = dataclasses.replace(pages[n], moderation=(removed,))
    await store.commit(Changes(pages=tuple(pages)))
    clause = Regulation().cite(Rule.MONITORING)
    checks = [
        AuditEntry(term + timedelta(weeks=week, hours=n), TOM.email, action, f"PAGE-{n}", clause)
        for week in range(12)
        for n in range(1, 61, 3)
        for action in ["MonitoringChecked" if (n + week) % 7 else "MonitoringOverdue"]
    ]
    await store.commit(Changes(audit=tuple(checks)))
    engine = Engine(load_config(None), store, clock, SequentialIds())
    assert (await engine.handle(ask_for_page(TOM, page_name="Room 99 News"))).accepted
    await store.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("web") / "data"
    asyncio.run(seed(folder))
    with running_bot(folder, free_port()) as base:
        yield base


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    driver = chromium(tmp_path / "chromium")
    yield driver
    driver.quit()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path


def wait_for(driver: Any, what: str, css: str, text: str = "") -> Any:
    def found(d: Any) -> Any:
        matches = [e for e in d.find_elements(By.CSS_SELECTOR, css) if text in e.text]
        return matches[-1] if matches else False

    wait = WebDriverWait(driver, WAIT, 0.1, ignored_exceptions=(StaleElementReferenceException,))
    return wait.until(found, message=f"the page never showed {what}")


def tab_to(driver: Any, matches: Any, limit: int = 60) -> Any:
    """Press Tab until the focused element is the one wanted (keyboard only)."""
    for _ in range(limit):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        focused = driver.switch_to.active_element
        if matches(focused):
            return focused
    raise AssertionError("the keyboard never reached it")


def accessible(driver: Any, where: str) -> None:
    problems = axe_violations(driver)
    assert not problems, f"{where}: " + "; ".join(problems)


def phone(driver: Any) -> None:
    driver.set_window_size(320, 800)
    assert driver.execute_script("return window.innerWidth") <= 360


def sign_in_link(base: str, email: str) -> str:
    """What `dashboard` answers in the playground's chat: the one-time link."""
    say = json.dumps({"as": email, "text": "dashboard"}).encode()
    post = urllib.request.Request(
        f"{base}/playground/say", say, {"Content-Type": "application/json"}
    )
    urllib.request.urlopen(post, timeout=WAIT).read()
    with urllib.request.urlopen(
        f"{base}/playground/conversation?as={email}", timeout=WAIT
    ) as answer:
        entries = json.loads(answer.read())["entries"]
    found = re.search(r'href="([^"]*/dashboard/sign-in/[^"]+)"', entries[-1]["html"])
    assert found, "the playground's answer holds no sign-in link"
    return found.group(1)


def test_the_public_directory_by_keyboard_at_desktop_and_phone_widths(
    site: str, browser: Any, shots: Path
) -> None:
    browser.get(f"{site}/official")
    wait_for(browser, "the directory", "h1", "Official social media pages")
    accessible(browser, "the directory")
    browser.save_screenshot(str(shots / "directory-desktop.png"))
    box = tab_to(browser, lambda e: e.get_attribute("id") == "address")
    box.send_keys("https://www.facebook.com/room7?mibextid=abc", Keys.ENTER)
    wait_for(browser, "the answer", ".result", "Yes: an official")
    accessible(browser, "the directory's answer")
    link = tab_to(browser, lambda e: e.text == "Room 2")
    link.send_keys(Keys.ENTER)
    wait_for(browser, "the page's notices", "h2", "Notices")
    accessible(browser, "a public page")
    browser.get(f"{site}/official?page=2")
    wait_for(browser, "the second page of results", "p[role=status]", "page 2 of 2")

    fit_a_phone(browser, site, "/official", "/official/PAGE-1")
    browser.get(f"{site}/official")
    browser.save_screenshot(str(shots / "directory-phone.png"))


def test_the_dashboard_by_keyboard_at_desktop_and_phone_widths(
    site: str, browser: Any, shots: Path
) -> None:
    browser.get(sign_in_link(site, DANA))
    accessible(browser, "the sign-in page")
    button = tab_to(browser, lambda e: e.tag_name == "button" and e.text == "Sign in")
    button.send_keys(Keys.ENTER)
    wait_for(browser, "the overview", "h1", "Overview")
    accessible(browser, "the overview")
    browser.set_window_size(1280, 1900)  # the whole overview, figures included
    browser.save_screenshot(str(shots / "dashboard-desktop.png"))
    browser.set_window_size(1280, 1100)

    browser.get(f"{site}/dashboard/pages?sort=school")
    wait_for(browser, "the registry", "h1", "Registry")
    accessible(browser, "the registry")
    browser.get(f"{site}/dashboard/pages/PAGE-1")
    wait_for(browser, "the page", "h2", "Timeline")
    accessible(browser, "a page")
    retire = wait_for(browser, "the retire button", "summary", "Retire page")
    assert retire.is_displayed()

    browser.get(f"{site}/dashboard/requests")
    wait_for(browser, "the requests", "h1", "Requests")
    accessible(browser, "the requests")

    fit_a_phone(browser, site, "/dashboard", "/dashboard/pages", "/dashboard/pages/PAGE-1")
    browser.get(f"{site}/dashboard")
    browser.save_screenshot(str(shots / "dashboard-phone.png"))


def test_an_approver_approves_from_the_dashboard_by_keyboard(site: str, browser: Any) -> None:
    browser.get(sign_in_link(site, "ana.ruiz@example.org"))
    tab_to(browser, lambda e: e.text == "Sign in").send_keys(Keys.ENTER)
    wait_for(browser, "the overview", "a", "Waiting for your decision: Room 99 News")
    tab_to(browser, lambda e: e.text.startswith("Waiting for your decision")).send_keys(Keys.ENTER)
    wait_for(browser, "the request", "h1", "Room 99 News")
    accessible(browser, "the request")
    tab_to(browser, lambda e: e.text == "Approve").send_keys(Keys.ENTER)
    wait_for(browser, "the outcome", "h1", "Done")
    accessible(browser, "the outcome")


def test_the_playground_passes_the_same_check_and_fits_a_phone(site: str, browser: Any) -> None:
    browser.get(f"{site}/")
    wait_for(browser, "the people", "#who option", "Tom Baker")
    accessible(browser, "the playground")
    phone(browser)
    who = Select(browser.find_element(By.ID, "who"))
    who.select_by_visible_text(next(o.text for o in who.options if o.text.startswith("Tom")))
    box = browser.find_element(By.ID, "message")
    box.send_keys("/my-pages", Keys.ENTER)
    wait_for(browser, "his pages", "article.card", LONG[:30])
    assert not overflows(browser), "a card with a long address widens the playground on a phone"
    accessible(browser, "the playground on a phone")


def fit_a_phone(browser: Any, site: str, *paths: str) -> None:
    """At a phone's width, each of `paths` opens, never scrolls sideways and passes axe."""
    phone(browser)
    for path in paths:
        browser.get(site + path)
        wait_for(browser, "the page", "h1")
        assert not overflows(browser), f"{path} scrolls sideways on a phone"
        accessible(browser, f"{path} on a phone")
