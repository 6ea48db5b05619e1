"""Handlers that move a case along: letters, staff notices, stage and closure."""
from __future__ import annotations

from processes.operators import HandlerContext
from processes.stage_outcomes import outcome_from

OUTCOMES = {"upheld", "partly_upheld", "not_upheld", "resolved_informally", "withdrawn", "ineligible",
            "transferred", "recorded", "expired"}


def send_letter(ctx: HandlerContext, template: str, recipient: str = "complainant") -> dict:
    """Queue a letter or email to the complainant (or another named recipient)."""
    if template == "stage_response":
        keep_stage_outcome(ctx, ctx.case.stage)
    ctx.send(template, recipient)
    return {"queued": template}


def keep_stage_outcome(ctx: HandlerContext, stage: str) -> None:
    """A stage's response decides that stage's outcome: keep it on the case beside the later stages' own."""
    decided = outcome_from(stage, ctx.data, ctx.clock.now().isoformat())
    if decided is not None:
        ctx.update_case(stage_outcome=decided)


def notify_staff(ctx: HandlerContext, template: str, role: str) -> dict:
    """Queue an email to the people holding a role in the case's division."""
    ctx.send(template, f"role:{role}")
    return {"notified": role}


def record_stage(ctx: HandlerContext, stage: str, status: str = "open") -> dict:
    """Move the case to a stage of the procedure."""
    ctx.move_to_stage(stage, status)
    return {"stage": stage}


def close_case(ctx: HandlerContext, outcome: str) -> dict:
    """Close the case with its outcome; its retention date follows from the closure."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    ctx.close_case(outcome)
    return {"outcome": outcome}


HANDLERS = [send_letter, notify_staff, record_stage, close_case]
