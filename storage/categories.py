"""The administrators' list of theme and root-cause categories, in every unit of work."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .reports_models import Category


class SqlCategoryRepository:
    """The administrators' list of theme and root-cause categories."""

    def __init__(self, session: Session):
        self.session = session

    def all(self) -> list[Category]:
        return list(self.session.scalars(select(Category).order_by(Category.code)))

    def by_code(self, code: str) -> Category | None:
        return self.session.scalars(select(Category).where(Category.code == code)).first()

    def add(self, **fields) -> Category:
        row = Category(**fields)
        self.session.add(row)
        self.session.flush()
        return row
