"""In real Chromium: an IA analyst lengthens the acknowledgement timer of IA's own process (built on the group
diagram, so held to the group policy), sees the clause it breaks, justifies it to submit; governance sees the breach
with the justification, replays it against IA's running case and rejects the version."""
import re

import pytest

from processes.accounts import hash_password
from scheduler import replay_versions
from tests.e2e.conftest import CHROMIUM, PASSWORD, shot, sign_in
from tests.e2e.people import public_complaint

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")]

TIMER, NAME = "triage_acknowledgement_due", "Acknowledgement due"
BREACH = "Timer 'Acknowledgement due' gives 4 working days; group policy 3.1.2 requires at most 3 working days"
WHY = "Pilot over the Christmas closure, agreed with the PSRD director until 31 January"


@pytest.fixture(scope="module")
def people(served):
    with served["container"].uow() as uow:
        ia = uow.divisions.by_code("IA")  # IA runs its own process, as divisions.json ships it
        ia.config = {**ia.config, "processes": {**ia.config["processes"], "complaint": "ia_complaint"}}
        for username, role in (("ia.analyst.e2e", "process_analyst"), ("ia.governance.e2e", "governance")):
            user = uow.users.add(username=username, display_name=username.title(), email=f"{username}@example.org",
                                 password_hash=hash_password(PASSWORD))
            uow.users.add_membership(user.id, ia.id, role)
        uow.commit()
    return served


def set_timer(page, expression):
    """Select the acknowledgement timer with the element finder and change it in the properties panel."""
    page.wait_for_selector("#modeler-canvas[data-ready=true]", timeout=30_000)
    header = page.locator(".bio-properties-panel-header-label")
    for _ in range(40):  # the panel takes a moment after import before it follows the selection
        page.select_option("#element-picker", "")
        page.select_option("#element-picker", TIMER)
        if header.count() and header.first.inner_text() == NAME:
            break
        page.wait_for_timeout(250)
    group = page.locator('[data-group-id="group-timer"]')
    if not group.locator(".bio-properties-panel-group-entries.open").count():
        group.locator(".bio-properties-panel-group-header").click()
    field = page.locator("#bio-properties-panel-timerEventDefinitionValue")
    field.fill(expression)
    field.press("Tab")
    page.wait_for_selector("#save-form[data-dirty=true]")


def test_an_analyst_sees_the_clause_a_longer_acknowledgement_breaks_and_governance_rejects_it(page, people):
    base = people["url"]
    running = public_complaint(page, base, "IA", "My appointments keep moving")[0]  # a case the replay reads
    sign_in(page, base, "ia.analyst.e2e")
    page.goto(base + "/modeler/")
    page.locator("[aria-labelledby='p-ia_complaint'] a", has_text="Open").first.click()
    page.select_option("#file-choice", "shared/intake.bpmn")
    page.click(".file-picker button[type=submit]")
    set_timer(page, "working_days_after(complaint_received_at, 4)")
    page.click("#save-button")
    page.wait_for_url(re.compile(r".*/modeler/versions/\d+\?file=shared/intake.bpmn"))

    # Validation names the clause against the timer; nothing else is wrong.
    report = page.locator("#validation-report")
    assert "Validation found 1 problem" in report.inner_text()
    breach = report.locator(f"li.policy-breach[data-element='{TIMER}']")
    assert "Policy breach, group policy 3.1.2" in breach.inner_text() and BREACH in breach.inner_text()
    draft_url = page.url

    # Submitting without saying why is refused, and the breach's field says what is missing.
    page.fill("#f-change-note", "Acknowledge within 4 working days over the Christmas closure")
    justification = page.locator("#policy-justifications [data-breach] textarea")
    assert justification.count() == 1
    page.click("#submit-button")
    assert "1 policy breach needs a justification" in page.locator(".error-summary").inner_text()
    assert "Say why group policy 3.1.2 may be breached" in page.locator("#policy-justifications").inner_text()
    assert page.url.startswith(draft_url.split("?")[0])

    # With a justification the version goes to review.
    page.locator("#policy-justifications [data-breach] textarea").fill(WHY)
    shot(page, "modeler-policy-breach")
    page.click("#submit-button")
    page.wait_for_url(re.compile(r".*/governance/versions/\d+$"))
    review_url = page.url

    # Governance (another person) sees the breach and the justification as their own line, and rejects it.
    sign_in(page, base, "ia.governance.e2e")
    page.goto(review_url)
    section = page.locator("#policy-check")
    assert "Breaches 1 rule of the group policy" in section.inner_text()
    assert "bpmn/policy_rules/group.yaml" in section.inner_text()
    line = section.locator(f"li.policy-breach[data-element='{TIMER}']")
    assert "group policy 3.1.2" in line.inner_text() and BREACH in line.inner_text()
    assert f"Justification by the author: {WHY}" in line.inner_text()
    assert "acknowledged within 3 working days of receipt" in line.inner_text()
    shot(page, "review-policy-breach")

    # Before deciding, governance replays the proposal against the last months of cases; the worker makes the
    # report, its progress shown meanwhile. A period outside 1-24 months is refused on its field.
    page.fill("#f-replay-months", "30")
    page.click("#replay-button")
    assert "from 1 to 24" in page.locator("#f-replay-months-error").inner_text()
    page.fill("#f-replay-months", "6")
    page.click("#replay-button")
    assert "Replay queued" in page.locator(".notice, .flash, [role=status]").first.inner_text()
    waiting = page.locator("#replay-waiting").inner_text()
    assert "last 6 months" in waiting and "0 of ? cases done" in waiting
    assert replay_versions(people["container"]) == 1
    page.reload()
    assert "cases of the last 6 months" in page.locator("#replay-summary").inner_text()
    assert "1 later" in page.locator("#replay-totals").inner_text()
    row = page.locator(f"#replay-report tr[data-reference='{running}']")
    assert "Acknowledgement due: Wed 30 Dec 2026, 23:59 → Thu 31 Dec 2026, 23:59 (+1 working day)" in row.inner_text()
    shot(page, "review-replay")
    page.fill("#f-review-note", "3.1.2 is not ours to waive; ask the policy owner to change the policy first")
    page.click("#reject-button")
    assert page.locator("#version-state").inner_text() == "Rejected"
    with people["container"].uow() as uow:
        version = uow.versions.get(int(review_url.rsplit("/", 1)[1]))
        assert version.state == "rejected" and version.policy_check["breaches"][0]["justification"] == WHY
        assert uow.versions.published("ia_complaint").number == 1
