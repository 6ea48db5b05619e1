"""The migrated schema is the models' schema: a fresh database migrated with Alembic compares equal to the
SQLAlchemy metadata, so the next `alembic revision --autogenerate` starts from nothing to do."""
from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage import case_notes, files, mail_models, reports_models  # noqa: F401 - their tables belong to the metadata
from storage.db import alembic_config, make_engine, migrate
from storage.models import Base

VERSIONS = Path(__file__).resolve().parents[2] / "storage" / "migrations" / "versions"


def test_a_freshly_migrated_database_matches_the_models_exactly(database_url):
    migrate(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                   "compare_server_default": False})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == [], "\n".join(map(repr, differences))


def test_every_revision_id_is_the_four_digit_number_its_file_starts_with():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    revisions = list(script.walk_revisions())
    assert revisions, "no migrations found"
    for revision in revisions:
        number = Path(revision.path).name[:4]
        assert revision.revision == number or revision.revision in GRANDFATHERED, revision.path
        assert len(number) == 4 and number.isdigit(), revision.path
    assert len(script.get_heads()) == 1


# Databases in use record this id, so it stays (docs/decisions.md, "Migration revision ids").
GRANDFATHERED = {"0007_reports"}
