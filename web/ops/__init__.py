"""Operations: /healthz, /metrics, request latencies, and the case reference on every request's log lines."""
from __future__ import annotations

import hmac
import logging
import time

from flask import Blueprint, Response, current_app, g, jsonify, request

from processes.log_context import current_case
from processes.operations import check_health, operational_figures

from ..extensions import csrf
from ..security import container
from .logs import REFERENCE, quiet_engine_logs
from .metrics import CONTENT_TYPE, LatencyHistogram, exposition

bp = Blueprint("ops", __name__)
log = logging.getLogger("web.requests")
HEARTBEAT_SECONDS = 60.0  # a scheduler that sweeps every few seconds and has not beaten for this long is stale


@bp.record_once
def _quiet_engine_logs(_state) -> None:
    # Also under gunicorn, which builds the app without `complaints` configuring logging.
    quiet_engine_logs()


def heartbeat_limit(settings) -> float:
    return max(HEARTBEAT_SECONDS, 10 * float(settings.sweep_seconds))


@bp.route("/healthz")
def healthz():
    """Say whether the database answers and a scheduler has beaten recently (503 when not)."""
    c = container()
    health = check_health(c.reporting_uow(), c.clock.now(), heartbeat_limit(c.settings))
    body = {"status": "ok" if health.ok else "unhealthy", "database": "ok" if health.database else "unreachable",
            "scheduler": {"status": "ok" if health.scheduler_ok else "stale" if health.last_beat else "never seen",
                          "last_beat": health.last_beat.isoformat() if health.last_beat else None,
                          "age_seconds": round(health.age_seconds, 1) if health.age_seconds is not None else None,
                          "limit_seconds": health.limit_seconds}}
    return jsonify(body), 200 if health.ok else 503


@bp.route("/metrics")
def metrics():
    """Prometheus metrics (cases by state, tasks, timer lag, outbox, latencies) for a scraper with the token."""
    c = container()
    refused = _metrics_refusal(c.settings.metrics_token, request.headers.get("Authorization", ""))
    if refused is not None:
        return refused
    figures, heartbeat_age = operational_figures(c.reporting_uow(), c.clock.now())
    text = exposition(figures, _histogram(current_app), heartbeat_age)
    return Response(text, headers={"Content-Type": CONTENT_TYPE})


def _metrics_refusal(token: str, authorization: str) -> Response | None:
    """None when the request carries the metrics token; otherwise the answer that refuses it."""
    if not token:  # switched off: the figures are per division, so nobody reads them until an operator says so
        return Response("/metrics is switched off: set COMPLAINTS_METRICS_TOKEN to a long random value and have "
                        "the scraper send it as a bearer token.\n", 404, mimetype="text/plain")
    scheme, _, presented = authorization.partition(" ")
    # compare_digest takes as long for a near miss as for a wild guess, so the token cannot be found byte by byte
    if scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token.encode()):
        return None
    return Response("/metrics needs the metrics bearer token.\n", 401, mimetype="text/plain",
                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'})


csrf.exempt(healthz)
csrf.exempt(metrics)


def _histogram(app) -> LatencyHistogram:
    return app.extensions.setdefault("complaints_latency", LatencyHistogram())


@bp.before_app_request
def start_request_clock():
    g.request_started = time.perf_counter()
    reference = (request.view_args or {}).get("reference")
    g.case_token = current_case.set(reference) if reference else None


@bp.after_app_request
def record_request(response):
    started = g.pop("request_started", None)
    if started is not None:
        seconds = time.perf_counter() - started
        _histogram(current_app).observe(request.endpoint or "unmatched", request.method, seconds)
        if request.endpoint not in ("ops.metrics", "ops.healthz", "static"):
            found = REFERENCE.search(request.path)
            log.info("request", extra={"case_reference": current_case.get() or (found.group(0) if found else None),
                                       "method": request.method, "path": request.path,
                                       "status": response.status_code, "duration_ms": round(seconds * 1000, 1)})
    return response


@bp.teardown_app_request
def forget_case(_exc):
    token = g.pop("case_token", None)
    if token is not None:
        current_case.reset(token)
