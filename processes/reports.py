"""The monthly and quarterly report: figures computed from facts, as tables that the page, CSV and pack share."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from .access import Actor
from .calendar import LONDON, WorkingCalendar
from .errors import Forbidden
from .report_facts import (
    KIND_LABELS,
    OUTCOME_LABELS,
    SLA_KINDS,
    STAGE_LABELS,
    CaseFact,
    DeadlineFact,
    Facts,
    ReportSource,
    stage_number,
)
from .report_periods import Period, median, percentile, rate, trailing_months
from .vocabulary import DeadlineStatus, LearningStatus

GROUP = "group"


@dataclass
class Table:
    """One figure of the report: a titled table whose `chart` says how to draw its `value_column`."""

    key: str
    title: str
    columns: list[str]
    rows: list[list]
    chart: str | None = "bar"
    value_column: int = 1
    note: str = ""

    def display_rows(self) -> list[list[str]]:
        """Rows as the page and the CSV both show them."""
        return [[format_cell(value) for value in row] for row in self.rows]


@dataclass
class Report:
    """A report for one scope (a division or the whole group) and one period."""

    scope: str
    scope_label: str
    period: Period
    as_of: datetime
    tables: list[Table] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def format_cell(value) -> str:
    """Whole numbers plainly, fractions to one decimal place, nothing as an en dash."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def report_scopes(actor: Actor, divisions: dict[str, str]) -> dict[str, str]:
    """The scopes an actor may report on: their divisions, and the whole group for group-wide users."""
    scopes = {GROUP: "Seetec Group (all divisions)"} if actor.group_wide or actor.is_system else {}
    everything = actor.group_wide or actor.is_system
    visible = divisions if everything else {c: n for c, n in divisions.items() if c in actor.roles}
    return scopes | dict(sorted(visible.items()))


def scope_divisions(actor: Actor, scope: str, divisions: dict[str, str]) -> list[str]:
    """The division codes a scope covers, refusing scopes the actor may not see."""
    allowed = report_scopes(actor, divisions)
    if scope not in allowed:
        raise Forbidden(f"you may not see reports for {scope!r}")
    return sorted(divisions) if scope == GROUP else [scope]


def build_report(source: ReportSource, actor: Actor, scope: str, period: Period, as_of: datetime,
                 divisions: dict[str, str], calendars: dict[str, WorkingCalendar]) -> Report:
    """Fetch the facts for a scope and period (with twelve months of trend) and compute every figure."""
    codes = scope_divisions(actor, scope, divisions)
    months = trailing_months(period)
    facts = source.facts(codes, min(months[0].start, period.start), period.end)
    label = report_scopes(actor, divisions)[scope]
    return compute_report(facts, scope, label, period, as_of, calendars, months)


def compute_report(facts: Facts, scope: str, scope_label: str, period: Period, as_of: datetime,
                   calendars: dict[str, WorkingCalendar], months: list[Period] | None = None) -> Report:
    """Every figure of the report from already-fetched facts."""
    received = [c for c in facts.cases if period.contains(c.received_at)]
    closed = [c for c in facts.cases if period.contains(c.closed_at)]
    complaints = [c for c in received if c.kind == "complaint"]
    report = Report(scope, scope_label, period, as_of)
    report.tables = [
        _counted("received_by_kind", "Cases received by kind", "Kind",
                 (KIND_LABELS.get(c.kind, c.kind.title()) for c in received)),
        _counted("received_by_channel", "Cases received by channel", "Channel",
                 (c.channel.replace("_", " ").title() for c in received)),
        _counted("complaints_by_stage", "Complaints received, by furthest stage reached", "Stage",
                 (STAGE_LABELS[c.furthest_stage] for c in complaints)),
        _counted("themes", "Themes of complaints and concerns received", "Theme",
                 (facts.category_labels.get(t, t) for c in received if c.kind != "compliment" for t in c.themes),
                 note="A case may have more than one theme."),
        _counted("outcomes", "Outcomes of cases closed", "Outcome",
                 (OUTCOME_LABELS.get(c.outcome or "", c.outcome or "Not recorded") for c in closed)),
        stage_outcome_table(facts, period),
        sla_table(facts.deadlines, period, as_of),
        response_time_table(facts.deadlines, period, calendars),
        escalation_table(complaints),
        learning_table(facts, period, as_of),
        _counted("compliments_by_team", "Compliments received, by team", "Team",
                 (c.team or "Team not recorded" for c in received if c.kind == "compliment")),
        trend_table(facts, months or trailing_months(period), as_of),
    ]
    return report


def stage_outcome_table(facts: Facts, period: Period) -> Table:
    """Each stage's own decisions made in the period: a complaint upheld at stage 2 and not upheld on appeal
    counts once at each stage, not only as the appeal's result."""
    counts = Counter((STAGE_LABELS[stage], OUTCOME_LABELS.get(outcome, outcome))
                     for c in facts.cases for stage, outcome, decided in c.stage_outcomes
                     if stage and (period.contains(decided) if decided else period.contains(c.closed_at)))
    rows = sorted(([stage, outcome, n] for (stage, outcome), n in counts.items()),
                  key=lambda r: (list(STAGE_LABELS.values()).index(r[0]), -r[2], r[1]))
    return Table("outcomes_by_stage", "Outcomes decided at each stage", ["Stage", "Outcome", "Count"], rows,
                 chart=None, value_column=2, note="Each stage's own decision, with its own date.")


def _counted(key: str, title: str, heading: str, labels, note: str = "") -> Table:
    counts = Counter(labels)
    rows = sorted(([label, n] for label, n in counts.items()), key=lambda r: (-r[1], r[0]))
    return Table(key, title, [heading, "Count"], rows, note=note)


def sla_outcome(deadline: DeadlineFact, as_of: datetime) -> bool | None:
    """True when met, False when missed (breached, or still running past its due time), None when not yet due."""
    if deadline.status == DeadlineStatus.MET:
        return True
    overdue = deadline.status == DeadlineStatus.RUNNING and deadline.due_at < as_of
    if deadline.status == DeadlineStatus.BREACHED or overdue:
        return False
    return None


def sla_table(deadlines: list[DeadlineFact], period: Period, as_of: datetime) -> Table:
    """Per deadline kind and stage, of the clocks due in the period: how many were met."""
    tally: dict[tuple[str, int], list[int]] = {}
    for d in deadlines:
        if d.kind not in SLA_KINDS or not period.contains(d.due_at):
            continue
        outcome = sla_outcome(d, as_of)
        if outcome is None:
            continue
        counts = tally.setdefault((d.kind, stage_number(d.stage)), [0, 0])
        counts[0 if outcome else 1] += 1
    rows = [[kind.title(), STAGE_LABELS[stage], met + missed, met, missed, rate(met, met + missed)]
            for (kind, stage), (met, missed) in sorted(tally.items(),
                                                       key=lambda i: (SLA_KINDS.index(i[0][0]), i[0][1]))]
    return Table("sla", "SLA compliance by deadline", ["Deadline", "Stage", "Due", "Met", "Missed", "% met"], rows,
                 value_column=5, chart="percent",
                 note="Deadlines falling due in the period; one still running past its due time counts as missed.")


def response_days(deadline: DeadlineFact, calendar: WorkingCalendar) -> int | None:
    """Working days from the start of a response clock to the response, or None before a response."""
    if deadline.responded_at is None:
        return None
    return calendar.working_days_between(deadline.started_at, deadline.responded_at)


def response_time_table(deadlines: list[DeadlineFact], period: Period, calendars: dict[str, WorkingCalendar]) -> Table:
    """Median and 90th-percentile working days to respond, per stage and overall, for responses sent in the period."""
    by_stage: dict[int, list[int]] = {}
    for d in deadlines:
        if d.kind == "response" and period.contains(d.responded_at):
            days = response_days(d, calendars.get(d.division) or WorkingCalendar())
            by_stage.setdefault(stage_number(d.stage), []).append(days)
    rows = [[STAGE_LABELS[s], len(v), median(v), percentile(v, 90)] for s, v in sorted(by_stage.items())]
    every = [x for v in by_stage.values() for x in v]
    if len(by_stage) > 1:
        rows.append(["All stages", len(every), median(every), percentile(every, 90)])
    return Table("response_times", "Working days to respond",
                 ["Stage", "Responses", "Median working days", "90th percentile working days"], rows,
                 value_column=2, note="Bars show the median. Counted from the start of the stage's response clock; "
                                      "90th percentile by nearest rank.")


def escalation_table(complaints: list[CaseFact]) -> Table:
    """How many complaints received in the period went on to formal stage 2, and of those to appeal."""
    escalated = sum(c.furthest_stage >= 2 for c in complaints)
    appealed = sum(c.furthest_stage >= 3 for c in complaints)
    rows = [["Escalated to formal stage 2", escalated, len(complaints), rate(escalated, len(complaints))],
            ["Appealed to stage 3", appealed, escalated, rate(appealed, escalated)]]
    return Table("escalation", "Escalation and appeal rates", ["Measure", "Cases", "Out of", "Rate %"], rows,
                 value_column=3, chart="percent",
                 note="Escalation is out of complaints received in the period; appeal is out of those escalated.")


def learning_table(facts: Facts, period: Period, as_of: datetime) -> Table:
    """Open and overdue learning actions now, and those raised in the period."""
    today = as_of.astimezone(LONDON).date()
    items = facts.learning
    rows = [["Open", sum(a.status == LearningStatus.OPEN for a in items)],
            ["Overdue", sum(a.is_overdue(today) for a in items)],
            ["Raised in the period", sum(period.contains(a.created_at) for a in items)],
            ["Best practice marked for sharing", sum(a.best_practice for a in items)]]
    return Table("learning", "Learning actions", ["Measure", "Actions"], rows,
                 note=f"Open and overdue as at {today:%d %B %Y}.")


def trend_table(facts: Facts, months: list[Period], as_of: datetime) -> Table:
    """Month on month: complaints and compliments received, cases closed, and SLA compliance."""
    rows = []
    for month in months:
        received = [c for c in facts.cases if month.contains(c.received_at)]
        outcomes = [sla_outcome(d, as_of) for d in facts.deadlines if d.kind in SLA_KINDS and month.contains(d.due_at)]
        decided = [o for o in outcomes if o is not None]
        rows.append([month.first_day.strftime("%b %Y"), sum(c.kind == "complaint" for c in received),
                     sum(c.kind == "compliment" for c in received),
                     sum(month.contains(c.closed_at) for c in facts.cases), rate(sum(decided), len(decided))])
    return Table("trends", "Month on month", ["Month", "Complaints received", "Compliments received",
                                               "Cases closed", "% SLA met"], rows, chart="trend")


def report_for(uow, actor: Actor, scope: str | None, period_text: str | None, now: datetime) -> Report:
    """The report an actor asked for (their first scope and last month by default)."""
    from .report_periods import parse_period
    with uow:
        divisions = uow.divisions.all()
        names = {d.code: d.name for d in divisions}
        calendars = {d.code: WorkingCalendar(d.nation, uow.closures.for_division(d.id)) for d in divisions}
        scopes = report_scopes(actor, names)
        if not scopes:
            raise Forbidden("you have no divisions to report on")
        period = parse_period(period_text, now.astimezone(LONDON).date())
        return build_report(uow.report_source, actor, scope or next(iter(scopes)), period, now, names, calendars)


def available_scopes(uow, actor: Actor) -> dict[str, str]:
    """The scopes offered to an actor, by code and name."""
    with uow:
        return report_scopes(actor, {d.code: d.name for d in uow.divisions.all()})


def period_choices(today, months: int = 24, quarters: int = 8) -> list[tuple[str, str]]:
    """Recent months and quarters to choose from, newest first."""
    from .report_periods import add_months, month_of, quarter_of
    choices = [(month_of(add_months(today, -i)).key, month_of(add_months(today, -i)).label) for i in range(months)]
    choices += [(quarter_of(add_months(today, -3 * i)).key, quarter_of(add_months(today, -3 * i)).label)
                for i in range(quarters)]
    return choices
