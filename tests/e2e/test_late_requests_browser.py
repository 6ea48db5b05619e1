"""A late escalation in real Chromium, with no timer sweep run: the status page no longer offers it, and staff
recording the letter that arrived the day after the last day see it recorded as out of time and the case closed."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.e2e.conftest import shot, sign_in
from tests.e2e.test_casework_journeys import (  # noqa: F401  (staffed is a fixture)
    NO_MORE,
    answer,
    case_summary,
    complete,
    from_inbox,
    public_complaint,
    staffed,
)

pytestmark = pytest.mark.e2e


def test_an_escalation_received_the_day_after_the_window_closed_is_recorded_out_of_time(staffed, page):  # noqa: F811
    base, clock = staffed["url"], staffed["clock"]
    reference, url = public_complaint(page, base, "IA", "My adviser missed two appointments.")
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
    answer(page, findings="Cover was not arranged.", outcome="not_upheld", response_summary="We found no fault.",
           themes=["appointments"], learning_identified=False, **NO_MORE)
    complete(page)

    # Tue 12 Jan 2027, the day after the last day; the worker has not swept yet
    clock.set(datetime(2027, 1, 12, 10, 0, tzinfo=timezone.utc))
    page.context.clear_cookies()
    page.goto(url)
    assert page.locator("#ask-again").count() == 0
    assert "The last day to ask for a formal investigation (formal stage 2) was Monday 11 January 2027" in \
        page.inner_text("#next")

    # the complainant's letter arrived that day; staff record it on the case page
    sign_in(page, base, "ia.team")
    page.goto(f"{base}/cases/{reference}")
    page.check("input[name=message][value=escalation_requested]")
    page.fill("#f-received_on", "2027-01-12")
    page.select_option("#f-channel", "post")
    page.fill("#f-reasons", "I do not accept the findings.")
    with page.expect_navigation():
        page.click("section[aria-labelledby=record-title] button:has-text('Record')")
    notice = page.inner_text(".notice-warning")
    assert "Recorded as out of time" in notice and "Tuesday 12 January 2027" in notice
    assert "Monday 11 January 2027" in notice
    assert "Closed" in case_summary(page, base, reference)
    timeline = page.inner_text("main")
    assert "Case closed" in timeline
    shot(page, "case-page-late-escalation")

    # the complainant sees it recorded and the letter that explains it
    page.context.clear_cookies()
    page.goto(url)
    assert page.inner_text("#status") == "Closed"
    assert "was recorded as out of time" in page.inner_text("main")
    late_letter = page.locator("ul.letters li", has_text="arrived after the time limit")
    late_letter.locator("summary").click()
    assert "The last day to make it was Monday 11 January 2027" in late_letter.inner_text()
    shot(page, "status-late-request")
