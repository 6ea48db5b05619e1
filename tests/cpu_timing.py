"""Opt-in pytest plugin: each test's setup, call and teardown in wall seconds and in this process's CPU seconds.

`pytest -p tests.cpu_timing` writes one JSON line per test phase to build/test-timings/<worker>.jsonl
(`COMPLAINTS_TEST_TIMINGS` names another folder). CPU seconds are `time.process_time()` of the pytest process
(every thread, so an app served in a thread counts); PostgreSQL backends, Chromium and Dovecot are other
processes and are not in it. On a shared machine wall time mostly measures the neighbours, CPU time much less.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

_DEFAULT = Path(__file__).resolve().parents[1] / "build" / "test-timings"
_FOLDER = Path(os.environ.get("COMPLAINTS_TEST_TIMINGS", _DEFAULT))
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
