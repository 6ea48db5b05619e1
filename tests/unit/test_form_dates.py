"""Dates in task forms are judged against today, the day the case was received and the division's calendar."""
from datetime import date

from processes.calendar import WorkingCalendar
from processes.form_dates import DateContext, date_problems

TODAY = DateContext(date(2026, 12, 23), date(2026, 12, 21), WorkingCalendar("england"))
SCHEMA = {"type": "object", "properties": {
    "event_date": {"type": "string", "format": "date", "x-date": "past", "title": "When did it happen?"},
    "known_date": {"type": "string", "format": "date", "x-date": "past", "x-not-before": "event_date"},
    "held_on": {"type": "string", "format": "date", "x-date": "since_received"},
    "reply_by": {"type": "string", "format": "date", "x-date": "future_working_day"},
    "meets_on": {"type": "string", "format": "date", "x-date": "upcoming_working_day"},
    "actions": {"type": "array", "items": {"type": "object", "properties": {
        "review_on": {"type": "string", "format": "date", "x-date": "future_working_day"}}}}}}


def test_sensible_dates_pass():
    data = {"event_date": "2026-12-01", "known_date": "2026-12-02", "held_on": "2026-12-22", "reply_by": "2027-01-05",
            "meets_on": "2026-12-23", "actions": [{"review_on": "2027-01-06"}]}
    assert date_problems(SCHEMA, data, TODAY) == {}


def test_a_future_day_where_the_past_is_asked_is_refused_saying_why():
    problems = date_problems(SCHEMA, {"event_date": "2027-01-04"}, TODAY)
    assert problems == {"event_date": ["This date is in the future; enter a day no later than today (Wed 23 Dec 2026)"]}


def test_a_day_before_the_event_it_follows_or_before_the_case_was_received_is_refused():
    problems = date_problems(SCHEMA, {"event_date": "2026-12-10", "known_date": "2026-12-01",
                                      "held_on": "2026-12-20"}, TODAY)
    assert problems["known_date"] == ["This is before ‘When did it happen?’ (Thu 10 Dec 2026); it cannot come earlier"]
    assert problems["held_on"] == ["This is before the case was received (Mon 21 Dec 2026); enter a day since then"]


def test_planned_days_lie_ahead_on_working_days():
    problems = date_problems(SCHEMA, {"reply_by": "2026-12-23", "meets_on": "2026-12-25",
                                      "actions": [{"review_on": "2020-01-01"}, {"review_on": "2027-01-09"}]}, TODAY)
    assert problems["reply_by"] == [
        "Choose a day after today (Wed 23 Dec 2026): this date is for something still to come"]
    assert problems["meets_on"] == ["Fri 25 Dec 2026 is not a working day (Christmas Day); choose a working day"]
    assert problems["actions.0.review_on"][0].startswith("Choose a day after today")
    assert problems["actions.1.review_on"] == ["Sat 09 Jan 2027 is not a working day (weekend); choose a working day"]
