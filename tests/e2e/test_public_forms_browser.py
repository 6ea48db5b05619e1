"""The public complaint form in real Chromium: check answers, the one-year warning, the found-out date, an anonymous
complaint and the staff sign-in link."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import serious_violations, shot

pytestmark = pytest.mark.e2e


def _continue(page) -> None:
    with page.expect_navigation():
        page.click("button:has-text('Continue')")


def test_a_complaint_is_checked_with_every_answer_and_warned_about_its_age(served, page):
    base = served["url"]
    page.goto(f"{base}/public")
    assert page.get_attribute("#staff-sign-in", "href") == "/login"
    page.click("a[href='/public/IA/complaint']")
    page.fill("#f-summary", "My adviser missed two appointments.")
    page.fill("#f-happened_on", "2026-12-10")
    page.fill("#f-aware_on", "2026-12-01")  # found out before it happened
    page.fill("#f-outcome_wanted", "An apology")
    _continue(page)
    assert "The date you found out must be the same as or after the date it happened" in page.inner_text(
        ".error-summary")
    assert page.locator(".error-summary a[href='#f-aware_on']").count() == 1
    page.fill("#f-happened_on", "2025-06-01")  # more than a year ago, and found out then too
    page.fill("#f-aware_on", "")
    _continue(page)
    assert "more than a year ago" in page.inner_text("#time-limit-warning")  # a warning, not a refusal
    page.check("#f-on_behalf")
    _continue(page)
    page.fill("#f-name", "Pat Jones")
    page.fill("#f-email", "pat@example.org")
    page.fill("#f-phone", "0123 456 789")
    _continue(page)
    page.check("#f-needs_support-1")
    page.fill("#f-language", "Welsh")
    page.check("input[name=formats][value=braille]")
    page.check("#f-scribe-1")
    page.check("#f-advocate")
    page.fill("#f-other_support", "Please call after 3pm")
    _continue(page)
    check = page.inner_text("main")
    for shown in ("Sunday 1 June 2025", "An apology", "0123 456 789", "Welsh", "Braille", "Please call after 3pm",
                  "Help to write things down (a scribe)\nYes", "Someone to support you, such as an advocate\nNo",
                  "When you found out\nNot given"):
        assert shown in check, shown
    assert "2025-06-01" not in check and "more than a year ago" in page.inner_text("#time-limit-warning")
    assert serious_violations(page) == []
    shot(page, "public-check-answers-full")
    page.click("#check-support button:has-text('Change')")  # change an answer and come back
    page.fill("#f-other_support", "Please call after 4pm")
    _continue(page)
    assert "Please call after 4pm" in page.inner_text("#check-support")
    with page.expect_navigation():
        page.click("button:has-text('Send complaint')")
    assert "within 3 working days" in page.inner_text("#next") and page.locator("#status-link").count() == 1


def test_an_anonymous_complaint_is_recorded_and_the_person_told_where_to_go(served, page):
    base = served["url"]
    page.goto(f"{base}/public/EUK/complaint")
    page.fill("#f-summary", "The office was closed when it should have been open.")
    _continue(page)
    page.check("#f-on_behalf")
    _continue(page)
    page.check("input[name=give_name][value=no]")
    _continue(page)
    _continue(page)
    assert "Not given: you are staying anonymous" in page.inner_text("#check-you")
    with page.expect_navigation():
        page.click("button:has-text('Send complaint')")
    text = page.inner_text("main")
    assert "we cannot investigate this as a complaint" in text and "Where you can go instead" in text
    assert "QualityandCompliance@seetecpluss.co.uk" in text
    assert page.locator("#status-link").count() == 0 and "private link" not in text
    assert serious_violations(page) == []
    shot(page, "public-anonymous")
    reference = page.inner_text("#reference").strip()
    with served["container"].uow() as uow:
        case = uow.cases.by_reference(reference)
        assert (case.status, case.outcome) == ("closed", "ineligible")
