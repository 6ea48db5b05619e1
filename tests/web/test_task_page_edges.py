"""Task pages never fail: completed tasks of closed cases open read-only, doubles and duplicates are refused clearly."""
from __future__ import annotations

from tests.web.conftest import RECORD_FORM, login, open_case, open_task


def test_a_completed_task_of_a_closed_case_opens_read_only(client, webtest):
    reference = open_case(webtest)
    login(client, "ia.team")
    task_id = open_task(webtest, reference)
    assert client.post(f"/tasks/{task_id}", data=RECORD_FORM).status_code == 302
    with webtest.uow() as uow:
        case = uow.cases.by_reference(reference)
        case.status = "closed"
        uow.commit()
    response = client.get(f"/tasks/{task_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:2000]
    assert "button" not in html.split("<main", 1)[1].split("value=complete")[0] or 'value="complete"' not in html


def test_adding_a_closure_day_that_already_exists_is_refused_naming_the_day(client, webtest):
    login(client, "ia.admin")
    first = {"day": "2026-12-24", "division": "IA", "reason": "Christmas Eve closure"}
    assert client.post("/admin/closures", data=first).status_code == 302
    again = client.post("/admin/closures", data={**first, "reason": "Again"})
    html = again.get_data(as_text=True)
    assert again.status_code == 400
    assert "Thursday 24 December 2026 is already a closure day for Interventions Alliance" in html
    with webtest.uow() as uow:
        assert [c.reason for c in uow.closures.listed([uow.divisions.by_code("IA").id], False)] == \
            ["Christmas Eve closure"]


def test_completing_a_task_twice_says_so_and_changes_nothing(client, webtest):
    reference = open_case(webtest)
    login(client, "ia.team")
    task_id = open_task(webtest, reference)
    assert client.post(f"/tasks/{task_id}", data=RECORD_FORM).status_code == 302
    with webtest.session_factory() as session:
        from sqlalchemy import func, select

        from storage import models as m
        before = session.scalar(select(func.count()).select_from(m.Event))
    again = client.post(f"/tasks/{task_id}", data={**RECORD_FORM, "summary": "Changed"})
    assert again.status_code == 409 and "already been completed" in again.get_data(as_text=True)
    with webtest.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(m.Event)) == before


def test_the_tasks_of_a_migrated_case_open_without_error(client, webtest):
    from processes.governance import approve_version, publish_version, save_version_draft, submit_version
    from processes.migration import migrate_cases
    from tests.governance_support import PROCESS, add_user, use_demo_process, with_ack_deadline
    use_demo_process(webtest)
    analyst, gov = add_user(webtest, "ana", "process_analyst"), add_user(webtest, "gill", "governance")
    reference = open_case(webtest)
    task_id = open_task(webtest, reference)
    saved = save_version_draft(webtest.uow(), webtest.runtime, PROCESS,
                       with_ack_deadline("working_days_after(received_at, 3)"), analyst)
    submit_version(webtest.uow(), webtest.runtime, saved.version_id, analyst, "shorter acknowledgement")
    approve_version(webtest.uow(), saved.version_id, gov, "ok")
    publish_version(webtest.uow(), webtest.runtime, saved.version_id, gov)
    assert migrate_cases(webtest.uow(), webtest.runtime, saved.version_id, [reference], gov).migrated == [reference]
    login(client, "ia.team")
    with webtest.uow() as uow:
        case = uow.cases.by_reference(reference)
        ids = [t.id for t in uow.tasks.for_case(case.id)]
    assert task_id in ids
    for each in ids:
        assert client.get(f"/tasks/{each}").status_code == 200
