"""Administrators manage accounts, roles in their own divisions, API tokens and closure days."""
from __future__ import annotations

import re

from tests.web.conftest import login


def _user_id(webtest, username):
    with webtest.uow() as uow:
        return uow.users.by_username(username).id


def test_an_administrator_adds_an_account_and_gives_it_roles_in_their_division(client, webtest):
    login(client, "ia.admin")
    response = client.post("/admin/users", data={"username": "new.person", "display_name": "New Person",
                                                  "email": "new@example.org", "password": "a-long-password-1",
                                                  "membership": ["IA:line_manager"]})
    assert response.status_code == 302
    user_id = _user_id(webtest, "new.person")
    assert client.post(f"/admin/users/{user_id}", data={"membership": ["IA:line_manager", "IA:hr"]}).status_code == 302
    with webtest.uow() as uow:
        assert sorted(uow.users.memberships(user_id)) == [("IA", "hr"), ("IA", "line_manager")]
    client.post("/logout")
    assert client.post("/login", data={"username": "new.person", "password": "a-long-password-1"}).status_code == 302
    assert client.get("/inbox").status_code == 200


def test_bad_account_details_get_field_errors(client):
    login(client, "ia.admin")
    response = client.post("/admin/users", data={"username": "Bad Name!", "display_name": "", "email": "x",
                                                 "password": "short"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for field in ("username", "display_name", "email", "password", "membership"):
        assert f'href="#f-{field}"' in html


def test_an_administrator_cannot_grant_roles_in_another_division(client, webtest):
    login(client, "ia.admin")
    user_id = _user_id(webtest, "ia.officer")
    refused = client.post(f"/admin/users/{user_id}", data={"membership": ["EUK:hr"]})
    assert refused.status_code == 403 and "You do not administer EUK" in refused.get_data(as_text=True)
    with webtest.uow() as uow:
        assert uow.users.memberships(user_id) == [("IA", "investigating_officer")]


def test_accounts_of_other_divisions_are_not_listed_or_editable(client, webtest):
    login(client, "ia.admin")
    html = client.get("/admin/users").get_data(as_text=True)
    assert "ia.team" in html and "euk.team" not in html
    refused = client.get(f"/admin/users/{_user_id(webtest, 'euk.team')}")
    assert refused.status_code == 403 and "not in a division you administer" in refused.get_data(as_text=True)
    assert client.get("/admin/users/99999").status_code == 404


def test_disabling_an_account_stops_its_sign_in(client, webtest):
    login(client, "ia.admin")
    client.post(f"/admin/users/{_user_id(webtest, 'ia.team')}/active", data={"active": "no"})
    client.post("/logout")
    assert client.post("/login", data={"username": "ia.team", "password": "correct-horse-battery"}).status_code == 401


def test_an_api_token_is_shown_once_and_works(client, webtest):
    login(client, "ia.admin")
    html = client.post(f"/admin/users/{_user_id(webtest, 'ia.team')}/token").get_data(as_text=True)
    token = re.search(r'id="api-token">([^<]+)<', html).group(1)
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_closure_days_are_added_listed_and_removed_and_change_new_deadlines(client, webtest):
    from processes.calendar import WorkingCalendar
    login(client, "ia.admin")
    assert client.post("/admin/closures", data={"day": "2026-12-24", "division": "IA",
                                                "reason": "Christmas Eve closure"}).status_code == 302
    assert "Christmas Eve closure" in client.get("/admin/closures").get_data(as_text=True)
    with webtest.uow() as uow:
        ia = uow.divisions.by_code("IA")
        closures = uow.closures.for_division(ia.id)
        closure_id = uow.closures.listed([ia.id])[0].id
    deadline = WorkingCalendar("england", closures).deadline_after(webtest.clock.now(), 3)
    assert "Christmas Eve closure" in deadline.explain()
    assert client.post(f"/admin/closures/{closure_id}/delete").status_code == 302
    assert "Christmas Eve closure" not in client.get("/admin/closures").get_data(as_text=True)


def test_closure_day_form_errors_and_other_divisions(client, webtest):
    login(client, "ia.admin")
    response = client.post("/admin/closures", data={"day": "nope", "division": "EUK", "reason": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#f-day"' in html and 'href="#f-reason"' in html
    assert 'href="#f-division"' in html
    group = client.post("/admin/closures", data={"day": "2026-12-29", "division": "", "reason": "All"})
    assert group.status_code == 400
    assert client.post("/admin/closures/999/delete").status_code == 404
