"""The API lifecycle of api_lifecycle.py without HTTP: the Flask test client, one process, statements counted.

Usage: .venv/bin/python benchmarks/api_in_process.py [--lifecycles 100] [--postgres postgresql://postgres@127.0.0.1/test]

Prints time, CPU time, and SQL statements with their time at the driver, per lifecycle. Its instruction count is
steady where wall time is not, so to compare two versions of the code on a noisy machine run it under
`valgrind --tool=callgrind` with --lifecycles 40 and with --lifecycles 0, and divide the difference by 40.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.api_lifecycle import prepare, write_bundle  # noqa: E402

WARM_UP = 5


def lifecycle(client, headers: dict, i: int) -> None:
    created = client.post("/api/v1/cases", headers=headers, json={
        "division": "IA", "kind": "complaint", "received_at": "2026-01-05T09:00:00Z", "summary": f"Bench {i}",
        "complainant": {"name": "Bench", "email": "b@example.org"}})
    assert created.status_code == 201, created.json
    done = created.json
    for answers in ({"eligible": True}, {"response": "Sorry"}):
        response = client.post(f"/api/v1/tasks/{done['open_tasks'][0]['id']}/complete", headers=headers,
                               json={"data": answers})
        assert response.status_code == 200, response.json
        done = response.json
    assert not done["open_tasks"], done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lifecycles", type=int, default=100)
    parser.add_argument("--postgres", help="run on a scratch database beside this PostgreSQL URL, not SQLite")
    args = parser.parse_args()
    if args.postgres:
        from benchmarks.scratch_db import drop_database, scratch_database
        name, url = scratch_database(args.postgres)
        try:
            measure(url, args.lifecycles)
        finally:
            drop_database(args.postgres, name)
    else:
        with tempfile.TemporaryDirectory() as folder:
            measure(f"sqlite:///{folder}/bench.sqlite", args.lifecycles)


def measure(url: str, n: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        token = prepare(url, write_bundle(Path(folder)))
        os.environ["COMPLAINTS_DATABASE_URL"] = url
        from sqlalchemy import event

        from web import create_app
        app = create_app()
        sql = {"statements": 0, "seconds": 0.0, "transactions": 0}
        engine = app.extensions["complaints"].engine

        @event.listens_for(engine, "before_cursor_execute")
        def started_statement(connection, *_):
            connection.info["statement_started"] = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def finished_statement(connection, *_):
            sql["statements"] += 1
            sql["seconds"] += time.perf_counter() - connection.info.pop("statement_started")
        @event.listens_for(engine, "begin")
        def began_transaction(connection):
            sql["transactions"] += 1

        client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
        for i in range(WARM_UP):
            lifecycle(client, headers, i)
        sql.update(statements=0, seconds=0.0, transactions=0)
        started, cpu = time.perf_counter(), time.process_time()
        for i in range(n):
            lifecycle(client, headers, WARM_UP + i)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        engine.dispose()
    if n:
        print(f"{n} lifecycles in process: {elapsed / n * 1000:.2f} ms each, CPU {cpu / n * 1000:.2f} ms, "
              f"{sql['statements'] / n:.1f} SQL statements taking {sql['seconds'] / n * 1000:.2f} ms at the driver, "
              f"{sql['transactions'] / n:.1f} transactions")


if __name__ == "__main__":
    main()
