"""Firing due timers across many instances, one transaction each."""
from __future__ import annotations

import logging

from .errors import Conflict
from .lifecycle import fire_due_timers

log = logging.getLogger(__name__)


def sweep_due_timers(claim, uow_factory, runtime, owner: str, limit: int = 100) -> int:
    """Claim due instances and fire each; a conflict or failure leaves it for the next sweep."""
    fired = 0
    while True:
        ids = claim(runtime.clock.now(), owner, limit)
        for instance_id in ids:
            try:
                fired += fire_due_timers(uow_factory(), runtime, instance_id, owner)
            except Conflict:
                log.info("instance %s changed while firing; it will be retried", instance_id)
            except Exception:
                log.exception("firing timers of instance %s failed; it will be retried", instance_id)
        if len(ids) < limit:
            return fired
