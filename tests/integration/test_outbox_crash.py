"""A dispatcher killed after the SMTP server took a letter but before the row was marked sent."""
from __future__ import annotations

import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from tests.integration.test_outbox_dispatch import dispatcher, route_to_demo, rows, start
from tests.integration.test_smtp_sender import smtp_server  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
DIES_AFTER_SENDING = '''
import os, signal, sys
from contextlib import contextmanager
from datetime import datetime, timedelta

import bootstrap
from handlers.dispatch import OutboxDispatcher
from handlers.smtp import SmtpConnection, SmtpSender
from processes.clock import SettableClock
from settings import Settings

url, port, now, lease = sys.argv[1], int(sys.argv[2]), datetime.fromisoformat(sys.argv[3]), float(sys.argv[4])


class DiesAfterSending(SmtpConnection):
    def send(self, *args):
        super().send(*args)
        os.kill(os.getpid(), signal.SIGKILL)  # the server has the letter; the row is never marked


class Sender(SmtpSender):
    @contextmanager
    def connect(self):
        with super().connect() as connection:
            yield DiesAfterSending(connection.client)


container = bootstrap.build(Settings(database_url=url, clock="demo"), clock=SettableClock(now))
OutboxDispatcher(container.uow, Sender("127.0.0.1", port, timeout=5), container.clock, owner="doomed",
                 sender_address="complaints@seetec.example", lease=timedelta(seconds=lease)).dispatch()
'''


def test_a_dispatcher_killed_between_sending_and_marking_resends_under_the_same_message_id(
        container, settings, clock, smtp_server):
    route_to_demo(container)
    start(container)

    doomed = subprocess.run([sys.executable, "-c", DIES_AFTER_SENDING, settings.database_url,
                             str(smtp_server.port), clock.now().isoformat(), str(settings.lease_seconds)],
                            cwd=ROOT, timeout=120,
                            capture_output=True)
    assert doomed.returncode == -signal.SIGKILL, doomed.stderr.decode()
    [row] = rows(container)
    assert (row.status, row.lease_owner, len(smtp_server.received)) == ("pending", "doomed", 1)

    assert row.lease_until == clock.now() + timedelta(seconds=settings.lease_seconds)  # one short lease
    clock.set(row.lease_until)
    assert dispatcher(container, smtp_server).dispatch().sent == []  # the dead dispatcher's lease still holds
    clock.advance(microseconds=1)  # the lease has run out
    assert dispatcher(container, smtp_server).dispatch().sent == [row.id]
    assert dispatcher(container, smtp_server).dispatch().sent == []

    first, again = smtp_server.received
    assert first.message["Message-ID"] == again.message["Message-ID"] == row.message_id
    assert first.message.as_bytes() == again.message.as_bytes()  # a receiver sees the same letter twice, not two
    assert rows(container)[0].status == "sent"
