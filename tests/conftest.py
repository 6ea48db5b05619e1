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
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

import bootstrap
from cli import init
from processes.clock import SettableClock
from settings import Settings

POSTGRES_URL = os.environ.get("COMPLAINTS_TEST_POSTGRES_URL")
if os.environ.get("COMPLAINTS_TEST_TIMINGS"):  # a folder: per-test wall and CPU seconds (docs/testing.md)
    pytest_plugins = ["tests.cpu_timing"]
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


class PostgresDatabases:
    """Fresh PostgreSQL databases without waiting for the server's disk: each is `CREATE DATABASE … TEMPLATE` as
    before, but the next copy of a template is made in a background thread while the current test runs, and a used
    database is dropped there too (both cost about a second of server I/O each, during which the test would idle).
    Every test still gets a database nobody has connected to since it was copied."""

    def __init__(self):
        from concurrent.futures import ThreadPoolExecutor
        self._work = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-databases")
        self._spare: dict[str | None, object] = {}  # template -> future of a fresh copy's name

    def take(self, template: str | None) -> tuple[str, str]:
        future = self._spare.pop(template, None) or self._work.submit(self._create, template)
        name = future.result()
        self._spare[template] = self._work.submit(self._create, template)
        return name, _postgres_url(name)

    def give_back(self, name: str) -> None:
        self._work.submit(_drop_postgres_database, name)

    def close(self) -> None:
        for future in self._spare.values():
            self.give_back(future.result())
        self._work.shutdown(wait=True)

    @staticmethod
    def _create(template: str | None) -> str:
        return _fresh_postgres_database(template)[0]


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


def _checkpoint(url: str) -> None:
    if url.startswith("sqlite:///"):  # fold the write-ahead log into the file, so a plain copy is whole
        with closing(sqlite3.connect(url[len("sqlite:///"):])) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# Layers of set-up that many tests share, each built once per session on top of its parent and then copied.
# A test gets the deepest layer whose name is among its fixtures: "container" is `init` (migrated, divisions,
# shipped bundles published); a conftest adds layers on top (tests/web/conftest.py: "webtest", "staff"). A layer's
# builder gets a container on a copy of its parent and returns data the layer's fixture hands to each test.
LAYERS: dict[str, tuple[str | None, object]] = {"container": (None, None)}


def add_layer(name: str, parent: str, build) -> None:
    """Register set-up that tests asking for fixture `name` share: `build(container)` runs once per database kind."""
    LAYERS[name] = (parent, build)


def _depth(name: str) -> int:
    parent = LAYERS[name][0]
    return 0 if parent is None else 1 + _depth(parent)


def layer_for(fixturenames) -> str | None:
    found = [name for name in LAYERS if name in fixturenames]
    return max(found, key=_depth) if found else None


class Templates:
    """Initialised databases, one per (database kind, layer), built on first use and dropped at session end."""

    def __init__(self, folder):
        self.folder = folder
        self.built: dict[tuple[str, str], tuple[str, object]] = {}  # (kind, layer) -> (file or database, data)
        self.postgres: list[str] = []
        self.copies = PostgresDatabases() if POSTGRES_URL else None

    def get(self, kind: str, layer: str) -> tuple[str, object]:
        if (kind, layer) not in self.built:
            parent, build = LAYERS[layer]
            url, where = self._new(kind, self.get(kind, parent)[0] if parent else None, layer)
            if parent is None:
                _initialised(url)
                data = None
            else:
                built = bootstrap.build(Settings(database_url=url, clock="demo"), clock=SettableClock(WED_23_DEC_2026))
                data = build(built)
                built.engine.dispose()
            _checkpoint(url)
            self.built[(kind, layer)] = (where, data)
        return self.built[(kind, layer)]

    def _new(self, kind: str, source: str | None, layer: str) -> tuple[str, str]:
        if kind == "sqlite":
            path = self.folder / f"{layer}.sqlite"
            if source:
                shutil.copyfile(source, path)
            return f"sqlite:///{path}", str(path)
        name, url = _fresh_postgres_database(source)
        self.postgres.append(name)
        return url, name

    def drop(self) -> None:
        if self.copies is not None:
            self.copies.close()
        for name in reversed(self.postgres):
            _drop_postgres_database(name)


@pytest.fixture(scope="session")
def templates(tmp_path_factory, cheap_password_hashing):
    built = Templates(tmp_path_factory.mktemp("template"))
    try:
        yield built
    finally:
        built.drop()


@pytest.fixture(scope="session")
def sqlite_template(templates):
    """A SQLite file migrated, with divisions loaded and the shipped bundles published, built once."""
    return Path(templates.get("sqlite", "container")[0])


@pytest.fixture(scope="session")
def postgres_template(templates):
    """The PostgreSQL counterpart of `sqlite_template`: a database other tests are created from."""
    return templates.get("postgres", "container")[0]


# PostgreSQL runs where the database can change the outcome (see docs/testing.md, "Which tests run on both
# databases"): every test under these folders, and every test or module marked `both_databases`.
BOTH_DATABASES_FOLDERS = ("integration",)
EVERY_TEST_ON_BOTH = os.environ.get("COMPLAINTS_TEST_EVERY_DATABASE") == "1"
TESTS = Path(__file__).resolve().parent


def _on_both(metafunc) -> bool:
    if EVERY_TEST_ON_BOTH or metafunc.definition.get_closest_marker("both_databases"):
        return True
    relative = Path(str(metafunc.definition.path)).resolve().relative_to(TESTS)
    return relative.parts[0] in BOTH_DATABASES_FOLDERS


def pytest_generate_tests(metafunc):
    if "database_url" in metafunc.fixturenames:
        kinds = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)] if _on_both(metafunc) else ["sqlite"]
        metafunc.parametrize("database_url", kinds, indirect=True)


@pytest.fixture
def database_url(request, tmp_path):
    """A new database dropped afterwards: empty, or a copy of the deepest set-up layer the test asks for
    (`container`, which would otherwise run `init` on it, or a layer a conftest adds)."""
    layer = layer_for(request.fixturenames)
    if request.param == "sqlite":
        if layer:
            template = request.getfixturevalue("templates").get("sqlite", layer)[0]
            shutil.copyfile(template, tmp_path / "complaints.sqlite")
        yield f"sqlite:///{tmp_path}/complaints.sqlite"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL suite disabled: set COMPLAINTS_TEST_POSTGRES_URL")
    templates = request.getfixturevalue("templates")
    name, url = templates.copies.take(templates.get("postgres", layer)[0] if layer else None)
    try:
        yield url
    finally:
        templates.copies.give_back(name)


def layer_data(request, layer: str):
    """What a layer's builder returned, for the database kind this test runs on."""
    kind = request.node.callspec.params["database_url"]
    return request.getfixturevalue("templates").get(kind, layer)[1]


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
