"""Shared fixtures: a real database (SQLite always, PostgreSQL when a URL is given), a driven clock."""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text

import bootstrap
from cli import init
from processes.clock import SettableClock
from settings import Settings

POSTGRES_URL = os.environ.get("COMPLAINTS_TEST_POSTGRES_URL")
WED_23_DEC_2026 = datetime(2026, 12, 23, 10, 0, tzinfo=timezone.utc)


def _fresh_postgres_database() -> tuple[str, str]:
    name = f"complaints_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, POSTGRES_URL.rsplit("/", 1)[0] + "/" + name


def _drop_postgres_database(name: str) -> None:
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A new, empty database: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/complaints.sqlite"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL suite disabled: set COMPLAINTS_TEST_POSTGRES_URL")
    name, url = _fresh_postgres_database()
    try:
        yield url
    finally:
        _drop_postgres_database(name)


@pytest.fixture
def clock():
    return SettableClock(WED_23_DEC_2026)


@pytest.fixture
def settings(database_url, tmp_path):
    return Settings(database_url=database_url, clock="demo", sweep_seconds=0.2, worker_name="test-worker")


@pytest.fixture
def container(settings, clock):
    """The product wired on a migrated database with divisions and the shipped diagrams published."""
    built = bootstrap.build(settings, clock=clock)
    init(built)
    yield built
    built.engine.dispose()


CATEGORIES = [("communication", "Communication", "theme"), ("appointments", "Appointments", "theme"),
              ("process_not_followed", "Process not followed", "root_cause")]


def add_categories(container) -> list[str]:
    """The administrators' category list that closing forms offer as themes."""
    from processes.access import SYSTEM
    from processes.classification import add_category
    for code, label, kind in CATEGORIES:
        add_category(container.uow(), code, label, kind, SYSTEM)
    return [code for code, _, _ in CATEGORIES]


@pytest.fixture
def categories(container) -> list[str]:
    """A few active categories, so closing forms can be completed."""
    return add_categories(container)
