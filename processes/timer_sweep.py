"""Firing due timers across many instances, one transaction each, under a claim the worker keeps renewing."""
from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from .errors import Conflict
from .lifecycle import fire_due_timers

if TYPE_CHECKING:
    from .case_run import Runtime
    from .ports import UnitOfWork

log = logging.getLogger(__name__)
# An instance whose firing fails for an unexpected reason waits this long before a sweep tries it again, so a
# broken case cannot spin a worker at the sweep rate; conflicts are retried at the next sweep.
RETRY_AFTER_FAILURE = timedelta(minutes=2)


@dataclass(frozen=True)
class Claim:
    """Rows one worker leased in one go; the token tells this claim apart from any later one on the same rows."""

    owner: str
    token: str
    ids: tuple[int, ...]


class LeaseLost(Conflict):
    """The worker's lease ran out and another worker took the row over; the work is theirs now."""


class TimerClaims(Protocol):
    """How a sweep leases due instances, keeps its leases alive and fires only what it still holds."""

    def claim(self, now: datetime, limit: int) -> Claim:
        """Lease up to `limit` due instances that no live lease holds."""

    def kept(self, claim: Claim) -> AbstractContextManager[None]:
        """Renew the claim's leases in the background for as long as the block runs."""

    def unit_of_work(self, claim: Claim, instance_id: int) -> UnitOfWork:
        """A unit of work that raises LeaseLost unless the claim still holds the instance when it starts."""

    def hold_back(self, claim: Claim, instance_id: int, until: datetime) -> None:
        """Keep a failed instance leased until `until`, so that no sweep retries it before then."""


def sweep_due_timers(claims: TimerClaims, runtime: Runtime, limit: int = 100) -> int:
    """Claim due instances and fire each; a conflict leaves it for the next sweep, a failure for a later one."""
    fired = 0
    while True:
        claim = claims.claim(runtime.clock.now(), limit)
        if claim.ids:
            with claims.kept(claim):
                fired += _fire_claimed(claims, claim, runtime)
        if len(claim.ids) < limit:
            return fired


def _fire_claimed(claims: TimerClaims, claim: Claim, runtime: Runtime) -> int:
    fired = 0
    for instance_id in claim.ids:
        try:
            fired += fire_due_timers(claims.unit_of_work(claim, instance_id), runtime, instance_id, claim.owner)
        except LeaseLost:
            log.warning("instance %s was taken over by another worker after this worker's lease ran out; "
                        "it is not fired here", instance_id)
        except Conflict:
            log.info("instance %s changed while firing; it will be retried", instance_id)
        except Exception:
            log.exception("firing timers of instance %s failed; it will be retried", instance_id)
            claims.hold_back(claim, instance_id, runtime.clock.now() + RETRY_AFTER_FAILURE)
    return fired
