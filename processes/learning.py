"""The learning register: every action-plan item across cases, reminders for overdue ones, best practice to share."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from .access import Actor
from .calendar import LONDON
from .errors import Forbidden, InvalidInput, NotFound
from .report_facts import LearningFact
from .vocabulary import LearningStatus, Role

STATUSES = tuple(LearningStatus)
EDITORS = (Role.COMPLAINTS_TEAM, Role.LINE_MANAGER, Role.INVESTIGATING_OFFICER, Role.PSRD_DIRECTOR, Role.GOVERNANCE)


@dataclass(frozen=True)
class RegisterFilter:
    """Which learning actions to list."""

    status: str | None = None
    overdue_only: bool = False
    best_practice_only: bool = False
    division: str | None = None


def visible_divisions(actor: Actor, all_codes: list[str]) -> list[str]:
    """Group-wide users see every division's register; others see their own divisions'."""
    if actor.group_wide or actor.is_system:
        return sorted(all_codes)
    return sorted(c for c in all_codes if c in actor.roles)


def learning_register(uow, actor: Actor, wanted: RegisterFilter, now: datetime) -> list[LearningFact]:
    """Learning actions in the actor's divisions, overdue first, then by due date."""
    today = now.astimezone(LONDON).date()
    with uow:
        codes = visible_divisions(actor, [d.code for d in uow.divisions.all()])
        if wanted.division:
            codes = [c for c in codes if c == wanted.division]
        items = uow.report_source.learning(codes)
    items = [a for a in items if (not wanted.status or a.status == wanted.status)
             and (not wanted.overdue_only or a.is_overdue(today))
             and (not wanted.best_practice_only or a.best_practice)]
    return sorted(items, key=lambda a: (not a.is_overdue(today), a.status != LearningStatus.OPEN,
                                        a.review_on or today.replace(year=9999), a.id))


def update_learning_action(uow, action_id: int, actor: Actor, *, status: str | None = None,
                           best_practice: bool | None = None) -> None:
    """Change an action's status, or mark it (or unmark it) as best practice to share across the organisation."""
    if status is not None and status not in STATUSES:
        raise InvalidInput("unknown status", {"status": [f"must be one of {', '.join(STATUSES)}"]})
    with uow:
        row = uow.learning_register.get(action_id)
        division = uow.learning_register.division_code(action_id) if row else None
        if row is None or not (actor.group_wide or actor.can_see(division)):
            raise NotFound(f"no learning action {action_id}")
        if not (actor.is_system or any(actor.has_role(division, r) for r in EDITORS)
                or actor.group_wide and actor.has_any_role(*EDITORS)):
            raise Forbidden("only case handlers and governance can change learning actions")
        changes = {}
        if status is not None and status != row.status:
            row.status = changes["status"] = status
        if best_practice is not None and best_practice != row.best_practice:
            row.best_practice = changes["best_practice"] = best_practice
        if changes:
            uow.events.append(row.case_id, "learning_action_updated", actor.username, uow.clock_now(),
                              element=row.element, data={"action_id": row.id, **changes})
        uow.commit()


def remind_overdue_actions(uow, now: datetime) -> int:
    """Queue one reminder a week for each overdue open action, to its owner or else the division's mailbox."""
    today = now.astimezone(LONDON).date()
    year, week, _ = today.isocalendar()
    queued = 0
    with uow:
        for action, owner_email, division_config in uow.learning_register.overdue(today):
            recipient = owner_email or division_config.get("complaints_mailbox") or "complaints@example.org"
            subject = f"Learning action overdue: {action.case_reference} (due {action.review_on:%d %B %Y})"
            text = (f"The learning action below from case {action.case_reference} was due for review on "
                    f"{action.review_on:%d %B %Y} and is still open.\n\nAction: {action.description}\n"
                    f"Owner: {action.owner}\nStage: {action.stage}\nProcess step: {action.element}\n\n"
                    "Please complete it or update it in the learning register.")
            html = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n") if p)
            row = uow.outbox.add(case_id=None, idempotency_key=f"learning-reminder:{action.id}:{year}-W{week:02d}",
                                 recipient=recipient, template="learning_reminder", subject=subject, body_text=text,
                                 body_html=html, next_attempt_at=now, created_at=now)
            queued += row is not None and row.created_at == now
        uow.commit()
    return queued
