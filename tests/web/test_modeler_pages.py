"""The modeler pages: who may use them, saving drafts, the validation report, submitting, importing."""
import io
import json
import re
import zipfile

import pytest

from processes.bundle import bundle_from_directory
from tests.governance_support import (
    DEMO,
    PROCESS,
    add_user,
    demo_text,
    published_id,
    sign_in,
    use_demo_process,
    version_rows,
    web_client,
    with_ack_deadline,
)

XXE = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'


@pytest.fixture
def people(container):
    use_demo_process(container)
    add_user(container, "ana", "process_analyst")
    add_user(container, "gill", "governance")
    add_user(container, "sam", "complaints_team")
    return container


@pytest.fixture
def analyst(people):
    return sign_in(web_client(people), "ana")


def save(client, version_id, content, name="demo.bpmn", **extra):
    return client.post(f"/modeler/versions/{version_id}/save", data={"file": name, "content": content, **extra})


def latest_version_id(container) -> int:
    return max(row[0] for row in version_rows(container))


def test_anonymous_visitors_are_sent_to_sign_in(people):
    client = web_client(people)
    for url in ("/modeler/", f"/modeler/versions/{published_id(people)}"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post(f"/modeler/versions/{published_id(people)}/save", data={}).status_code == 302


@pytest.mark.parametrize("username", ["gill", "sam"])
def test_people_without_the_analyst_role_are_refused(people, username):
    client = sign_in(web_client(people), username)
    assert client.get("/modeler/").status_code == 403
    assert save(client, published_id(people), demo_text()).status_code == 403
    assert client.post("/modeler/import", data={}).status_code == 403


def test_the_modeler_lists_processes_and_opens_a_diagram_with_its_source(analyst, people):
    index = analyst.get("/modeler/").get_data(as_text=True)
    assert "Demo complaint" in index and f"/modeler/versions/{published_id(people)}" in index
    page = analyst.get(f"/modeler/versions/{published_id(people)}").get_data(as_text=True)
    assert "Validation found no problems" in page and 'id="modeler-data"' in page
    assert "working_days_after(received_at, 5)" in page and "build/diagrams.js" in page


def test_saving_a_published_version_creates_a_draft_and_reports_no_problems(analyst, people):
    response = save(analyst, published_id(people), with_ack_deadline("working_days_after(received_at, 3)")["demo.bpmn"])
    assert response.status_code == 302
    draft_id = latest_version_id(people)
    assert response.headers["Location"].endswith(f"/modeler/versions/{draft_id}?file=demo.bpmn")
    page = analyst.get(response.headers["Location"]).get_data(as_text=True)
    assert "Draft version 2 created; validation found no problems." in page and "Submit for review" in page


def test_a_diagram_sent_as_a_file_part_is_saved_too(analyst, people):
    text = with_ack_deadline("working_days_after(received_at, 4)")["demo.bpmn"]
    response = analyst.post(f"/modeler/versions/{published_id(people)}/save", data={
        "file": "demo.bpmn", "content_file": (io.BytesIO(text.encode()), "demo.bpmn")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    with people.uow() as uow:
        assert "working_days_after(received_at, 4)" in uow.versions.get(latest_version_id(people)).files["demo.bpmn"]


def test_a_broken_expression_is_reported_against_its_element_and_blocks_submission(analyst, people):
    save(analyst, published_id(people), with_ack_deadline("working_days_after(received_at, P5D)")["demo.bpmn"])
    draft_id = latest_version_id(people)
    page = analyst.get(f"/modeler/versions/{draft_id}").get_data(as_text=True)
    assert "Validation found 1 problem" in page and 'data-element="triage_deadline"' in page
    data = json.loads(re.search(r'id="modeler-data">(.*?)</script>', page).group(1))
    assert [p["element"] for p in data["problems"]] == ["triage_deadline"]
    before = version_rows(people)
    refused = analyst.post(f"/modeler/versions/{draft_id}/submit", data={"change_note": "faster"})
    assert refused.status_code == 400 and "cannot be submitted until these problems are fixed" in refused.get_data(
        as_text=True)
    assert version_rows(people) == before


def test_an_unsafe_diagram_is_refused_and_nothing_is_saved(analyst, people):
    before = version_rows(people)
    response = save(analyst, published_id(people), XXE)
    assert response.status_code == 400
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert "DOCTYPE and entity declarations are not allowed" in response.get_data(as_text=True)
    assert version_rows(people) == before


def test_submitting_a_clean_draft_needs_a_note_and_then_leads_to_its_review(analyst, people):
    save(analyst, published_id(people), with_ack_deadline("working_days_after(received_at, 3)")["demo.bpmn"])
    draft_id = latest_version_id(people)
    assert analyst.post(f"/modeler/versions/{draft_id}/submit", data={"change_note": ""}).status_code == 400
    response = analyst.post(f"/modeler/versions/{draft_id}/submit", data={"change_note": "Three days"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/governance/versions/{draft_id}")


def test_a_50_megabyte_upload_is_refused_as_too_large_and_changes_nothing(analyst, people):
    before = version_rows(people)
    response = analyst.post("/modeler/import", data={"bundle": (io.BytesIO(b"\0" * (50 * 1024 * 1024)), "big.zip")},
                            content_type="multipart/form-data")
    assert response.status_code == 413
    assert "The upload is 50.0 MB; a bundle archive may be at most 8 MB." in response.get_data(as_text=True)
    assert version_rows(people) == before


def test_importing_a_bad_bundle_shows_each_problem_and_changes_nothing(analyst, people):
    files = dict(bundle_from_directory(DEMO).files)
    files["demo.bpmn"] = demo_text().replace('id="send_letter"', 'id="send_pigeon"').encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    before = version_rows(people)
    response = analyst.post("/modeler/import", data={"bundle": (io.BytesIO(buffer.getvalue()), "demo.zip")},
                            content_type="multipart/form-data")
    assert response.status_code == 400
    assert "names unknown operator &#39;send_pigeon&#39;" in response.get_data(as_text=True)
    assert version_rows(people) == before


def test_an_exported_zip_imports_back_as_a_draft(analyst, people):
    exported = analyst.get(f"/governance/versions/{published_id(people)}/export")
    assert exported.headers["Content-Disposition"].startswith(f'attachment; filename="{PROCESS}-v1-')
    response = analyst.post("/modeler/import", data={"bundle": (io.BytesIO(exported.data), "demo.zip")},
                            content_type="multipart/form-data")
    assert response.status_code == 302
    with people.uow() as uow:
        assert uow.versions.get(latest_version_id(people)).sha256 == exported.headers["X-Bundle-SHA256"]


def test_the_form_editor_previews_with_the_shared_renderer(analyst, people):
    page = analyst.get(f"/modeler/versions/{published_id(people)}?file=forms/triage.json").get_data(as_text=True)
    assert "Is the complaint eligible?" in page and 'id="form-preview"' in page
    schema = json.dumps({"type": "object", "properties": {"remedy_sought": {"type": "string", "title": "Remedy <b>"}}})
    preview = analyst.post("/modeler/form-preview", json={"schema": schema}).get_data(as_text=True)
    assert "Remedy &lt;b&gt;" in preview
    assert "not valid JSON" in analyst.post("/modeler/form-preview", json={"schema": "{"}).get_data(as_text=True)
