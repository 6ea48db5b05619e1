"""Alembic environment: runs migrations on the configured URL."""
from alembic import context

from storage import case_notes, files, mail_models, reports_models  # noqa: F401 - their tables belong to the metadata
from storage.db import make_engine
from storage.models import Base

config = context.config


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
