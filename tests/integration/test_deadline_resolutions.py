"""How a finished deadline reads: breached, met, not needed, or extended only when it was really replaced."""
from __future__ import annotations

from sqlalchemy import select

from processes import lifecycle
from storage import models as m
from tests.bpmn.test_training_runtime import LEARNER, complete, runtime  # noqa: F401  (the fixture)


def _rows(c, reference):
    with c.session_factory() as session:
        case_id = session.scalar(select(m.Case.id).where(m.Case.reference == reference))
        rows = session.scalars(select(m.Deadline).where(m.Deadline.case_id == case_id).order_by(m.Deadline.id))
        return [(r.element_id, r.kind, r.stage, r.due_at.date().isoformat(), r.status,
                 (r.explanation or {}).get("text")) for r in rows]


def _interim_case(c):
    reference = lifecycle.start_case(c.uow(), c.runtime, division="ST", kind="complaint", complainant=LEARNER)
    complete(c, reference, "triage", route="informal", triage_notes="Late marking", colleague_name="Sam Tutor")
    complete(c, reference, "resolve_informally", findings="Late", colleague_informed=True,
             mediation_appropriate=False, informal_decision="respond", misconduct_suspected=False)
    complete(c, reference, "write_informal_response", outcome="not_upheld", response_text="Marked on time",
             learning_considered=True, themes=["marking"])
    lifecycle.deliver_message(c.uow(), c.runtime, reference, "escalation_requested", {"reasons": "Disagree"})
    complete(c, reference, "acknowledge_formal", support_needs_checked=True)
    complete(c, reference, "review_formal_complaint", complaint_review_notes="Investigate",
             investigating_officer="ian.officer")
    complete(c, reference, "investigate_formal", findings="More to do", colleague_informed=True,
             colleague_interviewed=False, confidentiality_maintained=True, formal_decision="interim",
             interim_text="Interviewing tutors", new_response_due="2027-03-05", responder_name="Ian Officer",
             misconduct_suspected=False)
    return reference


def test_an_interim_response_extends_the_response_deadline_and_its_warning_and_says_why(runtime):
    rows = _rows(runtime, _interim_case(runtime))
    formal = [(due, status) for element, kind, stage, due, status, _ in rows if element == "formal_response_due"]
    assert formal == [("2027-02-08", "extended"), ("2027-03-05", "running")]
    why = {element: text for element, _, _, _, status, text in rows if status == "running"}
    assert why["formal_response_due"] == ("Extended by the interim response sent on Wed 23 Dec 2026: the response "
                                          "is now due Fri 05 Mar 2027, in place of Mon 08 Feb 2027")
    assert "which was extended by the interim response sent on Wed 23 Dec 2026 to Fri 05 Mar 2027" \
        in why["formal_response_warning"]
    assert not any((text or "").startswith("0 working days") for *_, text in rows)


def test_warnings_that_never_fired_read_not_needed_and_met_deadlines_read_met(runtime):
    rows = _rows(runtime, _interim_case(runtime))
    status = {(element, due): status for element, _, _, due, status, _ in rows}
    assert status[("triage_warning", "2026-12-30")] == "not_needed"
    assert status[("acknowledge_formal_warning", "2026-12-30")] == "not_needed"
    assert status[("informal_response_warning", "2027-01-18")] == "not_needed"
    assert status[("triage_due", "2027-01-04")] == "met"
    assert status[("informal_response_due", "2027-01-25")] == "met"
    assert status[("escalation_window_closed", "2027-01-11")] == "met"
    assert [s for (element, _), s in status.items() if s == "extended"] == ["extended", "extended"]
