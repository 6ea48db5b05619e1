"""Report figures from hand-made facts: periods, percentiles, SLA counting, stages and the email pack."""
from datetime import date, datetime, timezone

import pytest

from processes.calendar import WorkingCalendar
from processes.errors import InvalidInput
from processes.report_email import render_pack
from processes.report_facts import CaseFact, DeadlineFact, Facts, stage_number
from processes.report_periods import first_working_day, median, parse_period, percentile, trailing_months
from processes.reports import compute_report, format_cell, sla_outcome

UTC = timezone.utc
AS_OF = datetime(2026, 3, 10, 12, tzinfo=UTC)
ENGLAND = {"IA": WorkingCalendar("england")}


def case(n, kind="complaint", received=datetime(2026, 2, 3, 10, tzinfo=UTC), **kw):
    return CaseFact(n, f"IA-2026-{n:06d}", "IA", kind, kw.pop("channel", "web"), received, kw.pop("status", "open"),
                    kw.pop("outcome", None), kw.pop("closed_at", None), **kw)


def deadline(kind, stage, due, status, started=datetime(2026, 2, 2, 9, tzinfo=UTC), responded=None):
    return DeadlineFact(1, "IA", kind, stage, started, due, status, None, responded)


def test_periods_read_months_and_quarters_and_default_to_last_month():
    assert parse_period(None, date(2026, 1, 15)).key == "2025-12"
    quarter = parse_period("2026-q2", date(2026, 1, 1))
    assert (quarter.first_day, quarter.next_first_day, quarter.label) == (date(2026, 4, 1), date(2026, 7, 1),
                                                                          "Q2 2026 (April–June 2026)")
    assert parse_period("2026-03", date(2026, 1, 1)).start == datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_period("2026-04", date(2026, 1, 1)).start == datetime(2026, 3, 31, 23, tzinfo=UTC)  # BST
    with pytest.raises(InvalidInput):
        parse_period("2026-13", date(2026, 1, 1))


def test_trailing_months_end_with_the_periods_last_month():
    months = trailing_months(parse_period("2026-Q1", date(2026, 1, 1)))
    assert [m.key for m in (months[0], months[-1])] == ["2025-04", "2026-03"] and len(months) == 12


def test_nearest_rank_percentile_and_median():
    assert percentile([5, 1, 3, 2, 4, 6, 7, 8, 9, 10], 90) == 9
    assert percentile([7], 90) == 7 and percentile([], 90) is None
    assert median([1, 2, 3, 10]) == 2.5 and median([]) is None


def test_first_working_day_skips_new_year_and_the_weekend():
    assert first_working_day(WorkingCalendar("england"), 2026, 1) == date(2026, 1, 2)
    assert first_working_day(WorkingCalendar("england"), 2026, 8) == date(2026, 8, 3)


@pytest.mark.parametrize("stage,number", [("informal", 1), ("stage_1", 1), ("formal", 2), ("Formal stage 2", 2),
                                          ("escalation", 2), ("appeal", 3), ("stage3", 3), ("triage", 0)])
def test_stage_names_read_as_the_policys_stage_numbers(stage, number):
    assert stage_number(stage) == number


def test_a_running_deadline_counts_as_missed_only_once_past_due():
    assert sla_outcome(deadline("response", "informal", datetime(2026, 3, 1, tzinfo=UTC), "running"), AS_OF) is False
    assert sla_outcome(deadline("response", "informal", datetime(2026, 3, 31, tzinfo=UTC), "running"), AS_OF) is None
    assert sla_outcome(deadline("response", "informal", datetime(2026, 3, 1, tzinfo=UTC), "met"), AS_OF) is True


def test_report_counts_sla_response_days_escalation_and_themes():
    due = datetime(2026, 2, 27, 23, tzinfo=UTC)
    facts = Facts(
        cases=[case(1, furthest_stage=2, themes=("delay",)), case(2, furthest_stage=1, themes=("delay", "rude")),
               case(3, kind="compliment", team="Leeds"), case(4, kind="compliment")],
        deadlines=[deadline("response", "informal", due, "met", responded=datetime(2026, 2, 9, 15, tzinfo=UTC)),
                   deadline("response", "informal", due, "met", responded=datetime(2026, 2, 16, 15, tzinfo=UTC)),
                   deadline("response", "informal", due, "breached", responded=datetime(2026, 3, 3, tzinfo=UTC)),
                   deadline("acknowledgement", "formal", due, "running")],
        category_labels={"delay": "Delay"})
    report = compute_report(facts, "IA", "Interventions Alliance", parse_period("2026-02", date(2026, 3, 1)), AS_OF,
                            ENGLAND)
    assert report.table("sla").rows == [["Acknowledgement", "Formal stage 2", 1, 0, 1, 0.0],
                                        ["Response", "Informal stage 1", 3, 2, 1, 66.7]]
    assert report.table("response_times").rows == [["Informal stage 1", 2, 7.5, 10]]  # 5 and 10 working days
    assert report.table("escalation").rows[0] == ["Escalated to formal stage 2", 1, 2, 50.0]
    assert report.table("themes").rows == [["Delay", 2], ["rude", 1]]
    assert report.table("compliments_by_team").rows == [["Leeds", 1], ["Team not recorded", 1]]


def test_cells_show_fractions_to_one_place_and_nothing_as_a_dash():
    assert [format_cell(v) for v in (3, 66.66, None, "x")] == ["3", "66.7", "–", "x"]


def test_the_email_pack_has_every_table_in_text_and_escaped_html():
    facts = Facts(cases=[case(1, themes=("<b>",))])
    report = compute_report(facts, "IA", "Interventions Alliance", parse_period("2026-02", date(2026, 3, 1)), AS_OF,
                            ENGLAND)
    subject, text, html = render_pack(report, "Monthly complaints pack")
    assert subject == "Monthly complaints pack: Interventions Alliance, February 2026"
    assert all(t.title in text for t in report.tables)
    assert "&lt;b&gt;" in html and "<b>" not in html


def test_each_stage_keeps_its_own_outcome_in_the_report():
    feb = datetime(2026, 2, 10, 12, tzinfo=UTC)
    appealed = case(1, status="closed", outcome="not_upheld", closed_at=feb,
                    stage_outcomes=((1, "partly_upheld", feb), (2, "upheld", feb), (3, "not_upheld", feb)))
    informal_only = case(2, status="closed", outcome="upheld", closed_at=feb, stage_outcomes=((1, "upheld", feb),))
    earlier = case(3, stage_outcomes=((1, "not_upheld", datetime(2026, 1, 5, tzinfo=UTC)),))
    february = parse_period("2026-02", AS_OF.date())
    report = compute_report(Facts([appealed, informal_only, earlier]), "IA", "IA", february, AS_OF, ENGLAND)
    [table] = [t for t in report.tables if t.key == "outcomes_by_stage"]
    assert table.rows == [["Informal stage 1", "Partly upheld", 1], ["Informal stage 1", "Upheld", 1],
                          ["Formal stage 2", "Upheld", 1], ["Appeal stage 3", "Not upheld", 1]]
    [closed] = [t for t in report.tables if t.key == "outcomes"]
    assert ["Not upheld", 1] in closed.rows  # the case's own outcome is still the latest decision
