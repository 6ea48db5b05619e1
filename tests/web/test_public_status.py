"""The private status page after a reply, and what it refuses: requests that do not apply change nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from processes.intake import issue_access_token
from storage import models as m
from tests.web.test_recorded_messages import responded  # noqa: F401  (the fixture)


def _link(webtest, reference):
    return f"/public/status/{issue_access_token(webtest.uow(), reference, webtest.clock.now())}"


def _counts(webtest):
    with webtest.session_factory() as session:
        return (session.scalar(select(func.count()).select_from(m.Event)),
                session.scalar(select(func.count()).select_from(m.Outbox)),
                session.scalar(select(m.Instance.lock_version)))


def test_after_the_stage_1_reply_the_page_shows_the_reply_its_outcome_and_the_last_day(client, webtest,
                                                                                        responded):  # noqa: F811
    response = client.get(_link(webtest, responded))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "our response to your complaint at the informal stage 1" in html
    assert 'class="reply-date">Wednesday 23 December 2026<' in html
    assert 'class="reply-outcome">Upheld<' in html
    assert "Last day to ask for a formal investigation (formal stage 2)" in html and "Monday 11 January 2027" in html
    assert "We will reply by" not in html and "We will send our written reply by" not in html
    assert "Why are you not satisfied with our reply?</label>" in html and "(optional)" not in html.split(
        "Why are you not satisfied")[1][:80]


def test_requests_that_do_not_apply_now_are_refused_and_change_nothing(client, webtest, responded):  # noqa: F811
    link = _link(webtest, responded)
    before = _counts(webtest)
    for data in ({"message": "appeal_requested", "reasons": "Not offered yet"},
                 {"message": "consent_received"}, {"message": "case_handled"}, {"message": ""},
                 {"message": "escalation_requested", "reasons": "   "}):
        response = client.post(link, data=data)
        assert response.status_code in (400, 409), data
    no = client.post(link, data={"message": "withdrawn", "confirm": "no"})
    assert no.status_code == 302
    assert _counts(webtest) == before
    with webtest.uow() as uow:
        assert uow.cases.by_reference(responded).status == "open"


def test_a_closed_case_offers_nothing_and_refuses_a_withdrawal(client, webtest, responded):  # noqa: F811
    link = _link(webtest, responded)
    client.post(link, data={"message": "withdrawn", "confirm": "yes"})
    html = client.get(link).get_data(as_text=True)
    assert 'id="status">Closed<' in html and 'id="withdraw"' not in html and 'id="ask-again"' not in html
    before = _counts(webtest)
    again = client.post(link, data={"message": "withdrawn", "confirm": "yes"})
    late = client.post(link, data={"message": "escalation_requested", "reasons": "After closing"})
    assert again.status_code == 409 and late.status_code == 409
    assert _counts(webtest) == before
