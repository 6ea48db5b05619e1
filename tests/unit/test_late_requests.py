"""The late-request rule on its own: the received London day against the last day of the window the request answers."""
from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from processes.late_requests import late_request

UTC = timezone.utc


def window(kind: str, due: datetime, status: str = "running", started: datetime | None = None):
    return SimpleNamespace(id=1, kind=kind, stage="formal", status=status, due_at=due,
                           started_at=started or datetime(2027, 6, 1, 9, tzinfo=UTC))


# the last day is Mon 14 Jun 2027; 23:59:59 in London (BST) is 22:59:59 UTC
LAST = datetime(2027, 6, 14, 22, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize("message,kind", [("appeal_requested", "appeal_window"),
                                          ("escalation_requested", "escalation_window"),
                                          ("consent_received", "consent")])
def test_a_request_received_the_day_after_the_last_day_is_late_whatever_the_window_kind(message, kind):
    late = late_request([window(kind, LAST)], message, datetime(2027, 6, 15, 8, tzinfo=UTC))
    assert late is not None and str(late.last_day) == "2027-06-14" and str(late.received_on) == "2027-06-15"
    assert "Monday 14 June 2027" in late.sentence() and "Tuesday 15 June 2027" in late.sentence()


def test_a_request_on_the_last_day_is_in_time_even_late_in_the_london_evening():
    assert late_request([window("appeal_window", LAST)], "appeal_requested",
                        datetime(2027, 6, 14, 22, 30, tzinfo=UTC)) is None


def test_just_after_midnight_in_london_is_the_next_day_though_still_the_last_day_in_utc():
    late = late_request([window("appeal_window", LAST)], "appeal_requested", datetime(2027, 6, 14, 23, 30, tzinfo=UTC))
    assert late is not None and str(late.received_on) == "2027-06-15"


def test_a_window_that_closed_by_its_timer_still_judges_a_late_request():
    for status in ("fired", "met"):  # a timer-closed window may read as met
        assert late_request([window("appeal_window", LAST, status)], "appeal_requested",
                            datetime(2027, 6, 20, tzinfo=UTC)) is not None


def test_a_window_already_answered_is_not_judged_late_again():
    answered = [datetime(2027, 6, 10, tzinfo=UTC)]
    assert late_request([window("appeal_window", LAST, "met")], "appeal_requested",
                        datetime(2027, 6, 20, tzinfo=UTC), answered) is None


def test_only_the_latest_window_counts_after_a_reopening():
    old = window("appeal_window", datetime(2027, 3, 1, 23, 59, 59, tzinfo=UTC), "met",
                 datetime(2027, 2, 15, tzinfo=UTC))
    new = window("appeal_window", LAST, "running", datetime(2027, 6, 1, tzinfo=UTC))
    assert late_request([old, new], "appeal_requested", datetime(2027, 6, 3, tzinfo=UTC)) is None


def test_a_request_with_no_window_or_a_message_without_one_is_never_late():
    assert late_request([], "appeal_requested", datetime(2027, 6, 20, tzinfo=UTC)) is None
    assert late_request([window("appeal_window", LAST)], "withdrawn", datetime(2027, 6, 20, tzinfo=UTC)) is None
