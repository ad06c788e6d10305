"""The pages as a person meets them: a real headless Chromium runs the query page and follows links."""

from __future__ import annotations

import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait

pytestmark = pytest.mark.needs("chromium")


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_query_page_runs_an_example_and_shows_the_answer(browser, server):
    browser.get(server.url + "/sparql")
    assert "SPARQL" in browser.title or "gmg" in browser.title
    examples = Select(browser.find_element(By.ID, "examples"))
    cq16 = next(o.text for o in examples.options if o.text.startswith("CQ16"))
    examples.select_by_visible_text(cq16)
    assert "CARMP" in browser.find_element(By.ID, "query").get_attribute("value")
    browser.find_element(By.ID, "run").click()
    WebDriverWait(browser, 15).until(ready.presence_of_element_located((By.CSS_SELECTOR, "#results table tbody tr")))
    table = browser.find_element(By.ID, "results").text
    assert "Department for International Development" in table
    assert "row" in browser.find_element(By.ID, "status").text
    # the answer's IRIs lead to the resources' pages on this server
    link = browser.find_element(By.CSS_SELECTOR, '#results a[href^="/id/"]')
    link.click()
    WebDriverWait(browser, 15).until(ready.presence_of_element_located((By.TAG_NAME, "h1")))
    assert "/id/" in browser.current_url and browser.find_element(By.TAG_NAME, "h1").text


def test_a_bad_query_shows_the_parser_message(browser, server):
    browser.get(server.url + "/sparql")
    editor = browser.find_element(By.ID, "query")
    editor.clear()
    editor.send_keys("SELECT * WHERE { ?s ?p }")
    browser.find_element(By.ID, "run").click()
    WebDriverWait(browser, 15).until(ready.presence_of_element_located((By.CSS_SELECTOR, "#results .error")))
    assert "400" in browser.find_element(By.ID, "status").text
    assert browser.find_element(By.CSS_SELECTOR, "#results .error").text.strip()


def test_home_page_leads_to_a_resource_page_and_its_neighbours(browser, server):
    browser.get(server.url + "/")
    browser.find_element(By.LINK_TEXT, "Resources").click()
    WebDriverWait(browser, 15).until(ready.presence_of_element_located((By.TAG_NAME, "h1")))
    assert browser.find_element(By.TAG_NAME, "h1").text == "World Bank"
    browser.find_element(By.LINK_TEXT, "Central Asian Regional Migration Programme").click()
    WebDriverWait(browser, 15).until(ready.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Central Asian"))
    assert "/id/carmp" in browser.current_url
