"""A complaint from the public form to closure, in a real browser, following the published group diagram."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from scheduler import sweep_timers
from storage import models as m
from tests.e2e.conftest import serious_violations, shot, sign_in

pytestmark = pytest.mark.e2e
INJECTED = "<script>alert(1)</script><b>bold</b> My adviser missed two appointments."


def _open_task(page, base, reference, title):
    page.goto(f"{base}/cases/{reference}")
    page.click(f"section[aria-labelledby=tasks-title] a:has-text('{title}')")


def _complete(page):
    with page.expect_navigation():
        page.click("button[value=complete]")


def test_a_complaint_goes_from_the_public_form_through_two_stages_to_closure(served, page):
    base, container = served["url"], served["container"]
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    # a member of the public complains, one question per step
    page.goto(f"{base}/")
    shot(page, "public-landing")
    page.click("a[href='/public/IA/complaint']")
    page.fill("#f-summary", INJECTED)
    page.fill("#f-happened_on", "2026-12-01")
    shot(page, "public-complaint-step")
    page.click("button:has-text('Continue')")
    page.check("#f-on_behalf")
    page.click("button:has-text('Continue')")
    page.fill("#f-name", "Pat Jones")
    page.fill("#f-email", "pat@example.org")
    page.click("button:has-text('Continue')")
    page.check("#f-needs_support-1")
    page.fill("#f-language", "Welsh")
    page.click("button:has-text('Continue')")
    shot(page, "public-check-answers")
    with page.expect_navigation():
        page.click("button:has-text('Send complaint')")
    reference = page.inner_text("#reference").strip()
    status_url = page.get_attribute("#status-link", "href")
    shot(page, "public-confirmation")
    assert re.fullmatch(r"IA-2026-\d{6}", reference)

    # the complaints team acknowledges it (the triage task sends the acknowledgement)
    sign_in(page, base, "ia.team")
    assert reference in page.content()
    shot(page, "inbox")
    with page.expect_navigation():
        page.click(f"tr:has-text('{reference}') button[name=claim]")  # the list's one shared form
    assert page.locator(f"tr:has-text('{reference}') button[name=release]").count() == 1
    page.click(f"tr:has-text('{reference}') a[href^='/tasks/']")
    assert "Language: Welsh" in page.content()
    page.check("#f-about_service_delivery")
    page.fill("#f-event_date", "2026-12-01")
    page.fill("#f-known_date", "2026-12-01")
    page.check("#f-provider")
    page.check("#f-complainant_is_service_user")
    for no in ("on_behalf_of_someone", "needs_service_user_information", "subject_deceased", "about_colleague",
               "too_serious_for_informal"):
        page.check(f"#f-{no}-1")
    shot(page, "task-triage")
    _complete(page)
    _open_task(page, base, reference, "Allocate a line manager")
    page.check("input[name=line_manager][value='ia.manager']")  # only the division's line managers are offered
    _complete(page)

    # the line manager responds at stage 1
    sign_in(page, base, "ia.manager")
    page.click(f"tr:has-text('{reference}') a[href^='/tasks/']")
    page.fill("#f-findings", "The adviser was off sick and cover was not arranged.")
    page.check("#f-outcome-1")
    page.fill("#f-response_summary", "We are sorry. Cover will be arranged in future.")
    page.check("input[name=themes][value='appointments']")  # the stage response is a closing form
    for no in ("misconduct_concern", "learning_identified", "best_practice_identified"):
        page.check(f"#f-{no}-1")
    _complete(page)

    # the complainant asks for escalation; staff record it with its true received date
    sign_in(page, base, "ia.team")
    page.goto(f"{base}/cases/{reference}")
    page.check("#f-message")
    page.fill("#f-received_on", "2026-12-23")
    page.select_option("#f-channel", "email")
    page.fill("#f-reasons", "The response did not say why cover was not arranged.")
    with page.expect_navigation():
        page.click("section[aria-labelledby=record-title] button:has-text('Record')")
    assert "Recorded" in page.content()
    _open_task(page, base, reference, "Acknowledge the escalation")
    page.fill("#f-reasons_for_dissatisfaction", "Why cover was not arranged")
    _complete(page)

    # someone who took part earlier is not offered, and the form says why; an independent officer is chosen
    _open_task(page, base, reference, "Allocate an independent investigating officer")
    assert page.locator("input[name=investigating_officer][value='ia.manager']").count() == 0
    assert "took part earlier in this case: Ia Manager" in page.inner_text("#f-investigating_officer-hint")
    shot(page, "task-independence-refused")
    page.check("input[name=investigating_officer][value='ia.officer']")
    _complete(page)

    sign_in(page, base, "ia.officer")
    page.click(f"tr:has-text('{reference}') a[href^='/tasks/']")
    page.fill("#f-findings", "Rota gaps confirmed.")
    page.check("#f-outcome")
    page.fill("#f-response_summary", "Your complaint is upheld.")
    page.check("input[name=themes][value='process_not_followed']")
    for no in ("misconduct_concern", "learning_identified", "best_practice_identified"):
        page.check(f"#f-{no}-1")
    _complete(page)

    # the appeal window passes without an appeal and the case closes
    served["clock"].advance(days=30)
    sweep_timers(container)
    page.goto(f"{base}/cases/{reference}")
    page.wait_for_selector("#case-diagram[data-ready=true]")
    assert "Closed" in page.inner_text("section[aria-labelledby=summary-title]")
    assert INJECTED in page.inner_text(".complaint-text")
    with container.session_factory() as session:
        themes = [data["themes"] for data in session.scalars(select(m.Event.data).join(m.Case).where(
            m.Case.reference == reference, m.Event.kind == "case_classified").order_by(m.Event.id))]
    assert themes == [["appointments"], ["process_not_followed"]]  # the later closing form wins in reports
    shot(page, "case-closed")
    page.goto(status_url)
    assert "Closed" in page.inner_text("#status")
    shot(page, "public-status")

    # a user from another division cannot see any of it
    sign_in(page, base, "euk.team")
    assert page.goto(f"{base}/cases/{reference}").status == 404
    for path in ("/inbox?scope=team", "/cases", f"/cases?q={reference}"):
        page.goto(f"{base}{path}")
        assert f'href="/cases/{reference}"' not in page.content() and "No cases match" in page.content() \
            or reference not in page.content()
    assert dialogs == []


def test_the_public_forms_inbox_and_a_task_page_have_no_serious_accessibility_violations(served, page):
    base = served["url"]
    for path in ("/public", "/public/IA/complaint", "/public/IA/compliment"):
        page.goto(f"{base}{path}")
        assert serious_violations(page) == [], path
    page.goto(f"{base}/public/IA/complaint")
    page.click("button:has-text('Continue')")
    assert serious_violations(page) == [], "complaint form with errors"
    page.fill("#f-summary", "Something went wrong")
    page.click("button:has-text('Continue')")
    assert serious_violations(page) == [], "complaint step 2"
    sign_in(page, base, "ia.team")
    page.goto(f"{base}/inbox")
    assert serious_violations(page) == [], "inbox"
    link = page.query_selector("a[href^='/tasks/']")
    if link is None:
        page.goto(f"{base}/cases/new")
        page.select_option("#f-division", "IA")
        page.check("#f-kind")
        page.check("#f-channel")
        page.fill("#f-received_on", "2026-12-22")
        page.fill("#f-summary", "Phoned about a missed payment")
        page.fill("#f-name", "Sam Lee")
        page.fill("#f-phone", "0123 456")
        shot(page, "staff-intake")
        page.click("button:has-text('Record')")
        page.goto(f"{base}/inbox")
        link = page.query_selector("a[href^='/tasks/']")
    link.click()
    assert serious_violations(page) == [], "task page"
    page.click("button[value=complete]")
    assert serious_violations(page) == [], "task page with errors"
    shot(page, "task-errors")
    page.goto(f"{base}/cases")
    shot(page, "cases")
    assert serious_violations(page) == [], "cases"
    sign_in(page, base, "ia.admin")
    page.goto(f"{base}/admin/users")
    shot(page, "admin-users")
    page.goto(f"{base}/admin/closures")
    shot(page, "admin-closures")
