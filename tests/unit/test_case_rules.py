"""The rules of a case's own fields: stage, outcome, closing and how long a closed case is kept."""
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest

from processes.case_rules import CaseChanges, apply_changes, close, years_after
from processes.vocabulary import CaseStatus, Outcome

NOW = datetime(2026, 12, 23, 15, tzinfo=timezone.utc)


def open_case(**fields):
    return SimpleNamespace(stage="intake", status=CaseStatus.OPEN, outcome=None, summary="", closed_at=None,
                           retention_until=None, **fields)


def test_a_closed_case_is_kept_two_years_from_the_day_it_closed_unless_told_otherwise():
    case = open_case()
    assert close(case, NOW, None) == date(2028, 12, 23)
    assert (case.status, case.closed_at) == (CaseStatus.CLOSED, NOW)


def test_a_contract_with_a_longer_retention_keeps_the_closed_case_longer():
    case = open_case()
    event = apply_changes(case, changes(status=CaseStatus.CLOSED, outcome=Outcome.WITHDRAWN, retention_years=7), NOW)
    assert event == ("case_closed", {"outcome": "withdrawn", "retention_until": "2033-12-23"})
    assert case.retention_until == date(2033, 12, 23)


def test_a_case_closes_once_and_a_later_closing_request_is_only_an_update():
    case = open_case()
    apply_changes(case, changes(status=CaseStatus.CLOSED, outcome=Outcome.UPHELD), NOW)
    later = datetime(2027, 3, 1, tzinfo=timezone.utc)
    event = apply_changes(case, changes(status=CaseStatus.CLOSED, outcome=Outcome.NOT_UPHELD, retention_years=7),
                          later)
    assert event == ("case_updated", {"status": "closed", "outcome": "not_upheld"})
    assert (case.closed_at, case.retention_until, case.outcome) == (NOW, date(2028, 12, 23), Outcome.NOT_UPHELD)


def test_a_stage_change_moves_the_case_and_says_so_on_its_timeline():
    case = open_case()
    assert apply_changes(case, changes(stage="formal", status=CaseStatus.OPEN), NOW) == (
        "case_updated", {"stage": "formal", "status": "open"})
    assert (case.stage, case.closed_at) == ("formal", None)


def test_no_requested_change_leaves_the_case_and_its_timeline_alone():
    case = open_case()
    assert apply_changes(case, CaseChanges(), NOW) is None and case.stage == "intake"


def test_later_requests_in_a_run_win_field_by_field():
    first, second = changes(stage="informal", outcome=Outcome.UPHELD), changes(stage="formal")
    first.merge(second)
    assert first.asked() == {"stage": "formal", "outcome": "upheld"}


def test_a_request_to_change_a_field_a_case_does_not_let_handlers_change_is_refused():
    with pytest.raises(TypeError, match="reference"):
        CaseChanges().ask(reference="IA-1")


def test_a_case_closed_on_29_february_is_kept_until_28_february():
    assert years_after(date(2028, 2, 29), 2) == date(2030, 2, 28)


def changes(**asked) -> CaseChanges:
    result = CaseChanges()
    result.ask(**asked)
    return result
