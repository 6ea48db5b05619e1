"""APScheduler set-up: the fixed schedules only (timer sweep, outbox dispatch); case timers live in the database."""
from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from processes.timer_sweep import sweep_due_timers
from storage.heartbeat import beat
from storage.timer_claims import claim_due

log = logging.getLogger(__name__)
JOBS = []  # (callable(container), seconds, job id) added by other modules' register functions


def sweep_timers(container) -> int:
    """One sweep: claim due instances and fire their timers."""
    claim = lambda now, owner, limit: claim_due(container.session_factory, now, owner, limit)  # noqa: E731
    fired = sweep_due_timers(claim, container.uow, container.runtime, container.settings.worker_name)
    beat(container.session_factory, container.settings.worker_name, container.clock.now())
    return fired


def make_scheduler(container, blocking: bool = False):
    """A scheduler that sweeps timers now and then every few seconds, plus any registered jobs."""
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone="UTC")
    scheduler.add_job(sweep_timers, "interval", seconds=container.settings.sweep_seconds, args=[container],
                      id="sweep_timers", max_instances=1, coalesce=True)
    for job, seconds, job_id in JOBS:
        scheduler.add_job(job, "interval", seconds=seconds, args=[container], id=job_id, max_instances=1,
                          coalesce=True)
    return scheduler
