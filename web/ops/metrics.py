"""Prometheus text exposition, written by hand: the figures from storage plus this process's request latencies."""
from __future__ import annotations

from bisect import bisect_left
from threading import Lock

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class LatencyHistogram:
    """Request durations per endpoint and method, in seconds, as a cumulative histogram."""

    def __init__(self):
        self._lock = Lock()
        self._series: dict[tuple[str, str], list] = {}

    def observe(self, endpoint: str, method: str, seconds: float) -> None:
        with self._lock:
            counts, total = self._series.setdefault((endpoint, method), [[0] * (len(BUCKETS) + 1), 0.0])
            counts[bisect_left(BUCKETS, seconds)] += 1
            self._series[(endpoint, method)][1] = total + seconds

    def lines(self) -> list[str]:
        name = "complaints_http_request_duration_seconds"
        out = [f"# HELP {name} Time to answer HTTP requests, by endpoint and method.", f"# TYPE {name} histogram"]
        with self._lock:
            series = {k: (list(v[0]), v[1]) for k, v in self._series.items()}
        for (endpoint, method), (counts, total) in sorted(series.items()):
            labels = f'endpoint="{_esc(endpoint)}",method="{_esc(method)}"'
            running = 0
            for bound, n in zip(BUCKETS, counts, strict=True):
                running += n
                out.append(f'{name}_bucket{{{labels},le="{bound}"}} {running}')
            out.append(f'{name}_bucket{{{labels},le="+Inf"}} {sum(counts)}')
            out.append(f"{name}_sum{{{labels}}} {total:.6f}")
            out.append(f"{name}_count{{{labels}}} {sum(counts)}")
        return out


def exposition(figures: dict, histogram: LatencyHistogram, heartbeat_age: float | None) -> str:
    """The whole /metrics page."""
    out: list[str] = []
    _gauge(out, "complaints_cases", "Cases by division and status.",
           [({"division": d, "status": s}, n) for (d, s), n in sorted(figures["cases"].items())])
    _gauge(out, "complaints_open_tasks", "Open user tasks by division.",
           [({"division": d}, n) for d, n in sorted(figures["open_tasks"].items())])
    _gauge(out, "complaints_overdue_tasks", "Open user tasks past their due time, by division.",
           [({"division": d}, n) for d, n in sorted(figures["overdue_tasks"].items())])
    _gauge(out, "complaints_timer_lag_seconds", "Now minus the oldest due timer not yet fired (0 when none).",
           [({}, figures["timer_lag_seconds"])])
    _gauge(out, "complaints_outbox_messages", "Outbox messages by status.",
           [({"status": s}, n) for s, n in sorted(figures["outbox"].items())])
    _gauge(out, "complaints_outbox_backlog", "Outbox messages waiting to be sent.",
           [({}, figures["outbox"].get("pending", 0))])
    _gauge(out, "complaints_outbox_failed", "Outbox messages that failed for good.",
           [({}, sum(n for s, n in figures["outbox"].items() if s in ("failed", "dead")))])
    _gauge(out, "complaints_outbox_retrying", "Pending outbox messages that have failed at least once.",
           [({}, figures["outbox_retrying"])])
    if heartbeat_age is not None:
        _gauge(out, "complaints_scheduler_heartbeat_age_seconds", "Seconds since a scheduler last beat.",
               [({}, heartbeat_age)])
    out += histogram.lines()
    return "\n".join(out) + "\n"


def _gauge(out: list[str], name: str, help_text: str, samples: list[tuple[dict, float]]) -> None:
    out += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    for labels, value in samples:
        label_text = ",".join(f'{k}="{_esc(str(v))}"' for k, v in labels.items())
        out.append(f"{name}{{{label_text}}} {_num(value)}" if label_text else f"{name} {_num(value)}")


def _num(value) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3f}"


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
