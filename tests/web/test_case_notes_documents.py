"""Case notes and documents on the case: added by the case's division, shown with who and when, hidden from others."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from storage.case_notes import CaseNote
from storage.files import StoredFile
from tests.web.conftest import login, open_case

pytestmark = pytest.mark.both_databases  # note length, newest-first order and stored documents

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _count(container, model) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model))


def test_a_note_is_kept_escaped_with_its_author_and_time_newest_first(client, webtest):
    reference = open_case(webtest)
    login(client, "ia.team")
    client.post(f"/cases/{reference}/notes", data={"note": "Phoned Pat: will send the letter by post."})
    response = client.post(f"/cases/{reference}/notes", data={"note": "<script>alert(1)</script> second"})
    assert response.status_code == 302
    html = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; second" in html and "<script>alert(1)" not in html
    assert html.index("second") < html.index("Phoned Pat")  # newest first
    assert "Ia Team · Wed 23 Dec 2026" in html
    assert "Note added" in html  # on the timeline, without its words
    with webtest.uow() as uow:
        events = [e for e in uow.events.for_case(uow.cases.by_reference(reference).id) if e.kind == "note_added"]
        assert len(events) == 2 and all("text" not in e.data for e in events)


def test_an_empty_or_too_long_note_is_refused_against_the_field_and_nothing_is_kept(client, webtest):
    reference = open_case(webtest)
    login(client, "ia.team")
    empty = client.post(f"/cases/{reference}/notes", data={"note": "   "})
    assert empty.status_code == 400 and "Write the note" in empty.get_data(as_text=True)
    long = client.post(f"/cases/{reference}/notes", data={"note": "x" * 4001})
    body = long.get_data(as_text=True)
    assert long.status_code == 400 and "4,000 characters or fewer (it has 4,001)" in body
    assert 'href="#f-note"' in body
    assert _count(webtest, CaseNote) == 0


def test_another_division_can_neither_read_nor_add_notes_and_nothing_changes(client, webtest):
    reference = open_case(webtest)
    login(client, "ia.team")
    client.post(f"/cases/{reference}/notes", data={"note": "Only for IA"})
    client.post("/logout")
    login(client, "euk.team")
    assert client.get(f"/cases/{reference}").status_code == 404
    assert client.post(f"/cases/{reference}/notes", data={"note": "From EUK"}).status_code == 404
    assert client.post(f"/cases/{reference}/notes", data={"note": ""}).status_code == 404
    assert _count(webtest, CaseNote) == 1


def test_notes_cannot_be_edited_or_deleted(client, webtest):
    reference = open_case(webtest)
    login(client, "ia.team")
    client.post(f"/cases/{reference}/notes", data={"note": "As written"})
    with webtest.uow() as uow:
        note_id = uow.session.scalar(select(CaseNote.id))
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(f"/cases/{reference}/notes").status_code == 405
        assert getattr(client, method)(f"/cases/{reference}/notes/{note_id}").status_code in (404, 405)
    with webtest.uow() as uow:
        assert uow.session.scalar(select(CaseNote.text)) == "As written"


def test_a_document_is_attached_listed_with_its_uploader_and_downloaded_only_as_an_attachment(client, webtest):
    reference = open_case(webtest)
    login(client, "ia.team")
    response = client.post(f"/cases/{reference}/documents", content_type="multipart/form-data",
                           data={"kind": "scanned_letter", "document": (io.BytesIO(PDF), "letter from Pat.pdf")})
    assert response.status_code == 302
    html = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "letter from Pat.pdf" in html and "Scanned letter" in html and "Ia Team" in html
    with webtest.uow() as uow:
        stored = uow.session.scalars(select(StoredFile)).one()
        assert stored.task_id is None and stored.content_type == "application/pdf" and stored.uploaded_by == "ia.team"
        file_id = stored.id
    download = client.get(f"/cases/{reference}/files/{file_id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "no-store"
    client.post("/logout")
    login(client, "euk.team")
    assert client.get(f"/cases/{reference}/files/{file_id}").status_code == 404


def test_a_document_of_the_wrong_type_or_without_a_file_is_refused_by_field_and_nothing_is_stored(client, webtest):
    reference = open_case(webtest)
    login(client, "ia.team")
    exe = client.post(f"/cases/{reference}/documents", content_type="multipart/form-data",
                      data={"kind": "evidence", "document": (io.BytesIO(b"MZ\x90\x00\x03\x00\x00"), "photo.png")})
    assert exe.status_code == 400 and "The file must be a PDF" in exe.get_data(as_text=True)
    nothing = client.post(f"/cases/{reference}/documents", content_type="multipart/form-data", data={"kind": ""})
    body = nothing.get_data(as_text=True)
    assert nothing.status_code == 400 and "Choose what the document is" in body and "Choose a file to attach" in body
    assert _count(webtest, StoredFile) == 0


def test_another_division_cannot_attach_a_document_and_nothing_is_stored(client, webtest):
    reference = open_case(webtest)
    login(client, "euk.team")
    response = client.post(f"/cases/{reference}/documents", content_type="multipart/form-data",
                           data={"kind": "evidence", "document": (io.BytesIO(PDF), "x.pdf")})
    assert response.status_code == 404
    assert _count(webtest, StoredFile) == 0


def test_a_called_process_diagram_is_served_only_to_the_case_division(client, webtest):
    reference = open_case(webtest)
    login(client, "ia.team")
    found = client.get(f"/cases/{reference}/diagrams/web_test")
    assert found.status_code == 200 and found.mimetype == "application/xml" and b'id="web_test"' in found.data
    assert client.get(f"/cases/{reference}/diagrams/no_such_process").status_code == 404
    client.post("/logout")
    login(client, "euk.team")
    assert client.get(f"/cases/{reference}/diagrams/web_test").status_code == 404


def test_the_diagram_is_named_by_where_the_case_is_not_by_element_ids(client, webtest):
    reference = open_case(webtest)
    login(client, "ia.team")
    html = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert 'aria-label="Where the case is: Record the details."' in html
    assert 'role="img"' not in html


def test_a_partner_copy_for_a_case_not_waiting_for_one_is_refused_in_words_and_changes_nothing(client, webtest):
    reference = open_case(webtest)
    login(client, "ia.team")
    with webtest.uow() as uow:
        before = len(uow.events.for_case(uow.cases.by_reference(reference).id))
    refused = client.post(f"/cases/{reference}/partner-copies",
                          data={"partner_stage": "formal", "partner_dated": "2026-12-22"})
    assert refused.status_code == 409 and "This could not be recorded" in refused.get_data(as_text=True)
    bad = client.post(f"/cases/{reference}/partner-copies", data={"partner_stage": "later", "partner_dated": "x"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Choose which stage" in body and "Enter the date of the partner" in body
    client.post("/logout")
    login(client, "euk.team")
    assert client.post(f"/cases/{reference}/partner-copies",
                       data={"partner_stage": "formal", "partner_dated": "2026-12-22"}).status_code == 404
    with webtest.uow() as uow:
        assert len(uow.events.for_case(uow.cases.by_reference(reference).id)) == before
