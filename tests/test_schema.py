"""Migrations build the schema the models describe, from empty, idempotently, on SQLite and PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from s11data.store import db
from s11data.store.models import Base


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diffs == []


def test_init_db_from_empty_is_idempotent(fresh_url: str) -> None:
    engine = db.get_engine(fresh_url)
    assert not db.has_schema(engine)
    first = db.init_db(engine)
    second = db.init_db(engine)
    assert first == second == db.head_revision()
    assert db.has_schema(engine)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(fresh_url: str) -> None:
    engine = db.get_engine(fresh_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
