"""Scheduled packs: the monthly pack per division on the first working day, and Seetec Training's quarterly
compliments review for its Professional Standards, Research and Development team."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from .access import SYSTEM
from .calendar import LONDON, WorkingCalendar
from .report_email import render_pack
from .report_periods import Period, add_months, first_working_day, month_of, quarter_of
from .reports import Report, Table, build_report


def monthly_recipients(config: dict) -> list[str]:
    """Who gets a division's monthly pack: `report_recipients` in its configuration, else its complaints mailbox."""
    return list(config.get("report_recipients") or [config.get("complaints_mailbox") or "complaints@example.org"])


def compliments_recipients(config: dict) -> list[str]:
    """Who gets the quarterly compliments review: configured, else the PSRD mailbox, else the feedback mailbox."""
    configured = config.get("compliments_review_recipients")
    psrd = (config.get("mailboxes") or {}).get("psrd_director")
    return list(configured or [psrd or config.get("feedback_mailbox") or "feedback@example.org"])


def send_report_packs(uow_factory, now: datetime) -> int:
    """Queue every pack that is due and not yet queued; safe to run daily (and again after downtime)."""
    today = now.astimezone(LONDON).date()
    queued = 0
    with uow_factory() as uow:
        divisions = uow.divisions.all()
        names = {d.code: d.name for d in divisions}
        calendars = {d.code: WorkingCalendar(d.nation, uow.closures.for_division(d.id)) for d in divisions}
        for division in divisions:
            calendar = calendars[division.code]
            if today >= first_working_day(calendar, today.year, today.month):
                period = month_of(add_months(today, -1))
                queued += _queue(uow, division, period, "Monthly complaints pack",
                                 monthly_recipients(division.config), now, names, calendars, "monthly-pack")
            quarter = quarter_of(today)
            if division.config.get("policy") == "training" and \
                    today >= first_working_day(calendar, quarter.first_day.year, quarter.first_day.month):
                queued += _queue(uow, division, quarter.previous(), "Quarterly compliments review",
                                 compliments_recipients(division.config), now, names, calendars, "compliments-review")
        uow.commit()
    return queued


def _queue(uow, division, period: Period, title: str, recipients: list[str], now: datetime, names: dict,
           calendars: dict, kind: str) -> int:
    keys = {r: f"{kind}:{division.code}:{period.key}:{r}" for r in recipients}
    missing = [r for r, key in keys.items() if not uow.report_source.outbox_has(key)]
    if not missing:
        return 0
    report = build_report(uow.report_source, SYSTEM, division.code, period, now, names, calendars)
    if kind == "compliments-review":
        report = compliments_review(report)
    subject, text, html = render_pack(report, title)
    for recipient in missing:
        uow.outbox.add(case_id=None, idempotency_key=keys[recipient], recipient=recipient, template=kind,
                       subject=subject, body_text=text, body_html=html, next_attempt_at=now, created_at=now)
    return len(missing)


def compliments_review(report: Report) -> Report:
    """The part of a quarter's report that the compliments review needs."""
    keep = ("compliments_by_team", "learning")
    tables = [t for t in report.tables if t.key in keep]
    trend = report.table("trends")
    in_quarter = {m.first_day.strftime("%b %Y") for m in report.period.months_in()}
    monthly = Counter({row[0]: row[2] for row in trend.rows if row[0] in in_quarter})
    tables.insert(1, Table("compliments_by_month", "Compliments received, by month", ["Month", "Compliments"],
                           [[m, monthly[m]] for m in (r[0] for r in trend.rows) if m in in_quarter]))
    return Report(report.scope, report.scope_label, report.period, report.as_of, tables)
