"""Replay throughput: a year of generated IA cases replayed on the shipped version from their recorded events,
against the engine run that recorded the same cases (the production use cases, the daily timer sweep included),
in the same run, on a scratch SQLite database.

Usage: .venv/bin/python benchmarks/replay.py [--cases 60]

Prints cases a second for each and their ratio (replay ÷ engine run; above 1 the replay is the faster).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure(f"sqlite:///{folder}/bench.sqlite", args.cases)


def measure(url: str, n: int) -> None:
    import bootstrap
    from cli import init
    from demo_data import load_users
    from processes.clock import SettableClock
    from processes.replay import replay_report
    from settings import Settings
    from tests.conftest import WED_23_DEC_2026
    from tests.integration.test_replay_history import generate_year
    clock = SettableClock(WED_23_DEC_2026)
    container = bootstrap.build(Settings(database_url=url, clock="demo"), clock=clock)
    init(container)
    load_users(container)  # the accounts first: their password hashing is no part of the engine run
    started = time.perf_counter()
    generate_year(container, clock, cases=n)
    recorded = time.perf_counter() - started
    with container.uow() as uow:
        version_id = uow.versions.published("ia_complaint").id
    started = time.perf_counter()
    report = replay_report(container.uow, container.runtime, version_id, ["IA"], 12)
    replayed = time.perf_counter() - started
    checked = report["summary"]["checked"]
    assert checked == n and report["summary"]["cannot_move"] == 0 and report["summary"]["with_moved_deadlines"] == 0
    engine_rate, replay_rate = n / recorded, checked / replayed
    print(f"cases: {n}, deadlines replayed: {sum(line['deadlines'] for line in report['cases'])}")
    print(f"engine run (use cases + daily sweep): {recorded:.2f} s, {engine_rate:.2f} cases/s")
    print(f"replay of the same cases:            {replayed:.2f} s, {replay_rate:.2f} cases/s")
    print(f"ratio replay / engine run: {replay_rate / engine_rate:.2f}")
    container.engine.dispose()


if __name__ == "__main__":
    main()
