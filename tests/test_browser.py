"""The pages as a person meets them: a real headless Chromium runs the query page and follows links."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from rdflib import RDFS, Graph, URIRef
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.needs("chromium")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,1000"):
        options.add_argument(flag)
    # Chromium leaves a folder of its own in the temporary folder at every run: in pytest's, which it tidies
    scratch = {**os.environ, "TMPDIR": str(tmp_path_factory.mktemp("chromium"))}
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver"), env=scratch), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def wait_for_results(browser):
    WebDriverWait(browser, 20).until(ready.presence_of_element_located((By.CSS_SELECTOR, "#results #status")))


def test_query_page_runs_a_competency_question_with_labelled_results(browser, server):
    browser.get(server.url + "/sparql")
    assert "Query" in browser.title
    # the editor is the installed YASGUI one, and nothing on the page came from elsewhere
    WebDriverWait(browser, 20).until(ready.presence_of_element_located((By.CSS_SELECTOR, "#editor .CodeMirror")))
    sources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert sources and all(s.startswith(server.url) for s in sources), sources
    browser.find_element(By.PARTIAL_LINK_TEXT, "CQ16").click()
    wait_for_results(browser)
    assert "query=" in browser.current_url
    assert "CARMP" in browser.execute_script("return window.gmgEditor.getValue()")
    table = browser.find_element(By.CSS_SELECTOR, "#results table").text
    assert "Department for International Development" in table and "https://w3id.org" not in table
    # the answer's IRIs lead to the resources' pages on this server
    browser.find_element(By.CSS_SELECTOR, '#results td a[href^="/id/"]').click()
    WebDriverWait(browser, 15).until(ready.presence_of_element_located((By.TAG_NAME, "h1")))
    assert "/id/" in browser.current_url and browser.find_element(By.TAG_NAME, "h1").text


def test_results_page_through_download_and_share(browser, server, tmp_path):
    browser.get(server.url + "/sparql")
    WebDriverWait(browser, 20).until(ready.presence_of_element_located((By.CSS_SELECTOR, "#editor .CodeMirror")))
    browser.execute_script("window.gmgEditor.setValue(arguments[0])",
                           "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                           "SELECT ?thing ?label WHERE { ?thing rdfs:label ?label } ORDER BY ?thing ?label")
    browser.find_element(By.ID, "run").click()
    wait_for_results(browser)
    first_page = browser.find_element(By.CSS_SELECTOR, "#results table tbody tr").text
    assert "rows 1–50 shown" in browser.find_element(By.ID, "status").text
    browser.find_element(By.CSS_SELECTOR, "#results a[rel=next]").click()
    wait_for_results(browser)
    assert "rows 51–100 shown" in browser.find_element(By.ID, "status").text
    assert browser.find_element(By.CSS_SELECTOR, "#results table tbody tr").text != first_page
    shared, table = browser.current_url, browser.find_element(By.CSS_SELECTOR, "#results table").text

    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.find_element(By.LINK_TEXT, "CSV").click()
    target = tmp_path / "results.csv"
    WebDriverWait(browser, 20).until(lambda _: target.exists() and target.stat().st_size > 0)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].strip() == "thing,label" and len(lines) > 100

    # the URL is the query: a new tab opened on it shows the same table
    original = browser.current_window_handle
    browser.switch_to.new_window("tab")
    try:
        browser.get(shared)
        wait_for_results(browser)
        assert browser.find_element(By.CSS_SELECTOR, "#results table").text == table
    finally:
        browser.close()
        browser.switch_to.window(original)


def test_a_bad_query_shows_the_parser_message_and_position(browser, server):
    browser.get(server.url + "/sparql?query=" + "SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%7D")
    error = WebDriverWait(browser, 15).until(ready.presence_of_element_located((By.CSS_SELECTOR, "#results .error")))
    assert "error at 1:" in error.text and "^" in error.text
    assert error.get_attribute("data-line") == "1"


def test_home_page_leads_to_a_resource_page_and_its_neighbours(browser, server):
    browser.get(server.url + "/")
    browser.find_element(By.LINK_TEXT, "Resources").click()
    WebDriverWait(browser, 15).until(ready.presence_of_element_located((By.TAG_NAME, "h1")))
    assert browser.find_element(By.TAG_NAME, "h1").text == "World Bank"
    browser.find_element(By.LINK_TEXT, "Central Asian Regional Migration Programme").click()
    WebDriverWait(browser, 15).until(ready.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Central Asian"))
    assert "/id/carmp" in browser.current_url


def test_a_resource_page_shows_the_articles_words_beside_each_fact(browser, server):
    browser.get(server.url + "/id/world-bank")
    funding = browser.find_element(By.CSS_SELECTOR, 'li.fact[data-fact$="/funding/world-bank-mirpal-2009-2010"]')
    sentence = funding.find_element(By.CSS_SELECTOR, "p.sentence").text
    assert sentence.startswith("World Bank funded") and "$300,000" in sentence
    quote = funding.find_element(By.CSS_SELECTOR, "ol.evidence q.quote")
    assert quote.is_displayed() and "$300,000" in quote.text
    # the quote sits right under its fact, and its place in the article is a link
    assert quote.location["y"] - funding.location["y"] < 120
    assert funding.find_element(By.CSS_SELECTOR, "ol.evidence a.where").get_attribute("href").endswith(
        "/id/passage/s3-p5-h")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", funding)
    save_screenshot(browser, "resource-entry-world-bank")
    # "mentioned in" is folded until opened
    mentioned = browser.find_element(By.CSS_SELECTOR, "section.mentioned-in details")
    assert not mentioned.find_element(By.CSS_SELECTOR, "ol a").is_displayed()
    # follow a relationship to the programme it took place in
    relationship = browser.find_element(
        By.CSS_SELECTOR, 'li.fact[data-fact$="/relationship/cooperation-world-bank-iom-organized-recruitment"]')
    assert relationship.find_element(By.CSS_SELECTOR, "q.quote").is_displayed()
    relationship.find_element(By.CSS_SELECTOR, 'p.sentence a[href="/id/carmp"]').click()
    WebDriverWait(browser, 15).until(ready.url_to_be(server.url + "/id/carmp"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Central Asian Regional Migration Programme"
    assert browser.find_element(By.CSS_SELECTOR, "p.types").text == "program"  # gmg:Programme
    assert browser.find_elements(By.CSS_SELECTOR, "li.fact q.quote")


def test_the_api_page_works_offline(browser, server):
    browser.get(server.url + "/api")
    WebDriverWait(browser, 20).until(ready.presence_of_element_located((By.CSS_SELECTOR, ".swagger-ui .opblock")))
    assert "/sparql" in browser.find_element(By.CSS_SELECTOR, ".swagger-ui").text
    sources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert sources and all(s.startswith(server.url) for s in sources), sources


def test_search_from_the_home_page_finds_the_world_bank(browser, server):
    browser.get(server.url + "/")
    box = browser.find_element(By.ID, "home-q")
    box.send_keys("world bank")
    box.submit()
    WebDriverWait(browser, 15).until(ready.presence_of_element_located((By.CSS_SELECTOR, "main ol.hits li a")))
    assert "/search?q=world+bank" in browser.current_url
    browser.find_element(By.CSS_SELECTOR, "main ol.hits li a").click()
    WebDriverWait(browser, 15).until(ready.text_to_be_present_in_element((By.TAG_NAME, "h1"), "World Bank"))
    assert browser.current_url.endswith("/id/world-bank")
    save_screenshot(browser, "resource-world-bank")


def test_the_editor_completes_the_ontology_terms_from_here(browser, server):
    browser.get(server.url + "/sparql")
    WebDriverWait(browser, 20).until(ready.presence_of_element_located((By.CSS_SELECTOR, "#editor .CodeMirror")))
    assert browser.execute_script("return Yasqe.defaults.autocompleters") == [
        "gmg-prefixes", "gmg-properties", "gmg-classes", "variables"]
    browser.execute_script(
        "const y = window.gmgEditor; y.setValue('PREFIX gmg: <https://w3id.org/gmg/ontology#>\\n"
        "SELECT * WHERE { ?x a gmg:Progr'); y.focus(); y.setCursor(y.lastLine(), 1000); y.autocomplete();")
    hints = WebDriverWait(browser, 10).until(ready.presence_of_element_located((By.CSS_SELECTOR, ".CodeMirror-hints")))
    assert "gmg:Programme" in hints.text
    save_screenshot(browser, "query-page")
    sources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(s.startswith(server.url) for s in sources), sources


def test_ontology_page_has_one_header_and_term_anchors(browser, server):
    browser.get(server.url + "/ontology#Programme")
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert heading == "Global Migration Governors ontology"
    ontology = Graph().parse(Path(__file__).resolve().parents[1] / "ontology" / "gmg.ttl")
    label = str(ontology.value(URIRef("https://w3id.org/gmg/ontology#Programme"), RDFS.label))
    assert browser.find_element(By.ID, "Programme").find_element(By.TAG_NAME, "h3").text.startswith(label)
    save_screenshot(browser, "ontology")
    browser.get(server.url + "/")
    save_screenshot(browser, "home")


def save_screenshot(browser, name: str) -> None:
    """Screenshots for people to look at, kept as test artifacts (folder from GMG_TEST_ARTIFACTS)."""
    folder = Path(os.environ.get("GMG_TEST_ARTIFACTS", Path(__file__).resolve().parents[1] / ".artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(folder / f"{name}.png"))


def test_ctrl_enter_in_the_editor_runs_the_query_as_a_link(browser, server):
    from selenium.webdriver.common.keys import Keys

    browser.get(server.url + "/sparql")
    WebDriverWait(browser, 20).until(ready.presence_of_element_located((By.CSS_SELECTOR, "#editor .CodeMirror")))
    browser.execute_script("window.gmgEditor.setValue('ASK { ?s ?p ?o }'); window.gmgEditor.focus()")
    browser.find_element(By.CSS_SELECTOR, "#editor .CodeMirror textarea").send_keys(Keys.CONTROL, Keys.ENTER)
    WebDriverWait(browser, 15).until(ready.presence_of_element_located((By.CSS_SELECTOR, "#results .boolean")))
    assert "query=ASK" in browser.current_url
    assert "true" in browser.find_element(By.CSS_SELECTOR, "#results .boolean").text


def test_network_view_opens_a_node_page_when_a_node_is_clicked(browser, server):
    browser.get(server.url + "/network")
    WebDriverWait(browser, 15).until(ready.presence_of_element_located((By.CSS_SELECTOR, "svg.network a.node")))
    save_screenshot(browser, "network")
    sources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(s.startswith(server.url) for s in sources), sources
    node = browser.find_element(By.CSS_SELECTOR, 'svg.network a.node[href="/id/mirpal"]')
    label = node.find_element(By.TAG_NAME, "text").text
    node.click()
    WebDriverWait(browser, 15).until(ready.url_to_be(server.url + "/id/mirpal"))
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert heading and heading.startswith(label.rstrip("…"))


def test_charts_draw_hedged_figures_apart(browser, server):
    browser.get(server.url + "/charts")
    WebDriverWait(browser, 15).until(ready.presence_of_element_located((By.CSS_SELECTOR, "svg.chart a.figure")))
    hedged = browser.find_elements(By.CSS_SELECTOR, "svg.chart a.figure.hedged rect")
    stated = browser.find_elements(By.CSS_SELECTOR, "svg.chart a.figure:not(.hedged) rect")
    assert hedged and stated
    # as the browser paints them: hedged bars are hollow, stated ones filled
    fill = "return getComputedStyle(arguments[0]).fill"
    assert all(browser.execute_script(fill, r) == "rgb(255, 255, 255)" for r in hedged)
    assert all(browser.execute_script(fill, r) != "rgb(255, 255, 255)" for r in stated)
    browser.execute_script("arguments[0].scrollIntoView()", browser.find_element(By.CSS_SELECTOR, "svg.chart"))
    save_screenshot(browser, "charts")
