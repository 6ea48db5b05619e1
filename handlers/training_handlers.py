"""Handlers for the Seetec Training procedure and the compliments process: alerts, extensions, learning, closure."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from processes.calendar import LONDON
from processes.operators import HandlerContext

from .case_handlers import OUTCOMES

DEFAULT_RETENTION_YEARS = 2
WARNING_WORKING_DAYS = 5
QUARTER_ENDS = {3: 31, 6: 30, 9: 30, 12: 31}


def notify_roles(ctx: HandlerContext, template: str, roles: list) -> dict:
    """Send the same staff notice to several roles, e.g. a breach alert to the line manager and complaints team."""
    for role in roles:
        ctx.send(template, f"role:{role}")
    return {"notified": list(roles), "template": template}


def extend_deadline(ctx: HandlerContext, stage: str, reason: str, due: str, until: str = "",
                    paused_since: str = "") -> dict:
    """Move a stage's response deadline to a promised date, or on by the working days it was paused."""
    current = _instant(due)
    if until:
        moved = ctx.calendar.deadline_after(_day(until), 0).due
    elif paused_since:
        paused = max(ctx.calendar.working_days_between(_instant(paused_since), ctx.clock.now()), 0)
        moved = ctx.calendar.deadline_after(current, paused).due
    else:
        raise ValueError("an extension needs the promised date or the date the clock was paused")
    due_on = moved.astimezone(LONDON).date()
    today = ctx.clock.now().astimezone(LONDON).date()
    warn_on = max(_working_days_before(ctx, due_on, WARNING_WORKING_DAYS), today)
    ctx.record("deadline_extended", stage=stage, reason=reason, previous_due=current.isoformat(),
               new_due=moved.isoformat())
    return {"due_on": due_on.isoformat(), "warn_on": warn_on.isoformat(), "previous_due": current.isoformat(),
            "reason": reason}


def record_learning_actions(ctx: HandlerContext, stage: str, element: str) -> dict:
    """Add a stage's learning actions (owner and review date each) to the case's action plan."""
    actions = []
    for item in ctx.data.get("learning_actions") or []:
        action = {"stage": stage, "element": element, "description": item["description"], "owner": item["owner"],
                  "review_on": item["review_on"], "best_practice": bool(item.get("best_practice"))}
        ctx.effects.learning_actions.append({**action, "review_on": date.fromisoformat(item["review_on"])})
        actions.append(action)
    ctx.record("learning_considered", stage=stage, summary=ctx.data.get("learning_summary", ""),
               actions=len(actions))
    return {"stage": stage, "actions": actions}


def record_decision(ctx: HandlerContext, decision: str, fields: list) -> dict:
    """Put a decision and the task-data fields that explain it on the case's timeline."""
    details = {name: ctx.data.get(name) for name in fields}
    ctx.record(decision, **details)
    return {"decision": decision, **details}


def close_case_with_retention(ctx: HandlerContext, outcome: str) -> dict:
    """Close the case with its outcome; keep it for its contract's retention period (two years unless set)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    config = ctx.division.config or {}
    contract = (config.get("contracts") or {}).get(ctx.data.get("contract") or "", {})
    years = int(contract.get("retention_years") or config.get("retention_years") or DEFAULT_RETENTION_YEARS)
    ctx.close_case(outcome, retention_years=years)
    return {"outcome": outcome, "retention_years": years}


def inform_compliment_recipients(ctx: HandlerContext) -> dict:
    """Tell the business area, contract, team and colleague about a compliment, by the addresses recorded."""
    recipients = ["mailbox:feedback_mailbox"]
    for field in ("contract_contact", "team_contact", "colleague_email"):
        address = str(ctx.data.get(field) or "").strip()
        if address and address not in recipients:
            recipients.append(address)
    if len(recipients) == 1:
        recipients.append("role:line_manager")  # no one named: the team's managers pass it on
    for recipient in recipients:
        ctx.send("compliment_notice", recipient)
    ctx.record("compliment_shared", recipients=recipients)
    return {"informed": recipients}


def public_form_answer(ctx: HandlerContext) -> dict:
    """The sharing answer given on the public compliment form and the London day it came, or None if asked no other way.

    A compliment recorded by staff, by email or through the API carries no `may_share`: its answer is None, so the
    diagram asks as before instead of failing on a missing name."""
    answer = ctx.data.get("may_share")
    received = _instant(ctx.data["received_at"]).astimezone(LONDON).date()
    return {"may_share": None if answer is None else bool(answer), "received_on": received.isoformat()}


def plan_quarterly_review(ctx: HandlerContext) -> dict:
    """The last day of the quarter in which the compliment was received, when the PSRD team reviews it."""
    received = _instant(ctx.data["received_at"]).astimezone(LONDON).date()
    month = (received.month - 1) // 3 * 3 + 3
    review_on = date(received.year, month, QUARTER_ENDS[month])
    return {"quarter": f"{received.year}-Q{month // 3}", "review_on": review_on.isoformat()}


def _working_days_before(ctx: HandlerContext, day: date, n: int) -> date:
    while n:
        day -= timedelta(days=1)
        n -= ctx.calendar.is_working_day(day)
    return day


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)


def _day(value: str) -> date:
    return _instant(value).astimezone(LONDON).date() if "T" in value else date.fromisoformat(value)


HANDLERS = [notify_roles, extend_deadline, record_learning_actions, record_decision, close_case_with_retention,
            inform_compliment_recipients, plan_quarterly_review, public_form_answer]
