"""SQLAlchemy storage: tables, unit of work, repositories and Alembic migrations."""
