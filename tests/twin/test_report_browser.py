"""The report pages in a real browser: headless Chromium (Debian's
``chromium`` and ``chromium-driver``, which ``.ci/run`` installs when
missing) driven by selenium, with the network switched off through the
DevTools protocol. Each kind of page loads from ``file://``, logs no
console error and requests nothing, every chart is drawn with a non-zero
size, and the headline figures read off the page equal the result's (a
run's summary, a comparison's base plant, a sweep's store read directly,
``mv.json``, ``claims.json``). The kinds: a run, a comparison, a sweep, an
M&V case and a claims check. A screenshot of the run page is kept in
``out/test-artifacts/``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.twin.test_report import COMPARE_CHARTS, RUN_CHARTS
from tests.twin.test_report_pages import (
    CLAIMS_CHARTS,
    MV_CHARTS,
    SWEEP_CHARTS,
    claims_expected,
    sweep_expected,
)

ARTIFACTS = ROOT / "out" / "test-artifacts"


def _chromium() -> tuple[str, str] | None:
    browser = (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="selenium is not installed (pip install '.[test]')"
    )
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    found = _chromium()
    if found is None:
        pytest.skip(
            "no Chromium and chromedriver on PATH (apt-get install chromium chromium-driver)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        "--allow-file-access-from-files",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(found[1]), options=options)
    except WebDriverException as exc:
        pytest.skip(f"Chromium did not start: {exc.msg}")
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
    )
    yield driver
    driver.quit()


def _load(driver, page: Path) -> None:
    driver.get_log("browser")  # drop anything from before
    driver.get(page.resolve().as_uri())
    assert driver.execute_script("return document.readyState") == "complete"


def _check_page(driver, page: Path, charts: tuple[str, ...], figures: dict) -> None:
    _load(driver, page)
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    # nothing fetched: the only resource is the page itself
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
    sizes = driver.execute_script("""
        const out = {};
        for (const f of document.querySelectorAll('figure.chart')) {
            const svg = f.querySelector('svg');
            const r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
            out[f.dataset.chart] = [r.width, r.height];
        }
        return out;""")
    assert set(charts) <= set(sizes)
    for name, (w, h) in sizes.items():
        assert w > 0 and h > 0, name
    cards = driver.execute_script("""
        return Array.from(document.querySelectorAll('.card')).map(c => [
            c.dataset.key, parseFloat(c.dataset.scale), parseInt(c.dataset.decimals),
            c.querySelector('.value').innerText]);""")
    assert cards
    for key, scale, decimals, text in cards:
        shown = float(text.replace(",", ""))
        assert shown == pytest.approx(round(figures[key] * scale, decimals), abs=1e-9), key


def test_run_page_in_chromium(browser, reference_result_dir):
    summary = json.loads((reference_result_dir / "summary.json").read_text(encoding="utf-8"))
    page = reference_result_dir / "report.html"
    _check_page(browser, page, RUN_CHARTS, summary)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(height + 80, 16000))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report-run.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_compare_page_in_chromium(browser, compare_dir):
    doc = json.loads((compare_dir / "compare.json").read_text(encoding="utf-8"))
    _check_page(browser, compare_dir / "report.html", COMPARE_CHARTS, doc["variants"][0])


def test_sweep_page_in_chromium(browser, sweep_dir):
    _check_page(browser, sweep_dir / "report.html", SWEEP_CHARTS, sweep_expected(sweep_dir))


def _flat(doc, prefix=""):
    if not isinstance(doc, dict):
        return {prefix[:-1]: doc}
    out = {}
    for k, v in doc.items():
        out.update(_flat(v, f"{prefix}{k}."))
    return out


def test_mv_page_in_chromium(browser, mv_dir):
    doc = json.loads((mv_dir / "mv.json").read_text(encoding="utf-8"))
    _check_page(browser, mv_dir / "report.html", MV_CHARTS, _flat(doc))
    shown = browser.find_element("css selector", ".verdict").text
    assert shown == doc["verdict"]


def test_claims_page_in_chromium(browser, claims_dir):
    _check_page(browser, claims_dir / "report.html", CLAIMS_CHARTS, claims_expected(claims_dir))
    claims = json.loads((claims_dir / "claims.json").read_text(encoding="utf-8"))
    verdicts = [
        e.get_attribute("data-verdict")
        for e in browser.find_elements("css selector", ".claim .verdict")
    ]
    assert verdicts == [f"{c['name']}: {c['verdict']}" for c in claims]
