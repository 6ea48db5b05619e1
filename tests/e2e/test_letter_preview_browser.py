"""A line manager previews the stage 1 response letter on the task page, then completes: the letter sent is the
letter previewed, greeting once, with its facts, the status link and the division's sender."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from storage import models as m
from tests.e2e.conftest import shot, sign_in
from tests.e2e.test_casework_journeys import answer, complete, from_inbox, public_complaint

pytestmark = pytest.mark.e2e


def outbox(container, reference: str, template: str) -> list:
    with container.session_factory() as session:
        case_id = session.scalar(select(m.Case.id).where(m.Case.reference == reference))
        return list(session.scalars(select(m.Outbox).where(m.Outbox.case_id == case_id,
                                                           m.Outbox.template == template)))


def test_a_line_manager_previews_the_stage_one_letter_and_the_letter_sent_is_the_one_previewed(served, page):
    base, container = served["url"], served["container"]
    reference, status_url = public_complaint(page, base, "IA", "My adviser missed two appointments.")
    token = status_url.rsplit("/", 1)[1]

    sign_in(page, base, "ia.team")
    from_inbox(page, reference, "Assess")
    answer(page, about_service_delivery=True, known_date="2026-12-01", provider="seetec",
           complainant_is_service_user=True, on_behalf_of_someone=False, needs_service_user_information=False,
           subject_deceased=False, about_colleague=False, too_serious_for_informal=False)
    complete(page)
    from_inbox(page, reference, "Allocate a line manager")
    answer(page, line_manager="ia.manager")
    complete(page)

    sign_in(page, base, "ia.manager")
    from_inbox(page, reference, "Investigate and draft")
    answer(page, findings="The adviser was off sick and cover was not arranged.", outcome="partly_upheld",
           response_summary="Dear Pat, we are sorry. Cover will be arranged in future.", themes=["appointments"],
           learning_identified=False, misconduct_concern=False, best_practice_identified=False)
    with page.expect_navigation():
        page.click("button[value=preview]")
    preview = page.locator("#letter-preview")
    assert preview.count() == 1, page.inner_text("main")[:2000]
    letter = preview.locator(".letter-text").first.inner_text()
    assert letter.count("Dear ") == 1 and "Dear Pat Jones," in letter
    assert "About: your complaint, received on Wednesday 23 December 2026" in letter
    assert "Stage: informal stage 1" in letter
    assert "Our decision at the informal stage 1: your complaint is partly upheld." in letter
    assert "that is by " in letter and "A request made on that day is in time." in letter
    assert f"/public/status/{token}" in letter
    assert "Yours sincerely,\n\nIa Manager\nLine manager, Interventions Alliance" in letter, letter[-600:]
    assert "IAComplaints@interventionsalliance.com" in preview.locator("dl").first.inner_text()
    assert page.input_value("#f-findings") == "The adviser was off sick and cover was not arranged."  # kept
    assert not outbox(container, reference, "stage_response")  # a preview sends nothing
    shot(page, "letter-preview")

    complete(page)
    [sent] = outbox(container, reference, "stage_response")
    assert sent.body_text.strip() == letter.strip()
    assert sent.sender == "IAComplaints@interventionsalliance.com"
    assert sent.reply_to == "IAComplaints@interventionsalliance.com"
