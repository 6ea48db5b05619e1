"""The inbox lists my tasks and my roles' tasks, soonest due first, with filters, paging and claiming."""
from __future__ import annotations

import re

import pytest

from tests.web.conftest import RECORD_FORM, login, open_case, open_task

pytestmark = pytest.mark.both_databases  # the inbox's filters, sort order and paging are SQL


def _task_links(html: str) -> list[str]:
    return re.findall(r'href="/tasks/(\d+)"', html)


def test_inbox_shows_unclaimed_tasks_for_my_role_soonest_due_first(client, webtest):
    newer = open_case(webtest, days_ago=0)
    older = open_case(webtest, days_ago=1)
    login(client, "ia.team")
    html = client.get("/inbox").get_data(as_text=True)
    assert html.index(older) < html.index(newer)
    assert "Record the details" in html and "2 tasks" in html


def test_inbox_count_badge_shows_in_the_navigation(client, webtest):
    open_case(webtest)
    login(client, "ia.team")
    html = client.get("/cases").get_data(as_text=True)
    assert re.search(r'class="badge"[^>]*>1<', html)


def test_inbox_does_not_show_tasks_for_roles_i_do_not_hold(client, webtest):
    open_case(webtest)
    login(client, "ia.officer")
    assert _task_links(client.get("/inbox").get_data(as_text=True)) == []


def test_due_dates_show_working_days_left_and_overdue_tasks_are_highlighted(client, webtest):
    fresh = open_case(webtest, days_ago=0)
    late = open_case(webtest, days_ago=14)
    login(client, "ia.team")
    html = client.get("/inbox").get_data(as_text=True)
    assert "overdue-row" in html and "Overdue by" in html
    assert re.search(r"\d working days? left", html)
    overdue_only = client.get("/inbox?overdue=1").get_data(as_text=True)
    assert late in overdue_only and fresh not in overdue_only


def test_due_this_week_filter_keeps_only_tasks_falling_due_by_sunday(client, webtest):
    # received Wed 23 Dec 2026: 3 working days on skips Christmas and Boxing Day, so it falls due next week
    open_case(webtest, days_ago=0)
    login(client, "ia.team")
    assert _task_links(client.get("/inbox?week=1").get_data(as_text=True)) == []
    assert len(_task_links(client.get("/inbox").get_data(as_text=True))) == 1


def test_division_stage_and_version_filters_narrow_the_inbox(client, webtest):
    open_case(webtest)
    login(client, "ia.team")
    assert len(_task_links(client.get("/inbox?division=IA&stage=stage_1").get_data(as_text=True))) == 1
    assert _task_links(client.get("/inbox?stage=stage_9").get_data(as_text=True)) == []
    assert _task_links(client.get("/inbox?division=EUK").get_data(as_text=True)) == []
    assert _task_links(client.get("/inbox?version=99999").get_data(as_text=True)) == []


def test_inbox_pages_through_many_tasks(client, webtest):
    for _ in range(4):
        open_case(webtest)
    login(client, "ia.team")
    first = client.get("/inbox?per_page=3").get_data(as_text=True)
    second = client.get("/inbox?per_page=3&page=2").get_data(as_text=True)
    assert len(_task_links(first)) == 3 and len(_task_links(second)) == 1
    assert 'rel="next"' in first and set(_task_links(first)).isdisjoint(_task_links(second))


def test_malformed_filters_are_ignored_rather_than_failing(client, webtest):
    login(client, "ia.team")
    assert client.get("/inbox?page=abc&version=x&scope=evil&per_page=-4").status_code == 200


def test_claiming_a_task_takes_it_out_of_colleagues_unclaimed_list(client, app, webtest):
    task_id = open_task(webtest, open_case(webtest))
    login(client, "ia.team")
    response = client.post(f"/inbox/tasks/{task_id}/claim", data={"next": "/inbox"})
    assert response.status_code == 302 and response.location.endswith("/inbox")
    assert str(task_id) in _task_links(client.get("/inbox?scope=mine").get_data(as_text=True))
    assert client.post(f"/inbox/tasks/{task_id}/release", data={"next": "//evil.example"}).location.endswith("/inbox")
    assert _task_links(client.get("/inbox?scope=mine").get_data(as_text=True)) == []


def test_a_task_claimed_by_someone_else_cannot_be_claimed_again(client, webtest, staff):
    from processes.accounts import load_actor
    from processes.lifecycle import claim_task
    task_id = open_task(webtest, open_case(webtest))
    with webtest.uow() as uow:
        manager = uow.users.by_username("ia.manager")
        uow.users.add_membership(manager.id, uow.divisions.by_code("IA").id, "complaints_team")
        uow.commit()
    claim_task(webtest.uow(), task_id, load_actor(webtest.uow(), staff["ia.manager"]["id"]))
    login(client, "ia.team")
    assert client.post(f"/inbox/tasks/{task_id}/claim").status_code == 409


def test_a_line_manager_reassigns_a_task_and_sees_everyones_tasks_in_team_view(client, webtest):
    task_id = open_task(webtest, open_case(webtest))
    login(client, "ia.manager")
    assert str(task_id) in _task_links(client.get("/inbox?scope=team").get_data(as_text=True))
    assert client.post(f"/inbox/tasks/{task_id}/reassign", data={"assignee": "ia.team"}).status_code == 302
    html = client.get("/inbox?scope=team").get_data(as_text=True)
    assert "Ia Team" in html


def test_reassigning_is_forbidden_to_staff_who_are_not_managers(client, webtest):
    task_id = open_task(webtest, open_case(webtest))
    login(client, "ia.officer")
    assert client.post(f"/inbox/tasks/{task_id}/reassign", data={"assignee": "ia.officer"}).status_code == 403


def test_reassigning_to_an_unknown_user_is_a_field_error(client, webtest):
    task_id = open_task(webtest, open_case(webtest))
    login(client, "ia.manager")
    response = client.post(f"/inbox/tasks/{task_id}/reassign", data={"assignee": "nobody"})
    assert response.status_code == 400 and "nobody" in response.get_data(as_text=True)


def test_completed_tasks_leave_the_inbox(client, webtest):
    task_id = open_task(webtest, open_case(webtest))
    login(client, "ia.team")
    assert client.post(f"/tasks/{task_id}", data=RECORD_FORM).status_code == 302
    assert str(task_id) not in _task_links(client.get("/inbox").get_data(as_text=True))


def test_the_list_buttons_claim_and_release_through_one_form(client, webtest):
    task_id = open_task(webtest, open_case(webtest))
    login(client, "ia.team")
    html = client.get("/inbox").get_data(as_text=True)
    assert f'form="inbox-actions" name="claim" value="{task_id}"' in html
    assert client.post("/inbox/actions", data={"claim": str(task_id), "next": "/inbox"}).status_code == 302
    html = client.get("/inbox?scope=mine").get_data(as_text=True)
    assert f'name="release" value="{task_id}"' in html
    assert client.post("/inbox/actions", data={"release": str(task_id)}).status_code == 302
    assert _task_links(client.get("/inbox?scope=mine").get_data(as_text=True)) == []


def test_the_list_form_refuses_a_missing_task_and_another_divisions_task(client, webtest):
    task_id = open_task(webtest, open_case(webtest))
    login(client, "euk.team")
    assert client.post("/inbox/actions", data={"claim": "x"}).status_code == 400
    assert client.post("/inbox/actions", data={"claim": str(task_id)}).status_code == 404
