"""Real databases for tests: a SQLite file per test and a PostgreSQL database per test.

Each test gets its own database cloned from a template migrated once per run (and a seeded template for tests
that read the published record), so tests are isolated and fast. PostgreSQL is the server on this machine
(`S11_TEST_POSTGRES_URL`, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres). When it cannot be
reached the PostgreSQL tests are skipped locally and FAIL in CI (CI=true or S11_REQUIRE_POSTGRES=1).
"""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from s11data.store import db

from browser import app_database, app_server, chromium  # noqa: E402,F401 - browser-test fixtures (tests/browser.py)

PG_ADMIN_URL = os.environ.get("S11_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = bool(os.environ.get("CI")) or os.environ.get("S11_REQUIRE_POSTGRES") == "1"
RUN_ID = uuid.uuid4().hex[:8]


def _pg_admin() -> Engine | None:
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required in CI but unreachable at {db.redacted(PG_ADMIN_URL)}: {exc}")
        return None
    return engine


def _pg_url(name: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _dispose(url: str) -> None:
    db.get_engine(url).dispose()
    db.get_engine.cache_clear()


class Templates:
    """Builds migrated (and seeded) template databases once per run, then clones them per test."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.pg = _pg_admin()
        self.made: dict[tuple[str, bool], str] = {}
        self.pg_databases: list[str] = []

    def template(self, backend: str, seeded: bool) -> str:
        key = (backend, seeded)
        if key not in self.made:
            url = self._new(backend, f"tmpl_{'seeded' if seeded else 'empty'}")
            engine = db.get_engine(url)
            db.init_db(engine)
            if seeded:
                from s11data.seed.load import seed_all

                seed_all(engine)
            _dispose(url)
            self.made[key] = url
        return self.made[key]

    def _new(self, backend: str, stem: str, template: str | None = None) -> str:
        if backend == "sqlite":
            path = self.tmp / f"{stem}_{uuid.uuid4().hex[:6]}.sqlite3"
            if template:
                shutil.copyfile(make_url(template).database, path)
            return f"sqlite:///{path}"
        if self.pg is None:
            pytest.skip("PostgreSQL not reachable")
        name = f"s11test_{RUN_ID}_{stem}_{uuid.uuid4().hex[:6]}"
        clause = f' TEMPLATE "{make_url(template).database}"' if template else ""
        with self.pg.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        self.pg_databases.append(name)
        return _pg_url(name)

    def clone(self, backend: str, seeded: bool) -> str:
        return self._new(backend, "t", template=self.template(backend, seeded))

    def drop_all(self) -> None:
        if self.pg is None:
            return
        db.get_engine.cache_clear()
        with self.pg.connect() as conn:
            for name in reversed(self.pg_databases):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    made = Templates(tmp_path_factory.mktemp("db"))
    yield made
    made.drop_all()


def _engine(templates: Templates, backend: str, seeded: bool) -> Iterator[Engine]:
    url = templates.clone(backend, seeded)
    engine = db.get_engine(url)
    yield engine
    engine.dispose()


BACKENDS = [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, templates: Templates) -> Iterator[Engine]:
    """A freshly migrated, empty database: SQLite file and PostgreSQL."""
    yield from _engine(templates, request.param, seeded=False)


@pytest.fixture(params=BACKENDS)
def seeded_engine(request: pytest.FixtureRequest, templates: Templates) -> Iterator[Engine]:
    """A database holding the seed (published record + illustrative demo): SQLite file and PostgreSQL."""
    yield from _engine(templates, request.param, seeded=True)


@pytest.fixture
def sqlite_seeded(templates: Templates) -> Iterator[Engine]:
    """A seeded SQLite file only (for app and browser tests)."""
    yield from _engine(templates, "sqlite", seeded=True)


@pytest.fixture
def pg_admin(templates: Templates) -> Engine:
    if templates.pg is None:
        pytest.skip("PostgreSQL not reachable")
    return templates.pg


@pytest.fixture
def fresh_url(templates: Templates, request: pytest.FixtureRequest) -> str:
    """The URL of a brand-new, empty (unmigrated) SQLite database."""
    return f"sqlite:///{templates.tmp / ('fresh_' + uuid.uuid4().hex[:6] + '.sqlite3')}"
