"""The unit of work with the reporting, learning-register and retention repositories added."""
from __future__ import annotations

from .reports_ops import SqlOperations
from .reports_repository import SqlLearningRegister, SqlReportSource
from .retention_store import SqlRetentionStore
from .unit_of_work import SqlUnitOfWork


class ReportingUnitOfWork(SqlUnitOfWork):
    """SqlUnitOfWork plus `report_source`, `learning_register`, `retention` and `ops`."""

    def __enter__(self) -> "ReportingUnitOfWork":
        super().__enter__()
        s = self.session
        self.report_source = SqlReportSource(s)
        self.learning_register, self.retention = SqlLearningRegister(s), SqlRetentionStore(s)
        self.ops = SqlOperations(s)
        return self
