"""gunicorn settings for the web processes: `gunicorn --config python:web.ops.gunicorn_config 'web:create_app()'`.

With PROMETHEUS_MULTIPROC_DIR set, every worker keeps its request latencies in files there and a scrape of any
worker reports all of them (web/ops/metrics.py). These hooks keep that directory true to the running workers.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from prometheus_client import multiprocess


def on_starting(server: Any) -> None:
    """Start from an empty metrics directory: files left by an earlier run would be added to this run's figures."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    """Tell prometheus-client that a worker is gone, so its live gauges stop counting (its histograms stay)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
