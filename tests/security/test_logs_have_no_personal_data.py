"""Logs carry no personal data: a whole case, and `complaints init --demo`, log nothing a complainant told us.

SpiffWorkflow attaches task data to its log records unless its loggers have a level of their own; the product's
logging set-up (web.ops.logs.configure_logging, called by the `complaints` command) holds them at WARNING and strips
task data from whatever they still log. The test runs a case as people would, with the product's logging at its most
verbose and pytest's capture at DEBUG, and searches every attribute of every record and every JSON line written.
"""
from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from demo_data import PEOPLE, SUMMARIES
from processes import lifecycle
from processes.access import SYSTEM
from scheduler import sweep_timers
from storage import models as m
from tests.governance_support import use_demo_process, web_client
from tests.integration.test_outbox_dispatch import dispatcher
from tests.integration.test_smtp_sender import smtp_server  # noqa: F401  (fixture)
from web.ops.logs import ENGINE_LOGGERS, MAIL_SERVER_LOGGERS, configure_logging

pytestmark = pytest.mark.both_databases  # database errors are what could leak into logs

ROOT = Path(__file__).resolve().parents[2]
NAME, EMAIL = "Quillon Vantablack", "quillon.vantablack@example.org"
SUPPORT = "a Zorbexian sign language interpreter"
SUMMARY = "The Marrowgate office lost my Zedcard renewal twice."
SECRETS = (NAME, EMAIL, SUPPORT, SUMMARY, "Vantablack", "Zorbexian", "Marrowgate")


@pytest.fixture
def product_logging():
    """The product's logging set-up at DEBUG, writing JSON lines to a buffer; undone afterwards."""
    stream = io.StringIO()
    levels = {name: logging.getLogger(name).level for name in ENGINE_LOGGERS + MAIL_SERVER_LOGGERS}
    root_level = logging.getLogger().level
    handler = configure_logging(logging.DEBUG, stream)
    yield stream
    logging.getLogger().removeHandler(handler)
    logging.getLogger().setLevel(root_level)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def record_text(record: logging.LogRecord) -> str:
    """Everything a handler could write about a record: its message and every attribute, extras included."""
    return record.getMessage() + json.dumps(vars(record), default=repr)


def test_a_whole_case_logs_nothing_the_complainant_told_us(container, clock, smtp_server, product_logging, caplog):
    caplog.set_level(logging.DEBUG)
    use_demo_process(container)
    client = web_client(container)
    answers = {"summary": SUMMARY, "happened_on": "2026-12-01", "on_behalf": "no", "name": NAME, "email": EMAIL,
               "contact_preference": "email", "needs_support": "yes", "language": "Welsh",
               "other_support": SUPPORT, "step": "check"}
    assert client.post("/public/IA/complaint", data=answers).status_code == 302
    with container.session_factory() as session:
        reference = session.scalars(select(m.Case.reference)).one()
    clock.set(clock.now() + timedelta(days=7))
    assert sweep_timers(container) == 1
    with container.uow() as uow:
        [task_id] = [t.id for t in uow.tasks.open_for_case(uow.cases.by_reference(reference).id)]
    lifecycle.complete_task(container.uow(), container.runtime, task_id,
                            {"eligible": True, "notes": f"Spoke to {NAME} about {SUPPORT}"}, SYSTEM)
    lifecycle.deliver_message(container.uow(), container.runtime, reference, "complainant_replied",
                              {"text": f"Thanks, {NAME}"})
    assert dispatcher(container, smtp_server).dispatch().sent
    assert any(EMAIL in r.rcpt_tos for r in smtp_server.received)  # the personal data was really handled

    written = [record_text(r) for r in caplog.records] + product_logging.getvalue().splitlines()
    assert caplog.records and product_logging.getvalue()  # logging was on throughout, at DEBUG
    assert logging.getLogger().isEnabledFor(logging.DEBUG)
    leaks = [line for line in written if any(secret in line for secret in SECRETS)]
    assert leaks == []


def test_engine_records_that_still_get_through_lose_their_task_data(product_logging):
    logging.getLogger("spiff.task").error("task failed", extra={"data": {"name": NAME}, "internal_data": {}})
    line = json.loads(product_logging.getvalue().splitlines()[-1])
    assert line["message"] == "task failed" and "data" not in line and NAME not in json.dumps(line)


def test_email_addresses_in_log_messages_are_masked(product_logging):
    logging.getLogger("handlers.dispatch").warning("outbox 7 failed for good: 550 <%s> mailbox unavailable", EMAIL)
    line = json.loads(product_logging.getvalue().splitlines()[-1])
    assert EMAIL not in line["message"] and "<email address>" in line["message"]


def test_init_demo_writes_no_demo_complainant_details_to_its_log(database_url, tmp_path):
    env = {**os.environ, "COMPLAINTS_DATABASE_URL": database_url, "COMPLAINTS_DEMO_MAIL": "false",
           "COMPLAINTS_DEMO_MAIL_DIR": str(tmp_path / "mail")}
    done = subprocess.run([sys.executable, "-m", "cli", "init", "--demo"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "published demo as version 1" in done.stdout  # it really loaded the demo
    secrets = [value for person in PEOPLE for value in person] + SUMMARIES
    lines = done.stderr.splitlines()
    assert [line for line in lines if any(secret in line for secret in secrets)] == []
    assert not [line for line in lines if '"logger": "spiff' in line]
