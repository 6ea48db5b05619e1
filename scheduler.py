"""APScheduler set-up: the fixed schedules only (timer sweep, outbox dispatch, mailboxes, reports, reminders,
retention); case timers live in the database."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import Table

from processes.timer_sweep import sweep_due_timers
from storage.heartbeat import beat, keep_leases
from storage.timer_claims import SqlTimerClaims

log = logging.getLogger(__name__)
# (callable(container), seconds, job id) added by other modules' register functions
JOBS: list[tuple[Callable[[Any], object], int, str]] = []
CRON = "Europe/London"


def send_report_packs(container) -> int:
    """Queue the monthly and quarterly report packs that have fallen due (idempotent; runs daily)."""
    from processes.report_schedule import send_report_packs as send
    return send(container.reporting_uow, container.clock.now())


def remind_learning_actions(container) -> int:
    """Queue weekly reminders for overdue learning actions."""
    from processes.learning import remind_overdue_actions
    return remind_overdue_actions(container.reporting_uow(), container.clock.now())


def anonymise_expired_cases(container) -> int:
    """The nightly retention run."""
    from processes.retention import run_retention
    return len(run_retention(container.reporting_uow, container.clock.now()).anonymised)


def replay_versions(container) -> int:
    """Make the replay reports governance asked for: proposed versions against the last N months of cases."""
    from processes.replay import run_requested_replays
    return run_requested_replays(container.uow, container.runtime)


JOBS.append((replay_versions, 30, "replay_versions"))

CRON_JOBS = [  # (callable(container), cron fields in Europe/London, job id)
    (send_report_packs, {"hour": 6, "minute": 30}, "send_report_packs"),
    (remind_learning_actions, {"hour": 7, "minute": 0}, "remind_learning_actions"),
    (anonymise_expired_cases, {"hour": 2, "minute": 15}, "anonymise_expired_cases"),
]


def sweep_timers(container) -> int:
    """One sweep: claim due instances and fire their timers, renewing the claim while it lasts."""
    settings = container.settings
    claims = SqlTimerClaims(container.session_factory, container.clock, settings.worker_name,
                            timedelta(seconds=settings.lease_seconds), settings.lease_renew_seconds)
    fired = sweep_due_timers(claims, container.runtime)
    beat(container.session_factory, settings.worker_name, container.clock.now())
    return fired


def dispatch_outbox(container) -> int:
    """One outbox run: send due letters over SMTP, retrying with backoff; returns how many went out."""
    from handlers.dispatch import OutboxDispatcher
    from handlers.smtp import SmtpSender
    from storage.models import Outbox
    settings, table = container.settings, cast(Table, Outbox.__table__)
    lease = timedelta(seconds=settings.lease_seconds)

    def keep(owner: str, token: str):
        return keep_leases(container.session_factory, container.clock, table, table.c.last_attempt_at, owner, token,
                           lease, settings.lease_renew_seconds)

    from handlers.reply_tokens import ReplyTokens
    dispatcher = OutboxDispatcher(container.uow, SmtpSender.from_settings(settings), container.clock,
                                  owner=settings.worker_name, sender_address=settings.mail_from, lease=lease,
                                  keep_leases=keep, reply_tokens=ReplyTokens(settings.secret_key))
    return len(dispatcher.dispatch().sent)


def read_mailbox(container, mailbox) -> int:
    """One visit to a division mailbox over IMAP, waiting on IDLE for most of the interval where the server offers
    it; returns how many messages it handled."""
    from handlers.imap_intake import poll_mailbox
    seconds = container.settings.imap_poll_seconds
    return len(poll_mailbox(container, mailbox, idle_seconds=seconds - 5 if seconds > 10 else 0).outcomes)


def mailboxes_to_read(container) -> list:
    """The division mailboxes to read over IMAP: all of them when COMPLAINTS_IMAP_HOST is set, else none."""
    if not container.settings.imap_host:
        return []
    from handlers.mail_intake import MailIntake
    return MailIntake(container.uow, container.clock, container.settings).mailboxes()


def make_scheduler(container, blocking: bool = False):
    """A scheduler that sweeps timers and dispatches the outbox every sweep interval, plus any registered jobs."""
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone="UTC")
    # Both run every sweep: a dead worker's claims are taken over at the first sweep after its lease runs out.
    for job, job_id in ((sweep_timers, "sweep_timers"), (dispatch_outbox, "dispatch_outbox")):
        scheduler.add_job(job, "interval", seconds=container.settings.sweep_seconds, args=[container], id=job_id,
                          max_instances=1, coalesce=True)
    for registered, seconds, job_id in JOBS:
        scheduler.add_job(registered, "interval", seconds=seconds, args=[container], id=job_id, max_instances=1,
                          coalesce=True)
    mailboxes = mailboxes_to_read(container)
    if mailboxes:  # a thread each: a job waiting on IDLE must not hold up the timer sweep or another mailbox
        scheduler.add_executor(ThreadPoolExecutor(len(mailboxes)), "mail")
    for mailbox in mailboxes:
        scheduler.add_job(read_mailbox, "interval", seconds=container.settings.imap_poll_seconds,
                          args=[container, mailbox], id=f"read_mailbox:{mailbox.address.lower()}", executor="mail",
                          max_instances=1, coalesce=True)
    for job, fields, job_id in CRON_JOBS:
        scheduler.add_job(job, "cron", timezone=CRON, args=[container], id=job_id, max_instances=1, coalesce=True,
                          misfire_grace_time=6 * 3600, **fields)
    return scheduler
