"""Task pages render the form from its JSON Schema, check answers on the server, keep drafts and refuse doubles."""
from __future__ import annotations

from io import BytesIO

from tests.web.conftest import RECORD_FORM, login, open_case, open_task


def _record_task(client, webtest, **answers):
    reference = open_case(webtest, **answers)
    login(client, "ia.team")
    return reference, open_task(webtest, reference)


def test_the_task_form_is_rendered_from_its_schema_and_ui_hints(client, webtest):
    _, task_id = _record_task(client, webtest)
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert '<textarea id="f-details"' in html and "Anything the investigator should know" in html
    assert 'type="date" id="f-happened_on"' in html
    assert "Staff conduct" in html and 'type="radio"' in html
    assert 'id="f-actions-0-description"' in html and "Add another action" in html
    assert 'type="file" id="f-consent"' in html
    assert html.index('id="f-summary"') < html.index('id="f-details"') < html.index('id="f-category"')


def test_the_case_and_the_complainants_support_needs_are_shown_beside_the_form(client, webtest):
    _, task_id = _record_task(client, webtest, needs_support=True, language="Polish", formats=["large_print"])
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "My adviser missed two appointments." in html
    assert "Language: Polish" in html and "Large print" in html


def test_bad_answers_get_400_with_an_error_summary_and_field_errors(client, webtest):
    _, task_id = _record_task(client, webtest)
    response = client.post(f"/tasks/{task_id}", data={"summary": "", "happened_on": "not a date",
                                                      "category": "made-up", "_action": "complete"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="error-summary"' in html and 'href="#f-summary"' in html
    assert 'id="f-eligible-error"' in html and 'id="f-happened_on-error"' in html
    assert 'id="f-category-error"' in html
    assert 'value="not a date"' in html


def test_a_repeating_row_missing_a_required_field_is_named_in_the_errors(client, webtest):
    _, task_id = _record_task(client, webtest)
    data = {**RECORD_FORM, "actions.0.description": "Retrain the adviser"}
    html = client.post(f"/tasks/{task_id}", data=data).get_data(as_text=True)
    assert 'id="f-actions-0-owner-error"' in html


def test_completing_with_good_answers_stores_typed_data_and_moves_the_case_on(client, webtest):
    reference, task_id = _record_task(client, webtest)
    data = {**RECORD_FORM, "actions.0.description": "Retrain", "actions.0.owner": "ia.team",
            "actions.0.review_on": "2027-01-15", "actions.1.description": "", "actions.1.owner": ""}
    response = client.post(f"/tasks/{task_id}", data=data)
    assert response.status_code == 302 and response.location.endswith(f"/cases/{reference}")
    with webtest.uow() as uow:
        task = uow.tasks.get(task_id)
        assert task.state == "completed"
        opened = uow.tasks.open_for_case(task.case_id)
        assert [t.title for t in opened] == ["Allocate an investigating officer"]


def test_a_second_completion_of_the_same_task_gets_a_clear_409(client, webtest):
    _, task_id = _record_task(client, webtest)
    assert client.post(f"/tasks/{task_id}", data=RECORD_FORM).status_code == 302
    response = client.post(f"/tasks/{task_id}", data=RECORD_FORM)
    assert response.status_code == 409
    assert "already been completed" in response.get_data(as_text=True)


def test_save_draft_keeps_answers_without_completing(client, webtest):
    _, task_id = _record_task(client, webtest)
    response = client.post(f"/tasks/{task_id}", data={"summary": "Half done", "_action": "save"})
    assert response.status_code == 302
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'value="Half done"' in html
    with webtest.uow() as uow:
        assert uow.tasks.get(task_id).state == "open"


def test_add_another_shows_one_more_row_without_javascript(client, webtest):
    _, task_id = _record_task(client, webtest)
    html = client.post(f"/tasks/{task_id}", data={"actions.0.description": "One", "actions.0.owner": "Me",
                                                  "_action": "add_row:actions"}).get_data(as_text=True)
    assert 'id="f-actions-2-description"' in html and 'value="One"' in html


def test_written_consent_is_stored_outside_static_and_recorded_as_metadata(client, webtest):
    reference, task_id = _record_task(client, webtest)
    data = {**RECORD_FORM, "consent": (BytesIO(b"%PDF-1.7 signed consent"), "../../consent.pdf")}
    assert client.post(f"/tasks/{task_id}", data=data, content_type="multipart/form-data").status_code == 302
    with webtest.uow() as uow:
        case = uow.cases.by_reference(reference)
        stored = uow.cases.files_for_case(case.id)[0]
        assert stored.filename == "consent.pdf" and stored.content_type == "application/pdf"
        file_id = stored.id
        instance_state = uow.instances.for_case(case.id).state
    assert file_id in instance_state and "sha256" in instance_state
    download = client.get(f"/cases/{reference}/files/{file_id}")
    assert download.data == b"%PDF-1.7 signed consent"
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_a_file_whose_bytes_are_not_an_allowed_type_is_refused_with_a_field_error(client, webtest):
    _, task_id = _record_task(client, webtest)
    data = {**RECORD_FORM, "consent": (BytesIO(b"MZ\x90\x00\x03\x00\x00\x00"), "consent.pdf")}
    response = client.post(f"/tasks/{task_id}", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert 'id="f-consent-error"' in response.get_data(as_text=True)


def test_a_file_over_the_size_limit_is_refused(client, webtest, monkeypatch):
    import processes.attachments as attachments
    monkeypatch.setattr(attachments, "MAX_BYTES", 10)
    _, task_id = _record_task(client, webtest)
    data = {**RECORD_FORM, "consent": (BytesIO(b"%PDF-1.7 far too long"), "consent.pdf")}
    response = client.post(f"/tasks/{task_id}", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "smaller than" in response.get_data(as_text=True)


def _allocate_task(client, webtest):
    reference, task_id = _record_task(client, webtest)
    client.post(f"/tasks/{task_id}", data=RECORD_FORM)
    client.post("/logout")
    login(client, "ia.manager")
    return reference, open_task(webtest, reference)


def test_choosing_someone_involved_earlier_is_refused_and_an_independent_officer_is_accepted(client, webtest):
    with webtest.uow() as uow:  # ia.team recorded the details, and is an investigating officer too
        uow.users.add_membership(uow.users.id_of("ia.team"), uow.divisions.by_code("IA").id, "investigating_officer")
        uow.commit()
    reference, task_id = _allocate_task(client, webtest)
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Ia Officer" in page and "took part earlier in this case: Ia Team" in page
    assert 'value="ia.team"' not in page
    refused = client.post(f"/tasks/{task_id}", data={"investigating_officer": "ia.team", "_action": "complete"})
    assert refused.status_code == 400
    assert "took part earlier" in refused.get_data(as_text=True)
    accepted = client.post(f"/tasks/{task_id}", data={"investigating_officer": "ia.officer", "_action": "complete"})
    assert accepted.status_code == 302
    case_page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "investigating officer" in case_page


def test_a_task_for_another_role_is_shown_without_its_form(client, webtest):
    _, task_id = _allocate_task(client, webtest)
    client.post("/logout")
    login(client, "ia.team")
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Complete task" not in html and "Line manager role" in html
    assert client.post(f"/tasks/{task_id}", data={"investigating_officer": "ia.officer"}).status_code == 403
