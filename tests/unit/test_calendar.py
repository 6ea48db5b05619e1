from datetime import date, datetime, time, timezone

import pytest

from processes.calendar import LONDON, WorkingCalendar, received_instant

ENGLAND, SCOTLAND, NORTHERN_IRELAND = (WorkingCalendar(n) for n in ("england", "scotland", "northern_ireland"))


def due_date(calendar, received: date, days: int) -> date:
    return calendar.deadline_after(received, days).due.date()


def test_three_working_days_after_23_december_2026_in_england_is_30_december():
    assert due_date(ENGLAND, date(2026, 12, 23), 3) == date(2026, 12, 30)


def test_deadline_is_the_end_of_the_day_in_london():
    due = ENGLAND.deadline_after(date(2026, 7, 1), 3).due
    assert due.tzinfo == LONDON and (due.hour, due.minute, due.second) == (23, 59, 59)
    assert due.astimezone(timezone.utc).hour == 22  # British Summer Time


def test_weekends_are_skipped():
    assert due_date(ENGLAND, date(2026, 11, 20), 1) == date(2026, 11, 23)  # Friday -> Monday


def test_receipt_on_a_weekend_counts_from_the_next_working_day():
    deadline = ENGLAND.deadline_after(date(2026, 11, 21), 3)  # Saturday
    assert deadline.counted_from == date(2026, 11, 23)
    assert deadline.due.date() == date(2026, 11, 26)


def test_receipt_on_a_bank_holiday_counts_from_the_next_working_day():
    assert ENGLAND.deadline_after(date(2026, 12, 25), 1).due.date() == date(2026, 12, 30)


def test_year_end_in_england_skips_christmas_boxing_day_and_new_year():
    assert due_date(ENGLAND, date(2026, 12, 24), 5) == date(2027, 1, 5)


def test_scotland_also_skips_2_january():
    assert due_date(ENGLAND, date(2026, 12, 31), 1) == date(2027, 1, 4)
    # 1 and 4 Jan (2 Jan 2027 is Saturday, observed on the 4th)
    assert due_date(SCOTLAND, date(2026, 12, 31), 2) == date(2027, 1, 6)


def test_scotland_skips_st_andrews_day_but_england_does_not():
    assert due_date(SCOTLAND, date(2026, 11, 27), 1) == date(2026, 12, 1)
    assert due_date(ENGLAND, date(2026, 11, 27), 1) == date(2026, 11, 30)


def test_northern_ireland_skips_st_patricks_day_and_the_twelfth():
    assert due_date(NORTHERN_IRELAND, date(2027, 3, 16), 1) == date(2027, 3, 18)
    assert due_date(ENGLAND, date(2027, 3, 16), 1) == date(2027, 3, 17)
    assert due_date(NORTHERN_IRELAND, date(2027, 7, 9), 1) == date(2027, 7, 13)  # Mon 12 July


def test_easter_monday_is_a_holiday_in_england_but_not_in_scotland():
    assert due_date(ENGLAND, date(2027, 3, 25), 1) == date(2027, 3, 30)  # Good Friday and Easter Monday
    assert due_date(SCOTLAND, date(2027, 3, 25), 1) == date(2027, 3, 29)


def test_closure_days_are_not_working_days():
    calendar = WorkingCalendar("england", {date(2026, 12, 29): "Office closure", date(2026, 12, 30): ""})
    deadline = calendar.deadline_after(date(2026, 12, 23), 3)
    assert deadline.due.date() == date(2027, 1, 4)
    assert (date(2026, 12, 29), "Office closure") in deadline.skipped


def test_the_explanation_names_each_skipped_holiday():
    text = ENGLAND.deadline_after(date(2026, 12, 23), 3).explain()
    assert "Christmas Day" in text and "Boxing Day" in text and "3 working days counted from Wed 23 Dec 2026" in text


def test_late_evening_utc_receipt_counts_on_the_london_date():
    received = datetime(2026, 6, 30, 23, 30, tzinfo=timezone.utc)  # 00:30 on 1 July in London
    assert ENGLAND.deadline_after(received, 0).counted_from == date(2026, 7, 1)


def test_working_days_between_counts_forwards_and_backwards():
    assert ENGLAND.working_days_between(date(2026, 12, 23), date(2026, 12, 30)) == 3
    assert ENGLAND.working_days_between(date(2026, 12, 30), date(2026, 12, 23)) == -3


def test_unknown_nation_is_refused_clearly():
    with pytest.raises(ValueError, match="unknown nation"):
        WorkingCalendar("atlantis")


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        ENGLAND.deadline_after(date(2026, 1, 5), -1)


def test_a_received_date_without_a_time_is_nine_in_london_in_winter_and_summer():
    now = datetime(2026, 12, 23, 15, 20, tzinfo=timezone.utc)
    assert received_instant(date(2026, 12, 18), None, now) == datetime(2026, 12, 18, 9, tzinfo=timezone.utc)
    assert received_instant(date(2026, 7, 1), None, now) == datetime(2026, 7, 1, 8, tzinfo=timezone.utc)  # BST
    assert received_instant(date(2026, 7, 1), time(14, 30), now) == datetime(2026, 7, 1, 13, 30, tzinfo=timezone.utc)


def test_a_received_date_of_today_without_a_time_is_now():
    now = datetime(2026, 12, 23, 15, 20, tzinfo=timezone.utc)
    assert received_instant(date(2026, 12, 23), None, now) == now
