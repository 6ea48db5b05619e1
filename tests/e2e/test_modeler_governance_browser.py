"""In real headless Chromium: an analyst changes the acknowledgement timer, governance reviews, publishes, migrates.

Screenshots of the modeler, the review page and the migration preview go to build/screenshots/.
"""
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from storage import models as m
from tests.e2e.conftest import CHROMIUM, SHOTS, serving
from tests.e2e.people import public_complaint
from tests.governance_support import PASSWORD, add_user
from web import create_app

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "web" / "static" / "build" / "diagrams.js"
TRAINING = (ROOT / "bpmn" / "training_complaint" / "bundle.json").exists()
# The Training diagram once it has landed; the demo diagram otherwise. Both acknowledge within 5 working days.
SETUP = dict(process="training_complaint", division="ST", timer="triage_due", name="Acknowledgement due",
             expression="working_days_after(complaint_received_at, {})") if TRAINING else dict(
    process="demo_complaint", division="IA", timer="triage_deadline", name="Triage deadline",
    expression="working_days_after(received_at, {})")
OLD_DUE = datetime(2027, 1, 4, 23, 59, 59, tzinfo=timezone.utc)  # 5 working days after Wed 23 Dec 2026
NEW_DUE = datetime(2026, 12, 30, 23, 59, 59, tzinfo=timezone.utc)  # 3 working days

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
              pytest.mark.skipif(not BUILD.exists(), reason="needs the front-end build (cd frontend && npm run build)")]


@pytest.fixture
def server(container, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("one browser run is enough; it uses SQLite")
    with container.session_factory() as session, session.begin():
        division = session.scalars(select(m.Division).where(m.Division.code == SETUP["division"])).one()
        division.config = {**division.config, "processes": {**division.config["processes"],
                                                            "complaint": SETUP["process"]}}
    add_user(container, "ana", "process_analyst", "governance", division=SETUP["division"])
    add_user(container, "gill", "governance", division=SETUP["division"])
    with serving(create_app(container, RATELIMIT_ENABLED=False)) as url:
        yield url


@pytest.fixture
def browser(server, browser):
    """The session's Chromium; every page a test opens has a context of its own, closed when the test ends."""
    before = set(browser.contexts)
    yield browser
    for context in browser.contexts:
        if context not in before:
            context.close()


def sign_in(browser, server, username):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/(inbox|cases|modeler|governance|reports).*|.*/$"))
    return page


def set_timer(page, expression):
    """Select the acknowledgement timer from the element finder and change it in the properties panel."""
    page.wait_for_selector("#modeler-canvas[data-ready=true]", timeout=30_000)
    header = page.locator(".bio-properties-panel-header-label")
    for _ in range(40):  # the panel takes a moment after import before it follows the selection
        page.select_option("#element-picker", "")
        page.select_option("#element-picker", SETUP["timer"])
        if header.count() and header.first.inner_text() == SETUP["name"]:
            break
        page.wait_for_timeout(250)
    group = page.locator('[data-group-id="group-timer"]')
    if not group.locator(".bio-properties-panel-group-entries.open").count():
        group.locator(".bio-properties-panel-group-header").click()
    field = page.locator("#bio-properties-panel-timerEventDefinitionValue")
    field.fill(expression)
    field.press("Tab")
    page.wait_for_selector("#save-form[data-dirty=true]")


def pick(page, element_id, shows):
    """Choose an element in the finder until the runtime-settings box shows `shows` (the modeler settles first)."""
    for _ in range(40):
        page.select_option("#element-picker", "")
        page.select_option("#element-picker", element_id)
        if page.locator(shows).count():
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"{element_id} was never shown in the runtime settings")


def deadlines(container, reference):
    with container.session_factory() as session:
        case = session.scalars(select(m.Case).where(m.Case.reference == reference)).one()
        rows = session.scalars(select(m.Deadline).where(m.Deadline.case_id == case.id,
                                                       m.Deadline.element_id == SETUP["timer"]))
        return case.version_id, [row.due_at for row in rows if row.status == "running"]


def test_an_analyst_changes_the_acknowledgement_timer_and_governance_publishes_and_migrates(
        browser, server, container):
    SHOTS.mkdir(parents=True, exist_ok=True)
    public = browser.new_context().new_page()  # a member of the public, on the division's form
    older = public_complaint(public, server, SETUP["division"], "Older complaint")[0]
    assert deadlines(container, older)[1] == [OLD_DUE]

    # The analyst opens the diagram, changes the acknowledgement timer in the properties panel and saves a draft.
    analyst = sign_in(browser, server, "ana")
    analyst.goto(server + "/modeler/")
    analyst.locator(f"[aria-labelledby='p-{SETUP['process']}'] a", has_text="Open").first.click()
    set_timer(analyst, SETUP["expression"].format(3))
    analyst.screenshot(path=str(SHOTS / "modeler.png"))
    analyst.click("#save-button")
    analyst.wait_for_url(re.compile(r".*/modeler/versions/\d+\?file=.*"))
    assert "validation found no problems" in analyst.locator(".notice").inner_text()
    draft_url = analyst.url

    # Validation catches a deliberately broken expression and highlights the timer.
    set_timer(analyst, SETUP["expression"].format("P3D"))
    analyst.click("#save-button")
    analyst.wait_for_url(draft_url)
    report = analyst.locator("#validation-report")
    assert "Validation found 1 problem" in report.inner_text()
    assert "unquoted ISO 8601 duration" in report.inner_text() and SETUP["name"] in report.inner_text()
    analyst.wait_for_selector("#modeler-canvas[data-ready=true]")
    assert SETUP["timer"] in analyst.get_attribute("#modeler-canvas", "data-highlighted").split()
    assert analyst.locator(f"#modeler-canvas .validation-error[data-element-id='{SETUP['timer']}']").count() == 1
    analyst.locator("#validation-report").scroll_into_view_if_needed()
    analyst.screenshot(path=str(SHOTS / "modeler-validation.png"))

    # The analyst fixes it and submits.
    set_timer(analyst, SETUP["expression"].format(3))
    analyst.click("#save-button")
    analyst.wait_for_url(draft_url)
    assert "Validation found no problems" in analyst.locator("#validation-report").inner_text()
    analyst.fill("#f-change-note", "Acknowledge within 3 working days instead of 5")
    analyst.click("#submit-button")
    analyst.wait_for_url(re.compile(r".*/governance/versions/\d+$"))
    review_url = analyst.url

    # The same user, though in governance too, cannot approve it.
    assert analyst.locator("#four-eyes-notice").is_visible() and analyst.locator("#approve-button").count() == 0
    token = analyst.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = analyst.request.post(review_url + "/approve", form={"review_note": "mine", "csrf_token": token})
    assert refused.status == 403 and "four eyes" in refused.text()

    # Governance sees the coloured diff and the change line, then approves and publishes.
    reviewer = sign_in(browser, server, "gill")
    reviewer.goto(review_url)
    reviewer.wait_for_selector("#diff-right[data-ready=true]", timeout=30_000)
    assert SETUP["timer"] in reviewer.get_attribute("#diff-right", "data-changed").split()
    assert reviewer.locator(f"#diff-right .djs-element.diff-changed[data-element-id='{SETUP['timer']}']").count() == 1
    change = reviewer.locator(f".change-list li[data-element='{SETUP['timer']}']")
    assert change.inner_text() == (f"Timer '{SETUP['name']}' changed from {SETUP['expression'].format(5)} "
                                   f"to {SETUP['expression'].format(3)}")
    reviewer.screenshot(path=str(SHOTS / "review.png"), full_page=True)
    reviewer.fill("#f-review-note", "Matches the revised acknowledgement standard")
    reviewer.click("#approve-button")
    reviewer.wait_for_selector("#publish-button")
    reviewer.click("#publish-button")
    assert "new case" in reviewer.locator("#publish-forecast").inner_text()
    reviewer.click("#confirm-publish-button")
    assert reviewer.locator("#version-state").inner_text() == "Published (in force)"

    # A new case gets the new deadline while the older case keeps its old one.
    newer = public_complaint(public, server, SETUP["division"], "Newer complaint")[0]
    assert deadlines(container, newer)[1] == [NEW_DUE] and deadlines(container, older)[1] == [OLD_DUE]

    # The migration preview lists the older case; migrating it changes its pending deadline.
    reviewer.click("#migration-link")
    row = reviewer.locator(f"#migration-preview tr[data-reference='{older}']")
    assert "Yes" in row.inner_text() and "Mon 04 Jan 2027, 23:59 → Wed 30 Dec 2026, 23:59" in row.inner_text()
    assert reviewer.locator(f"#migration-preview tr[data-reference='{newer}']").count() == 0
    reviewer.screenshot(path=str(SHOTS / "migration-preview.png"), full_page=True)
    assert reviewer.locator("#migration-preview input:checked").count() == 0
    reviewer.check(f"#m-{older}")
    reviewer.click("#migrate-button")
    assert reviewer.locator("h1").inner_text().startswith("Move 1 case to v")
    reviewer.click("#confirm-migrate-button")
    assert f"Moved 1 case: {older}." in reviewer.locator(".notice").first.inner_text()
    version_id, due = deadlines(container, older)
    assert due == [NEW_DUE] and version_id == int(review_url.rsplit("/", 1)[1])


def test_the_runtime_settings_box_edits_timers_task_properties_and_conditions(browser, server, container):
    analyst = sign_in(browser, server, "ana")
    analyst.goto(server + "/modeler/")
    analyst.locator(f"[aria-labelledby='p-{SETUP['process']}'] a", has_text="Open").first.click()
    analyst.wait_for_selector("#modeler-canvas[data-ready=true]", timeout=30_000)
    pick(analyst, SETUP["timer"], "#x-use-working-days")
    analyst.fill("#x-days", "7")
    analyst.select_option("#x-from", "received_at")
    analyst.click("#x-use-working-days")
    analyst.wait_for_selector("#element-extras >> text=Now: working_days_after(received_at, 7)")
    analyst.select_option("#x-deadline-kind", "response")
    pick(analyst, "triage", "#x-stage")
    analyst.fill("#x-stage", "first look")
    analyst.press("#x-stage", "Tab")
    analyst.screenshot(path=str(SHOTS / "modeler-runtime-settings.png"))
    analyst.click("#save-button")
    analyst.wait_for_url(re.compile(r".*/modeler/versions/\d+\?file=.*"))
    with container.uow() as uow:
        draft = uow.versions.for_process(SETUP["process"])[-1]
        xml = next(text for name, text in draft.files.items()
                   if name.endswith(".bpmn") and f'id="{SETUP["timer"]}"' in text)
        state, problems = draft.state, draft.validation
    timer = xml[xml.index(f'id="{SETUP["timer"]}"'):]
    assert "working_days_after(received_at, 7)" in timer[:timer.index("</bpmn:boundaryEvent>")]
    assert 'name="deadlineKind" value="response"' in timer[:timer.index("</bpmn:boundaryEvent>")]
    task = xml[xml.index('id="triage"'):]
    assert 'name="stage" value="first look"' in task[:task.index("</bpmn:userTask>")]
    assert state == "draft" and [p for p in problems if p.get("kind") != "policy"] == []
    if TRAINING:  # the acknowledgement timer is now a response timer counted from another date: the policy notices
        assert {(p["rule"], p.get("element")) for p in problems} == {
            ("training-acknowledge-within-5", None), ("training-informal-response-within-20", SETUP["timer"])}


@pytest.mark.skipif(not (ROOT / "bpmn" / "shared" / "eligibility.dmn").exists(),
                    reason="needs the shared decision table")
def test_decision_tables_open_in_dmn_js_and_forms_preview_live_with_the_inbox_renderer(browser, server, container):
    with container.uow() as uow:  # Interventions Alliance's process, so its analyst may open it
        ana = uow.users.by_username("ana")
        uow.users.add_membership(ana.id, uow.divisions.by_code("IA").id, "process_analyst")
        version_id = uow.versions.published("ia_complaint").id
        form = next(name for name in uow.versions.get(version_id).files if name.startswith("forms/"))
        uow.commit()
    analyst = sign_in(browser, server, "ana")
    analyst.goto(f"{server}/modeler/versions/{version_id}?file=shared/eligibility.dmn")
    analyst.wait_for_selector("#dmn-canvas[data-ready=true]", timeout=30_000)
    assert analyst.locator("#source-field").is_hidden() and analyst.locator("#dmn-canvas .djs-container, "
                                                                               "#dmn-canvas .tjs-container").count()
    analyst.screenshot(path=str(SHOTS / "modeler-decision-table.png"))
    analyst.goto(f"{server}/modeler/versions/{version_id}?file={form}")
    source = analyst.locator("#file-content")
    schema = '{"type": "object", "required": ["remedy_sought"], "properties": {"remedy_sought": ' \
             '{"type": "string", "title": "What would put this right?"}}}'
    source.fill(schema)
    analyst.wait_for_selector("#form-preview[data-updated] >> text=What would put this right?")
    assert analyst.locator("#form-preview textarea, #form-preview input").count() >= 1
    analyst.screenshot(path=str(SHOTS / "modeler-form-editor.png"))
