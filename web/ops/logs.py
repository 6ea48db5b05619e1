"""Structured logs: one JSON object per line, each carrying the case reference when there is one."""
from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime, timezone

from processes.log_context import current_case

REFERENCE = re.compile(r"\b[A-Z]{1,8}-\d{4}-\d{6}\b")
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "case_reference"}


class CaseReferenceFilter(logging.Filter):
    """Sets `record.case_reference` from `extra=`, the current case context, or a reference in the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        reference = getattr(record, "case_reference", None) or current_case.get()
        if reference is None:
            found = REFERENCE.search(record.getMessage())
            reference = found.group(0) if found else None
        record.case_reference = reference
        return True


class JsonFormatter(logging.Formatter):
    """Time, level, logger, message, case reference, any `extra=` fields and the exception, as JSON."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage(),
                 "case_reference": getattr(record, "case_reference", None)}
        entry |= {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: int = logging.INFO, stream=None, json_lines: bool = True) -> logging.Handler:
    """Send the root logger's lines to a stream as JSON lines (or plain text with the reference)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(CaseReferenceFilter())
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s [%(case_reference)s] %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_complaints", False)]:
        root.removeHandler(old)
    handler._complaints = True
    root.addHandler(handler)
    root.setLevel(level)
    return handler
