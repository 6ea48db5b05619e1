"""Opt-in pytest plugin: each test's setup, call and teardown in wall seconds and in this process's CPU seconds.

`COMPLAINTS_TEST_TIMINGS=build/test-timings pytest …` loads it (tests/conftest.py) and it writes one JSON line per
test phase to <that folder>/<xdist worker or "main">.jsonl; `python -m tests.cpu_timing <folder>` sums them up.
CPU seconds are `time.process_time()` of the pytest process (every thread, so an app served in a thread counts);
PostgreSQL backends, Chromium and Dovecot are other processes and are not in it. On a shared machine wall time
mostly measures the neighbours, CPU time much less.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

_FOLDER = Path(os.environ.get("COMPLAINTS_TEST_TIMINGS", "build/test-timings"))
_out = None


def _stream():
    global _out
    if _out is None:
        _FOLDER.mkdir(parents=True, exist_ok=True)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        _out = open(_FOLDER / f"{worker}.jsonl", "a", encoding="utf-8")  # noqa: SIM115 - closed at session end
    return _out


def _timed(item, when):
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    line = {"id": item.nodeid, "when": when, "wall": round(time.perf_counter() - wall, 4),
            "cpu": round(time.process_time() - cpu, 4)}
    _stream().write(json.dumps(line) + "\n")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    yield from _timed(item, "setup")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    yield from _timed(item, "call")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    yield from _timed(item, "teardown")


def pytest_sessionfinish(session):
    if _out is not None:
        _out.close()


def summary(folder: Path, top: int = 15) -> str:
    """CPU and wall seconds by phase, by database, by module, and the costliest phases."""
    import collections
    rows = [json.loads(line) for path in sorted(Path(folder).glob("*.jsonl")) for line in path.open()]
    lines = []
    by_phase = collections.defaultdict(lambda: [0.0, 0.0])
    by_db = collections.defaultdict(lambda: [0.0, 0.0, set()])
    by_module = collections.defaultdict(lambda: [0.0, 0.0])
    for row in rows:
        by_phase[row["when"]][0] += row["cpu"]
        by_phase[row["when"]][1] += row["wall"]
        db = "postgres" if "postgres" in row["id"].rpartition("[")[2] else "sqlite or none"
        by_db[db][0] += row["cpu"]
        by_db[db][1] += row["wall"]
        by_db[db][2].add(row["id"])
        module = row["id"].split("::")[0]
        by_module[module][0] += row["cpu"]
        by_module[module][1] += row["wall"]
    lines.append(f"{len({r['id'] for r in rows})} tests; CPU s / wall s by phase:")
    lines += [f"  {when:9} {cpu:8.1f} {wall:8.1f}" for when, (cpu, wall) in by_phase.items()]
    lines.append("by database (CPU s, wall s, tests):")
    lines += [f"  {db:15} {cpu:8.1f} {wall:8.1f} {len(ids):5}" for db, (cpu, wall, ids) in by_db.items()]
    lines.append("costliest modules (CPU s, wall s):")
    lines += [f"  {cpu:8.1f} {wall:8.1f}  {module}"
              for module, (cpu, wall) in sorted(by_module.items(), key=lambda item: -item[1][0])[:top]]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys
    print(summary(Path(sys.argv[1])))
