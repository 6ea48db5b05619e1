"""Structured logs: one JSON object per line, each carrying the case reference when there is one, and no personal data.

SpiffWorkflow logs every task state change at INFO and, while its loggers have no level of their own, attaches the
task data (complainants' names, emails, support needs) to each record; the JSON lines would print it. So the engine's
loggers (and aiosmtpd's, which log addresses and message lines) are held at WARNING, any task data on a record from
the engine is dropped, and email addresses in any message are masked before a line is written.
"""
from __future__ import annotations

import logging
import re
import sys

from pythonjsonlogger.json import JsonFormatter

from processes.log_context import current_case

REFERENCE = re.compile(r"\b[A-Z]{1,8}-\d{4}-\d{6}\b")
EMAIL = re.compile(r"[^\s@<>()\[\]\"',;:]+@[^\s@<>()\[\]\"',;:]+\.[A-Za-z]{2,}")
# SpiffWorkflow 3.2's loggers (SpiffWorkflow/task.py, workflow.py, bpmn/specs/data_spec.py, dmn/engine), and
# aiosmtpd's (the demo mail catcher), which logs senders, recipients and message lines below WARNING.
ENGINE_LOGGERS = ("spiff", "spiff.task", "spiff.workflow", "spiff.data", "spiff.dmn", "spiff.metrics")
MAIL_SERVER_LOGGERS = ("mail.log", "mail.debug")
ENGINE_DATA_FIELDS = ("data", "internal_data", "tasks")


class CaseReferenceFilter(logging.Filter):
    """Sets `record.case_reference` from `extra=`, the current case context, or a reference in the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        reference = getattr(record, "case_reference", None) or current_case.get()
        if reference is None:
            found = REFERENCE.search(record.getMessage())
            reference = found.group(0) if found else None
        record.case_reference = reference
        return True


class PersonalDataFilter(logging.Filter):
    """Drops task data that SpiffWorkflow attaches to its records, and masks email addresses in every message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "spiff" or record.name.startswith("spiff."):
            for name in ENGINE_DATA_FIELDS:
                record.__dict__.pop(name, None)
        message = record.getMessage()
        masked = EMAIL.sub("<email address>", message)
        if masked != message:  # an SMTP refusal, for example, quotes the address it refused
            record.msg, record.args = masked, None
        return True


def quiet_engine_logs() -> None:
    """Hold SpiffWorkflow's and aiosmtpd's loggers at WARNING and strip task data from anything they still log."""
    for name in ENGINE_LOGGERS + MAIL_SERVER_LOGGERS:
        logger = logging.getLogger(name)
        # An explicit level also stops SpiffWorkflow collecting task data for records at all (it checks
        # `logger.level < 20`, which a logger with no level of its own passes).
        logger.setLevel(logging.WARNING)
        if not any(isinstance(f, PersonalDataFilter) for f in logger.filters):
            logger.addFilter(PersonalDataFilter())


def json_lines_formatter() -> logging.Formatter:
    """Time (UTC, ISO 8601), level, logger, message, case reference, any `extra=` fields and the exception."""
    return JsonFormatter(["levelname", "name", "message", "case_reference"], timestamp="ts",
                         rename_fields={"levelname": "level", "name": "logger", "exc_info": "exception"},
                         json_ensure_ascii=False)


class _ProductHandler(logging.StreamHandler):
    """The handler configure_logging installs, so that configuring again replaces it rather than adding a second."""


def configure_logging(level: int = logging.INFO, stream=None, json_lines: bool = True) -> logging.Handler:
    """Send the root logger's lines to a stream as JSON lines (or plain text with the reference), engine quiet."""
    quiet_engine_logs()
    handler = _ProductHandler(stream or sys.stderr)
    handler.addFilter(PersonalDataFilter())
    handler.addFilter(CaseReferenceFilter())
    handler.setFormatter(json_lines_formatter() if json_lines else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s [%(case_reference)s] %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _ProductHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler
