"""Operations: /healthz reads the database and the scheduler heartbeat; /metrics speaks Prometheus; logs are JSON
lines that carry the case reference."""
import io
import json
import logging
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from processes.log_context import case_context
from storage import models as m
from storage.heartbeat import beat
from tests import reports_seed as seed
from web import create_app
from web.ops.logs import configure_logging

pytestmark = pytest.mark.both_databases  # health and heartbeat take a dialect-specific path

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(container, clock):
    clock.set(seed.AS_OF)
    return create_app(container, TESTING=True, WTF_CSRF_ENABLED=False)


def metric(text: str, name: str, **labels) -> float:
    """The value of one sample in a Prometheus text page (labels in any order, as the format allows)."""
    for line in text.splitlines():
        found = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? ([0-9.e+-]+)", line)
        if found and found.group(1) == name and dict(re.findall(r'(\w+)="([^"]*)"', found.group(2) or "")) == labels:
            return float(found.group(3))
    raise AssertionError(f"{name} {labels} missing")


def test_health_is_unhealthy_until_a_scheduler_beats_and_again_when_it_goes_quiet(app, container, clock):
    client = app.test_client()
    first = client.get("/healthz")
    assert first.status_code == 503 and first.json["scheduler"]["status"] == "never seen"
    assert first.json["database"] == "ok"
    beat(container.session_factory, "worker-1", clock.now())
    clock.advance(seconds=30)
    healthy = client.get("/healthz")
    assert healthy.status_code == 200 and healthy.json["scheduler"]["age_seconds"] == 30.0
    clock.advance(minutes=5)
    stale = client.get("/healthz")
    assert stale.status_code == 503 and stale.json["scheduler"]["status"] == "stale"


def test_health_reports_an_unreachable_database(app, container):
    container.session_factory.configure(bind=create_engine("sqlite:////nonexistent/dir/complaints.sqlite"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unreachable"


def test_metrics_give_cases_tasks_timer_lag_outbox_and_latencies(app, container, clock):
    cases = seed.generate_year(per_division=30)
    seed.insert(container, cases)
    now = clock.now()
    with container.session_factory() as session, session.begin():
        first_id = session.scalar(select(m.Case.id).limit(1))
        version_id = session.scalar(select(m.ProcessVersion.id).limit(1))
        session.add(m.Instance(case_id=first_id, version_id=version_id, state="{}", lock_version=1,
                               due_at=now - timedelta(minutes=3), completed=False))
        session.add(m.Outbox(idempotency_key="x1", recipient="a@b.c", template="t", subject="s", body_text="",
                             body_html="", status="failed", next_attempt_at=now, created_at=now))
        session.add(m.Outbox(idempotency_key="x2", recipient="a@b.c", template="t", subject="s", body_text="",
                             body_html="", status="pending", attempts=2, next_attempt_at=now, created_at=now))
    container.settings.metrics_token = "scrape-token-for-tests"
    client = app.test_client()
    client.get("/healthz")
    response = client.get("/metrics", headers={"Authorization": "Bearer scrape-token-for-tests"})
    text = response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    closed_ia = sum(c.division == "IA" and c.status == "closed" for c in cases)
    assert metric(text, "complaints_cases", division="IA", status="closed") == closed_ia
    open_ia = sum(c.division == "IA" for c in cases for d in c.deadlines if d.kind == "response" and not d.responded_at)
    assert metric(text, "complaints_open_tasks", division="IA") == open_ia
    overdue_ia = sum(c.division == "IA" for c in cases for d in c.deadlines
                     if d.kind == "response" and not d.responded_at and d.due_at < now)
    assert metric(text, "complaints_overdue_tasks", division="IA") == overdue_ia
    assert metric(text, "complaints_timer_lag_seconds") == 180
    assert metric(text, "complaints_outbox_backlog") == 1 and metric(text, "complaints_outbox_failed") == 1
    assert metric(text, "complaints_outbox_retrying") == 1
    assert metric(text, "complaints_outbox_messages", status="sent") == len(cases)
    assert metric(text, "complaints_http_request_duration_seconds_count", endpoint="ops.healthz", method="GET") == 1
    assert metric(text, "complaints_http_request_duration_seconds_bucket", endpoint="ops.healthz", method="GET",
                  le="+Inf") == 1


def test_log_lines_are_json_and_carry_the_case_reference(app):
    stream = io.StringIO()
    handler = configure_logging(logging.INFO, stream)
    try:
        log = logging.getLogger("complaints.test")
        with case_context("IA-2026-000042"):
            log.info("letter queued", extra={"template": "acknowledgement"})
        log.warning("instance for ST-2026-000007 retried")
        log.info("nothing to do with a case")
        app.test_client().get("/cases/EUK-2026-000009")
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines[0]["case_reference"] == "IA-2026-000042" and lines[0]["template"] == "acknowledgement"
    assert lines[0]["message"] == "letter queued" and lines[0]["level"] == "INFO"
    assert lines[1]["case_reference"] == "ST-2026-000007"
    assert lines[2]["case_reference"] is None
    request_line = next(line for line in lines if line["message"] == "request")
    assert request_line["path"] == "/cases/EUK-2026-000009" and request_line["case_reference"] == "EUK-2026-000009"


WORKER = """
import sys
import bootstrap
from settings import Settings
from web import create_app
container = bootstrap.build(Settings(database_url=sys.argv[1], clock="demo"))
client = create_app(container, TESTING=True).test_client()
for _ in range(int(sys.argv[2])):
    client.get("/healthz")
"""


def test_in_multiprocess_mode_a_scrape_adds_up_the_latencies_of_every_worker_process(app, container, settings,
                                                                                       tmp_path, monkeypatch):
    shared = tmp_path / "prometheus"
    shared.mkdir()
    worker_env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    for requests in (3, 4):  # two worker processes, as gunicorn would run them
        subprocess.run([sys.executable, "-c", WORKER, settings.database_url, str(requests)], env=worker_env,
                       cwd=ROOT, check=True, timeout=120)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(shared))
    container.settings.metrics_token = "scrape-token-for-tests"
    text = app.test_client().get("/metrics", headers={"Authorization": "Bearer scrape-token-for-tests"}).get_data(
        as_text=True)
    assert metric(text, "complaints_http_request_duration_seconds_count", endpoint="ops.healthz", method="GET") == 7
    assert metric(text, "complaints_http_request_duration_seconds_bucket", endpoint="ops.healthz", method="GET",
                  le="+Inf") == 7
    assert metric(text, "complaints_outbox_backlog") == 0  # the stored figures are still there, once
    assert text.count("# TYPE complaints_outbox_backlog gauge") == 1
