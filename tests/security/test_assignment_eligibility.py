"""Work goes only to eligible people: an active account, in the case's division, holding the role the work needs,
and independent of the case where the policy says so. Tried through the task forms, the inbox's reassignment
and the API; every refusal names the field, says why, and changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from storage import models as m
from tests.security.staffing_support import advance_to, bearer, login, open_case, snapshot, staffed, task_id  # noqa: F401
from web import create_app
from web.extensions import limiter

pytestmark = pytest.mark.both_databases  # involvement is recorded with a dialect-specific insert

INELIGIBLE_LINE_MANAGERS = {
    "euk.manager": "does not work in Interventions Alliance",  # another division
    "ia.officer": "is not a line manager in Interventions Alliance",  # no line manager role
    "ia.manager.gone": "account is disabled",
    "nobody.here": "no member of staff with the username 'nobody.here'",
}


@pytest.fixture
def client(staffed):
    app = create_app(staffed, TESTING=True, WTF_CSRF_ENABLED=False)
    limiter.reset()
    return app.test_client()


def _refused_through_the_form(client, c, reference, task, data, field, reason):
    before = snapshot(c, reference)
    response = client.post(f"/tasks/{task}", data={**data, "_action": "complete"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html
    assert f'id="f-{field.replace(".", "-")}-error"' in html and reason in html.replace("&#39;", "'")
    assert snapshot(c, reference) == before


def _refused_through_the_api(client, c, reference, task, data, field, reason, as_user="ia.team"):
    before = snapshot(c, reference)
    response = client.post(f"/api/v1/tasks/{task}/complete", json={"data": data}, headers=bearer(c, as_user))
    assert response.status_code == 400, response.json
    assert any(reason in message for message in response.json["error"]["fields"][field])
    assert snapshot(c, reference) == before


def test_the_line_manager_field_offers_exactly_the_eligible_line_managers(client, staffed):
    reference = open_case(staffed)
    task = advance_to(staffed, reference, "allocate_line_manager")
    html = login(client, "ia.team").get(f"/tasks/{task}").get_data(as_text=True)
    offered = 'name="line_manager" value="{}"'
    assert offered.format("ia.manager") in html and offered.format("ia.team") in html  # ia.team is one too
    for username in ("euk.manager", "ia.officer", "ia.manager.gone"):
        assert f'value="{username}"' not in html
    assert 'type="text" id="f-line_manager"' not in html and '<input type="text" id="f-line_manager"' not in html


@pytest.mark.parametrize("username", sorted(INELIGIBLE_LINE_MANAGERS))
def test_an_ineligible_line_manager_is_refused_through_the_form_and_the_api(client, staffed, username):
    reference = open_case(staffed)
    task = advance_to(staffed, reference, "allocate_line_manager")
    login(client, "ia.team")
    reason = INELIGIBLE_LINE_MANAGERS[username]
    _refused_through_the_form(client, staffed, reference, task, {"line_manager": username}, "line_manager", reason)
    _refused_through_the_api(client, staffed, reference, task, {"line_manager": username}, "line_manager", reason)


def test_an_investigating_officer_who_took_part_earlier_is_refused_and_not_offered(client, staffed):
    reference = open_case(staffed)
    task = advance_to(staffed, reference, "allocate_investigator")
    login(client, "ia.team")
    html = client.get(f"/tasks/{task}").get_data(as_text=True)
    assert 'name="investigating_officer" value="ia.officer"' in html
    assert 'name="investigating_officer" value="ia.team"' not in html
    assert "took part earlier in this case: Ia Team" in html
    data = {"investigating_officer": "ia.team"}
    _refused_through_the_form(client, staffed, reference, task, data, "investigating_officer", "took part earlier")
    _refused_through_the_api(client, staffed, reference, task, data, "investigating_officer", "took part earlier")
    euk = {"investigating_officer": "euk.officer"}
    _refused_through_the_api(client, staffed, reference, task, euk, "investigating_officer", "does not work in")


def test_the_panel_is_chosen_with_checkboxes_and_accepted(client, staffed):
    reference = open_case(staffed)
    task = advance_to(staffed, reference, "convene_panel")
    login(client, "ia.team")
    html = client.get(f"/tasks/{task}").get_data(as_text=True)
    assert 'type="checkbox" id="f-panel" name="panel" value="ia.panel"' in html
    assert 'value="euk.panel"' not in html
    response = client.post(f"/tasks/{task}", data={"panel": ["ia.panel", "ia.panel2"],
                                                   "panel_meets_on": "2027-01-11", "_action": "complete"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with staffed.session_factory() as session:
        assert session.get(m.Task, task).state == "completed"


def test_a_panel_member_of_another_division_or_without_the_role_is_refused(client, staffed):
    reference = open_case(staffed)
    task = advance_to(staffed, reference, "convene_panel")
    login(client, "ia.team")
    for member, reason in (("euk.panel", "does not work in"), ("ia.manager", "is not an appeal panel member"),
                           ("ia.manager.gone", "disabled")):
        data = {"panel": ["ia.panel", member], "panel_meets_on": "2027-01-11"}
        _refused_through_the_form(client, staffed, reference, task, data, "panel", reason)
        _refused_through_the_api(client, staffed, reference, task, data, "panel", reason)


def test_an_action_owner_must_work_in_the_division(client, staffed):
    reference = open_case(staffed)
    task = advance_to(staffed, reference, "action_plan")
    login(client, "ia.team")
    html = client.get(f"/tasks/{task}").get_data(as_text=True)
    assert 'name="actions.0.owner"' in html and 'value="euk.manager"' not in html
    row = {"actions.0.description": "Retrain", "actions.0.review_on": "2027-02-01",
           "discussed_with_colleague_and_manager": "yes"}
    for owner, reason in (("euk.manager", "does not work in"), ("ia.manager.gone", "disabled"),
                          ("nobody.here", "no member of staff")):
        _refused_through_the_form(client, staffed, reference, task, {**row, "actions.0.owner": owner},
                                  "actions.0.owner", reason)
        api = {"actions": [{"description": "Retrain", "owner": owner, "review_on": "2027-02-01"}],
               "discussed_with_colleague_and_manager": True}
        _refused_through_the_api(client, staffed, reference, task, api, "actions.0.owner", reason)


def _assignee(c, task: int):
    with c.session_factory() as session:
        return session.get(m.Task, task).assignee_id


@pytest.mark.parametrize("username, reason", [
    ("euk.officer", "does not work in"), ("ia.manager", "is not an investigating officer"),
    ("ia.manager.gone", "disabled"), ("nobody.here", "no member of staff"), ("ia.team", "took part earlier")])
def test_reassigning_from_the_task_page_and_claiming_through_the_api_refuse_the_ineligible(client, staffed,
                                                                                          username, reason):
    reference = open_case(staffed)
    task = advance_to(staffed, reference, "investigate")
    holder = _assignee(staffed, task)
    assert holder == staffed.people["ia.officer2"]["id"]  # the officer the director named
    login(client, "ia.team")  # complaints team: may reassign
    html = client.get(f"/tasks/{task}").get_data(as_text=True)
    assert 'value="ia.officer"' in html and f'<option value="{username}"' not in html
    before = snapshot(staffed, reference)
    refused = client.post(f"/inbox/tasks/{task}/reassign", data={"assignee": username})
    assert refused.status_code == 400 and reason in refused.get_data(as_text=True).replace("&#39;", "'")
    assert snapshot(staffed, reference) == before
    api = client.post(f"/api/v1/tasks/{task}/claim", json={"assignee": username}, headers=bearer(staffed, "ia.team"))
    assert api.status_code == 400 and any(reason in msg for msg in api.json["error"]["fields"]["assignee"])
    assert snapshot(staffed, reference) == before


def test_an_eligible_independent_officer_can_be_given_the_investigation(client, staffed):
    reference = open_case(staffed)
    task = advance_to(staffed, reference, "investigate")
    login(client, "ia.team")
    assert client.post(f"/inbox/tasks/{task}/reassign", data={"assignee": "ia.officer"}).status_code == 302
    assert _assignee(staffed, task) == staffed.people["ia.officer"]["id"]
    back = client.post(f"/api/v1/tasks/{task}/claim", json={"assignee": "ia.officer2"},
                       headers=bearer(staffed, "ia.team"))
    assert back.status_code == 200  # the officer the allocation named may have it back
    assert _assignee(staffed, task) == staffed.people["ia.officer2"]["id"]


def test_someone_involved_earlier_cannot_claim_independent_work_for_themselves(client, staffed):
    reference = open_case(staffed)
    task = advance_to(staffed, reference, "investigate")
    login(client, "ia.team")
    client.post(f"/inbox/tasks/{task}/reassign", data={"assignee": ""})  # unassigned
    before = snapshot(staffed, reference)
    refused = client.post(f"/api/v1/tasks/{task}/claim", headers=bearer(staffed, "ia.team"))
    assert refused.status_code == 403 and "took part earlier" in refused.json["error"]["message"]
    assert snapshot(staffed, reference) == before
    with staffed.session_factory() as session:
        assert session.scalars(select(m.Task.assignee_id).where(m.Task.id == task)).one() is None
