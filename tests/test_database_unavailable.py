"""A busy (write-locked) or unreachable database gives a message in words on sign-in and on every page, never
Streamlit's error page or a driver's text (app.shell catches it in one place; s11data.db.unavailable names it).

Real databases: a SQLite file whose write lock another connection holds, an address where no PostgreSQL listens,
and a PostgreSQL database that goes away while a person is signed in."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from apptest import MAIN, serve, submit_sign_in
from sqlalchemy import Engine, text
from streamlit.testing.v1 import AppTest

from s11data.admin import users
from s11data.store import db
from s11data.store.scope import Scope

PASSWORD = "Busy-test-pass-1"
NSSCP = "North Somerset Children's Partnership"
DRIVER_WORDS = ("OperationalError", "sqlite3", "psycopg", "SQL:", "Background on this error", "Traceback")


def _add_user(engine: Engine, username: str) -> None:
    with db.write_session(engine) as session:
        users.add_user(session, Scope.system("test"), username, "business manager", [NSSCP], PASSWORD)


def _app() -> AppTest:
    return AppTest.from_file(MAIN, default_timeout=90)


def _sign_in(at: AppTest, username: str) -> AppTest:
    return submit_sign_in(at, username, PASSWORD)


def _signed_in(at: AppTest) -> bool:
    return any(b.label == "Sign out" for b in at.sidebar.button)


def _shown(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("error", "warning", "info", "markdown", "caption")
                     for e in getattr(at, kind))


def _says(at: AppTest, message: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert message in [e.value for e in at.error], _shown(at)
    assert not any(word in _shown(at) for word in DRIVER_WORDS), _shown(at)


@pytest.fixture
def locked_sqlite(sqlite_seeded: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """The app on a seeded SQLite file, writes waiting 0.3 s for a lock; yields a second connection that takes the
    write lock with `BEGIN IMMEDIATE` (as an import in another process does) when the test asks."""
    _add_user(sqlite_seeded, "busy_bm")
    sqlite_seeded.dispose()
    monkeypatch.setenv("S11_BUSY_TIMEOUT_MS", "300")
    serve(sqlite_seeded, monkeypatch, tmp_path)
    other = sqlite3.connect(sqlite_seeded.url.database, isolation_level=None)
    yield other
    other.close()
    db.get_engine(sqlite_seeded.url.render_as_string(hide_password=False)).dispose()
    db.get_engine.cache_clear()


def test_sign_in_while_another_write_holds_the_lock_says_busy_then_works(locked_sqlite: sqlite3.Connection) -> None:
    at = _app().run()
    locked_sqlite.execute("BEGIN IMMEDIATE")
    _sign_in(at, "busy_bm")
    _says(at, db.BUSY)
    assert not _signed_in(at)
    locked_sqlite.execute("ROLLBACK")
    _sign_in(at, "busy_bm")
    assert not at.exception and _signed_in(at)


def test_pages_read_while_locked_and_a_write_says_busy(locked_sqlite: sqlite3.Connection) -> None:
    at = _sign_in(_app(), "busy_bm")
    assert _signed_in(at)
    locked_sqlite.execute("BEGIN IMMEDIATE")
    at.switch_page("../pages/heat_map.py").run()  # WAL: reading goes on while another process writes
    assert not at.exception and not at.error and at.title[0].value.startswith("Heat map")
    next(b for b in at.sidebar.button if b.label == "Sign out").click().run()  # a write: the sign-out's record
    _says(at, db.BUSY)
    locked_sqlite.execute("ROLLBACK")


def test_no_postgresql_listening_says_cannot_be_reached(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("S11_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:9/s11_nowhere")
    monkeypatch.setenv("S11_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("S11_COOKIE_KEY", "apptest-only-" + "k" * 40)
    at = _app().run()
    _says(at, db.DOWN)
    at.switch_page("../pages/actions.py").run()
    _says(at, db.DOWN)


@pytest.mark.postgres
def test_postgresql_gone_while_signed_in_says_cannot_be_reached_on_every_page(
        templates: object, pg_admin: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = templates.clone("postgres", seeded=True)  # type: ignore[attr-defined]
    engine = db.get_engine(url)
    _add_user(engine, "gone_bm")
    serve(engine, monkeypatch, tmp_path)
    at = _sign_in(_app(), "gone_bm")
    assert _signed_in(at)
    with pg_admin.connect() as conn:  # the server drops the database: open connections are ended
        conn.execute(text(f'DROP DATABASE "{engine.url.database}" WITH (FORCE)'))
    for page in ("heat_map", "engagement", "upload"):
        at.switch_page(f"../pages/{page}.py").run()
        _says(at, db.DOWN)
    db.get_engine(url).dispose()
