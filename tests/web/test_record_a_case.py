"""Recording a case by hand: every problem at once, each naming its field, and no case from a mistyped year."""
from __future__ import annotations

from sqlalchemy import func, select

from storage import models as m
from tests.web.conftest import login

GOOD = {"division": "IA", "kind": "complaint", "channel": "phone", "received_on": "2026-12-22",
        "summary": "Phoned about a missed payment", "name": "Sam Lee", "phone": "0123 456"}


def _cases(webtest) -> int:
    with webtest.session_factory() as session:
        return session.scalar(select(func.count()).select_from(m.Case))


def test_a_received_date_more_than_twelve_months_ago_is_refused_saying_why(client, webtest):
    login(client, "ia.team")
    before = _cases(webtest)
    response = client.post("/cases/new", data={**GOOD, "received_on": "1999-06-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#f-received_on"' in html
    response = client.post("/cases/new", data={**GOOD, "received_on": "2025-12-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The date received must be within the last 12 months (on or after 23 December 2025)" in html
    assert _cases(webtest) == before


def test_a_time_like_25_99_is_reported_as_an_invalid_time_along_with_every_other_problem(client, webtest):
    login(client, "ia.team")
    before = _cases(webtest)
    response = client.post("/cases/new", data={**GOOD, "received_time": "25:99", "summary": "", "division": "XX",
                                               "channel": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for field in ("received_time", "summary", "division", "channel"):
        assert f'href="#f-{field}"' in html, field
    assert "Enter a real time of day, like 14:30" in html and "Enter the date it was received" not in html
    assert _cases(webtest) == before


def test_a_received_date_in_the_future_is_refused_naming_the_date_received(client, webtest):
    login(client, "ia.team")
    response = client.post("/cases/new", data={**GOOD, "received_on": "2027-01-05"})
    assert response.status_code == 400
    assert "The date received cannot be in the future" in response.get_data(as_text=True)


def test_a_recent_case_is_recorded(client, webtest):
    login(client, "ia.team")
    response = client.post("/cases/new", data={**GOOD, "received_time": "14:30"})
    assert response.status_code == 302 and "/cases/IA-2026-" in response.location
