"""Replaying a version from the cases' recorded events: the shipped version reproduces a year of generated cases'
deadlines exactly (the replay is faithful), a 3→4 day acknowledgement moves each acknowledgement by one working day,
and a replay leaves every table and every case as it was."""
from datetime import timedelta

from sqlalchemy import func, select

from demo_data import drive, load_users
from processes.governance import save_version_draft, submit_version
from processes.lifecycle import start_case
from processes.replay import months_before, replay_report
from processes.replay_run import replay_case
from scheduler import sweep_timers
from storage import models as m
from tests.conftest import add_categories
from tests.governance_support import add_user

PROCESS, INTAKE = "ia_complaint", "shared/intake.bpmn"
ACK = "working_days_after(complaint_received_at, 3)"
KEY = "group-acknowledge-within-3@triage_acknowledgement_due"
BUDGETS = (3, 8, 40, 40)  # how far each case is taken: early, mid-stage, late, to its close


def generate_year(container, clock, cases: int, days: int = 360) -> list[str]:
    """Cases received through a year, each moved on by its holders on varied days, the timer sweep running daily."""
    load_users(container)
    add_categories(container)  # the themes a closing form offers
    end = clock.now()
    clock.set(end - timedelta(days=days))
    references: list[str] = []
    budgets: dict[str, int] = {}
    for day in range(days):
        clock.set(end - timedelta(days=days - day, hours=-(9 + day % 7)))
        if day % (days // cases) == 0 and len(references) < cases:
            reference = start_case(container.uow(), container.runtime, division="IA", kind="complaint",
                                   summary=f"Complaint {len(references)}")
            budgets[reference] = BUDGETS[len(references) % len(BUDGETS)]
            references.append(reference)
        for index, reference in enumerate(references):
            if budgets[reference] and (day + index) % 2 == 0:
                budgets[reference] -= 1
                drive(container, reference, 1, index + day)
        sweep_timers(container)
    clock.set(end)
    sweep_timers(container)
    return references


def recorded(container, reference):
    with container.session_factory() as session:
        case = session.scalars(select(m.Case).where(m.Case.reference == reference)).one()
        return sorted((d.element_id, d.due_at.replace(tzinfo=None), d.status) for d in
                      session.scalars(select(m.Deadline).where(m.Deadline.case_id == case.id)))


def propose_four_days(container) -> int:
    analyst = add_user(container, "ana", "process_analyst")
    with container.uow() as uow:
        text = uow.versions.published(PROCESS).files[INTAKE]
    saved = save_version_draft(container.uow(), container.runtime, PROCESS,
                               {INTAKE: text.replace(ACK, "working_days_after(complaint_received_at, 4)")}, analyst)
    submit_version(container.uow(), container.runtime, saved.version_id, analyst, "4 days",
                   justifications={KEY: "pilot"})
    return saved.version_id


def test_the_shipped_version_replays_a_year_of_cases_exactly_and_a_four_day_acknowledgement_moves_each_by_one(
        container, clock):
    references = generate_year(container, clock, cases=60)
    with container.uow() as uow:
        shipped = uow.versions.published(PROCESS)
        shipped_id = shipped.id
        info, definition = container.runtime.definitions.for_version(uow, shipped_id)
        closed = sum(1 for r in references if uow.cases.by_reference(r).status == "closed")
        replayed_deadlines = {}
        for reference in references:
            case = uow.cases.by_reference(reference)
            out = replay_case(uow, container.runtime, case, definition, info, clock.now())
            assert out.reason is None, (reference, out.reason)
            replayed_deadlines[reference] = sorted((d.element, d.due_at.replace(tzinfo=None), d.status)
                                                   for d in out.deadlines)
    assert closed >= 5  # closed cases are replayed too
    statuses = set()
    for reference in references:  # the replay is faithful: every deadline, its instant and how it ended
        real = recorded(container, reference)
        assert replayed_deadlines[reference] == real, reference
        statuses |= {status for _, _, status in real}
    assert {"met", "running"} <= statuses and sum(len(v) for v in replayed_deadlines.values()) > 3 * len(references)

    report = replay_report(container.uow, container.runtime, shipped_id, ["IA"], 12)
    assert report["summary"] == {"checked": 60, "with_moved_deadlines": 0, "cannot_move": 0}
    assert report["totals"]["breaches_appear"] == report["totals"]["breaches_vanish"] == 0
    never = {e["element"] for e in report["never_taken"]}
    assert "triage" not in never and "investigate" not in never  # every case went through them
    if "breached" not in statuses:  # a deadline always met is a path (its timer's) that no case took
        assert "triage_acknowledgement_due" in never
    assert report == replay_report(container.uow, container.runtime, shipped_id, ["IA"], 12,
                                   as_of=clock.now())  # repeatable, with the same hash of its inputs

    proposal = propose_four_days(container)
    four = replay_report(container.uow, container.runtime, proposal, ["IA"], 12)
    assert four["inputs_sha256"] != report["inputs_sha256"]
    assert len(four["cases"]) == 60 and not [line for line in four["cases"] if line["reasons"]]
    for line in four["cases"]:
        acks = [mv for mv in line["moves"] if mv["element"] == "triage_acknowledgement_due"]
        real_acks = [r for r in recorded(container, line["reference"]) if r[0] == "triage_acknowledgement_due"]
        assert len(acks) == len(real_acks) == 1, line["reference"]
        assert acks[0]["working_days"] == 1 and acks[0]["after"] > acks[0]["before"]
        assert acks[0]["before"].startswith(real_acks[0][1].isoformat()[:10])


def table_counts(container) -> dict[str, int]:
    with container.session_factory() as session:
        return {t.name: session.scalar(select(func.count()).select_from(t)) for t in m.Base.metadata.sorted_tables}


def cases_state(container) -> list[tuple]:
    with container.session_factory() as session:
        rows = []
        for case in session.scalars(select(m.Case).order_by(m.Case.id)):
            instance = session.scalars(select(m.Instance).where(m.Instance.case_id == case.id)).first()
            rows.append((case.reference, case.status, case.stage, case.incident, case.version_id,
                         instance.state if instance else None, instance.lock_version if instance else None,
                         [(d.element_id, d.due_at, d.status) for d in session.scalars(
                             select(m.Deadline).where(m.Deadline.case_id == case.id).order_by(m.Deadline.id))]))
        return rows


def test_a_replay_changes_nothing_in_the_database(container, clock):
    generate_year(container, clock, cases=8, days=80)
    proposal = propose_four_days(container)
    counts, state = table_counts(container), cases_state(container)
    report = replay_report(container.uow, container.runtime, proposal, ["IA"], 6)
    assert report["summary"]["checked"] == 8 and report["summary"]["with_moved_deadlines"] == 8
    assert table_counts(container) == counts and cases_state(container) == state


def test_the_period_chooses_the_cases(container, clock):
    generate_year(container, clock, cases=6, days=120)
    proposal = propose_four_days(container)
    one = replay_report(container.uow, container.runtime, proposal, ["IA"], 1)
    assert one["since"] == months_before(clock.now(), 1).isoformat()
    assert 0 < one["summary"]["checked"] < 6
    assert replay_report(container.uow, container.runtime, proposal, ["IA"], 6)["summary"]["checked"] == 6
