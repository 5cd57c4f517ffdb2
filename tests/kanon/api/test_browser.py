"""The web page in headless Chromium: type a post, see the highlights and k, apply a rewrite."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.kanon.api.conftest import API_KEY, POST

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
DOCS_SHOT = Path(__file__).resolve().parents[3] / "docs" / "screenshot.png"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason="needs the Debian packages chromium and chromium-driver (make browser installs them)",
    ),
]


@pytest.fixture()
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1000"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    yield driver
    driver.quit()


def test_type_highlight_and_rewrite(browser, server, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 30)
    browser.get(server.url + "/")
    # the key, entered in the page, kept in sessionStorage
    browser.find_element(By.CSS_SELECTOR, "details.key summary").click()
    browser.find_element(By.ID, "api-key").send_keys(API_KEY)
    browser.find_element(By.ID, "save-key").click()
    assert browser.execute_script("return sessionStorage.getItem('kanon-api-key')") == API_KEY

    box = browser.find_element(By.ID, "post")
    box.send_keys(POST)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#preview mark.disclosure")) >= 3)
    marks = browser.find_elements(By.CSS_SELECTOR, "#preview mark.disclosure")
    labels = {m.get_attribute("data-label") for m in marks}
    assert {"Age", "Occupation", "Location"} <= labels
    assert any("Leeds" in m.text for m in marks if m.get_attribute("data-label") == "Location")
    k_el = browser.find_element(By.ID, "k-words")
    wait.until(lambda d: k_el.get_attribute("data-k"))
    k_before = float(k_el.get_attribute("data-k"))
    assert "match this" in k_el.text and k_el.get_attribute("aria-live") == "polite"

    # the first item of the side list is the riskiest: the city
    first = browser.find_element(By.CSS_SELECTOR, "#drivers li")
    assert first.text.startswith("Place:")
    first.find_element(By.CSS_SELECTOR, "button.suggest").click()
    wait.until(lambda d: first.find_elements(By.CSS_SELECTOR, "button.alt"))
    alts = first.find_elements(By.CSS_SELECTOR, "button.alt")
    browser.save_screenshot(str(tmp_path / "suggestions.png"))
    alts[0].click()

    wait.until(lambda d: box.get_attribute("value") != POST)
    assert "Leeds" not in box.get_attribute("value")
    wait.until(lambda d: k_el.get_attribute("data-k") and float(k_el.get_attribute("data-k")) > k_before)
    shot = tmp_path / "after-rewrite.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    DOCS_SHOT.parent.mkdir(exist_ok=True)
    shutil.copyfile(tmp_path / "suggestions.png", DOCS_SHOT)


FLOOR_POST = "I'm a 41 year old pharmacist in Lyon, France. My wife and I have three kids. We live near Lyon."


def test_the_floor_case_reads_coherently(browser, server):
    """At k = 1 each item's "without it" matches its own "leave it out", and the page speaks words."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 30)
    browser.get(server.url + "/")
    key = browser.find_element(By.CSS_SELECTOR, "details.key")
    # the key panel comes before the post, where a person meets it first
    assert key.location["y"] < browser.find_element(By.ID, "post").location["y"]
    key.find_element(By.CSS_SELECTOR, "summary").click()
    browser.find_element(By.ID, "api-key").send_keys(API_KEY)
    browser.find_element(By.ID, "save-key").click()

    box = browser.find_element(By.ID, "post")
    box.send_keys(FLOOR_POST)
    k_el = browser.find_element(By.ID, "k-words")
    wait.until(lambda d: k_el.get_attribute("data-k"))
    assert float(k_el.get_attribute("data-k")) == 1.0
    # the focus ring is the accent colour, not the error red
    assert "179, 38, 30" not in browser.execute_script(
        "return getComputedStyle(document.getElementById('post')).outlineColor")

    items = browser.find_elements(By.CSS_SELECTOR, "#drivers li")
    assert len(items) >= 3
    for li in items:
        said = li.find_element(By.CSS_SELECTOR, ".factor").text  # "Without it, about 9 thousand people would match (...)."
        m = re.match(r"Without it, (?:still )?(only about 1 person|about [\d.,]+(?: thousand| million| billion)? people)", said)
        assert m, said
        li.find_element(By.CSS_SELECTOR, "button.suggest").click()
        wait.until(lambda d: li.find_elements(By.CSS_SELECTOR, "button.alt"))
        alts = li.find_elements(By.CSS_SELECTOR, "button.alt")
        leave = [a for a in alts if a.get_attribute("data-kind") == "removal"
                 and a.get_attribute("data-scope") == "this mention"]
        assert leave, [a.text for a in alts]
        assert leave[0].text.splitlines()[-1].startswith(m.group(1) + " would match"), (said, leave[0].text)
        for a in alts:
            assert "(grounded)" not in a.text and ", France" not in a.text and "France, " not in a.text
    for tag in browser.find_elements(By.CSS_SELECTOR, "#preview .tag"):
        assert "_" not in tag.text and tag.text == tag.text.lower()
