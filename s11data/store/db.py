"""Where the database is, how to connect to it, and how to bring its schema up to date.

`S11_DATABASE_URL` names the database (any SQLAlchemy URL; `postgresql+psycopg://…` for a shared deployment).
Unset, the embedded SQLite file `data/s11.sqlite3` inside the project is used, created, migrated and seeded on
first use (`s11data.seed.load.prepare`). SQLite runs in WAL mode with a busy timeout, and write transactions start
with `BEGIN IMMEDIATE` so that two imports at once queue instead of failing half-way (for `busy_timeout_ms()`, then
`unavailable` says "busy" in words).
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import psycopg
from sqlalchemy import Connection, Engine, Select, Table, create_engine, event, exc, insert, inspect, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.sql import column as _column
from sqlalchemy.sql import table as _table

PROJECT_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("S11_DATA_DIR", PROJECT_DIR / "data"))
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_S = 10
BUSY = ("The database is busy: another change (an import, perhaps) is being saved. Nothing was changed; "
        "try again in a minute.")
DOWN = ("The database cannot be reached at the moment; try again in a minute. If it goes on, tell whoever runs "
        "the dashboard.")
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


def busy_timeout_ms() -> int:
    """How long a SQLite write waits for another one to finish (`S11_BUSY_TIMEOUT_MS`, default 30 s)."""
    try:
        return max(0, int(os.environ.get("S11_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)))
    except ValueError:
        return BUSY_TIMEOUT_MS


_BUSY_PG = (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled, psycopg.errors.DeadlockDetected,
            psycopg.errors.SerializationFailure)


def unavailable(error: BaseException) -> str | None:
    """`BUSY` or `DOWN` when `error` (or what caused it) means the database is locked by another writer or cannot
    be reached; None for any other error. The words are for people: no driver text."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, exc.TimeoutError):  # no free connection in the pool
            return BUSY
        original = seen.orig if isinstance(seen, exc.DBAPIError) else seen
        if isinstance(seen, exc.DBAPIError) and seen.connection_invalidated:
            return DOWN
        if isinstance(original, sqlite3.OperationalError):
            text = str(original).lower()
            return BUSY if "locked" in text or "busy" in text else DOWN if "unable to open" in text else None
        if isinstance(original, _BUSY_PG):
            return BUSY
        if isinstance(original, psycopg.OperationalError):
            return DOWN
        seen = seen.__cause__ or seen.__context__
    return None


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL for the life of the process (the configured URL when none is given)."""
    return _engine_for(url or database_url())


@lru_cache(maxsize=16)
def _engine_for(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": busy_timeout_ms() / 1000})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5,
                         connect_args={"connect_timeout": CONNECT_TIMEOUT_S})


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        immediate = conn.get_execution_options().get("s11_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def is_busy(exc: BaseException) -> bool:
    """True for a driver error meaning 'another transaction holds the lock' (SQLite locked or busy; PostgreSQL
    lock_not_available after lock_timeout), as opposed to a database that is down or broken."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) == "55P03":
        return True
    text = str(orig).lower()
    return "database is locked" in text or "database is busy" in text or "database table is locked" in text


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def read_session(engine: Engine | None = None) -> Iterator[Session]:
    """A session for reading (nothing is written through it, so `read_memo` may keep what it read)."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        session.info[READ_MEMO] = {}
        yield session


READ_MEMO = "s11_read_memo"


def read_memo(session: Session) -> dict | None:
    """A dict for remembering lookups within one read session (e.g. a cycle's details, which every read of a
    page's prepared view checks again); None in a write session, where a lookup may change as it writes."""
    return session.info.get(READ_MEMO)


@contextmanager
def write_session(engine: Engine | None = None, *, changes_data: bool = True) -> Iterator[Session]:
    """One transaction for a write: committed whole on success, rolled back whole on any error.

    Just before it commits, the data version is bumped in the same transaction (`bump_data_version`), so every
    replica's cached reads are renewed on their next run. Only the sign-in's own records (attempts, sign-outs,
    counters: nothing a cached read shows) pass `changes_data=False`."""
    engine = engine or get_engine()
    bind = engine.execution_options(s11_write=True) if is_sqlite(engine) else engine
    with Session(bind, expire_on_commit=False) as session:
        with session.begin():
            yield session
            if changes_data:
                bump_data_version(session.connection())


_DATA_VERSION = _table("data_version", _column("id"), _column("version"))


def bump_data_version(conn: Connection) -> None:
    """Add one to the data version in the caller's transaction (at its end: on PostgreSQL the row stays locked
    until the commit, which orders concurrent writers' bumps)."""
    conn.execute(update(_DATA_VERSION).where(_DATA_VERSION.c.id == 1)
                 .values(version=_DATA_VERSION.c.version + 1))


def data_version(engine: Engine) -> int:
    """The database's data version: one primary-key read (cheap enough for the start of every script run)."""
    with engine.connect() as conn:
        return int(conn.execute(select(_DATA_VERSION.c.version).where(_DATA_VERSION.c.id == 1)).scalar() or 0)


def plain_rows(session: Session, stmt: Select) -> list[tuple]:
    """The rows of `stmt` as the driver returns them: tuples of plain values (an enum as its stored text), with no
    per-row work of SQLAlchemy's. For reads of thousands of rows, where that work is most of the time (filter
    choices for a reader of 150 partnerships: 8,000 pairs and 6,000 names). The parameters stay bound."""
    connection = session.connection()
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    values = compiled.construct_params()
    parameters = tuple(values[name] for name in compiled.positiontup or ()) if compiled.positional else values
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), parameters)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()


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
