"""The outbox dispatcher: claims due letters with a lease, sends them, and marks each sent, retried or failed."""
from __future__ import annotations

import logging
import uuid
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Callable

from .letters import raise_letter_incident
from .smtp import DeliveryFailed, Outgoing, build_message, domain_of, is_valid_address, message_id_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with a ceiling on the delay and on the number of attempts."""

    first_delay: timedelta = timedelta(minutes=1)
    max_delay: timedelta = timedelta(hours=1)
    max_attempts: int = 12

    def delay(self, attempts: int) -> timedelta:
        """The wait before the next attempt after `attempts` tries: 1, 2, 4, ... minutes, never above the cap."""
        return min(self.first_delay * (2 ** max(attempts - 1, 0)), self.max_delay)


@dataclass
class DispatchReport:
    """What one dispatch run did."""

    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)  # taken over by another dispatcher after this one's lease ran out


@dataclass(frozen=True)
class Batch:
    """The letters one dispatcher claimed in one go; the token tells this claim apart from any later one."""

    token: str
    letters: list[Outgoing]


class OutboxDispatcher:
    """Sends due outbox rows over SMTP; at most one dispatcher holds a row at a time, and only its holder marks it.

    `keep_leases(owner, token)` renews a batch's leases while the batch is being sent (the scheduler passes the
    database heartbeat); without it a batch must finish within one lease.
    """

    def __init__(self, uow_factory, sender, clock, *, owner: str, sender_address: str,
                 policy: RetryPolicy = RetryPolicy(), batch: int = 10, lease: timedelta = timedelta(seconds=5),
                 keep_leases: Callable[[str, str], AbstractContextManager] | None = None, reply_tokens=None):
        self.uow_factory, self.sender, self.clock = uow_factory, sender, clock
        self.reply_tokens = reply_tokens  # handlers.reply_tokens.ReplyTokens: a case's token in its Reply-To
        self.owner, self.sender_address = owner, sender_address
        self.policy, self.batch, self.lease = policy, batch, lease
        self.keep_leases = keep_leases or (lambda owner, token: nullcontext())
        self.domain = domain_of(sender_address)

    def dispatch(self, max_batches: int = 100) -> DispatchReport:
        """Send everything that is due now, batch by batch, until nothing due is left unheld."""
        report = DispatchReport()
        for _ in range(max_batches):
            batch = self.claim()
            if not batch.letters:
                break
            self.send(batch, report)
            if len(batch.letters) < self.batch:
                break
        return report

    def claim(self) -> Batch:
        """Lease a batch of due rows for this dispatcher, fixing each row's Message-ID before any send."""
        now, token = self.clock.now(), uuid.uuid4().hex
        with self.uow_factory() as uow:
            rows = uow.outbox.claim_due(now, self.owner, token, now + self.lease, self.batch)
            letters = []
            for row in rows:
                row.message_id = row.message_id or message_id_for(row.id, row.idempotency_key, self.domain)
                letters.append(Outgoing(row.id, row.case_id, row.template, row.addressee, row.recipient,
                                        tuple(row.cc or ()), self._reply_to(uow, row), row.subject, row.body_text,
                                        row.body_html, row.message_id, row.created_at, row.attempts,
                                        getattr(row, "sender", None)))
            uow.commit()
        return Batch(token, letters)

    def _reply_to(self, uow, row) -> str | None:
        # the same address on every attempt, so a resend is still the same bytes
        if not (row.reply_to and row.case_id and self.reply_tokens):
            return row.reply_to
        return self.reply_tokens.address(row.reply_to, uow.cases.get(row.case_id).reference)

    def send(self, batch: Batch, report: DispatchReport | None = None) -> DispatchReport:
        """Send a claimed batch, keeping its leases alive meanwhile, and mark each letter this claim still holds."""
        report = report if report is not None else DispatchReport()
        with self.keep_leases(self.owner, batch.token):
            self._send_batch(batch.letters, batch.token, report)
        return report

    def _send_batch(self, letters: list[Outgoing], token: str, report: DispatchReport) -> None:
        with ExitStack() as session:
            connection, unreachable = None, None
            for letter in letters:
                if not self._still_held(letter, token):  # paused past the lease: the letter is someone else's now
                    self._lost(letter, "before sending", report)
                    continue
                if not is_valid_address(letter.recipient):
                    self._fail(letter, token, f"malformed recipient address {letter.recipient!r}", report)
                    continue
                if unreachable is not None:  # the server is down: do not knock once per row
                    self._defer(letter, token, unreachable, report)
                    continue
                if connection is None:
                    try:
                        connection = session.enter_context(self.sender.connect())
                    except DeliveryFailed as exc:
                        unreachable = exc
                        self._defer(letter, token, exc, report)
                        continue
                cc = tuple(a for a in letter.cc if is_valid_address(a))
                notes = [f"copy to {a} not sent: malformed address" for a in letter.cc if a not in cc]
                from_address = letter.sender if is_valid_address(letter.sender or "") else self.sender_address
                try:
                    refused = connection.send(build_message(replace(letter, cc=cc), from_address),
                                              from_address, [letter.recipient, *cc])
                except DeliveryFailed as exc:
                    if not exc.permanent:  # the session may be broken: start a fresh one for the next row
                        session.close()
                        connection = None
                    self._after_failure(letter, token, exc, report)
                    continue
                notes += [f"copy to {a} refused: {why}" for a, why in refused.items()]
                self._mark_sent(letter, token, "; ".join(notes) or None, report)

    def _still_held(self, letter: Outgoing, token: str) -> bool:
        with self.uow_factory() as uow:
            held = uow.outbox.held(letter.id, self.owner, token, self.clock.now() + self.lease) is not None
            uow.commit()
        return held

    def _lost(self, letter: Outgoing, when: str, report: DispatchReport) -> None:
        report.lost.append(letter.id)
        log.warning("outbox %s: another dispatcher took the row over (noticed %s) after this one's lease ran out; "
                    "sending and marking it are theirs now", letter.id, when)

    def _after_failure(self, letter: Outgoing, token: str, exc: DeliveryFailed, report: DispatchReport) -> None:
        if exc.permanent:
            self._fail(letter, token, str(exc), report)
        else:
            self._defer(letter, token, exc, report)

    def _defer(self, letter: Outgoing, token: str, exc: DeliveryFailed, report: DispatchReport) -> None:
        if letter.attempts >= self.policy.max_attempts:
            self._fail(letter, token, f"gave up after {letter.attempts} attempts: {exc}", report)
            return
        now = self.clock.now()
        with self.uow_factory() as uow:
            row = uow.outbox.held(letter.id, self.owner, token, now)
            if row is None:
                self._lost(letter, "before its retry was recorded", report)
                return
            row.next_attempt_at = now + self.policy.delay(letter.attempts)
            row.last_error, row.lease_owner, row.lease_until = str(exc), None, None
            uow.commit()
        report.retried.append(letter.id)
        log.info("outbox %s: attempt %s failed, retrying at %s: %s", letter.id, letter.attempts,
                 now + self.policy.delay(letter.attempts), exc)

    def _fail(self, letter: Outgoing, token: str, error: str, report: DispatchReport) -> None:
        now = self.clock.now()
        with self.uow_factory() as uow:
            row = uow.outbox.held(letter.id, self.owner, token, now)
            if row is None:
                self._lost(letter, "before its failure was recorded", report)
                return
            row.status, row.last_error, row.lease_owner, row.lease_until = "failed", error, None, None
            case = uow.cases.get(row.case_id) if row.case_id else None
            raise_letter_incident(uow, case, row, error, now)
            uow.commit()
        report.failed.append(letter.id)
        log.warning("outbox %s failed for good: %s", letter.id, error)

    def _mark_sent(self, letter: Outgoing, token: str, note: str | None, report: DispatchReport) -> None:
        # Marked only while this claim still holds the row. A rival that took it over after our lease ran out sends
        # the same bytes under the same Message-ID and marks it itself, so the receiver sees one letter, twice.
        now = self.clock.now()
        with self.uow_factory() as uow:
            row = uow.outbox.held(letter.id, self.owner, token, now)
            if row is None:
                self._lost(letter, "after sending", report)
                return
            row.status, row.sent_at, row.last_error = "sent", now, note
            row.lease_owner, row.lease_until = None, None
            if row.case_id:
                case = uow.cases.get(row.case_id)
                uow.events.append(row.case_id, "letter_sent", "system", now,
                                  version_id=case.version_id if case else None,
                                  data={"outbox_id": row.id, "template": row.template, "addressee": row.addressee,
                                        "message_id": row.message_id, "attempts": row.attempts,
                                        **({"note": note} if note else {})})
            uow.commit()
        report.sent.append(letter.id)
