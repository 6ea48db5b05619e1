"""Shared fixtures: a real database (SQLite always, PostgreSQL when a URL is given), a driven clock.

Migrating and publishing the shipped bundles happens once per test session into a template database;
each test that needs the product gets a copy of it (a file copy on SQLite, `CREATE DATABASE … TEMPLATE`
on PostgreSQL), which is what an `init` on an empty database would have produced.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from contextlib import closing
from datetime import datetime, timezone

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

import bootstrap
from cli import init
from processes.clock import SettableClock
from settings import Settings

POSTGRES_URL = os.environ.get("COMPLAINTS_TEST_POSTGRES_URL")
WED_23_DEC_2026 = datetime(2026, 12, 23, 10, 0, tzinfo=timezone.utc)


def _fresh_postgres_database(template: str | None = None) -> tuple[str, str]:
    name = f"complaints_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    return name, _postgres_url(name)


def _postgres_url(name: str) -> str:
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + name


def _drop_postgres_database(name: str) -> None:
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():
    """Argon2 at its cheapest: production parameters cost about 0.24 s a hash, and tests hash and sign in often."""
    from processes import accounts
    production = accounts._hasher, accounts._DUMMY_HASH
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    accounts._DUMMY_HASH = accounts._hasher.hash("not-a-real-password")
    yield
    accounts._hasher, accounts._DUMMY_HASH = production


def _initialised(url: str) -> None:
    built = bootstrap.build(Settings(database_url=url, clock="demo"), clock=SettableClock(WED_23_DEC_2026))
    init(built)
    built.engine.dispose()
    if url.startswith("sqlite:///"):  # fold the write-ahead log into the file, so a plain copy is whole
        with closing(sqlite3.connect(url[len("sqlite:///"):])) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A SQLite file migrated, with divisions loaded and the shipped bundles published, built once."""
    path = tmp_path_factory.mktemp("template") / "complaints.sqlite"
    _initialised(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template():
    """The PostgreSQL counterpart of `sqlite_template`: a database other tests are created from."""
    name, url = _fresh_postgres_database()
    try:
        _initialised(url)
        yield name
    finally:
        _drop_postgres_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A new database dropped afterwards: empty, or a copy of the initialised template when the test
    asks for the `container` (which would otherwise run `init` on it)."""
    initialised = "container" in request.fixturenames
    if request.param == "sqlite":
        if initialised:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp_path / "complaints.sqlite")
        yield f"sqlite:///{tmp_path}/complaints.sqlite"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL suite disabled: set COMPLAINTS_TEST_POSTGRES_URL")
    name, url = _fresh_postgres_database(request.getfixturevalue("postgres_template") if initialised else None)
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
