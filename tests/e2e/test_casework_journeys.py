"""Casework journeys through the pages alone, in real Chromium: every step is a click or a typed answer."""
from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import PASSWORD, serious_violations, shot, sign_in
from tests.e2e.people import complainant_asks, public_complaint

pytestmark = pytest.mark.e2e
EXTRA_STAFF = {
    "ia.officer2": [("IA", "investigating_officer")],
    "ia.panel1": [("IA", "appeal_panel")], "ia.panel2": [("IA", "appeal_panel")],
    "ia.panel3": [("IA", "appeal_panel")], "ia.panel4": [("IA", "appeal_panel")],
    "st.team": [("ST", "complaints_team")], "st.tutor": [("ST", "line_manager"), ("ST", "investigating_officer")],
    "st.officer": [("ST", "investigating_officer")], "st.director": [("ST", "psrd_director")],
    "st.panel1": [("ST", "appeal_panel")], "st.panel2": [("ST", "appeal_panel")],
}


@pytest.fixture(scope="module")
def staffed(served):
    """The served product with the extra people these journeys hand work to."""
    from processes.accounts import hash_password
    with served["container"].uow() as uow:
        divisions = {d.code: d for d in uow.divisions.all()}
        password_hash = hash_password(PASSWORD)
        for username, memberships in EXTRA_STAFF.items():
            user = uow.users.add(username=username, display_name=username.replace(".", " ").title(),
                                 email=f"{username}@example.org", password_hash=password_hash)
            for code, role in memberships:
                uow.users.add_membership(user.id, divisions[code].id, role)
        uow.commit()
    return served


# --- what a person does on the pages ---------------------------------------------------------------------------

def from_inbox(page, reference: str, title: str) -> None:
    """Open a task from the signed-in person's own inbox: it must be there."""
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + "/inbox")
    row = page.locator(f"tr:has-text('{reference}'):has-text('{title}')")
    assert row.count() >= 1, f"{title} is not in this inbox"
    row.first.locator("a[href^='/tasks/']").first.click()
    page.wait_for_selector("h1")
    assert title in page.inner_text("h1")


def answer(page, **answers) -> None:
    """Type or choose each answer: True/False pick Yes/No, a list ticks those boxes, text is typed."""
    for name, value in answers.items():
        if value is True:
            page.check(f"#f-{name}")
        elif value is False:
            page.check(f"#f-{name}-1")
        elif isinstance(value, list):
            for item in value:
                page.check(f"input[name='{name}'][value='{item}']")
        elif page.locator(f"input[type=radio][name='{name}']").count():
            page.check(f"input[type=radio][name='{name}'][value='{value}']")
        elif page.locator(f"select[name='{name}']").count():
            page.select_option(f"select[name='{name}']", value)
        else:
            page.fill(f"#f-{name.replace('.', '-')}", value)


def complete(page) -> None:
    """Complete the task; the case page must follow with the task's confirmation."""
    with page.expect_navigation():
        page.click("button[value=complete]")
    errors = page.locator(".error-summary")
    assert errors.count() == 0, errors.first.inner_text()
    assert "/cases/" in page.url and "is complete" in page.content()


def refused(page, field: str) -> str:
    """Complete, expect the same page back with an error at the field; returns the error's words."""
    with page.expect_navigation():
        page.click("button[value=complete]")
    assert "/tasks/" in page.url
    return page.inner_text(f"#f-{field}-error")


def case_summary(page, base: str, reference: str) -> str:
    page.goto(f"{base}/cases/{reference}")
    return page.inner_text("section[aria-labelledby=summary-title]")


def running_deadlines(page) -> list[str]:
    rows = page.locator("section[aria-labelledby=deadlines-title] tbody tr")
    return [rows.nth(i).inner_text() for i in range(rows.count()) if "Running" in rows.nth(i).inner_text()]


NO_MORE = {"misconduct_concern": False, "best_practice_identified": False}


def test_a_group_policy_complaint_goes_through_two_appeals_and_a_reopened_formal_stage_to_closure(staffed, page):
    base = staffed["url"]
    reference, status_url = public_complaint(page, base, "IA", "My adviser missed two appointments.")
    assert re.fullmatch(r"IA-2026-\d{6}", reference)

    # triage and acknowledgement by the complaints team
    sign_in(page, base, "ia.team")
    from_inbox(page, reference, "Assess")
    assert page.input_value("#f-event_date") == "2026-12-01"  # what the public form said, not typed again
    answer(page, about_service_delivery=True, known_date="2026-12-01", provider="seetec",
           complainant_is_service_user=True, on_behalf_of_someone=False, needs_service_user_information=False,
           subject_deceased=False, about_colleague=False, too_serious_for_informal=False)
    complete(page)
    assert "Informal" in case_summary(page, base, reference)
    assert any("working days counted from" in row for row in running_deadlines(page))

    # a line manager allocated from a picker of the division's line managers
    from_inbox(page, reference, "Allocate a line manager")
    assert page.locator("input[name=line_manager][value='ia.team']").count() == 0
    answer(page, line_manager="ia.manager")
    complete(page)

    # the stage 1 response with an action plan
    sign_in(page, base, "ia.manager")
    from_inbox(page, reference, "Investigate and draft")
    answer(page, findings="The adviser was off sick and cover was not arranged.", outcome="partly_upheld",
           response_summary="We are sorry. Cover will be arranged in future.", themes=["appointments"],
           learning_identified=True, **NO_MORE)
    complete(page)
    from_inbox(page, reference, "Complete the action plan")
    answer(page, **{"actions.0.description": "Arrange cover for absent advisers", "actions.0.review_on": "2026-12-01"},
           discussed_with_colleague_and_manager=True)
    owner = page.locator("select[name='actions.0.owner'], input[name='actions.0.owner'][type=radio]")
    assert owner.count() >= 1 and page.locator("input[name='actions.0.owner'][type=text]").count() == 0  # a picker
    if page.locator("select[name='actions.0.owner']").count():
        page.select_option("select[name='actions.0.owner']", "ia.manager")
    else:
        page.check("input[name='actions.0.owner'][value='ia.manager']")
    assert "Choose a day after today (Wed 23 Dec 2026)" in refused(page, "actions-0-review_on")
    page.fill("#f-actions-0-review_on", "2026-12-24")
    complete(page)

    # the complainant escalates; the acknowledgement shows their reasons
    complainant_asks(page, status_url, "escalation_requested", "Nobody said why cover was not arranged.")
    sign_in(page, base, "ia.team")
    assert "Formal" in case_summary(page, base, reference)
    formal = [row for row in running_deadlines(page) if "Formal" in row]
    assert formal and all("working days counted from Wed 23 Dec 2026" in row for row in formal)
    from_inbox(page, reference, "Acknowledge the escalation")
    assert "Nobody said why cover was not arranged." in page.inner_text("#judged")
    assert page.input_value("#f-reasons_for_dissatisfaction") == "Nobody said why cover was not arranged."
    complete(page)

    # an independent officer: the line manager who answered stage 1 is not offered, and the page says why
    from_inbox(page, reference, "Allocate an independent investigating officer")
    assert page.locator("input[name=investigating_officer][value='ia.manager']").count() == 0
    assert "took part earlier in this case: Ia Manager" in page.inner_text("#f-investigating_officer-hint")
    answer(page, investigating_officer="ia.officer")
    complete(page)

    sign_in(page, base, "ia.officer")
    from_inbox(page, reference, "Investigate and draft")
    answer(page, findings="Rota gaps confirmed.", outcome="partly_upheld", response_summary="Partly upheld.",
           themes=["process_not_followed"], learning_identified=False, **NO_MORE)
    complete(page)

    # the appeal, and a panel of two convened (one is not enough)
    complainant_asks(page, status_url, "appeal_requested", "The investigation ignored my evidence.")
    sign_in(page, base, "ia.team")
    from_inbox(page, reference, "Acknowledge the appeal")
    assert "The investigation ignored my evidence." in page.inner_text("#judged")
    complete(page)
    from_inbox(page, reference, "Convene the appeal panel")
    answer(page, panel=["ia.panel1"], panel_meets_on="2026-12-23")
    assert "Choose at least 2 (you chose 1)" in refused(page, "panel")
    assert page.is_checked("input[name=panel][value='ia.panel1']")  # the tick is kept
    answer(page, panel=["ia.panel2"])
    complete(page)

    # the panel finds the investigation insufficient and reopens the formal stage
    sign_in(page, base, "ia.panel1")
    from_inbox(page, reference, "Review the formal stage investigation")
    assert "Rota gaps confirmed." in page.inner_text("#judged")
    answer(page, investigation_sufficient=False, reopen_scope="The missed appointment only",
           findings="The evidence was not considered.", outcome="upheld",
           response_summary="We are reopening the formal stage.", themes=["process_not_followed"],
           learning_identified=False, **NO_MORE)
    complete(page)
    sign_in(page, base, "ia.team")
    assert "Formal" in case_summary(page, base, reference)

    # a second investigation by someone not yet involved
    from_inbox(page, reference, "Allocate an independent investigating officer")
    assert page.locator("input[name=investigating_officer][value='ia.officer']").count() == 0
    answer(page, investigating_officer="ia.officer2")
    complete(page)
    sign_in(page, base, "ia.officer2")
    from_inbox(page, reference, "Investigate and draft")
    answer(page, findings="The evidence shows two missed appointments.", outcome="upheld",
           response_summary="Your complaint is upheld.", themes=["appointments"], learning_identified=False,
           **NO_MORE)
    complete(page)

    # a second appeal, decided by a fresh panel; the case closes
    complainant_asks(page, status_url, "appeal_requested", "I want an apology in writing.")
    sign_in(page, base, "ia.team")
    from_inbox(page, reference, "Acknowledge the appeal")
    assert "I want an apology in writing." in page.inner_text("#judged")
    complete(page)
    from_inbox(page, reference, "Convene the appeal panel")
    assert page.locator("input[name=panel][value='ia.panel1']").count() == 0
    answer(page, panel=["ia.panel3", "ia.panel4"], panel_meets_on="2026-12-23")
    complete(page)
    sign_in(page, base, "ia.panel3")
    from_inbox(page, reference, "Review the formal stage investigation")
    answer(page, investigation_sufficient=True, findings="The formal stage was thorough.", outcome="upheld",
           response_summary="Your appeal is upheld and we apologise.", themes=["appointments"],
           learning_identified=False, **NO_MORE)
    complete(page)
    assert "Closed" in case_summary(page, base, reference)
    # only the learning action's review date runs on after closure
    assert [row for row in running_deadlines(page) if "Review ·" not in row] == []
    shot(page, "journey-group-closed")


def test_a_seetec_training_complaint_with_an_interim_response_and_a_directors_rejection_goes_to_closure(
        staffed, page):
    base = staffed["url"]
    reference, status_url = public_complaint(page, base, "ST", "My assignments were marked six weeks late.")
    assert re.fullmatch(r"ST-2026-\d{6}", reference)

    # the informal stage: triage, then the line manager puts things right and writes the response
    sign_in(page, base, "st.team")
    from_inbox(page, reference, "Triage and acknowledge")
    answer(page, route="informal", triage_notes="Late marking on two units", colleague_name="Sam Tutor")
    complete(page)
    sign_in(page, base, "st.tutor")
    from_inbox(page, reference, "Look into the concern")
    answer(page, findings="Two units were marked late during staff sickness.", colleague_informed=True,
           mediation_appropriate=False, informal_decision="respond", misconduct_suspected=False)
    complete(page)
    from_inbox(page, reference, "Write the informal response")
    answer(page, outcome="partly_upheld", response_text="We are sorry your marking was late.",
           learning_considered=True, themes=["appointments"])
    complete(page)

    # the learner escalates to the formal stage
    complainant_asks(page, status_url, "escalation_requested", "Nobody explained why it took six weeks.")
    sign_in(page, base, "st.team")
    assert "Formal" in case_summary(page, base, reference)
    from_inbox(page, reference, "Acknowledge the formal complaint")
    assert "Nobody explained why it took six weeks." in page.inner_text("#judged")
    answer(page, support_needs_checked=True)
    complete(page)
    sign_in(page, base, "st.director")
    from_inbox(page, reference, "Review the complaint and appoint")
    answer(page, complaint_review_notes="Serious: investigate formally.", investigating_officer="st.officer")
    complete(page)

    # an interim response: the promised date must be a working day ahead, and it moves the deadline
    sign_in(page, base, "st.officer")
    from_inbox(page, reference, "Investigate the formal complaint")
    answer(page, findings="A marking backlog of 40 scripts.", colleague_informed=True, colleague_interviewed=True,
           confidentiality_maintained=True, formal_decision="interim", interim_text="We are interviewing tutors.",
           new_response_due="2027-03-06", responder_name="St Officer", misconduct_suspected=False)
    assert "Sat 06 Mar 2027 is not a working day (weekend)" in refused(page, "new_response_due")
    page.fill("#f-new_response_due", "2026-12-01")
    assert "Choose a day after today" in refused(page, "new_response_due")
    page.fill("#f-new_response_due", "2027-03-05")
    complete(page)
    page.goto(f"{base}/cases/{reference}")
    deadlines = page.inner_text("section[aria-labelledby=deadlines-title]")
    assert "Extended by the interim response sent on Wed 23 Dec 2026: the response is now due Fri 05 Mar 2027, " \
           "in place of Mon 08 Feb 2027" in deadlines
    assert not re.search(r"(?<!\d)0 working days counted from", deadlines)
    page.click("#deadline-history summary")  # the replaced deadline is in the folded history
    original = page.locator("#deadline-history tbody tr").filter(
        has=page.locator("td:nth-child(2)", has_text="Mon 08 Feb 2027"))
    state = original.first.locator("td:nth-child(4)").inner_text()
    assert state == "Extended", state

    # the full response; the Director sees it, rejects it, sees the revision and approves it
    from_inbox(page, reference, "Investigate the formal complaint")
    answer(page, findings="A marking backlog of 40 scripts.", colleague_informed=True, colleague_interviewed=True,
           confidentiality_maintained=True, formal_decision="respond", outcome="upheld",
           response_text="Your marking was late because of a backlog; we are sorry.", learning_considered=True,
           misconduct_suspected=False, themes=["appointments"])
    complete(page)
    sign_in(page, base, "st.director")
    from_inbox(page, reference, "Review the formal response")
    judged = page.inner_text("#judged")
    assert "Your marking was late because of a backlog; we are sorry." in judged
    assert "A marking backlog of 40 scripts." in judged and "Informal stage: Partly upheld" in judged
    shot(page, "director-review")
    assert serious_violations(page) == []
    answer(page, response_approved=False, director_comments="Say what will change for other learners.")
    complete(page)
    sign_in(page, base, "st.officer")
    from_inbox(page, reference, "Revise the formal response")
    assert "Say what will change for other learners." in page.inner_text("#judged")
    assert page.input_value("#f-response_text") == "Your marking was late because of a backlog; we are sorry."
    page.fill("#f-response_text", "Your marking was late because of a backlog; we are sorry. Tutors now have "
                                  "cover for marking.")
    assert page.is_checked("input[name=outcome][value=upheld]")  # the draft's outcome is carried over too
    answer(page, revision_notes="Added what changes for other learners.", themes=["appointments"])
    complete(page)
    sign_in(page, base, "st.director")
    from_inbox(page, reference, "Review the formal response")
    assert "Tutors now have cover for marking." in page.inner_text("#judged")
    answer(page, response_approved=True)
    complete(page)

    # the appeal, decided by a panel; the case closes
    complainant_asks(page, status_url, "appeal_requested", "I want the late marks reviewed.")
    sign_in(page, base, "st.team")
    from_inbox(page, reference, "Acknowledge the appeal")
    assert "I want the late marks reviewed." in page.inner_text("#judged")
    answer(page, support_needs_checked=True)
    complete(page)
    from_inbox(page, reference, "Convene the appeal panel")
    answer(page, panel_members=["st.panel1", "st.panel2"], panel_meets_on="2026-12-23")
    complete(page)
    sign_in(page, base, "st.panel1")
    from_inbox(page, reference, "Review the formal investigation and decide the appeal")
    assert "Tutors now have cover for marking." in page.inner_text("#judged")
    answer(page, investigation_sufficient=True, findings="The formal stage was thorough.", appeal_decision="respond",
           outcome="not_upheld", response_text="Your appeal is not upheld.", learning_considered=True,
           next_avenues_applicable=False, misconduct_suspected=False, themes=["appointments"])
    complete(page)
    assert "Closed" in case_summary(page, base, reference)
