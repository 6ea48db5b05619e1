"""Complete case lifecycles through the JSON API served by gunicorn, against the raw in-memory engine.

Usage: .venv/bin/python benchmarks/api_lifecycle.py [--lifecycles 100] [--postgres postgresql://postgres@127.0.0.1/test]

Deploys its own small diagram (start -> triage -> gateway -> script -> respond -> end), serves the app with
gunicorn (one worker) on 127.0.0.1, and drives N lifecycles from one client: create the case, complete
triage, complete respond. In the same run it times the raw engine (no database, no HTTP) on the same diagram.
Prints lifecycles/s, p50/p95 per call and the ratio API/raw (target >= 0.25), and two bounds measured in the
same run:
- floor: three of the cheapest authenticated calls of this app (a read of the process versions);
- ceiling: three JSON posts to a bare Flask app on the same gunicorn, plus the raw engine with its state
  serialized at each wait. No database, no authentication, no validation: no lifecycle over HTTP that keeps
  its state can beat it on this server.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="bench_defs"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="bench_collab">
    <bpmn:participant id="bench_part" processRef="bench_lifecycle" /></bpmn:collaboration>
  <bpmn:process id="bench_lifecycle" isExecutable="true">
    <bpmn:laneSet id="lanes"><bpmn:lane id="team" name="Complaints team">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>triage</bpmn:flowNodeRef><bpmn:flowNodeRef>gw</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>score</bpmn:flowNodeRef><bpmn:flowNodeRef>respond</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end_no</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="triage" name="Triage">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="forms/triage.json" />
        <spiffworkflow:property name="stage" value="informal" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="gw" default="f_no"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:scriptTask id="score" name="Score"><bpmn:incoming>f_yes</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>priority = 2 if eligible else 1</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="respond" name="Respond">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="forms/respond.json" />
        <spiffworkflow:property name="stage" value="informal" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_no"><bpmn:incoming>f_no</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="triage" />
    <bpmn:sequenceFlow id="f2" sourceRef="triage" targetRef="gw" />
    <bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="score">
      <bpmn:conditionExpression>eligible == True</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="end_no" />
    <bpmn:sequenceFlow id="f3" sourceRef="score" targetRef="respond" />
    <bpmn:sequenceFlow id="f4" sourceRef="respond" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""
TRIAGE = {"type": "object", "required": ["eligible"], "properties": {"eligible": {"type": "boolean"}}}
RESPOND = {"type": "object", "required": ["response"], "properties": {"response": {"type": "string", "minLength": 1}}}


def write_bundle(folder: Path) -> Path:
    bundle = folder / "bench_lifecycle"
    (bundle / "forms").mkdir(parents=True)
    (bundle / "bundle.json").write_text(json.dumps({"process_key": "bench_lifecycle",
                                                    "entry_process": "bench_lifecycle",
                                                    "title": "Benchmark lifecycle"}))
    (bundle / "bench.bpmn").write_text(BPMN)
    (bundle / "forms" / "triage.json").write_text(json.dumps(TRIAGE))
    (bundle / "forms" / "respond.json").write_text(json.dumps(RESPOND))
    return bundle


def prepare(url: str, bundle_dir: Path) -> str:
    """Migrate, publish the shipped diagrams and the benchmark one, map IA complaints to it; returns a token."""
    import bootstrap
    from cli import init
    from processes.accounts import new_api_token
    from processes.bundle import bundle_from_directory
    from processes.versions import publish_shipped
    from settings import Settings
    container = bootstrap.build(Settings(database_url=url))
    init(container)
    publish_shipped(container.uow(), container.runtime, bundle_from_directory(bundle_dir))
    with container.uow() as uow:
        ia = uow.divisions.by_code("IA")
        ia.config = {**ia.config, "processes": {**ia.config["processes"], "complaint": "bench_lifecycle"}}
        token, digest = new_api_token()
        user = uow.users.add(username="bench.api", display_name="Bench", email="b@example.org", api_token_hash=digest)
        uow.users.add_membership(user.id, ia.id, "complaints_team")
        uow.commit()
    container.engine.dispose()
    return token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port: int, method: str, path: str, token: str, body: dict | None = None) -> tuple[dict, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, "/api/v1" + path, body=json.dumps(body) if body is not None else None,
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = connection.getresponse()
    data = json.loads(response.read() or b"{}")
    connection.close()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: {response.status} {data}")
    return data, (time.perf_counter() - started) * 1000


def drive_api(port: int, token: str, n: int) -> tuple[float, list[float]]:
    timings = []
    started = time.perf_counter()
    for i in range(n):
        case, ms = call(port, "POST", "/cases", token, {"division": "IA", "kind": "complaint",
                                                       "received_at": "2026-01-05T09:00:00Z", "summary": f"Bench {i}",
                                                       "complainant": {"name": "Bench", "email": "b@example.org"}})
        timings.append(ms)
        done, ms = call(port, "POST", f"/tasks/{case['open_tasks'][0]['id']}/complete", token,
                        {"data": {"eligible": True}})
        timings.append(ms)
        done, ms = call(port, "POST", f"/tasks/{done['open_tasks'][0]['id']}/complete", token,
                        {"data": {"response": "Sorry"}})
        timings.append(ms)
        assert not done["open_tasks"], done
    return time.perf_counter() - started, timings


def bare_app():
    """A Flask app that only echoes JSON: what HTTP, gunicorn and Flask cost with no work behind them."""
    from flask import Flask, jsonify, request
    app = Flask("bare")
    app.add_url_rule("/api/v1/echo", "echo", lambda: jsonify({"echo": request.get_json()}), methods=["POST"])
    return app


def drive_bare(port: int, token: str, n: int) -> float:
    started = time.perf_counter()
    for i in range(n * 3):
        call(port, "POST", "/echo", token, {"data": {"response": "Sorry", "i": i}})
    return time.perf_counter() - started


def drive_floor(port: int, token: str, n: int) -> float:
    """Three of the cheapest authenticated API calls per lifecycle: what HTTP, auth and one read cost alone."""
    started = time.perf_counter()
    for _ in range(n * 3):
        call(port, "GET", "/process-versions", token)
    return time.perf_counter() - started


def drive_raw(bundle_dir: Path, n: int, round_trip: bool) -> float:
    """The same lifecycle in memory: engine, restricted scripts and form validation, no database or HTTP."""
    from handlers import build_registry
    from processes import engine
    from processes.bundle import bundle_from_directory
    from processes.calendar import WorkingCalendar
    from processes.clock import SettableClock
    from processes.forms import validate_form
    from processes.scripting import CaseScriptEngine
    from processes.validation import require_valid
    definition = require_valid(bundle_from_directory(bundle_dir), build_registry())
    clock = SettableClock(datetime(2026, 1, 5, 9, tzinfo=timezone.utc))
    script_engine = CaseScriptEngine(clock, WorkingCalendar("england"), lambda *a: {})
    started = time.perf_counter()
    for i in range(n):
        workflow = engine.new_workflow(definition, script_engine, {"reference": f"B-{i}", "received_at": "2026-01-05"})
        workflow.do_engine_steps()
        for answers in ({"eligible": True}, {"response": "Sorry"}):
            if round_trip:
                workflow = engine.load_state(definition, engine.dump_state(workflow), script_engine)
            task = engine.ready_user_tasks(workflow)[0]
            validate_form(definition.form_for(task.task_spec), answers)
            task.data.update(answers)
            task.run()
            workflow.do_engine_steps()
        assert workflow.completed
    return time.perf_counter() - started


@contextlib.contextmanager
def serve(app: str, env: dict):
    """The app served by gunicorn with one worker on a free port of 127.0.0.1; yields the port."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", app], cwd=ROOT, env=env)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)  # waiting for the server process to listen, not for a timer
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def run(url: str, label: str, n: int, bundle_dir: Path, rounds: int = 10) -> None:
    """Every measure in `rounds` interleaved slices, so a drift in machine speed touches all of them alike."""
    token = prepare(url, bundle_dir)
    env = {**os.environ, "COMPLAINTS_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    totals, timings, k = dict.fromkeys(("api", "floor", "bare", "raw", "raw_rt"), 0.0), [], max(1, n // rounds)
    with serve("web:create_app()", env) as port, serve("benchmarks.api_lifecycle:bare_app()", env) as bare_port:
        drive_api(port, token, 3)  # warm up: parse and cache the definition
        drive_bare(bare_port, token, 3)
        drive_raw(bundle_dir, 3, round_trip=True)
        for _ in range(rounds):
            elapsed, calls = drive_api(port, token, k)
            totals["api"] += elapsed
            timings += calls
            totals["floor"] += drive_floor(port, token, k)
            totals["bare"] += drive_bare(bare_port, token, k)
            totals["raw"] += drive_raw(bundle_dir, k, round_trip=False)
            totals["raw_rt"] += drive_raw(bundle_dir, k, round_trip=True)
    n = k * rounds
    rate = {name: n / seconds for name, seconds in totals.items()}
    ceiling = n / (totals["bare"] + totals["raw_rt"])
    ordered = sorted(timings)
    print(f"[{label}] {n} lifecycles, 3 calls each, one client, gunicorn 1 worker, {rounds} interleaved rounds")
    print(f"  API           : {rate['api']:8.1f} lifecycles/s   per call p50 {statistics.median(ordered):6.2f} ms  "
          f"p95 {ordered[int(len(ordered) * 0.95) - 1]:6.2f} ms")
    print(f"  raw engine    : {rate['raw']:8.1f} lifecycles/s")
    print(f"  raw + serialize at each wait: {rate['raw_rt']:8.1f} lifecycles/s")
    print(f"  floor (3 cheapest authenticated reads): {rate['floor']:8.1f} lifecycles/s, "
          f"floor/raw {rate['floor'] / rate['raw']:.3f}")
    print(f"  ceiling (3 posts to bare Flask + raw with serialize): {ceiling:8.1f} lifecycles/s, "
          f"ceiling/raw {ceiling / rate['raw']:.3f}")
    print(f"  ratio API/raw : {rate['api'] / rate['raw']:.3f}   (target >= 0.25); "
          f"API/raw+serialize: {rate['api'] / rate['raw_rt']:.3f}; API/ceiling: {rate['api'] / ceiling:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lifecycles", type=int, default=100)
    parser.add_argument("--postgres", help="also run on a scratch database beside this PostgreSQL URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bundle_dir = write_bundle(Path(folder))
        run(f"sqlite:///{folder}/bench.sqlite", "SQLite", args.lifecycles, bundle_dir)
        if args.postgres:
            from benchmarks.scratch_db import drop_database, scratch_database
            name, url = scratch_database(args.postgres)
            try:
                run(url, "PostgreSQL", args.lifecycles, bundle_dir)
            finally:
                drop_database(args.postgres, name)


if __name__ == "__main__":
    main()
