"""The public complaint form's check-answers page, its date rules, anonymous complaints and the staff sign-in link."""
from __future__ import annotations

from sqlalchemy import func, select

from storage import models as m
from tests.web.conftest import login
from tests.web.test_intake import COMPLAINT

FULL = {**COMPLAINT, "happened_on": "2026-10-14", "aware_on": "2026-12-14", "outcome_wanted": "An apology",
        "phone": "0123 456 789", "address": "1 High Street", "scribe": "yes", "advocate": "no",
        "other_support": "Please call after 3pm", "formats": ["large_print", "braille"]}


def _check(client, **answers):
    return client.post("/public/IA/complaint", data={**FULL, **answers, "step": "support"})


def test_check_answers_shows_every_answer_with_dates_written_out(client):
    response = _check(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Check your answers" in html
    for shown in ("Wednesday 14 October 2026", "Monday 14 December 2026", "An apology", "pat@example.org",
                  "0123 456 789", "1 High Street", "Welsh", "Large print, Braille", "Please call after 3pm",
                  "Help to write things down (a scribe)", "Anything else that would help", "No, it is about me"):
        assert shown in html, shown
    shown_dates = html.split('id="check-about"')[1].split("</dl>")[0]
    assert "2026-10-14" not in shown_dates and "Wednesday 14 October 2026" in shown_dates
    scribe = html.split("Help to write things down (a scribe)</dt><dd>")[1]
    assert scribe.startswith("Yes")


def test_an_event_more_than_a_year_ago_is_warned_about_but_may_still_be_sent(client, webtest):
    old = _check(client, happened_on="2025-11-01", aware_on="")
    html = old.get_data(as_text=True)
    assert old.status_code == 200 and 'id="time-limit-warning"' in html and "Saturday 1 November 2025" in html
    fresh = _check(client, happened_on="2025-11-01", aware_on="2026-02-01")  # found out within the year
    assert 'id="time-limit-warning"' not in fresh.get_data(as_text=True)
    anniversary = _check(client, happened_on="2025-12-23", aware_on="")  # received on the anniversary: in time
    assert 'id="time-limit-warning"' not in anniversary.get_data(as_text=True)
    sent = client.post("/public/IA/complaint", data={**FULL, "happened_on": "2025-11-01", "aware_on": "",
                                                     "step": "check"})
    assert sent.status_code == 302 and sent.location.endswith("/public/submitted")


def test_a_found_out_date_before_the_event_is_refused_naming_the_field(client, webtest):
    with webtest.session_factory() as session:
        before = session.scalar(select(func.count()).select_from(m.Case))
    for step in ("about", "check"):
        response = client.post("/public/IA/complaint", data={**FULL, "happened_on": "2026-12-10",
                                                             "aware_on": "2026-12-01", "step": step})
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and 'href="#f-aware_on"' in html
        assert "The date you found out must be the same as or after the date it happened " \
               "(Thursday 10 December 2026)" in html
    with webtest.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(m.Case)) == before


def test_the_public_pages_link_to_staff_sign_in_and_the_sign_in_page_does_not(client):
    for path in ("/public", "/public/IA/complaint", "/public/IA/compliment"):
        html = client.get(path).get_data(as_text=True)
        assert 'id="staff-sign-in"' in html and 'href="/login"' in html, path
    assert 'id="staff-sign-in"' not in client.get("/login").get_data(as_text=True)
    login(client, "ia.team")
    assert 'id="staff-sign-in"' not in client.get("/public").get_data(as_text=True)


def test_an_anonymous_complaint_is_recorded_closed_as_ineligible_and_signposted_on_screen(client, webtest):
    sent = client.post("/public/IA/complaint", data={**FULL, "give_name": "no", "name": "", "email": "",
                                                     "phone": "", "address": "", "step": "check"})
    assert sent.status_code == 302 and sent.location.endswith("/public/anonymous")
    response = client.get(sent.location)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "we cannot investigate this as a complaint" in html
    assert client.get("/public/anonymous").status_code == 302  # shown once: a reload does not record it again
    assert "Where you can go instead" in html and "IAComplaints@interventionsalliance.com" in html
    assert "status-link" not in html and "/public/status/" not in html and "private link" not in html
    reference = html.split('id="reference">')[1].split("<")[0]
    with webtest.uow() as uow:
        case = uow.cases.by_reference(reference)
        assert (case.status, case.outcome, case.kind, case.complainant) == ("closed", "ineligible", "complaint", {})
        assert case.access_token_hash is None and case.retention_until is not None
        events = {e.kind: e.data for e in uow.events.for_case(case.id)}
        assert events["complaint_signposted"]["reason"] == "anonymous"
        assert uow.instances.for_case(case.id) is None and uow.tasks.open_for_case(case.id) == []
    login(client, "ia.team")
    page = client.get(f"/cases/{reference}")
    assert page.status_code == 200 and "I waited an hour" in page.get_data(as_text=True)


def test_an_anonymous_complaint_still_needs_to_say_what_happened(client, webtest):
    response = client.post("/public/IA/complaint", data={**FULL, "summary": "", "give_name": "no", "name": "",
                                                         "email": "", "step": "check"})
    assert response.status_code == 400 and 'href="#f-summary"' in response.get_data(as_text=True)


def test_staff_classify_an_anonymous_complaints_themes_and_the_report_counts_them(client, webtest):
    from processes.access import SYSTEM
    from processes.reports import report_for
    from tests.conftest import add_categories
    add_categories(webtest)
    response = client.post("/public/IA/complaint", data={**FULL, "give_name": "no", "name": "", "email": "",
                                                         "phone": "", "address": "", "step": "check"},
                           follow_redirects=True)
    reference = response.get_data(as_text=True).split('id="reference">')[1].split("<")[0]
    login(client, "ia.team")
    classified = client.post(f"/cases/{reference}/classification",
                             data={"outcome": "ineligible", "themes": ["appointments"]})
    assert classified.status_code == 302
    report = report_for(webtest.reporting_uow(), SYSTEM, "IA", "2026-12", webtest.clock.now())
    assert dict(report.table("outcomes").rows).get("Ineligible") == 1
    assert sum(n for _, n in report.table("themes").rows) == 1
