"""The playground in a real browser: a teacher asks, the principal approves, the page goes live.

Headless Chromium (Debian's, installed by scripts/ensure-browser.sh) clicks the real buttons of
`python -m bot` running in local mode. With UPDATE_SCREENSHOTS=1 it refreshes the README's
screenshots in docs/screenshots.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from tests.browsing import (  # noqa: E402
    CHROMEDRIVER,
    CHROMIUM,
    SCREENSHOTS,
    WAIT,
    chromium,
    free_port,
    running_bot,
)

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Chromium is not installed; scripts/ensure-browser.sh installs it (make test runs it)",
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    with running_bot(tmp_path / "data", free_port()) as base:
        yield base + "/"


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """docs/screenshots when asked to refresh the README's pictures, else a scratch folder."""
    return SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    driver = chromium(tmp_path / "chromium")
    yield driver
    driver.quit()


def wait_for(driver: WebDriver, what: str, css: str, text: str = "") -> WebElement:
    """The last element matching `css` (containing `text`), once the page shows it."""

    def found(d: WebDriver) -> WebElement | bool:
        matches = [e for e in d.find_elements(By.CSS_SELECTOR, css) if text in e.text]
        return matches[-1] if matches else False

    # The conversation is redrawn after every action, so an element seen may be replaced.
    wait = WebDriverWait(driver, WAIT, 0.1, ignored_exceptions=(StaleElementReferenceException,))
    return wait.until(found, message=f"the page never showed {what}")


def become(driver: WebDriver, name: str) -> None:
    who = Select(driver.find_element(By.ID, "who"))
    who.select_by_visible_text(next(o.text for o in who.options if o.text.startswith(name)))


def say(driver: WebDriver, text: str) -> None:
    box = driver.find_element(By.ID, "message")
    box.send_keys(text, Keys.ENTER)


def test_a_teacher_asks_the_principal_approves_and_the_page_goes_live(
    site: str, browser: WebDriver, screenshots: Path
) -> None:
    browser.get(site)
    wait_for(browser, "the people", "#who option", "Tom Baker")
    become(browser, "Tom Baker")
    say(browser, "/request-page")
    form = wait_for(browser, "the request form", "form.form", "Request an official page")
    browser.save_screenshot(str(screenshots / "request-form.png"))

    # Sending it empty: the browser or the bot points at what is missing; nothing is sent.
    Select(form.find_element(By.NAME, "kind")).select_by_visible_text("Classroom page")
    Select(form.find_element(By.NAME, "school")).select_by_visible_text("Lincoln Elementary")
    Select(form.find_element(By.NAME, "platform")).select_by_visible_text("Facebook")
    form.find_element(By.NAME, "page_name").send_keys("Room 12 News")
    form.find_element(By.NAME, "purpose").send_keys("Fun")
    form.find_element(By.NAME, "audience").send_keys("Families of Room 12")
    form.find_element(By.NAME, "acknowledged").click()
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = wait_for(
        browser, "the purpose error", '.error[data-for="purpose"]', "at least 20 characters"
    )
    assert error.is_displayed()
    form.find_element(By.NAME, "purpose").send_keys(" news and homework reminders for families.")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(
        browser, "the confirmation", "article.card", "went to the principal of Lincoln Elementary"
    )

    # The principal sees the request with the three buttons.
    become(browser, "Ana Ruiz")
    card = wait_for(browser, "the approval card", "article.card", "asks to create an official page")
    labels = [
        b.text for b in card.find_elements(By.CSS_SELECTOR, ".actions > button, .actions summary")
    ]
    assert labels == ["Approve", "Request changes", "Deny"]
    browser.save_screenshot(str(screenshots / "approver-card.png"))
    card.find_element(By.CSS_SELECTOR, 'button[data-action="approve"]').click()
    wait_for(browser, "the decided card", "article.card", "Approved by Ana Ruiz")

    # The teacher gets the notice text and his disclaimer, and confirms the page is live.
    become(browser, "Tom Baker")
    setup = wait_for(browser, "the setup card", "article.card", "Approved: set up Room 12 News")
    assert "1. Purpose of this page:" in setup.text
    assert "Tom Baker, Third Grade Teacher, Lincoln Elementary." in setup.text
    setup.find_element(By.CSS_SELECTOR, "summary").click()
    setup.find_element(By.NAME, "url").send_keys("https://www.facebook.com/room12")
    setup.find_element(By.NAME, "notices_displayed").click()
    setup.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(browser, "the live card", "article.card", "is an active official district page")

    # His pages, and the district's registry, show it.
    say(browser, "/my-pages")
    wait_for(browser, "his pages", "article.card", "Live since")
    say(browser, "/pages")
    registry = wait_for(browser, "the registry", "article.card", "Official pages")
    assert "https://www.facebook.com/room12" in registry.text

    # A week later the monitoring check arrives and is answered with one click.
    browser.find_element(By.CSS_SELECTOR, '.clock button[data-days="7"]').click()
    check = wait_for(
        browser, "the monitoring check", "article.card", "Monitoring check: Room 12 News"
    )
    check.find_element(By.CSS_SELECTOR, 'button[data-action="monitoring_checked"]').click()
    wait_for(
        browser, "the answered check", "article.card", "Checked, nothing to remove, by Tom Baker"
    )
