"""Group policy 3.1.6: the appeal panel may reopen the complaint at the formal stage, as often as it must."""
from processes import engine
from tests.bpmn.test_group_support import (
    at,
    closed_as,
    end_of,
    findings,
    new_case,
    panel_decision,
    sent,
    to_panel_review,
    triage_answers,
    utc,
)

DEPTH_LIMIT = 1000  # SpiffWorkflow's task iterator stops descending here, silently


def depth_of(task) -> int:
    """How deep the engine's task iterator must go to reach a task, through the subprocesses that hold it."""
    depth, current = 0, task
    while current is not None:
        depth += 1
        if current.parent is None and current.workflow.parent_task_id is not None:
            current = current.workflow.top_workflow.get_task_from_id(current.workflow.parent_task_id)
        else:
            current = current.parent
    return depth


def reopen_once(run, officer: str, panel: tuple) -> None:
    run.complete("panel_review", **panel_decision(sufficient=False))
    run.complete("allocate_investigator", investigating_officer=officer)
    run.complete("investigate", **findings(outcome="partly_upheld"))
    run.message("appeal_requested", reasons="Still not right")
    run.complete("acknowledge_appeal", reasons_for_dissatisfaction="Still not right")
    run.complete("convene_panel", panel=list(panel), panel_meets_on="2027-03-01")


def test_the_panel_explains_in_writing_and_reopens_the_complaint_at_the_formal_stage():
    run = to_panel_review(new_case())
    run.advance_to(at(2027, 1, 11, 14))
    run.complete("panel_review", **panel_decision(sufficient=False, reopen_scope="The missed appointment only"))
    reopen_letter = sent(run, "stage_response")[-1]
    assert reopen_letter.context["stage"] == "appeal" and not reopen_letter.context.get("final")
    assert reopen_letter.context["data"]["reopen_scope"] == "The missed appointment only"
    assert run.ready == ["allocate_investigator"] and run.case.stage == "formal" and run.case.status == "open"
    assert run.timers()["formal_response_due"] == utc(end_of(2027, 2, 8))
    assert len(sent(run, "acknowledgement")) == 3


def test_a_reopened_complaint_is_investigated_again_and_can_be_appealed_again_to_a_final_response():
    run = to_panel_review(new_case())
    reopen_once(run, "io.two", ("panel.three", "panel.four"))
    assert run.task("panel_review").data["panel_chair"] == "panel.three"
    assert ("io.two", "formal investigating officer") in run.effects.involvements
    run.complete("panel_review", **panel_decision(outcome="upheld"))
    assert closed_as(run) == ("closed", "upheld") and run.completed
    assert [d.context["stage"] for d in sent(run, "stage_response")] == [
        "informal", "formal", "appeal", "formal", "appeal"]


def test_a_reopened_complaint_closes_with_the_new_formal_outcome_when_no_appeal_follows():
    run = to_panel_review(new_case())
    run.complete("panel_review", **panel_decision(sufficient=False))
    run.complete("allocate_investigator", investigating_officer="io.two")
    run.complete("investigate", **findings(outcome="upheld"))
    run.advance_to(at(2027, 2, 1))
    assert closed_as(run) == ("closed", "upheld")


def test_a_complaint_reopened_fifty_times_still_progresses_and_its_state_stays_small():
    run = new_case()
    run.complete("triage", **triage_answers(too_serious_for_informal=True))
    run.complete("allocate_investigator", investigating_officer="io.0")
    run.complete("investigate", **findings())
    run.message("appeal_requested", reasons="Unfair")
    run.complete("acknowledge_appeal", reasons_for_dissatisfaction="Unfair")
    run.complete("convene_panel", panel=["panel.a0", "panel.b0"], panel_meets_on="2027-03-01")
    sizes, depths = [], []
    for cycle in range(1, 51):
        reopen_once(run, f"io.{cycle}", (f"panel.a{cycle}", f"panel.b{cycle}"))
        sizes.append(len(engine.dump_state(run.workflow)))
        depths.append(depth_of(run.task("panel_review")))
    assert run.ready == ["panel_review"] and run.case.stage == "appeal"
    run.complete("panel_review", **panel_decision(outcome="partly_upheld"))
    assert closed_as(run) == ("closed", "partly_upheld") and run.completed
    assert len(sent(run, "stage_response")) == 102
    assert depths[-1] - depths[0] == 4 * 49 and depths[-1] < DEPTH_LIMIT / 3  # four levels a reopen
    assert (sizes[-1] - sizes[0]) / 49 < 5_000  # bytes a reopen: finished passes are not kept
