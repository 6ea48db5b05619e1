"""Messages staff record on a case: dated sensibly, with errors in words rather than codes."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from processes import lifecycle
from processes.access import SYSTEM
from storage import models as m
from tests.bpmn.test_group_support import findings, triage_answers
from tests.conftest import add_categories
from tests.web.conftest import login, open_case, open_task


@pytest.fixture
def responded(app, webtest):
    """An IA group-policy complaint received on Fri 18 Dec 2026 and answered at stage 1 on Wed 23 Dec 2026."""
    with webtest.uow() as uow:
        ia = uow.divisions.by_code("IA")
        ia.config = {**ia.config, "processes": {**ia.config["processes"], "complaint": "group_complaint"}}
        uow.commit()
    add_categories(webtest)
    reference = open_case(webtest, days_ago=5)
    for answers in (triage_answers(), {"line_manager": "ia.manager"}, {**findings(), "themes": ["communication"]}):
        lifecycle.complete_task(webtest.uow(), webtest.runtime, open_task(webtest, reference), answers, SYSTEM)
    return reference


def _events(webtest) -> int:
    with webtest.session_factory() as session:
        return session.scalar(select(func.count()).select_from(m.Event))


def test_an_escalation_dated_before_the_stage_1_response_was_sent_is_refused_saying_why(client, webtest, responded):
    login(client, "ia.team")
    before = _events(webtest)
    response = client.post(f"/cases/{responded}/messages", data={
        "message": "escalation_requested", "received_on": "2026-12-21", "channel": "email", "reasons": "Unhappy"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#f-received_on"' in html
    assert "must not be before the stage 1 response was sent (Wed 23 Dec 2026)" in html
    assert _events(webtest) == before
    accepted = client.post(f"/cases/{responded}/messages", data={
        "message": "escalation_requested", "received_on": "2026-12-23", "channel": "email", "reasons": "Unhappy"})
    assert accepted.status_code == 302


def test_a_message_the_case_is_not_waiting_for_is_named_in_words_not_codes(client, webtest, responded):
    login(client, "ia.team")
    response = client.post(f"/cases/{responded}/messages", data={
        "message": "appeal_requested", "received_on": "2026-12-23", "channel": "email", "reasons": "Unhappy"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "not waiting for a request to appeal" in html and "'appeal_requested'" not in html
