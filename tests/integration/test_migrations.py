"""The migrations build the schema the models describe, and can be undone, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from payrecon.db import Base, downgrade_to_base, head_revision, make_engine, upgrade_to_head


def pending_diff(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_the_models_match_the_migrations(engine):
    assert pending_diff(engine) == []


def test_upgrade_and_downgrade_round_trip(database_url, engine):
    scratch = make_engine(database_url)
    try:
        downgrade_to_base(scratch)
        assert set(inspect(scratch).get_table_names()) <= {"alembic_version"}
        upgrade_to_head(scratch)
        tables = set(inspect(scratch).get_table_names())
        assert {t.name for t in Base.metadata.sorted_tables} <= tables
        with scratch.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == head_revision()
    finally:
        scratch.dispose()
