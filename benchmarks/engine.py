"""Engine cycle throughput: raw in-memory SpiffWorkflow against the persisted runtime, in one run.

A cycle is: deserialize -> complete the triage task -> run the engine -> serialize.
Raw uses SpiffWorkflow's own full serialization (spec included) with no database.
Persisted is `complete_task` through the unit of work on SQLite (and PostgreSQL when a URL is given).

    python -m benchmarks.engine [--cycles 300] [--postgres postgresql://postgres@127.0.0.1/test]
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import create_engine, select, text

import bootstrap
from cli import init
from handlers import build_registry
from processes import engine, lifecycle
from processes.access import SYSTEM
from processes.bundle import bundle_from_directory
from processes.calendar import WorkingCalendar
from processes.clock import SettableClock
from processes.scripting import CaseScriptEngine
from processes.services import HandlerContext
from settings import Settings
from storage.models import Division, Task

DEMO = Path(__file__).resolve().parents[1] / "bpmn" / "demo"
START = datetime(2026, 12, 23, 10, tzinfo=timezone.utc)
DATA = {"eligible": False, "notes": "out of scope"}


def raw_cycles(n: int) -> float:
    """Cycles per second of plain SpiffWorkflow with the same diagram, script engine and handlers."""
    definition = engine.parse_bundle(bundle_from_directory(DEMO))
    clock, calendar, services = SettableClock(START), WorkingCalendar(), build_registry()
    case = SimpleNamespace(reference="IA-BENCH")

    def call(task, name, params):
        return services.call(name, HandlerContext(case, None, dict(task.data), str(task.id), clock, calendar), params)

    script_engine = CaseScriptEngine(clock, calendar, call)
    workflow = engine.new_workflow(definition, script_engine, {"received_at": START.isoformat()})
    workflow.do_engine_steps()
    serializer = engine.standard_serializer()
    serialized = serializer.serialize_json(workflow)
    began = time.perf_counter()
    for _ in range(n):
        wf = serializer.deserialize_json(serialized)
        wf.script_engine = script_engine
        task = engine.ready_user_tasks(wf)[0]
        task.data.update(DATA)
        task.run()
        wf.refresh_timers()
        wf.do_engine_steps()
        serializer.serialize_json(wf)
    return n / (time.perf_counter() - began)


def persisted_cycles(url: str, n: int) -> float:
    clock = SettableClock(START)
    container = bootstrap.build(Settings(database_url=url, clock="demo"), clock=clock)
    init(container)
    with container.session_factory() as session, session.begin():
        for division in session.scalars(select(Division)):
            division.config = {**division.config, "processes": {**division.config["processes"], "complaint": "demo_complaint"}}
    references = [lifecycle.start_case(container.uow(), container.runtime, division="IA", kind="complaint")
                  for _ in range(n)]
    with container.session_factory() as session:
        task_ids = list(session.scalars(select(Task.id).where(Task.state == "open").order_by(Task.id)))
    assert len(task_ids) == len(references)
    began = time.perf_counter()
    for task_id in task_ids:
        lifecycle.complete_task(container.uow(), container.runtime, task_id, DATA, SYSTEM)
    rate = n / (time.perf_counter() - began)
    container.engine.dispose()
    return rate


def fresh_postgres(url: str) -> tuple[str, str]:
    name = f"complaints_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, url.rsplit("/", 1)[0] + "/" + name


def drop_postgres(url: str, name: str) -> None:
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=300)
    parser.add_argument("--postgres", help="PostgreSQL server URL (a scratch database is created and dropped)")
    args = parser.parse_args()
    import logging
    logging.disable(logging.INFO)
    raw = raw_cycles(args.cycles)
    results = {"raw_cycles_per_s": round(raw, 1)}
    with tempfile.TemporaryDirectory() as folder:
        sqlite = persisted_cycles(f"sqlite:///{folder}/bench.sqlite", args.cycles)
    results.update(sqlite_cycles_per_s=round(sqlite, 1), sqlite_ratio=round(sqlite / raw, 2))
    if args.postgres:
        name, url = fresh_postgres(args.postgres)
        try:
            pg = persisted_cycles(url, args.cycles)
        finally:
            drop_postgres(args.postgres, name)
        results.update(postgres_cycles_per_s=round(pg, 1), postgres_ratio=round(pg / raw, 2))
    print(json.dumps(results, indent=2))
    print("target: persisted/raw >= 0.7")


if __name__ == "__main__":
    main()
