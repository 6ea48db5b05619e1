"""The reports page and the printable board pack in a real headless Chromium; screenshots go to build/screenshots/."""
import pytest

from tests import reports_seed as seed
from tests.e2e.conftest import ARGS, CHROMIUM, SHOTS, serving
from web import create_app

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")]


@pytest.fixture
def server(container, clock):
    clock.set(seed.AS_OF)
    cases = seed.generate_year()
    seed.insert(container, cases)
    seed.add_learning(container, cases)
    seed.add_user(container, "board_lead", {"IA": ["governance"], "ST": ["governance"]}, group_wide=True)
    with serving(create_app(container, RATELIMIT_ENABLED=False)) as url:
        yield url


@pytest.fixture
def page(server):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server + "/login")
        page.fill("#username", "board_lead")
        page.fill("#password", "correct horse battery")
        page.click("button[type=submit]")
        yield page
        browser.close()


def test_reports_page_draws_charts_and_tables_without_console_errors(page, server):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(server + "/reports/?scope=group&period=2025-Q2")
    assert page.locator("h1").inner_text().startswith("Reports")
    assert page.locator("svg.chart").count() >= 9
    assert page.locator("table.report-table").count() == 12  # the outcomes decided at each stage included
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "reports-page.png"), full_page=True)
    assert not errors


def test_board_pack_prints_to_a_clean_a4_pdf(page, server, tmp_path):
    page.goto(server + "/reports/pack?scope=IA&period=2025-06")
    assert page.locator(".pack-cover h1").inner_text() == "Monthly complaints and compliments report"
    page.screenshot(path=str(SHOTS / "board-pack.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.locator(".no-print").evaluate("e => getComputedStyle(e).display") == "none"
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 3
    (tmp_path / "board-pack.pdf").write_bytes(pdf)  # not kept in docs: a PDF carries its creation time
