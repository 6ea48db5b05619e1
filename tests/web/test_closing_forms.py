"""A closing task's page offers the categories as checkboxes and will not complete without one."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from processes import lifecycle
from processes.access import SYSTEM
from storage import models as m
from tests.bpmn.test_group_support import triage_answers
from tests.conftest import add_categories
from tests.web.conftest import login, open_case, open_task

RESPONSE = {"findings": "Cover was not arranged", "outcome": "partly_upheld", "response_summary": "We are sorry",
            "misconduct_concern": "no", "learning_identified": "no", "best_practice_identified": "no",
            "_action": "complete"}


@pytest.fixture
def informal_response(app, webtest):
    """An IA complaint on the shipped group diagram, waiting for the line manager's stage 1 response."""
    with webtest.uow() as uow:
        ia = uow.divisions.by_code("IA")
        ia.config = {**ia.config, "processes": {**ia.config["processes"], "complaint": "group_complaint"}}
        uow.commit()
    add_categories(webtest)
    reference = open_case(webtest)
    lifecycle.complete_task(webtest.uow(), webtest.runtime, open_task(webtest, reference), triage_answers(), SYSTEM)
    lifecycle.complete_task(webtest.uow(), webtest.runtime, open_task(webtest, reference),
                            {"line_manager": "ia.manager"}, SYSTEM)
    return reference, open_task(webtest, reference)


def test_the_stage_response_page_offers_the_active_categories_as_checkboxes(client, informal_response):
    _, task_id = informal_response
    login(client, "ia.manager")
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "<legend>Themes and root causes</legend>" in html
    assert '<input type="checkbox" id="f-themes" name="themes" value="appointments">' in html
    assert '<label for="f-themes-1">Communication</label>' in html and "Process not followed" in html
    assert 'id="f-team"' in html


def test_the_stage_response_is_refused_without_a_theme_and_recorded_with_one(client, webtest, informal_response):
    reference, task_id = informal_response
    login(client, "ia.manager")
    refused = client.post(f"/tasks/{task_id}", data=RESPONSE)
    assert refused.status_code == 400 and 'id="f-themes-error"' in refused.get_data(as_text=True)
    done = client.post(f"/tasks/{task_id}", data={**RESPONSE, "themes": ["communication", "appointments"],
                                                  "team": "Leeds"})
    assert done.status_code == 302
    with webtest.session_factory() as session:
        [data] = session.scalars(select(m.Event.data).join(m.Case).where(
            m.Case.reference == reference, m.Event.kind == "case_classified"))
    assert data == {"outcome": "partly_upheld", "themes": ["appointments", "communication"], "team": "Leeds"}


def test_a_correction_on_the_case_page_starts_from_the_latest_classification_and_wins(client, webtest,
                                                                                        informal_response):
    reference, task_id = informal_response
    login(client, "ia.manager")
    client.post(f"/tasks/{task_id}", data={**RESPONSE, "themes": ["communication"], "team": "Leeds"})
    with webtest.uow() as uow:
        uow.cases.by_reference(reference).status = "closed"
        uow.commit()
    login(client, "ia.team")
    html = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert 'name="themes" value="communication" checked' in html and 'value="Leeds"' in html
    corrected = client.post(f"/cases/{reference}/classification",
                            data={"outcome": "upheld", "themes": ["appointments"], "team": ""})
    assert corrected.status_code == 302
    with webtest.session_factory() as session:
        events = list(session.scalars(select(m.Event.data).join(m.Case).where(
            m.Case.reference == reference, m.Event.kind == "case_classified").order_by(m.Event.id)))
    assert events[-1] == {"outcome": "upheld", "themes": ["appointments"], "team": None}
