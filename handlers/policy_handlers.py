"""Handlers for the group complaints policy: stage letters, deadlines, closure, learning, HR and restrictions."""
from __future__ import annotations

from datetime import date, datetime, time

from processes.calendar import LONDON
from processes.operators import HandlerContext

from .case_handlers import OUTCOMES, keep_stage_outcome

DEFAULT_RETENTION_YEARS = 2
ALERTED_ROLES = ("line_manager", "complaints_team")


def check_time_limit(ctx: HandlerContext, received_at: str, event_date: str, known_date: str) -> dict:
    """Decide whether a complaint came within a year of the matter, or of when it could reasonably have been known."""
    counted_from = max(_day(event_date), _day(known_date))
    last_day = _anniversary(counted_from)
    received = _day(received_at)
    in_time = received <= last_day
    ctx.record("time_limit_checked", counted_from=counted_from.isoformat(), last_day=last_day.isoformat(),
               received_on=received.isoformat(), in_time=in_time)
    return {"in_time": in_time, "counted_from": counted_from.isoformat(), "last_day": last_day.isoformat()}


def send_stage_letter(ctx: HandlerContext, template: str, stage: str = "", window_days: int = 0,
                      recipient: str = "complainant") -> dict:
    """Write to the complainant about a stage, saying until when they may ask for the next one."""
    now = ctx.clock.now()
    context = {"stage": stage or ctx.case.stage, "window_days": int(window_days)}
    if window_days:
        context["window_ends"] = ctx.calendar.deadline_after(now, int(window_days)).due.isoformat()
    if template == "stage_response":
        keep_stage_outcome(ctx, stage or ctx.case.stage)
    ctx.send(template, recipient, **context)
    return {"queued": template, "sent_at": now.isoformat(), **context}


def signpost_complainant(ctx: HandlerContext, reason: str, signpost: str) -> dict:
    """Tell the complainant why the complaint cannot be investigated and where to take it instead."""
    ctx.send("ineligible_signposting", reason=reason, signpost=signpost)
    ctx.record("complaint_signposted", reason=reason, signpost=signpost)
    return {"reason": reason, "signpost": signpost}


def alert_deadline(ctx: HandlerContext, template: str, stage: str, deadline: str) -> dict:
    """Warn the line manager and the complaints team that a deadline is near or has passed; a breach also goes to
    whoever holds the overdue task."""
    recipients = [f"role:{role}" for role in ALERTED_ROLES] + (["assignees"] if template == "sla_breach" else [])
    for recipient in recipients:
        ctx.send(template, recipient, stage=stage, deadline=deadline)
    ctx.record("deadline_alert", template=template, stage=stage, deadline=deadline)
    return {"alerted": list(ALERTED_ROLES), "template": template}


def close_complaint(ctx: HandlerContext, outcome: str, stage: str = "") -> dict:
    """Close the complaint with its outcome and keep its data for the contract's retention period."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    years = retention_years(ctx.division.config, ctx.data.get("contract"))
    ctx.close_case(outcome, retention_years=years)
    return {"outcome": outcome, "stage": stage or ctx.case.stage, "retention_years": years}


def notify_concern(ctx: HandlerContext) -> dict:
    """Tell the line manager and the complaints team about a concern raised and what was done."""
    for role in ALERTED_ROLES:
        ctx.send("concern_notice", f"role:{role}")
    ctx.record("concern_notified", resolved=bool(ctx.data.get("concern_resolved")))
    return {"notified": list(ALERTED_ROLES)}


def notify_assignment(ctx: HandlerContext, role: str, assignee: str | list, stage: str) -> dict:
    """Tell the people allocated to a stage, and remember that they took part in the case."""
    people = assignee if isinstance(assignee, list) else [assignee]
    for person in people:
        ctx.effects.involvements.append((person, f"{stage} {role.replace('_', ' ')}"))
    ctx.send("staff_assignment", f"role:{role}", assignee=people, stage=stage)
    return {"assigned": people, "stage": stage}


def record_other_providers(ctx: HandlerContext, providers: list) -> dict:
    """Record the other providers of a multi-provider complaint, so staff open one case for each."""
    names = [p for p in providers if p]
    ctx.record("other_providers_recorded", providers=names)
    return {"providers": names}


def refer_to_hr(ctx: HandlerContext, stage: str) -> dict:
    """Refer a concern of misconduct to HR so that next steps are agreed under the disciplinary policy."""
    ctx.send("hr_referral", "role:hr", stage=stage)
    ctx.record("hr_referral_made", stage=stage)
    return {"referred": stage}


def record_hr_next_steps(ctx: HandlerContext, stage: str, next_steps: str, disciplinary_action: bool) -> dict:
    """Record the next steps agreed with HR on a misconduct concern."""
    ctx.record("hr_next_steps_agreed", stage=stage, next_steps=next_steps,
               disciplinary_action=bool(disciplinary_action))
    return {"disciplinary_action": bool(disciplinary_action)}


def record_action_plan(ctx: HandlerContext, stage: str, actions: list) -> dict:
    """Record a stage's learning actions with their owners and review dates; reviews are reminded at 9am."""
    planned = []
    for action in actions:
        review_on = date.fromisoformat(action["review_on"])
        ctx.effects.learning_actions.append({
            "stage": stage, "element": "complete_action_plan", "description": action["description"],
            "owner": action["owner"], "review_on": review_on, "best_practice": bool(action.get("best_practice"))})
        planned.append({**action, "stage": stage,
                        "remind_at": datetime.combine(review_on, time(9), LONDON).isoformat()})
    ctx.record("action_plan_recorded", stage=stage, actions=len(planned))
    return {"stage": stage, "actions": planned}


def notify_learning_review(ctx: HandlerContext, owner: str, description: str, stage: str) -> dict:
    """Remind the action's owner and line management that a learning action is due for review."""
    ctx.send("learning_review_due", "role:line_manager", owner=owner, description=description, stage=stage)
    return {"owner": owner}


def record_learning_review(ctx: HandlerContext, description: str, completed: bool, notes: str) -> dict:
    """Record the review of a learning action."""
    ctx.record("learning_action_reviewed", description=description, completed=bool(completed), notes=notes)
    return {"completed": bool(completed)}


def record_restrictions(ctx: HandlerContext, behaviour: str, restrictions: list, review_on: str) -> dict:
    """Record restrictions placed under the Complaints Unacceptable Behaviour Policy and when they are reviewed."""
    ctx.record("restrictions_recorded", behaviour=behaviour, restrictions=list(restrictions), review_on=review_on)
    return {"restrictions": list(restrictions), "review_on": review_on}


def record_partner_copy(ctx: HandlerContext, update: dict) -> dict:
    """Record a Delivery Partner's copy of a stage of its own complaints procedure."""
    ctx.record("partner_copy_received", **{k: v for k, v in dict(update).items() if isinstance(v, (str, bool, int))})
    return {"stage": dict(update).get("stage")}


def send_final_response(ctx: HandlerContext, outcome: str) -> dict:
    """Send the appeal response, which ends the procedure and names the other avenues for the case's contract."""
    steps = next_steps(ctx.division.config, ctx.data.get("contract"))
    keep_stage_outcome(ctx, "appeal")
    ctx.send("stage_response", stage="appeal", outcome=outcome, final=True, next_steps=steps)
    ctx.record("final_response_sent", outcome=outcome)
    return {"sent_at": ctx.clock.now().isoformat(), "next_steps": steps}


def retention_years(config: dict, contract: str | None) -> int:
    """Years to keep a closed complaint: the contract's own period, else the division's, else two."""
    contract_config = (config.get("contracts") or {}).get(contract or "", {})
    return int(contract_config.get("retention_years") or config.get("retention_years") or DEFAULT_RETENTION_YEARS)


def next_steps(config: dict, contract: str | None) -> str | list:
    """The avenues open after the appeal stage: the contract's own, else the division's default (a sentence or a
    list of {name, description, contact}); empty when there is none."""
    contract_config = (config.get("contracts") or {}).get(contract or "", {})
    return contract_config.get("next_steps") or config.get("next_steps", "")


def _day(value: str) -> date:
    if "T" in value or " " in value:
        moment = datetime.fromisoformat(value)
        return moment.astimezone(LONDON).date() if moment.tzinfo else moment.date()
    return date.fromisoformat(value)


def _anniversary(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February: the year runs to 28 February
        return day.replace(year=day.year + 1, day=28)


HANDLERS = [check_time_limit, send_stage_letter, signpost_complainant, alert_deadline, close_complaint,
            notify_concern, notify_assignment, record_other_providers, refer_to_hr, record_hr_next_steps,
            record_action_plan, notify_learning_review, record_learning_review, record_restrictions,
            record_partner_copy, send_final_response]
