"""Retention across the boundary day, the append-only log's narrow redaction path, and subject-access export."""
import io
import json
import zipfile
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from processes.access import SYSTEM, Actor
from processes.reports import report_for
from processes.retention import export_subject, run_retention
from storage import models as m
from storage.reports_models import RetentionRun
from tests import reports_seed as seed

TONIGHT = datetime(2027, 6, 15, 2, 15, tzinfo=timezone.utc)


def closed_case(reference, closed_on: date, email="alex@example.org", hold=None):
    case = seed.SeedCase(reference, "IA", "complaint", "email", datetime.combine(closed_on - timedelta(days=30),
                                                                                 datetime.min.time(), timezone.utc)
                         + timedelta(hours=10), email=email, legal_hold=hold, themes=["delay"])
    received = case.received_at
    case.deadlines = [seed.SeedDeadline("acknowledgement", "informal", received, received + timedelta(days=5), "met",
                                        received + timedelta(days=1), received + timedelta(days=1)),
                      seed.SeedDeadline("response", "informal", received, received + timedelta(days=28), "met",
                                        received + timedelta(days=20), received + timedelta(days=20))]
    case.status, case.outcome = "closed", "upheld"
    case.closed_at = datetime.combine(closed_on, datetime.min.time(), timezone.utc) + timedelta(hours=12)
    case.retention_until = closed_on.replace(year=closed_on.year + 2)
    return case


@pytest.fixture
def boundary(container, clock):
    today = TONIGHT.date()
    cases = {
        "short": closed_case("IA-2025-000001", (today + timedelta(days=1)).replace(year=today.year - 2)),
        "past": closed_case("IA-2025-000002", (today - timedelta(days=1)).replace(year=today.year - 2)),
        "held": closed_case("IA-2025-000003", (today - timedelta(days=1)).replace(year=today.year - 2),
                            hold="Employment tribunal claim ET/1234/25"),
    }
    seed.insert(container, list(cases.values()))
    clock.set(TONIGHT)
    return cases


def case_row(container, reference):
    with container.session_factory() as session:
        return session.scalars(select(m.Case).where(m.Case.reference == reference)).one()


def event_data(container, reference):
    with container.session_factory() as session:
        case_id = session.scalar(select(m.Case.id).where(m.Case.reference == reference))
        return [(kind, data) for kind, data in session.execute(
            select(m.Event.kind, m.Event.data).where(m.Event.case_id == case_id).order_by(m.Event.id))]


def totals(report):
    return {t.key: t.rows for t in report.tables}


def test_retention_anonymises_only_the_case_past_its_date_and_skips_the_held_one(container, boundary):
    period = "2025-Q2"  # received in May 2025, closed in June 2025
    before = totals(report_for(container.reporting_uow(), SYSTEM, "IA", period, TONIGHT))
    result = run_retention(container.reporting_uow, TONIGHT)

    assert result.anonymised == ["IA-2025-000002"]
    assert result.held == {"IA-2025-000003": "Employment tribunal claim ET/1234/25"}
    short, past, held = (case_row(container, c.reference) for c in boundary.values())
    assert short.complainant["email"] == "alex@example.org" and short.summary
    assert held.complainant["email"] == "alex@example.org" and held.summary
    assert past.complainant == {"anonymised": True} and past.summary == ""
    assert past.status == "closed" and past.outcome == "upheld" and past.closed_at is not None
    assert all(data.get("redacted") for _, data in event_data(container, past.reference))
    redacted = dict(event_data(container, past.reference))
    assert redacted["case_classified"]["themes"] == ["delay"] and "summary" not in redacted["case_started"]
    with container.session_factory() as session:
        letters = session.scalars(select(m.Outbox).where(m.Outbox.case_id == past.id)).all()
        assert all(o.recipient == "anonymised" and o.body_text == "" for o in letters)
        run = session.scalars(select(RetentionRun)).one()
        assert (run.anonymised, run.held, run.failed) == (1, 1, 0)
        assert run.details["held"] == {"IA-2025-000003": "Employment tribunal claim ET/1234/25"}

    after = totals(report_for(container.reporting_uow(), SYSTEM, "IA", period, TONIGHT))
    assert after == before
    assert sum(n for _, n in after["received_by_kind"]) == 3
    assert sum(n for _, n in after["outcomes"]) == 3 and dict(after["themes"]) == {"Delay": 3}
    assert after["sla"] and after["response_times"]


def test_a_case_is_kept_through_its_retention_date_and_anonymised_the_night_after(container, boundary, clock):
    run_retention(container.reporting_uow, TONIGHT)
    clock.set(TONIGHT + timedelta(days=1))  # the short case's retention date itself
    assert run_retention(container.reporting_uow, clock.now()).anonymised == []
    clock.set(TONIGHT + timedelta(days=2))
    assert run_retention(container.reporting_uow, clock.now()).anonymised == ["IA-2025-000001"]
    assert case_row(container, "IA-2025-000003").complainant["email"] == "alex@example.org"


def test_event_log_still_refuses_updates_and_deletes_outside_the_retention_path(container, boundary):
    case_id = case_row(container, "IA-2025-000002").id
    for statement in (update(m.Event).where(m.Event.case_id == case_id).values(data={}),
                      text("DELETE FROM events WHERE case_id = :c").bindparams(c=case_id)):
        with pytest.raises(DBAPIError, match="append-only"):
            with container.session_factory() as session, session.begin():
                session.execute(statement)


def test_the_retention_permit_cannot_rewrite_an_events_kind_or_touch_a_held_case(container, boundary):
    past, held = case_row(container, "IA-2025-000002").id, case_row(container, "IA-2025-000003").id
    for case_id, change in ((past, {"kind": "forged"}), (held, {"data": {}})):
        with pytest.raises(DBAPIError, match="append-only"):
            with container.session_factory() as session, session.begin():
                session.execute(text("INSERT INTO retention_permits (case_id) VALUES (:c)").bindparams(c=case_id))
                session.execute(update(m.Event).where(m.Event.case_id == case_id).values(**change))


def test_subject_access_export_holds_every_case_letter_and_event_of_the_complainant(container, boundary):
    admin = Actor("admin", 99, {"IA": frozenset({"administrator"})})
    name, data = export_subject(container.reporting_uow(), "ALEX@example.org", admin, TONIGHT)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    manifest = json.loads(archive.read("manifest.json"))
    assert sorted(manifest["cases"]) == ["IA-2025-000001", "IA-2025-000002", "IA-2025-000003"]
    case = json.loads(archive.read("cases/IA-2025-000001/case.json"))
    assert case["complainant"]["email"] == "alex@example.org" and "access_token_hash" not in case
    assert json.loads(archive.read("cases/IA-2025-000001/events.json"))[0]["kind"] == "case_started"
    assert "cases/IA-2025-000001/letters/001-acknowledgement.html" in names
    assert b"Dear Person" in archive.read("cases/IA-2025-000001/letters/001-acknowledgement.txt")
    assert name.startswith("subject-access-ALEX") and name.endswith(".zip")


def test_subject_access_export_by_reference_finds_the_other_cases_of_the_same_person(container, boundary):
    _, data = export_subject(container.reporting_uow(), "ia-2025-000002", SYSTEM, TONIGHT)
    assert len(json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))["cases"]) == 3


def test_case_notes_go_into_the_subject_access_export_and_are_erased_with_the_case(container, boundary):
    from processes.case_notes import add_note
    from storage.case_notes import CaseNote
    admin = Actor("admin", None, {"IA": frozenset({"administrator"})})
    for reference in ("IA-2025-000001", "IA-2025-000002"):
        add_note(container.uow(), reference, f"Alex phoned about {reference}", admin, TONIGHT)
    _name, data = export_subject(container.reporting_uow(), "alex@example.org", admin, TONIGHT)
    notes = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("cases/IA-2025-000002/notes.json"))
    assert [n["text"] for n in notes] == ["Alex phoned about IA-2025-000002"]
    assert run_retention(container.reporting_uow, TONIGHT).anonymised == ["IA-2025-000002"]
    with container.session_factory() as session:
        kept = [n.text for n in session.scalars(select(CaseNote))]
    assert kept == ["Alex phoned about IA-2025-000001"]
