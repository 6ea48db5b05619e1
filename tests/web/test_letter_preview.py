"""The letter preview on the task page: it checks the answers like completion does, completes nothing, sends
nothing, needs the CSRF token, and is refused to anyone who may not complete the task."""
from __future__ import annotations

from sqlalchemy import func, select

from storage import models as m
from tests.web.conftest import PASSWORD, RECORD_FORM, login, open_case, open_task
from web import create_app
from web.extensions import limiter


def outbox_and_task(container, reference: str, task_id: int):
    """What a preview must not change: the outbox, the task, the case and its timeline."""
    with container.session_factory() as session:
        case = session.scalar(select(m.Case).where(m.Case.reference == reference))
        task = session.get(m.Task, task_id)
        return (session.scalar(select(func.count()).select_from(m.Outbox)), task.state, case.stage, case.status,
                session.scalar(select(func.count()).select_from(m.Event).where(m.Event.case_id == case.id)))


def test_a_preview_completes_nothing_and_says_when_no_letter_would_go(client, webtest):
    reference = open_case(webtest)
    task_id = open_task(webtest, reference)
    login(client, "ia.team")
    before = outbox_and_task(webtest, reference, task_id)
    response = client.post(f"/tasks/{task_id}", data={**RECORD_FORM, "_action": "preview"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="letter-preview"' in html
    assert "sends no letter to the complainant" in html
    assert 'value="Missed appointments"' in html  # the answers typed so far stay on the page
    assert outbox_and_task(webtest, reference, task_id) == before
    assert before[1] == "open"


def test_a_preview_with_bad_answers_names_the_fields_and_shows_no_letter(client, webtest):
    reference = open_case(webtest)
    task_id = open_task(webtest, reference)
    login(client, "ia.team")
    response = client.post(f"/tasks/{task_id}", data={"summary": "", "_action": "preview"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#f-summary"' in html and 'id="letter-preview"' not in html


def test_staff_of_another_division_cannot_preview_and_nothing_changes(client, webtest):
    reference = open_case(webtest)
    task_id = open_task(webtest, reference)
    before = outbox_and_task(webtest, reference, task_id)
    login(client, "euk.team")
    response = client.post(f"/tasks/{task_id}", data={**RECORD_FORM, "_action": "preview"})
    assert response.status_code in (403, 404)
    assert outbox_and_task(webtest, reference, task_id) == before
    with webtest.uow() as uow:
        assert uow.tasks.get(task_id).draft is None  # not even a draft was kept


def test_a_preview_without_the_csrf_token_is_refused(webtest, staff):
    app = create_app(webtest, TESTING=True)  # CSRF on, as in production
    limiter.reset()
    reference = open_case(webtest)
    task_id = open_task(webtest, reference)
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"username": "ia.team", "password": PASSWORD, "csrf_token": token})
    response = client.post(f"/tasks/{task_id}", data={**RECORD_FORM, "_action": "preview"})
    assert response.status_code == 400
    with webtest.uow() as uow:
        assert uow.tasks.get(task_id).draft is None and uow.tasks.get(task_id).state == "open"
