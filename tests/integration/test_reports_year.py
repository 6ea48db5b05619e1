"""A generated year of cases: the report's figures equal values computed independently from the plain records."""
import math
import statistics
from collections import Counter
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from processes.access import SYSTEM, Actor
from processes.errors import Forbidden
from processes.reports import report_for
from tests import reports_seed as seed

LONDON = ZoneInfo("Europe/London")
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]


@pytest.fixture
def year(container, clock):
    clock.set(seed.AS_OF)
    cases = seed.generate_year()
    seed.insert(container, cases)
    learning = seed.add_learning(container, cases)
    return cases, learning


def in_month(instant, key):
    return instant is not None and instant.astimezone(LONDON).strftime("%Y-%m") == key


def expected_sla(cases, divisions, key):
    tally = {}
    for c in cases:
        if c.division not in divisions:
            continue
        for d in c.deadlines:
            if not in_month(d.due_at, key):
                continue
            if d.status == "running" and d.due_at >= seed.AS_OF:
                continue
            met, missed = tally.setdefault((d.kind, d.stage), [0, 0]), d.status == "met"
            met[0 if missed else 1] += 1
    return tally


def expected_response_days(cases, divisions, key):
    by_stage = {}
    for c in cases:
        for d in c.deadlines:
            if c.division in divisions and d.kind == "response" and in_month(d.responded_at, key):
                by_stage.setdefault(d.stage, []).append(seed.plain_working_days(d.started_at, d.responded_at))
    return by_stage


def nearest_rank_90(values):
    return sorted(values)[math.ceil(0.9 * len(values)) - 1]


STAGE_ROW = {"informal": "Informal stage 1", "formal": "Formal stage 2", "appeal": "Appeal stage 3"}


@pytest.mark.parametrize("scope,divisions", [("IA", {"IA"}), ("group", {"IA", "ST"})])
def test_monthly_figures_equal_independently_computed_values(container, year, scope, divisions):
    cases, _ = year
    for key in MONTHS:
        report = report_for(container.reporting_uow(), SYSTEM, scope, key, seed.AS_OF)
        sla = {(row[0].lower(), row[1]): row for row in report.table("sla").rows}
        expected = expected_sla(cases, divisions, key)
        assert len(sla) == len(expected), key
        for (kind, stage), (met, missed) in expected.items():
            row = sla[(kind, STAGE_ROW[stage])]
            assert (row[3], row[4]) == (met, missed), (key, kind, stage)
            assert row[5] == round(100 * met / (met + missed), 1)
        times = {row[0]: row for row in report.table("response_times").rows}
        for stage, values in expected_response_days(cases, divisions, key).items():
            row = times[STAGE_ROW[stage]]
            assert row[1:] == [len(values), statistics.median(values), nearest_rank_90(values)], (key, stage)
        themes = Counter(seed.THEMES[t] for c in cases if c.division in divisions and in_month(c.received_at, key)
                         and c.kind != "compliment" for t in c.themes)
        assert dict(report.table("themes").rows) == dict(themes), key


def test_quarter_counts_volumes_outcomes_escalations_and_compliments_by_team(container, year):
    cases, _ = year
    report = report_for(container.reporting_uow(), SYSTEM, "ST", "2025-Q2", seed.AS_OF)
    quarter = [c for c in cases if c.division == "ST" and c.received_at.astimezone(LONDON).month in (4, 5, 6)]
    assert dict(report.table("received_by_kind").rows) == dict(Counter(c.kind.title() for c in quarter))
    assert dict(report.table("received_by_channel").rows) == dict(Counter(c.channel.title() for c in quarter))
    closed = [c for c in cases if c.division == "ST" and c.closed_at
              and c.closed_at.astimezone(LONDON).date() >= date(2025, 4, 1)
              and c.closed_at.astimezone(LONDON).date() < date(2025, 7, 1)]
    outcomes = report.table("outcomes").rows
    assert sum(n for _, n in outcomes) == len(closed)
    complaints = [c for c in quarter if c.kind == "complaint"]
    escalated = sum(c.furthest >= 2 for c in complaints)
    appealed = sum(c.furthest >= 3 for c in complaints)
    escalation = report.table("escalation").rows
    assert escalation[0][1:3] == [escalated, len(complaints)]
    assert escalation[1][1:3] == [appealed, escalated]
    teams = Counter(c.team or "Team not recorded" for c in quarter if c.kind == "compliment")
    assert dict(report.table("compliments_by_team").rows) == dict(teams)


def test_learning_figures_and_trend_follow_the_records(container, year):
    cases, learning = year
    report = report_for(container.reporting_uow(), SYSTEM, "group", "2025-12", seed.AS_OF)
    rows = dict(report.table("learning").rows)
    assert rows["Open"] == sum(a["status"] == "open" for a in learning)
    assert rows["Overdue"] == sum(a["status"] == "open" and a["review_on"] < seed.AS_OF.date() for a in learning)
    assert rows["Best practice marked for sharing"] == sum(a["best"] for a in learning)
    trend = report.table("trends").rows
    assert [r[0] for r in trend] == [date(2025, m, 1).strftime("%b %Y") for m in range(1, 13)]
    for key, row in zip(MONTHS, trend, strict=True):
        assert row[1] == sum(c.kind == "complaint" and in_month(c.received_at, key) for c in cases)
        assert row[2] == sum(c.kind == "compliment" and in_month(c.received_at, key) for c in cases)


def test_a_division_user_cannot_see_another_divisions_or_the_group_report(container, year):
    ia_staff = Actor("ia", 1, {"IA": frozenset({"complaints_team"})})
    assert report_for(container.reporting_uow(), ia_staff, "IA", "2025-06", seed.AS_OF).scope == "IA"
    for scope in ("ST", "group"):
        with pytest.raises(Forbidden):
            report_for(container.reporting_uow(), ia_staff, scope, "2025-06", seed.AS_OF)
