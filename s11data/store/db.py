"""Where the database is, how to connect to it, and how to bring its schema up to date.

`S11_DATABASE_URL` names the database (any SQLAlchemy URL; `postgresql+psycopg://…` for a shared deployment).
Unset, the embedded SQLite file `data/s11.sqlite3` inside the project is used, created, migrated and seeded on
first use (`s11data.seed.load.prepare`). SQLite runs in WAL mode with a busy timeout, and write transactions start
with `BEGIN IMMEDIATE` so that two imports at once queue instead of failing half-way.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, Engine, Table, create_engine, event, insert, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

PROJECT_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("S11_DATA_DIR", PROJECT_DIR / "data"))
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
INSERT_CHUNK = 5_000


def default_url() -> str:
    return f"sqlite:///{DATA_DIR / 's11.sqlite3'}"


def database_url() -> str:
    """The configured database URL: `S11_DATABASE_URL`, else the embedded SQLite file."""
    return os.environ.get("S11_DATABASE_URL", "").strip() or default_url()


def is_embedded_default(url: str | None = None) -> bool:
    """True when the app runs on the embedded default database (demo accounts are allowed only there)."""
    return (url or database_url()) == default_url() and not os.environ.get("S11_DATABASE_URL", "").strip()


def redacted(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL for the life of the process (the configured URL when none is given)."""
    return _engine_for(url or database_url())


@lru_cache(maxsize=16)
def _engine_for(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        immediate = conn.get_execution_options().get("s11_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def read_session(engine: Engine | None = None) -> Iterator[Session]:
    """A session for reading."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction for a write: committed whole on success, rolled back whole on any error."""
    engine = engine or get_engine()
    bind = engine.execution_options(s11_write=True) if is_sqlite(engine) else engine
    with Session(bind, expire_on_commit=False) as session:
        with session.begin():
            yield session


def insert_rows(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Insert many rows of one table, in the caller's transaction, the fastest way each back end offers: COPY on
    PostgreSQL (psycopg's executemany still sends one INSERT per row, about 12,000 rows/s here; COPY several times
    that), Core executemany in chunks on SQLite. Every row has the keys of the first; values go through the
    columns' own bind processing (enum members → stored value), as an INSERT would send them."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        for start in range(0, len(rows), INSERT_CHUNK):
            conn.execute(insert(table), rows[start:start + INSERT_CHUNK])
        return
    names = list(rows[0])
    processors = [table.c[name].type.bind_processor(conn.dialect) for name in names]
    quote = conn.dialect.identifier_preparer.quote
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([value if process is None or value is None else process(value)
                            for value, process in zip((row[n] for n in names), processors)])


def _alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def init_db(engine: Engine | None = None) -> str:
    """Create or migrate the schema to the newest revision (idempotent). Returns the revision."""
    from alembic import command

    engine = engine or get_engine()
    cfg = _alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return current_revision(engine) or ""


def current_revision(engine: Engine | None = None) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with (engine or get_engine()).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head() or ""


def has_schema(engine: Engine | None = None) -> bool:
    return inspect(engine or get_engine()).has_table("partnership")


get_engine.cache_clear = _engine_for.cache_clear  # type: ignore[attr-defined]
