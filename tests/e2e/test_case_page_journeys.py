"""Journeys through the case page, in a real browser and through the pages alone: written permission uploaded
as a document (Employability UK), a Delivery Partner complaint (Pluss), a compliment whose sharing permission came
from the public form, and a withdrawal from the status link mid-stage."""
from __future__ import annotations

from pathlib import Path

import pytest

from processes.accounts import hash_password
from tests.e2e.conftest import PASSWORD, shot, sign_in

pytestmark = pytest.mark.e2e
PERMISSION = b"%PDF-1.4\n% Signed permission from Jordan Price for Casey Price\n%%EOF\n"
MORE_STAFF = {
    "euk.manager": [("EUK", "line_manager"), ("EUK", "investigating_officer")],
    "pl.team": [("PL", "complaints_team")],
    "pl.manager": [("PL", "line_manager"), ("PL", "investigating_officer")],
}


@pytest.fixture(scope="module")
def site(served):
    """The served product with staff for Employability UK's and Pluss's roles besides the shared ones."""
    container = served["container"]
    with container.uow() as uow:
        divisions = {d.code: d for d in uow.divisions.all()}
        for username, memberships in MORE_STAFF.items():
            user = uow.users.add(username=username, display_name=username.replace(".", " ").title(),
                                 email=f"{username}@example.org", password_hash=hash_password(PASSWORD))
            for code, role in memberships:
                uow.users.add_membership(user.id, divisions[code].id, role)
        uow.commit()
    return served


def _public_complaint(page, base, division, summary, *, behalf=None, name="Jordan Price"):
    """A member of the public complains through the public form; returns (reference, status link)."""
    page.goto(f"{base}/public/{division}/complaint")
    page.fill("#f-summary", summary)
    page.fill("#f-happened_on", "2026-12-01")
    page.click("button:has-text('Continue')")
    if behalf:
        page.check("input[name=on_behalf][value=yes]")
        page.fill("#f-behalf_name", behalf)
        page.fill("#f-relationship", "Parent")
    else:
        page.check("input[name=on_behalf][value=no]")
    page.click("button:has-text('Continue')")
    page.fill("#f-name", name)
    page.fill("#f-email", "jordan.price@example.org")
    page.click("button:has-text('Continue')")
    page.check("input[name=needs_support][value=no]")
    page.click("button:has-text('Continue')")
    with page.expect_navigation():
        page.click("button:has-text('Send complaint')")
    return page.inner_text("#reference").strip(), page.get_attribute("#status-link", "href")


def _inbox_row(page, base, reference):
    page.goto(f"{base}/inbox?q={reference}")
    return page.locator(f"tr:has-text('{reference}')")


def _open_from_inbox(page, base, reference, title):
    row = _inbox_row(page, base, reference)
    assert row.count() >= 1, f"{reference} is not in the inbox"
    with page.expect_navigation():
        page.click(f"tr:has-text('{reference}') a:has-text('{title}')")


def _complete(page):
    with page.expect_navigation():
        page.click("button[value=complete]")
    assert "There is a problem" not in page.content(), page.inner_text("main")[:1500]


def _triage(page, *, behalf=False, provider="seetec", partner=""):
    page.check("#f-about_service_delivery")
    page.fill("#f-event_date", "2026-12-01")
    page.fill("#f-known_date", "2026-12-01")
    page.check(f"input[name=provider][value={provider}]")
    if partner:
        page.fill("#f-delivery_partner", partner)
    page.check("#f-complainant_is_service_user-1" if behalf else "#f-complainant_is_service_user")
    page.check("#f-on_behalf_of_someone" if behalf else "#f-on_behalf_of_someone-1")
    for no in ("needs_service_user_information", "subject_deceased", "about_colleague", "too_serious_for_informal"):
        page.check(f"#f-{no}-1")


def _case_page(page, base, reference):
    page.goto(f"{base}/cases/{reference}")
    page.wait_for_selector("#case-diagram[data-ready=true]")


def test_journey_2_written_permission_is_uploaded_to_the_case_and_the_case_moves_on(site, page, tmp_path):
    base = site["url"]
    reference, _status = _public_complaint(page, base, "EUK", "My son's work coach cancelled four appointments.",
                                           behalf="Casey Price")
    assert reference.startswith("EUK-2026-")

    sign_in(page, base, "euk.team")
    row = _inbox_row(page, base, reference)
    assert "Jordan Price" in row.inner_text() and "cancelled four appointments" in row.inner_text()
    _open_from_inbox(page, base, reference, "Assess and acknowledge")
    _triage(page, behalf=True)
    _complete(page)

    # the case now waits for the written permission, and the case page says so with the deadlines it runs
    _case_page(page, base, reference)
    where = page.get_attribute("#case-diagram", "aria-label")
    assert where == ("Where the case is: Intake and eligibility › Obtain written permission or consent › "
                     "Await the written permission or consent.")
    assert page.get_attribute("#case-diagram", "data-process") == "shared_written_consent"  # opened where it is
    deadlines = page.inner_text("section[aria-labelledby=deadlines-title] table")
    assert "No reply in 20 working days" in deadlines and "Mon 25 Jan 2027" in deadlines
    assert "Christmas Day" in deadlines
    assert "The case is waiting for written permission" in page.inner_text("#f-document-hint")
    page.click("#triage-answers summary")  # folded until asked for
    assert "Is it made on behalf of someone else?\nYes" in page.inner_text("section[aria-labelledby=triage-title]")
    assert _inbox_row(page, base, reference).count() == 0  # nothing for anyone to do until it arrives

    # the signed permission arrives by post and is scanned; a wrong file is refused first, and nothing is lost
    _case_page(page, base, reference)
    wrong = tmp_path / "permission.png"
    wrong.write_bytes(b"MZ\x90\x00 not an image")
    page.select_option("#f-kind", "written_permission")
    page.set_input_files("#f-document", str(wrong))
    with page.expect_navigation():
        page.click("button:has-text('Attach the document')")
    assert "The file must be a PDF" in page.inner_text("section[aria-labelledby=documents-title]")
    assert "No documents yet." in page.content()
    signed = tmp_path / "Signed permission - Casey Price.pdf"
    signed.write_bytes(PERMISSION)
    page.select_option("#f-kind", "written_permission")
    page.set_input_files("#f-document", str(signed))
    with page.expect_navigation():
        page.click("button:has-text('Attach the document')")
    assert "recorded as received. The case has moved on." in page.inner_text("main")
    page.wait_for_selector("#case-diagram[data-ready=true]")
    documents = page.inner_text("section[aria-labelledby=documents-title]")
    assert "Signed permission - Casey Price.pdf" in documents and "Written permission or consent" in documents
    assert "Euk Team" in documents
    assert "Allocate a line manager" in page.inner_text("section[aria-labelledby=tasks-title]")
    assert "Informal stage 1 › Allocate a line manager" in page.get_attribute("#case-diagram", "aria-label")
    with page.expect_download() as download:
        page.click("section[aria-labelledby=documents-title] a:has-text('Signed permission')")
    assert Path(download.value.path()).read_bytes() == PERMISSION
    shot(page, "case-page-documents")

    # the line manager's task is in the inbox, and the stage-1 clock counts from the permission's arrival
    _open_from_inbox(page, base, reference, "Allocate a line manager")
    assert "Wed 23 Dec 2026" in page.inner_text("main")
    page.check("input[name=line_manager][value='euk.manager']")
    _complete(page)
    sign_in(page, base, "euk.manager")
    assert _inbox_row(page, base, reference).count() == 1


def test_journey_4_a_delivery_partner_complaint_is_followed_to_an_appeal_to_seetec(site, page):
    base = site["url"]
    reference, status_url = _public_complaint(page, base, "PL", "My job coach at the partner stopped calling me.")
    sign_in(page, base, "pl.team")
    _open_from_inbox(page, base, reference, "Assess and acknowledge")
    _triage(page, provider="delivery_partner", partner="Northern Pathways Ltd")
    _complete(page)

    # Seetec explains the partner's procedure and waits for the partner's copies (group policy 2.5.3)
    _case_page(page, base, reference)
    assert "Delivery partner" in page.inner_text("section[aria-labelledby=summary-title]")
    assert "Await the partner's copy of a stage" in page.get_attribute("#case-diagram", "aria-label")
    assert "the Delivery Partner's copy of a stage" in page.inner_text("section[aria-labelledby=record-title]")
    page.click("#triage-answers summary")
    triage = page.inner_text("section[aria-labelledby=triage-title]")
    assert "A Delivery Partner's" in triage and "Northern Pathways Ltd" in triage
    letters = page.inner_text("section[aria-labelledby=letters-title]")
    assert "jordan.price@example.org" in letters
    assert _inbox_row(page, base, reference).count() == 0
    _case_page(page, base, reference)

    # the partner's informal reply: refused without a stage or with a future date, then recorded
    page.fill("#f-partner_dated", "2027-02-01")
    with page.expect_navigation():
        page.click("button:has-text('Record the partner')")
    errors = page.inner_text("section[aria-labelledby=partner-title] .error-summary")
    assert "Choose which stage the partner's copy is about" in errors and "future" in errors
    page.check("input[name=partner_stage][value=informal]")
    page.fill("#f-partner_dated", "2026-12-23")
    page.fill("#f-partner_summary", "Apologised and assigned a new job coach.")
    with page.expect_navigation():
        page.click("button:has-text('Record the partner')")
    assert "The partner's copy is recorded" in page.inner_text("main")
    assert "Await the partner's copy of a stage" in page.get_attribute("#case-diagram", "aria-label")

    # its formal reply opens Seetec's appeal window of 10 working days
    page.check("input[name=partner_stage][value=formal]")
    page.fill("#f-partner_dated", "2026-12-23")
    with page.expect_navigation():
        page.click("button:has-text('Record the partner')")
    page.wait_for_selector("#case-diagram[data-ready=true]")
    assert "Await an appeal to Seetec" in page.get_attribute("#case-diagram", "aria-label")
    deadlines = page.inner_text("section[aria-labelledby=deadlines-title] table")
    assert "Appeal window closes" in deadlines and "10 working days counted from Wed 23 Dec 2026" in deadlines
    assert "Mon 11 Jan 2027" in deadlines  # Christmas, Boxing Day and New Year's Day are not counted

    # the complainant appeals from the status link, and Seetec's complaints team has the appeal to acknowledge
    page.goto(status_url)
    assert "Last day to ask for an appeal" in page.inner_text("main")
    page.fill("#f-reasons", "The partner never explained why the calls stopped.")
    with page.expect_navigation():
        page.click("#ask-again button[type=submit]")
    sign_in(page, base, "pl.team")
    _open_from_inbox(page, base, reference, "Acknowledge the appeal")
    assert "Appeal" in page.inner_text("main")
    _case_page(page, base, reference)
    assert "The partner never explained why the calls stopped." in page.inner_text("#timeline-title + p + ol")
    assert "Appeal" in page.inner_text("section[aria-labelledby=summary-title]")
    assert "Acknowledge the appeal request" in page.get_attribute("#case-diagram", "aria-label")
    shot(page, "case-page-delivery-partner")


def test_journey_5_a_compliment_carries_the_sharing_permission_given_on_the_public_form(site, page):
    base = site["url"]
    page.goto(f"{base}/public/IA/compliment")
    page.fill("#f-summary", "My adviser Sarah helped me into my first job in four years.")
    page.fill("#f-about", "Sarah, Leeds office")
    page.fill("#f-name", "Robin Hale")
    page.fill("#f-email", "robin.hale@example.org")
    page.check("input[name=may_share][value=yes]")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    reference = page.inner_text("#reference").strip()

    sign_in(page, base, "ia.team")
    row = _inbox_row(page, base, reference)
    assert "Robin Hale" in row.inner_text() and "helped me into my first job" in row.inner_text()
    _case_page(page, base, reference)
    told = page.inner_text("section[aria-labelledby=complainant-title]")
    assert "May we share it, without their name?\nYes" in told and "Sarah, Leeds office" in told
    assert "Record who the compliment is about" in page.inner_text("section[aria-labelledby=tasks-title]")

    # the team records who it is about and that it would like to use it publicly
    _open_from_inbox(page, base, reference, "Record who the compliment is about")
    shown = page.inner_text("main")
    assert "Who or which team they said it is about" in shown and "Sarah, Leeds office" in shown
    assert "They already agreed, on the public form, to it being used publicly" in shown
    assert page.input_value("#f-compliment_text") == "My adviser Sarah helped me into my first job in four years."
    assert page.is_checked("#f-ask_permission_to_share")  # prefilled from the form's answer
    page.fill("#f-business_area", "Employment support, Leeds")
    page.check("#f-best_practice")
    _complete(page)

    # the permission the person gave on the public form is what the case records: no one asks them again
    _case_page(page, base, reference)
    tasks = page.inner_text("section[aria-labelledby=tasks-title]")
    assert "Record their permission to use it publicly" not in tasks and "Use the compliment publicly" in tasks
    assert page.get_attribute("#case-diagram", "aria-label") == "Where the case is: Use the compliment publicly."
    told = page.inner_text("section[aria-labelledby=complainant-title]")
    assert "May we share it, without their name?\nYes" in told
    assert ("Permission to use it publicly\nYes: Given on the public form when the compliment was sent "
            "(23 December 2026)") in told, told
    assert "publicity permission recorded" in page.inner_text("#timeline-title + p + ol")

    # it is used in the newsletter, then reviewed for the quarter, and the case closes
    _open_from_inbox(page, base, reference, "Use the compliment publicly")
    page.fill("#f-published_where", "Staff newsletter, January edition")
    page.fill("#f-published_on", "2026-12-23")
    _complete(page)
    _case_page(page, base, reference)
    if page.locator("section[aria-labelledby=tasks-title] a").count():
        title = page.inner_text("section[aria-labelledby=tasks-title] a").strip()
        _open_from_inbox(page, base, reference, title)
        page.check("#f-quarter_reviewed")
        page.check("input[name=themes][value=communication]")
        page.check("#f-shared_as_best_practice")
        _complete(page)
        _case_page(page, base, reference)
    summary = page.inner_text("section[aria-labelledby=summary-title]")
    assert "Closed" in summary, summary
    assert "The case is closed" in page.get_attribute("#case-diagram", "aria-label")
    shot(page, "case-page-compliment")


def test_journey_6_a_withdrawal_from_the_status_link_mid_stage_closes_the_case(site, page):
    base = site["url"]
    reference, status_url = _public_complaint(page, base, "IA", "My probation appointments keep being moved.",
                                              name="Morgan Ellis")
    sign_in(page, base, "ia.team")
    _open_from_inbox(page, base, reference, "Assess and acknowledge")
    _triage(page)
    _complete(page)
    _open_from_inbox(page, base, reference, "Allocate a line manager")
    page.check("input[name=line_manager][value='ia.manager']")
    _complete(page)

    # mid-stage: the line manager has the informal investigation, with its response deadline running
    sign_in(page, base, "ia.manager")
    assert _inbox_row(page, base, reference).count() == 1
    _case_page(page, base, reference)
    assert "Informal stage 1" in page.get_attribute("#case-diagram", "aria-label")
    assert "Running" in page.inner_text("section[aria-labelledby=deadlines-title] table")

    # the complainant withdraws from the status link, confirming it; a missing confirmation is asked for first
    page.context.clear_cookies()
    page.goto(status_url)
    with page.expect_navigation():
        page.click("#withdraw button[type=submit]")
    assert "There is a problem" in page.inner_text("main")
    page.check("#withdraw input[name=confirm][value=yes]")
    with page.expect_navigation():
        page.click("#withdraw button[type=submit]")
    assert "Closed" in page.inner_text("#status")

    # staff see the case closed as withdrawn, nothing left in the inbox, and no deadline running
    sign_in(page, base, "ia.manager")
    assert _inbox_row(page, base, reference).count() == 0
    _case_page(page, base, reference)
    summary = page.inner_text("section[aria-labelledby=summary-title]")
    assert "Closed" in summary and "Withdrawn" in summary
    deadlines = page.inner_text("section[aria-labelledby=deadlines-title]")
    assert "No deadline is running: the case is closed." in deadlines and "Earlier deadlines" in deadlines
    assert page.get_attribute("#case-diagram", "aria-label") == ("The case is closed. The diagram shows the steps "
                                                                 "it went through.")
    timeline = page.inner_text("section[aria-labelledby=timeline-title]")
    assert "Case closed: withdrawn (complainant)" in timeline and "Message received: Withdrawn" in timeline
    assert "Record something received" not in page.content()
    shot(page, "case-page-withdrawn")
