"""The private status page at each stage of a group case and a Seetec Training case, in real Chromium: what it
says and offers as the complainant and staff click through the case."""
from __future__ import annotations

import pytest

from scheduler import sweep_timers
from tests.e2e.conftest import serious_violations, shot, sign_in
from tests.e2e.test_casework_journeys import (  # noqa: F401  (staffed is a fixture)
    NO_MORE,
    answer,
    complete,
    from_inbox,
    public_complaint,
    staffed,
)

pytestmark = pytest.mark.e2e
LAST_DAY = "Monday 11 January 2027"  # 10 working days after Wed 23 Dec 2026, skipping the bank holidays


def status(page, url: str) -> str:
    page.context.clear_cookies()  # the complainant has no staff session
    page.goto(url)
    return page.inner_text("main")


def ask(page, url: str, reasons: str) -> None:
    """The complainant asks for the next stage from the one form the page offers."""
    status(page, url)
    with page.expect_navigation():
        page.click("#ask-again button[type=submit]")  # the reasons are required
    assert "Tell us why you are not satisfied with our reply" in page.inner_text(".error-summary")
    page.fill("#f-reasons", reasons)
    with page.expect_navigation():
        page.click("#ask-again button[type=submit]")
    assert "We have received your request" in page.inner_text("main")


def test_a_group_complaint_status_page_at_each_stage(staffed, page):  # noqa: F811
    base = staffed["url"]
    reference, url = public_complaint(page, base, "IA", "My adviser missed two appointments.")
    assert "acknowledge your complaint within 3 working days" in page.inner_text("#next")
    assert "within 20 working days" in page.inner_text("#next")

    # received: the acknowledgement date, labelled as such; no reply yet, so nothing to escalate; a "No" keeps it
    text = status(page, url)
    assert "We will acknowledge it by\nWednesday 30 December 2026" in text
    assert "Not happy with our reply" not in text and "Our replies" not in text
    assert page.locator("#ask-again").count() == 0
    with page.expect_navigation():
        page.click("#withdraw button[type=submit]")
    assert "Select yes to withdraw your complaint, or no to keep it" in page.inner_text(".error-summary")
    page.check("#withdraw input[name=confirm][value=no]")
    with page.expect_navigation():
        page.click("#withdraw button[type=submit]")
    assert "has not been withdrawn" in page.inner_text("main") and page.inner_text("#status") == "Open"

    # acknowledged and allocated: the acknowledgement letter as sent, the written-reply date
    sign_in(page, base, "ia.team")
    from_inbox(page, reference, "Assess")
    answer(page, about_service_delivery=True, known_date="2026-12-01", provider="seetec",
           complainant_is_service_user=True, on_behalf_of_someone=False, needs_service_user_information=False,
           subject_deceased=False, about_colleague=False, too_serious_for_informal=False)
    complete(page)
    from_inbox(page, reference, "Allocate a line manager")
    answer(page, line_manager="ia.manager")
    complete(page)
    text = status(page, url)
    assert "We will send our written reply by\nMonday 25 January 2027" in text
    assert "we have received your complaint" in text and "Our replies" not in text
    assert page.locator("#ask-again").count() == 0

    # the stage 1 reply: dated, with its outcome and the letter as sent; the last day to escalate
    sign_in(page, base, "ia.manager")
    from_inbox(page, reference, "Investigate and draft")
    answer(page, findings="The adviser was off sick and cover was not arranged.", outcome="partly_upheld",
           response_summary="We are sorry. Cover will be arranged in future.", themes=["appointments"],
           learning_identified=False, **NO_MORE)
    complete(page)
    text = status(page, url)
    reply = page.locator("section.reply").first
    assert "our response to your complaint at the informal stage 1" in reply.inner_text()
    assert reply.locator(".reply-date").inner_text() == "Wednesday 23 December 2026"
    assert reply.locator(".reply-outcome").inner_text() == "Partly upheld"
    reply.locator("summary").click()
    assert "We are sorry. Cover will be arranged in future." in reply.locator("pre.letter").inner_text()
    assert f"Last day to ask for a formal investigation (formal stage 2)\n{LAST_DAY}" in text
    assert f"on or before {LAST_DAY}" in page.inner_text("#next")
    assert "We will send our written reply by" not in text and page.inner_text("#status") == "Open"
    assert serious_violations(page) == []
    shot(page, "status-after-reply")

    # escalated: the page says so and offers no second escalation
    ask(page, url, "Nobody said why cover was not arranged.")
    text = page.inner_text("main")
    assert "Formal stage 2" in page.inner_text("#stage") and page.locator("#ask-again").count() == 0
    assert "We will acknowledge it by" in text
    sign_in(page, base, "ia.team")
    from_inbox(page, reference, "Acknowledge the escalation")
    complete(page)
    from_inbox(page, reference, "Allocate an independent investigating officer")
    answer(page, investigating_officer="ia.officer")
    complete(page)
    sign_in(page, base, "ia.officer")
    from_inbox(page, reference, "Investigate and draft")
    answer(page, findings="Rota gaps confirmed.", outcome="upheld", response_summary="Your complaint is upheld.",
           themes=["process_not_followed"], learning_identified=False, **NO_MORE)
    complete(page)

    # the stage 2 reply: both replies, each with its own outcome; an appeal is what is offered now
    text = status(page, url)
    outcomes = page.locator("section.reply .reply-outcome").all_inner_texts()
    assert outcomes == ["Partly upheld", "Upheld"]
    assert "formal stage 2" in page.locator("section.reply").nth(1).inner_text()
    assert f"Last day to ask for an appeal (appeal stage 3)\n{LAST_DAY}" in text
    assert page.inner_text("#ask-again button") == "Send my appeal"

    # closed when the appeal window passes: the outcome, no requests offered, the replies still there
    staffed["clock"].advance(days=30)
    sweep_timers(staffed["container"])
    text = status(page, url)
    assert page.inner_text("#status") == "Closed" and page.inner_text("#outcome") == "Upheld"
    assert page.locator("#ask-again").count() == 0 and page.locator("#withdraw").count() == 0
    assert len(page.locator("section.reply").all()) == 2 and "Your complaint is closed" in page.inner_text("#next")
    staffed["clock"].advance(days=-30)
    shot(page, "status-closed")


def test_a_seetec_training_complaint_status_page_at_each_stage(staffed, page):  # noqa: F811
    base = staffed["url"]
    reference, url = public_complaint(page, base, "ST", "My assignments were marked six weeks late.")
    assert "acknowledge your complaint within 5 working days" in page.inner_text("#next")  # from its process
    text = status(page, url)
    assert "We will acknowledge it by\nMonday 4 January 2027" in text  # 5 working days for Seetec Training
    assert page.locator("#ask-again").count() == 0

    sign_in(page, base, "st.team")
    from_inbox(page, reference, "Triage and acknowledge")
    answer(page, route="informal", triage_notes="Late marking on two units", colleague_name="Sam Tutor")
    complete(page)
    text = status(page, url)
    assert "Informal stage" in page.inner_text("#stage") and "stage 1" not in page.inner_text("#stage")
    assert "We will send our written reply by" in text and page.locator("#ask-again").count() == 0

    sign_in(page, base, "st.tutor")
    from_inbox(page, reference, "Look into the concern")
    answer(page, findings="Two units were marked late during staff sickness.", colleague_informed=True,
           mediation_appropriate=False, informal_decision="respond", misconduct_suspected=False)
    complete(page)
    from_inbox(page, reference, "Write the informal response")
    answer(page, outcome="partly_upheld", response_text="We are sorry your marking was late.",
           learning_considered=True, themes=["appointments"])
    complete(page)

    # the informal reply, its outcome and the last day to go to the formal stage
    text = status(page, url)
    reply = page.locator("section.reply").first
    assert reply.locator(".reply-date").inner_text() == "Wednesday 23 December 2026"
    assert reply.locator(".reply-outcome").inner_text() == "Partly upheld"
    reply.locator("summary").click()
    assert "We are sorry your marking was late." in reply.locator("pre.letter").inner_text()
    assert f"Last day to ask for a formal investigation (formal stage)\n{LAST_DAY}" in text
    shot(page, "status-after-reply-training")

    ask(page, url, "Nobody explained why it took six weeks.")
    assert page.inner_text("#stage") == "Formal stage" and page.locator("#ask-again").count() == 0
    sign_in(page, base, "st.team")
    from_inbox(page, reference, "Acknowledge the formal complaint")
    answer(page, support_needs_checked=True)
    complete(page)
    sign_in(page, base, "st.director")
    from_inbox(page, reference, "Review the complaint and appoint")
    answer(page, complaint_review_notes="Investigate formally.", investigating_officer="st.officer")
    complete(page)
    sign_in(page, base, "st.officer")
    from_inbox(page, reference, "Investigate the formal complaint")
    answer(page, findings="A marking backlog.", colleague_informed=True, colleague_interviewed=True,
           confidentiality_maintained=True, formal_decision="respond", outcome="upheld",
           response_text="Your marking was late because of a backlog; we are sorry.", learning_considered=True,
           misconduct_suspected=False, themes=["appointments"])
    complete(page)
    text = status(page, url)
    assert len(page.locator("section.reply").all()) == 1  # the Director has not approved the formal reply yet
    sign_in(page, base, "st.director")
    from_inbox(page, reference, "Review the formal response")
    answer(page, response_approved=True)
    complete(page)

    text = status(page, url)
    assert page.locator("section.reply .reply-outcome").all_inner_texts() == ["Partly upheld", "Upheld"]
    assert f"Last day to ask for an appeal to an appeal panel\n{LAST_DAY}" in text
    assert page.inner_text("#ask-again button") == "Send my appeal"

    staffed["clock"].advance(days=30)
    sweep_timers(staffed["container"])
    status(page, url)
    assert page.inner_text("#status") == "Closed" and page.inner_text("#outcome") == "Upheld"
    assert page.locator("#ask-again").count() == 0 and page.locator("#withdraw").count() == 0
    staffed["clock"].advance(days=-30)


def test_a_compliment_status_page_offers_nothing_to_do(staffed, page):  # noqa: F811
    base = staffed["url"]
    page.goto(f"{base}/public/ST/compliment")
    page.fill("#f-summary", "Sam was brilliant.")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    confirmation = page.inner_text("main")
    assert "look again" not in confirmation and "withdraw" not in confirmation
    url = page.get_attribute("#status-link", "href")
    status(page, url)
    assert page.locator("#ask-again").count() == 0 and page.locator("#withdraw").count() == 0
    assert "There is nothing more you need to do" in page.inner_text("#next")
    assert page.locator("#stage").count() == 0
