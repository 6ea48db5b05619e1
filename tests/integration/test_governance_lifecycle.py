"""The version life cycle on a real database: draft, submit, four-eyes review, publish, retire, audit."""
import io
import zipfile

import pytest
from sqlalchemy import select

from processes.access import SYSTEM
from processes.errors import BundleInvalid, Conflict, Forbidden, InvalidInput
from processes.governance import (
    approve_version,
    export_bundle,
    import_bundle,
    publish_version,
    reject_version,
    save_version_draft,
    submit_version,
)
from processes.governance_reads import case_version, processes_overview, review
from processes.lifecycle import start_case
from storage import models as m
from tests.governance_support import PROCESS, add_user, published_id, use_demo_process, version_rows, with_ack_deadline


@pytest.fixture
def people(container):
    use_demo_process(container)
    return {"analyst": add_user(container, "ana", "process_analyst"),
            "both": add_user(container, "bo", "process_analyst", "governance"),
            "gov": add_user(container, "gill", "governance"),
            "staff": add_user(container, "sam", "complaints_team")}


def draft(container, actor, expression="working_days_after(received_at, 3)", **kwargs):
    return save_version_draft(container.uow(), container.runtime, PROCESS, with_ack_deadline(expression), actor,
                              **kwargs)


def submitted(container, actor, note="Acknowledge within 3 working days"):
    saved = draft(container, actor)
    submit_version(container.uow(), container.runtime, saved.version_id, actor, note)
    return saved.version_id


def events_for(container, version_id):
    with container.session_factory() as session:
        return [(e.kind, e.actor) for e in session.scalars(
            select(m.Event).where(m.Event.version_id == version_id, m.Event.case_id.is_(None)).order_by(m.Event.id))]


def test_saving_creates_a_draft_and_saving_again_updates_the_same_draft(container, people):
    first = draft(container, people["analyst"])
    second = draft(container, people["analyst"], "working_days_after(received_at, 4)", base_version_id=first.version_id)
    assert (first.created, first.number, first.problems) == (True, 2, [])
    assert (second.created, second.version_id) == (False, first.version_id)
    assert events_for(container, first.version_id) == [("version_drafted", "ana"), ("version_saved", "ana")]


def test_a_draft_saved_by_someone_else_since_it_was_opened_is_not_overwritten(container, people):
    first = draft(container, people["analyst"])
    opened = version_rows(container)[-1][4]
    draft(container, people["both"], "working_days_after(received_at, 4)", base_version_id=first.version_id)
    before = version_rows(container)
    with pytest.raises(Conflict, match="saved by someone else"):
        draft(container, people["analyst"], "working_days_after(received_at, 6)", base_version_id=first.version_id,
              expected_sha256=opened)
    assert version_rows(container) == before


def test_a_draft_with_a_broken_expression_is_saved_with_its_report_but_cannot_be_submitted(container, people):
    saved = draft(container, people["analyst"], "working_days_after(received_at, P5D)")
    assert saved.problems and saved.problems[0]["element"] == "triage_deadline"
    before = version_rows(container)
    with pytest.raises(BundleInvalid, match="triage_deadline|Triage deadline"):
        submit_version(container.uow(), container.runtime, saved.version_id, people["analyst"], "try")
    assert version_rows(container) == before


def test_submitting_needs_a_change_note(container, people):
    saved = draft(container, people["analyst"])
    with pytest.raises(InvalidInput) as error:
        submit_version(container.uow(), container.runtime, saved.version_id, people["analyst"], "  ")
    assert "change_note" in error.value.fields


def test_a_submitted_version_is_immutable_and_editing_it_starts_a_new_draft(container, people):
    version_id = submitted(container, people["analyst"])
    before = [row for row in version_rows(container) if row[0] == version_id]
    again = draft(container, people["analyst"], "working_days_after(received_at, 9)", base_version_id=version_id)
    assert again.created and again.version_id != version_id
    assert [row for row in version_rows(container) if row[0] == version_id] == before
    with pytest.raises(Conflict, match="only a draft"):
        submit_version(container.uow(), container.runtime, version_id, people["analyst"], "again")


def test_the_author_cannot_approve_their_own_version_even_with_the_governance_role(container, people):
    version_id = submitted(container, people["both"])
    before = version_rows(container)
    with pytest.raises(Forbidden, match="four eyes"):
        approve_version(container.uow(), version_id, people["both"], "looks fine to me")
    assert version_rows(container) == before


def test_an_analyst_without_the_governance_role_cannot_approve(container, people):
    version_id = submitted(container, people["analyst"])
    with pytest.raises(Forbidden):
        approve_version(container.uow(), version_id, people["staff"], "ok")
    with pytest.raises(Forbidden):
        save_version_draft(container.uow(), container.runtime, PROCESS, {}, people["gov"])


def test_approval_records_the_reviewer_the_note_and_the_time(container, people, clock):
    version_id = submitted(container, people["analyst"])
    approve_version(container.uow(), version_id, people["gov"], "Matches the policy change")
    with container.uow() as uow:
        row = uow.versions.get(version_id)
        assert (row.state, row.reviewer_id, row.review_note, row.reviewed_at) == (
            "in_review", people["gov"].user_id, "Matches the policy change", clock.now())


def test_publishing_retires_the_previous_version_and_new_cases_start_on_the_new_one(container, people):
    old_id = published_id(container)
    version_id = submitted(container, people["analyst"])
    approve_version(container.uow(), version_id, people["gov"], "ok")
    publish_version(container.uow(), container.runtime, version_id, people["gov"])
    reference = start_case(container.uow(), container.runtime, division="IA", kind="complaint")
    with container.uow() as uow:
        assert (uow.versions.get(old_id).state, uow.versions.get(version_id).state) == ("retired", "published")
    shown = case_version(container.uow(), reference, SYSTEM)
    assert (shown["number"], shown["state"]) == (2, "published") and len(shown["sha256"]) == 64
    assert [kind for kind, _ in events_for(container, version_id)] == [
        "version_drafted", "version_submitted", "version_approved", "version_published"]
    assert events_for(container, old_id)[-1] == ("version_retired", "gill")


def test_publishing_needs_an_approval_first(container, people):
    version_id = submitted(container, people["analyst"])
    with pytest.raises(Conflict, match="approved"):
        publish_version(container.uow(), container.runtime, version_id, people["gov"])


def test_a_rejected_version_records_why_and_can_never_be_published(container, people):
    version_id = submitted(container, people["analyst"])
    with pytest.raises(InvalidInput):
        reject_version(container.uow(), version_id, people["gov"], "")
    reject_version(container.uow(), version_id, people["gov"], "The policy says five days")
    with pytest.raises(Conflict):
        publish_version(container.uow(), container.runtime, version_id, people["gov"])
    with container.uow() as uow:
        assert (uow.versions.get(version_id).state, uow.versions.get(version_id).review_note) == (
            "rejected", "The policy says five days")


def test_an_exported_zip_records_its_hash_and_imports_as_a_new_draft_with_the_same_hash(container, people):
    name, data, sha256 = export_bundle(container.uow(), published_id(container), people["analyst"])
    assert name == f"{PROCESS}-v1-{sha256[:12]}.zip"
    assert zipfile.ZipFile(io.BytesIO(data)).read("bundle.sha256").decode().split()[0] == sha256
    imported = import_bundle(container.uow(), container.runtime, data, people["analyst"])
    with container.uow() as uow:
        assert (uow.versions.get(imported.version_id).sha256, uow.versions.get(imported.version_id).state) == (
            sha256, "draft")


def test_an_archive_whose_files_do_not_match_its_recorded_hash_is_refused(container, people):
    _, data, _ = export_bundle(container.uow(), published_id(container), people["analyst"])
    source = zipfile.ZipFile(io.BytesIO(data))
    altered = io.BytesIO()
    with zipfile.ZipFile(altered, "w") as archive:
        for info in source.infolist():
            content = source.read(info)
            archive.writestr(info.filename, content.replace(b"Triage", b"Tweak") if info.filename.endswith(".bpmn")
                             else content)
    before = version_rows(container)
    with pytest.raises(BundleInvalid, match="may have been altered"):
        import_bundle(container.uow(), container.runtime, altered.getvalue(), people["analyst"])
    assert version_rows(container) == before


def test_the_review_lists_the_change_the_counts_and_the_history(container, people):
    start_case(container.uow(), container.runtime, division="IA", kind="complaint")
    version_id = submitted(container, people["analyst"])
    shown = review(container.uow(), container.runtime, version_id)
    assert [c.text for c in shown.changes] == [
        "Timer 'Triage deadline' changed from working_days_after(received_at, 5) to working_days_after(received_at, 3)"]
    assert shown.changes[0].element == "triage_deadline" and shown.problems == []
    assert [(v.number, v.running_cases) for v in shown.running] == [(1, 1)]
    assert shown.in_force.number == 1 and shown.diagrams[0]["file"] == "demo.bpmn"
    assert [h["label"] for h in shown.history] == ["Draft created", "Submitted for review"]
    overview = {p.process_key: p for p in processes_overview(container.uow())}
    assert [v.state for v in overview[PROCESS].versions] == ["in_review", "published"]
