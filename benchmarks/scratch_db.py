"""A throwaway PostgreSQL database for one benchmark run."""
from __future__ import annotations

import uuid

from sqlalchemy import create_engine, text


def _admin(url: str):
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")


def scratch_database(url: str) -> tuple[str, str]:
    """Create a new database on the server of `url`; returns its name and URL."""
    name = f"complaints_bench_{uuid.uuid4().hex[:8]}"
    admin = _admin(url)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, url.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str, name: str) -> None:
    """Drop a database made by scratch_database, closing its connections."""
    admin = _admin(url)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
