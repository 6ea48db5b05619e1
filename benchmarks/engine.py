"""Engine cycle throughput: raw in-memory SpiffWorkflow against the persisted runtime, in one run.

A cycle is: deserialize -> complete the triage task -> run the engine -> serialize.
Raw uses SpiffWorkflow's own full serialization (spec included) with no database.
Persisted is `complete_task` through the unit of work on SQLite (and PostgreSQL when a URL is given).

    python -m benchmarks.engine [--cycles 300] [--postgres postgresql://postgres@127.0.0.1/test]
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import select

import bootstrap
from benchmarks.scratch_db import drop_database, scratch_database
from cli import init
from handlers import build_registry
from processes import engine, lifecycle
from processes.access import SYSTEM
from processes.bundle import bundle_from_directory
from processes.calendar import WorkingCalendar
from processes.clock import SettableClock
from processes.operators import HandlerContext
from processes.scripting import CaseScriptEngine
from settings import Settings
from storage.models import Division, Task

BPMN = Path(__file__).resolve().parents[1] / "bpmn"
START = datetime(2026, 12, 23, 10, tzinfo=timezone.utc)
CYCLES = {  # bundle -> data completing its first task
    "demo": {"eligible": False, "notes": "out of scope"},
    "group_complaint": dict(contract="Restart", about_service_delivery=True, event_date="2026-12-01",
                            known_date="2026-12-01", exclusion="none", provider="seetec", other_providers=[],
                            complainant_is_service_user=True, on_behalf_of_someone=False,
                            needs_service_user_information=False, subject_deceased=False, about_colleague=False,
                            too_serious_for_informal=False),
}


def raw_cycles(bundle: str, n: int) -> float:
    """Cycles per second of plain SpiffWorkflow with the same diagram, script engine and handlers."""
    definition = engine.parse_bundle(bundle_from_directory(BPMN / bundle))
    clock, calendar, services = SettableClock(START), WorkingCalendar(), build_registry()
    case = SimpleNamespace(reference="IA-BENCH")

    def call(task, name, params):
        return services.call(name, HandlerContext(case, None, dict(task.data), str(task.id), clock, calendar), params)

    script_engine = CaseScriptEngine(clock, calendar, call)
    workflow = engine.new_workflow(definition, script_engine, {
        "reference": "IA-BENCH", "division": "IA", "kind": "complaint", "channel": "web", "summary": "",
        "received_at": START.isoformat(), "complainant": {}, "support_needs": {}})
    workflow.do_engine_steps()
    serializer = engine.standard_serializer()
    serialized = serializer.serialize_json(workflow)
    began = time.perf_counter()
    for _ in range(n):
        wf = serializer.deserialize_json(serialized)
        wf.script_engine = script_engine
        task = engine.ready_user_tasks(wf)[0]
        task.data.update(CYCLES[bundle])
        task.run()
        wf.refresh_timers()
        wf.do_engine_steps()
        serializer.serialize_json(wf)
    return n / (time.perf_counter() - began)


def persisted_cycles(bundle: str, url: str, n: int) -> float:
    clock = SettableClock(START)
    container = bootstrap.build(Settings(database_url=url, clock="demo"), clock=clock)
    init(container)
    process_key = bundle_from_directory(BPMN / bundle).process_key
    with container.session_factory() as session, session.begin():
        for division in session.scalars(select(Division)):
            processes = {**division.config["processes"], "complaint": process_key}
            division.config = {**division.config, "processes": processes}
    references = [lifecycle.start_case(container.uow(), container.runtime, division="IA", kind="complaint")
                  for _ in range(n)]
    with container.session_factory() as session:
        task_ids = list(session.scalars(select(Task.id).where(Task.state == "open").order_by(Task.id)))
    assert len(task_ids) == len(references)
    began = time.perf_counter()
    for task_id in task_ids:
        lifecycle.complete_task(container.uow(), container.runtime, task_id, CYCLES[bundle], SYSTEM)
    rate = n / (time.perf_counter() - began)
    container.engine.dispose()
    return rate


def measure(bundle: str, cycles: int, postgres: str | None) -> dict:
    raw = raw_cycles(bundle, cycles)
    results = {"raw_cycles_per_s": round(raw, 1)}
    with tempfile.TemporaryDirectory() as folder:
        sqlite = persisted_cycles(bundle, f"sqlite:///{folder}/bench.sqlite", cycles)
    results.update(sqlite_cycles_per_s=round(sqlite, 1), sqlite_ratio=round(sqlite / raw, 2))
    if postgres:
        name, url = scratch_database(postgres)
        try:
            pg = persisted_cycles(bundle, url, cycles)
        finally:
            drop_database(postgres, name)
        results.update(postgres_cycles_per_s=round(pg, 1), postgres_ratio=round(pg / raw, 2))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=300)
    parser.add_argument("--bundle", choices=sorted(CYCLES), action="append",
                        help="diagram(s) to measure (default: the small demo and the group complaint lifecycle)")
    parser.add_argument("--postgres", help="PostgreSQL server URL (a scratch database is created and dropped)")
    args = parser.parse_args()
    import logging
    logging.disable(logging.INFO)
    results = {bundle: measure(bundle, args.cycles, args.postgres) for bundle in args.bundle or sorted(CYCLES)}
    print(json.dumps(results, indent=2))
    print("target: persisted/raw >= 0.7")


if __name__ == "__main__":
    main()
