"""First-page inbox latency with 100,000 open cases and 1,000,000 task rows on PostgreSQL.

Usage: .venv/bin/python benchmarks/inbox.py [postgresql://postgres@127.0.0.1/test] [--requests 300]

Creates a scratch database beside the one named (dropped afterwards), seeds it with COPY, then times the
first inbox page through the Flask app (signed-in test client, template rendered) against the bare SQL the
read model sends for that page (one statement: the page's lines and the capped total), run directly on a
psycopg connection, the two interleaved request by request.
Prints p50/p95 of each and the ratio app p95 / bare p95 (target <= 3).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from benchmarks.scratch_db import drop_database, scratch_database  # noqa: E402

CASES, TASKS_PER_CASE = 100_000, 10
ROLES = ["complaints_team", "line_manager", "investigating_officer", "appeal_panel", "psrd_director", "hr"]
STAGES = ["informal", "formal", "appeal"]
NOW = datetime(2026, 12, 23, 10, 0, tzinfo=timezone.utc)


def seed(url: str, user_id: int, version_id: int, division_ids: list[int]) -> None:
    """100,000 open cases, each with nine completed tasks and one open task, written with COPY."""
    rng = random.Random(7)
    started = time.perf_counter()
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        base = cursor.execute("SELECT coalesce(max(id), 0) FROM cases").fetchone()[0]
        with cursor.copy("COPY cases (id, reference, division_id, kind, channel, received_at, stage, status, "
                         "version_id, complainant, summary, created_at) FROM STDIN") as copy:
            for i in range(CASES):
                received = NOW - timedelta(minutes=rng.randrange(60 * 24 * 60))
                copy.write_row((base + i + 1, f"BENCH-{i:07d}", division_ids[i % len(division_ids)], "complaint",
                                "web", received, rng.choice(STAGES), "open", version_id, '{"name": "Bench"}',
                                "A seeded complaint", received))
        task_id = cursor.execute("SELECT coalesce(max(id), 0) FROM tasks").fetchone()[0]
        with cursor.copy("COPY tasks (id, case_id, division_id, version_id, spiff_task_id, spec_name, title, stage, "
                         "role, assignee_id, due_at, state, created_at, completed_at) FROM STDIN") as copy:
            for i in range(CASES):
                case_id, division = base + i + 1, division_ids[i % len(division_ids)]
                for n in range(TASKS_PER_CASE):
                    task_id += 1
                    is_open = n == TASKS_PER_CASE - 1
                    due = NOW + timedelta(hours=rng.randrange(-24 * 15, 24 * 45))
                    copy.write_row((task_id, case_id, division, version_id, str(uuid.UUID(int=task_id)),
                                    "investigate", "Investigate and draft the written response",
                                    rng.choice(STAGES), rng.choice(ROLES),
                                    user_id if is_open and rng.random() < 0.02 else None, due,
                                    "open" if is_open else "completed", NOW, None if is_open else NOW))
        cursor.execute("SELECT setval('cases_id_seq', (SELECT max(id) FROM cases))")
        cursor.execute("SELECT setval('tasks_id_seq', (SELECT max(id) FROM tasks))")
        connection.commit()
        connection.autocommit = True
        cursor.execute("VACUUM ANALYZE cases")
        cursor.execute("VACUUM ANALYZE tasks")
    print(f"seeded {CASES:,} open cases and {CASES * TASKS_PER_CASE:,} task rows in "
          f"{time.perf_counter() - started:.1f} s")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", nargs="?", default=os.environ.get("COMPLAINTS_TEST_POSTGRES_URL",
                                                                 "postgresql://postgres@127.0.0.1/test"))
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--cases", type=int, default=100_000, help="open cases to seed (ten task rows each)")
    args = parser.parse_args()
    globals()["CASES"] = args.cases
    import bootstrap
    from cli import init
    from processes.accounts import hash_password
    from processes.clock import SettableClock
    from processes.read_models import COUNT_CAP, InboxFilter, task_query
    from settings import Settings
    from storage import worklist_queries as rm
    from web import create_app

    name, url = scratch_database(args.url)
    try:
        container = bootstrap.build(Settings(database_url=url, clock="demo"), clock=SettableClock(NOW))
        init(container)
        with container.uow() as uow:
            divisions = {d.code: d.id for d in uow.divisions.all()}
            user = uow.users.add(username="bench.team", display_name="Bench Team", email="b@example.org",
                                 password_hash=hash_password("bench-password-1"))
            uow.users.add_membership(user.id, divisions["IA"], "complaints_team")
            uow.users.add_membership(user.id, divisions["IA"], "line_manager")
            version_id = uow.versions.listed()[0].id
            user_id = user.id
            uow.commit()
        seed(url, user_id, version_id, list(divisions.values()))

        app = create_app(container, TESTING=True, WTF_CSRF_ENABLED=False)
        client = app.test_client()
        assert client.post("/login", data={"username": "bench.team", "password": "bench-password-1"}).status_code == 302
        from processes.accounts import load_actor
        actor = load_actor(container.uow(), user_id)
        query = task_query(actor, divisions, InboxFilter(), NOW)
        with container.session_factory() as session:
            dialect = session.get_bind().dialect

            def literal(statement, params) -> str:
                return str(statement.params(**params).compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
            page_sql = literal(*rm.inbox_page_sql(query, 0, 25, COUNT_CAP))

        for _ in range(20):
            assert client.get("/inbox").status_code == 200
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(20):
                client.get("/inbox")
            profile.disable()
            stats = pstats.Stats(profile).sort_stats(os.environ.get("BENCH_SORT", "cumulative"))
            stats.print_stats(int(os.environ.get("BENCH_ROWS", "25")))
        app_ms, bare_ms = [], []
        with psycopg.connect(url) as connection, connection.cursor() as cursor:
            def bare() -> list[int]:
                return [row[0] for row in cursor.execute(page_sql).fetchall()]
            for _ in range(20):
                ids = bare()
            for _ in range(args.requests):  # interleaved, so a noisy neighbour slows both sides alike
                started = time.perf_counter()
                response = client.get("/inbox")
                app_ms.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
                started = time.perf_counter()
                ids = bare()
                bare_ms.append((time.perf_counter() - started) * 1000)
            plan = "\n".join(r[0] for r in cursor.execute("EXPLAIN ANALYZE " + page_sql).fetchall())
        app50, app95 = percentiles(app_ms)
        bare50, bare95 = percentiles(bare_ms)
        print(f"open tasks visible to the user: {len(ids)} on page 1; rows scanned via the inbox indexes:")
        print("  " + "\n  ".join(line for line in plan.splitlines() if "Index" in line)[:1500])
        print(f"first inbox page through the app : p50 {app50:6.2f} ms   p95 {app95:6.2f} ms"
              f"   ({args.requests} requests)")
        print(f"bare SQL (page with its total)   : p50 {bare50:6.2f} ms   p95 {bare95:6.2f} ms")
        print(f"ratio app p95 / bare p95         : {app95 / bare95:.2f}  (target <= 3)")
    finally:
        try:
            container.engine.dispose()
        except NameError:
            pass
        drop_database(args.url, name)


if __name__ == "__main__":
    main()
