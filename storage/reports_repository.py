"""Report facts (with category labels) and the learning register, read with SQLAlchemy 2 queries."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from processes.classification import CLASSIFIED
from processes.report_facts import (
    SLA_KINDS,
    SURVEY_LOGGED,
    CaseFact,
    DeadlineFact,
    Facts,
    LearningFact,
    reported_kind,
    stage_number,
)

from . import models as m
from .reports_models import Category

LATE_RESPONSE_WINDOW = timedelta(days=366)  # a clock due this long before the window can still answer inside it


def stage_decisions(stored: dict | None) -> tuple[tuple[int, str, datetime | None], ...]:
    """The case's per-stage outcomes as report facts: stage number, outcome and when it was decided."""
    found = []
    for stage, record in (stored or {}).items():
        if not isinstance(record, dict) or not record.get("outcome"):
            continue
        try:
            decided = datetime.fromisoformat(str(record.get("decided_at"))) if record.get("decided_at") else None
        except ValueError:
            decided = None
        found.append((stage_number(stage), str(record["outcome"]), decided))
    return tuple(sorted(found, key=lambda d: d[0]))


class SqlReportSource:
    """Facts for reports; only non-personal columns are read."""

    def __init__(self, session: Session):
        self.session = session

    def facts(self, divisions: list[str], start: datetime, end: datetime) -> Facts:
        codes = self._division_codes(divisions)
        in_window = lambda col: and_(col >= start, col < end)  # noqa: E731
        case_filter = and_(m.Case.division_id.in_(list(codes)),
                           or_(in_window(m.Case.received_at), in_window(m.Case.closed_at)))
        case_ids = select(m.Case.id).where(case_filter)
        stages = self._stages(case_ids)
        classified = self._classifications(case_ids)
        logged = set(self.session.scalars(select(m.Event.case_id).where(
            m.Event.kind == SURVEY_LOGGED, m.Event.case_id.in_(case_ids))))
        cases = []
        for row in self.session.scalars(select(m.Case).where(case_filter).order_by(m.Case.id)):
            seen = stages.get(row.id, set()) | {row.stage}
            outcome, themes, team = classified.get(row.id, (None, (), None))
            kind = reported_kind(row.kind, row.channel, row.id in logged)
            cases.append(CaseFact(row.id, row.reference, codes[row.division_id], kind, row.channel,
                                  row.received_at, row.status, row.outcome or outcome, row.closed_at,
                                  max(stage_number(s) for s in seen), themes, team,
                                  stage_decisions(row.stage_outcomes)))
        return Facts(cases, self._deadlines(codes, start, end), self.learning(divisions), self.category_labels())

    def learning(self, divisions: list[str]) -> list[LearningFact]:
        query = (select(m.LearningAction, m.Case.reference, m.Division.code)
                 .join(m.Case, m.Case.id == m.LearningAction.case_id)
                 .join(m.Division, m.Division.id == m.Case.division_id)
                 .where(m.Division.code.in_(divisions)).order_by(m.LearningAction.id))
        rows = list(self.session.execute(query))
        owners = {a.owner for a, _, _ in rows}
        names = {username: name for username, name in self.session.execute(
            select(m.User.username, m.User.display_name).where(m.User.username.in_(owners)))} if owners else {}
        case_ids = {a.case_id for a, _, _ in rows}
        titles = {(case_id, spec): title for case_id, spec, title in self.session.execute(
            select(m.Task.case_id, m.Task.spec_name, m.Task.title).where(m.Task.case_id.in_(case_ids)))} \
            if case_ids else {}
        return [_learning_fact(a, reference, code, names.get(a.owner, ""), titles.get((a.case_id, a.element), ""))
                for a, reference, code in rows]

    def category_labels(self) -> dict[str, str]:
        return {c.code: c.label for c in self.session.scalars(select(Category))}

    def outbox_has(self, key: str) -> bool:
        return self.session.scalar(select(func.count()).select_from(m.Outbox)
                                   .where(m.Outbox.idempotency_key == key)) > 0

    def _division_codes(self, divisions: list[str]) -> dict[int, str]:
        rows = self.session.execute(select(m.Division.id, m.Division.code).where(m.Division.code.in_(divisions)))
        return {division_id: code for division_id, code in rows}

    def _stages(self, case_ids) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {}
        for model in (m.Deadline, m.Task):
            for case_id, stage in self.session.execute(select(model.case_id, model.stage).distinct()
                                                       .where(model.case_id.in_(case_ids))):
                found.setdefault(case_id, set()).add(stage)
        return found

    def _classifications(self, case_ids) -> dict[int, tuple]:
        latest = {}
        query = (select(m.Event.case_id, m.Event.data).where(m.Event.kind == CLASSIFIED, m.Event.case_id.in_(case_ids))
                 .order_by(m.Event.id))
        for case_id, data in self.session.execute(query):
            latest[case_id] = (data.get("outcome"), tuple(data.get("themes") or ()), data.get("team"))
        return latest

    def _deadlines(self, codes: dict[int, str], start: datetime, end: datetime) -> list[DeadlineFact]:
        answered = (select(func.min(m.Task.completed_at))
                    .where(m.Task.case_id == m.Deadline.case_id, m.Task.due_at == m.Deadline.due_at,
                           m.Task.state == "completed").correlate(m.Deadline).scalar_subquery())
        query = (select(m.Deadline, m.Case.division_id, answered).join(m.Case, m.Case.id == m.Deadline.case_id)
                 .where(m.Case.division_id.in_(list(codes)), m.Deadline.kind.in_(SLA_KINDS),
                        m.Deadline.started_at < end, m.Deadline.due_at >= start - LATE_RESPONSE_WINDOW)
                 .order_by(m.Deadline.id))
        facts = []
        for d, division_id, task_done in self.session.execute(query):
            responded = d.resolved_at if d.status == "met" else task_done if d.status == "breached" else None
            facts.append(DeadlineFact(d.case_id, codes[division_id], d.kind, d.stage, d.started_at, d.due_at,
                                      d.status, d.resolved_at, responded))
        return facts


class SqlLearningRegister:
    """Learning actions for the register and its reminders."""

    def __init__(self, session: Session):
        self.session = session

    def get(self, action_id: int) -> m.LearningAction | None:
        return self.session.get(m.LearningAction, action_id)

    def division_code(self, action_id: int) -> str | None:
        return self.session.scalar(select(m.Division.code).join(m.Case, m.Case.division_id == m.Division.id)
                                   .join(m.LearningAction, m.LearningAction.case_id == m.Case.id)
                                   .where(m.LearningAction.id == action_id))

    def overdue(self, today: date) -> list[tuple[LearningFact, str | None, dict]]:
        owner_email = (select(m.User.email).where(m.User.username == m.LearningAction.owner, m.User.is_active)
                       .correlate(m.LearningAction).limit(1).scalar_subquery())
        query = (select(m.LearningAction, m.Case.reference, m.Division.code, m.Division.config, owner_email)
                 .join(m.Case, m.Case.id == m.LearningAction.case_id)
                 .join(m.Division, m.Division.id == m.Case.division_id)
                 .where(m.LearningAction.status == "open", m.LearningAction.review_on < today)
                 .order_by(m.LearningAction.id))
        return [(_learning_fact(a, ref, code), email, config or {})
                for a, ref, code, config, email in self.session.execute(query)]


def _learning_fact(a: m.LearningAction, reference: str, code: str, owner_name: str = "",
                   step_title: str = "") -> LearningFact:
    return LearningFact(a.id, reference, code, a.stage, a.element, a.description, a.owner, a.review_on, a.status,
                        a.best_practice, a.created_at, owner_name, step_title)
