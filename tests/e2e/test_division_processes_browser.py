"""In real Chromium: Employability UK changes its own acknowledgement timer; the other divisions keep theirs.

EUK's analyst edits the timer in the modeler and submits; Interventions Alliance governance can neither see nor
approve the draft; a second EUK governance user approves and publishes it. New complaints made on the public form
then get EUK's new deadline while IA's and Pluss's keep the group policy's three working days.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

import bootstrap
from cli import init
from processes.clock import SettableClock
from settings import Settings
from storage import models as m
from tests.conftest import WED_23_DEC_2026, add_categories
from tests.e2e.conftest import PASSWORD, serving, shot, sign_in
from tests.e2e.people import public_complaint

pytestmark = pytest.mark.e2e
TIMER, TIMER_NAME, FILE = "triage_acknowledgement_due", "Acknowledgement due", "shared/intake.bpmn"
THREE_DAYS = datetime(2026, 12, 30, 23, 59, 59, tzinfo=timezone.utc)  # 3 working days after Wed 23 Dec 2026
FIVE_DAYS = datetime(2027, 1, 4, 23, 59, 59, tzinfo=timezone.utc)  # 5 (Christmas, Boxing Day and New Year off)
WHY = "EUK's DWP contract gives five working days to acknowledge; agreed with the group policy owner"
PEOPLE = {"euk.analyst": [("EUK", "process_analyst")], "euk.governance": [("EUK", "governance")],
          "euk.governance2": [("EUK", "governance")], "ia.governance": [("IA", "governance")],
          "ia.analyst": [("IA", "process_analyst")], "group.analyst": [("IA", "process_analyst")]}
GROUP_WIDE = {"group.analyst"}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """The product as shipped: each division on its own process (no test routing), served on a free port."""
    from processes.accounts import hash_password
    from web import create_app
    folder = tmp_path_factory.mktemp("divisions")
    clock = SettableClock(WED_23_DEC_2026)
    container = bootstrap.build(Settings(database_url=f"sqlite:///{folder}/e2e.sqlite", clock="demo"), clock=clock)
    init(container)
    add_categories(container)
    with container.uow() as uow:
        divisions = {d.code: d for d in uow.divisions.all()}
        for username, memberships in PEOPLE.items():
            user = uow.users.add(username=username, display_name=username.replace(".", " ").title(),
                                 email=f"{username}@example.org", password_hash=hash_password(PASSWORD),
                                 is_group_wide=username in GROUP_WIDE)
            for code, role in memberships:
                uow.users.add_membership(user.id, divisions[code].id, role)
        uow.commit()
    with serving(create_app(container, TESTING=False)) as url:
        yield {"url": url, "container": container}
    container.engine.dispose()


def acknowledgement_due(container, reference: str) -> tuple[str, list[datetime]]:
    """The process a case runs on and its running acknowledgement deadlines."""
    with container.session_factory() as session:
        case = session.scalars(select(m.Case).where(m.Case.reference == reference)).one()
        version = session.get(m.ProcessVersion, case.version_id)
        rows = session.scalars(select(m.Deadline).where(m.Deadline.case_id == case.id,
                                                       m.Deadline.element_id == TIMER))
        return version.process_key, [row.due_at.replace(tzinfo=timezone.utc) if row.due_at.tzinfo is None
                                     else row.due_at for row in rows if row.status == "running"]


def version_rows(container) -> list[tuple]:
    with container.session_factory() as session:
        return [(v.id, v.process_key, v.number, v.state, v.sha256, v.reviewer_id, v.review_note)
                for v in session.scalars(select(m.ProcessVersion).order_by(m.ProcessVersion.id))]


def set_timer(page, expression: str) -> None:
    """Select the acknowledgement timer in the element finder and change it in the properties panel."""
    page.wait_for_selector("#modeler-canvas[data-ready=true]", timeout=30_000)
    header = page.locator(".bio-properties-panel-header-label")
    for _ in range(40):  # the panel takes a moment after import before it follows the selection
        page.select_option("#element-picker", "")
        page.select_option("#element-picker", TIMER)
        if header.count() and header.first.inner_text() == TIMER_NAME:
            break
        page.wait_for_timeout(250)
    group = page.locator('[data-group-id="group-timer"]')
    if not group.locator(".bio-properties-panel-group-entries.open").count():
        group.locator(".bio-properties-panel-group-header").click()
    field = page.locator("#bio-properties-panel-timerEventDefinitionValue")
    field.fill(expression)
    field.press("Tab")
    page.wait_for_selector("#save-form[data-dirty=true]")


def test_employability_uk_changes_its_acknowledgement_timer_and_only_its_new_cases_follow(shipped, page):
    base, container = shipped["url"], shipped["container"]
    earlier = public_complaint(page, base, "EUK", "Nobody called me back about my placement.")[0]
    assert acknowledgement_due(container, earlier) == ("euk_complaint", [THREE_DAYS])

    # EUK's analyst sees only EUK's process, opens the intake diagram and gives acknowledgement five working days.
    sign_in(page, base, "euk.analyst")
    page.goto(f"{base}/modeler/")
    listed = page.inner_text("main")
    assert "euk_complaint" in listed and "ia_complaint" not in listed and "pl_complaint" not in listed
    page.locator("[aria-labelledby='p-euk_complaint'] a", has_text="Open").first.click()
    page.select_option("#file-choice", FILE)
    with page.expect_navigation():
        page.click(".file-picker button[type=submit]")
    set_timer(page, "working_days_after(complaint_received_at, 5)")
    page.click("#save-button")
    page.wait_for_url(re.compile(r".*/modeler/versions/\d+\?file=.*"))
    # Five days breaks group policy 3.1.2, which EUK answers to: the analyst says why, and governance will see it.
    assert "validation found 1 problem" in page.locator(".notice").inner_text()
    breach = page.locator(f"#validation-report li.policy-breach[data-element='{TIMER}']")
    assert "group policy 3.1.2" in breach.inner_text()
    page.fill("#f-change-note", "EUK acknowledges within 5 working days")
    page.locator("#policy-justifications [data-breach] textarea").fill(WHY)
    page.click("#submit-button")
    page.wait_for_url(re.compile(r".*/governance/versions/\d+$"))
    review_url = page.url

    # Interventions Alliance governance: the draft is not listed, and a direct request is refused, changing nothing.
    before = version_rows(container)
    sign_in(page, base, "ia.governance")
    page.goto(f"{base}/governance/")
    assert "euk_complaint" not in page.inner_text("main") and "5 working days" not in page.inner_text("main")
    page.goto(f"{base}/governance/audit")
    assert "euk_complaint" not in page.inner_text("main")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert page.request.get(review_url).status == 403
    for action in ("approve", "reject", "publish"):
        refused = page.request.post(f"{review_url}/{action}", form={"review_note": "fine", "csrf_token": token})
        assert refused.status == 403, action
    assert version_rows(container) == before

    # A second person, EUK governance, finds it waiting, approves and publishes it.
    sign_in(page, base, "euk.governance2")
    page.goto(f"{base}/governance/")
    page.locator("table a", has_text="Review v2").click()
    assert page.url == review_url
    assert "Employability UK" in page.inner_text("main")
    justified = page.locator(f"#policy-check li.policy-breach[data-element='{TIMER}']")
    assert "group policy 3.1.2" in justified.inner_text()
    assert f"Justification by the author: {WHY}" in justified.inner_text()
    change = page.locator(f".change-list li[data-element='{TIMER}']")
    assert change.inner_text() == (f"Timer '{TIMER_NAME}' changed from working_days_after(complaint_received_at, 3) "
                                   "to working_days_after(complaint_received_at, 5)")
    page.fill("#f-review-note", "EUK's contract asks for five working days")
    page.click("#approve-button")
    page.wait_for_selector("#publish-button")
    shot(page, "division-review")
    page.click("#publish-button")
    # publishing is confirmed first, with the forecast counting EUK's own intake only
    forecast = page.locator("#publish-forecast").inner_text()
    assert forecast == ("It will govern fewer than 1 new case a week: 1 case came in over the last 4 weeks "
                        "from Employability UK (1).")
    page.click("#confirm-publish-button")
    assert page.locator("#version-state").inner_text() == "Published (in force)"
    page.goto(f"{base}/governance/audit")
    published = page.locator("tr", has_text="Published").first.inner_text()
    assert "euk_complaint v2" in published and "EUK" in published and "euk.governance2" in published

    # New complaints: EUK's gets the new deadline, IA's and Pluss's keep theirs, the earlier EUK case keeps its own.
    euk = public_complaint(page, base, "EUK", "My adviser cancelled twice.")[0]
    ia = public_complaint(page, base, "IA", "My probation appointment was moved without notice.")[0]
    pl = public_complaint(page, base, "PL", "The support worker did not turn up.")[0]
    assert acknowledgement_due(container, euk) == ("euk_complaint", [FIVE_DAYS])
    assert acknowledgement_due(container, ia) == ("ia_complaint", [THREE_DAYS])
    assert acknowledgement_due(container, pl) == ("pl_complaint", [THREE_DAYS])
    assert acknowledgement_due(container, earlier) == ("euk_complaint", [THREE_DAYS])
    with container.uow() as uow:
        assert [v.number for v in uow.versions.for_process("ia_complaint")] == [1]
        assert [v.number for v in uow.versions.for_process("pl_complaint")] == [1]


def test_interventions_alliance_analyst_cannot_open_or_save_employability_uks_process(shipped, page):
    base, container = shipped["url"], shipped["container"]
    with container.uow() as uow:
        euk_version = uow.versions.published("euk_complaint").id
    before = version_rows(container)
    sign_in(page, base, "ia.analyst")
    page.goto(f"{base}/modeler/")
    assert "euk_complaint" not in page.inner_text("main") and "ia_complaint" in page.inner_text("main")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert page.request.get(f"{base}/modeler/versions/{euk_version}").status == 403
    saved = page.request.post(f"{base}/modeler/versions/{euk_version}/save",
                              form={"file": "bundle.json", "content": "{}", "csrf_token": token})
    assert saved.status == 403
    assert version_rows(container) == before


def test_a_group_wide_analyst_proposes_one_change_to_the_other_group_divisions(shipped, page):
    """The change is made once on IA's process and proposed to Pluss's; IA governance still cannot review the
    Pluss draft, which waits for Pluss's own governance."""
    base, container = shipped["url"], shipped["container"]
    sign_in(page, base, "group.analyst")
    page.goto(f"{base}/modeler/")
    page.locator("[aria-labelledby='p-ia_complaint'] a", has_text="Open").first.click()
    page.select_option("#file-choice", FILE)
    with page.expect_navigation():
        page.click(".file-picker button[type=submit]")
    set_timer(page, "working_days_after(complaint_received_at, 4)")
    page.click("#save-button")
    page.wait_for_url(re.compile(r".*/modeler/versions/\d+\?file=.*"))
    offered = page.locator("#propose-panel input[name=process]")
    assert {offered.nth(i).get_attribute("value") for i in range(offered.count())} == {
        "euk_complaint", "pl_complaint", "group_complaint"}  # group-wide, so the shared base too; not IA itself
    assert "run by Pluss Organisation CIC" in page.inner_text("#propose-panel")
    page.check("#f-process-pl_complaint")
    with page.expect_navigation():
        page.click("#propose-button")
    assert re.search(r"Drafts created: pl_complaint v2", page.locator(".notice").first.inner_text())
    with container.uow() as uow:
        [draft] = [v for v in uow.versions.for_process("pl_complaint") if v.state == "draft"]
        assert "working_days_after(complaint_received_at, 4)" in draft.files[FILE]
        assert [v.state for v in uow.versions.for_process("euk_complaint")][-1] != "draft"
        draft_id = draft.id
    before = version_rows(container)
    sign_in(page, base, "ia.governance")
    assert page.request.get(f"{base}/governance/versions/{draft_id}").status == 403
    assert version_rows(container) == before
