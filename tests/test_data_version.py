"""The data version (0007): every committed write bumps it in its own transaction; a refused or rolled-back write
and the sign-in's own records do not (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import Engine
from test_import import NEW_ORG, csv_of, demo_rows, run

from s11data.admin import users
from s11data.store import db
from s11data.store.errors import UserError
from s11data.store.scope import Scope

NSSCP = "North Somerset Children's Partnership"


@pytest.fixture(autouse=True)
def _settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S11_BCRYPT_ROUNDS", "4")
    monkeypatch.setenv("S11_COOKIE_KEY", "data-version-tests-" + "k" * 40)


def test_each_committed_write_bumps_the_version_once_and_nothing_else_does(seeded_engine: Engine) -> None:
    start = db.data_version(seeded_engine)
    with db.write_session(seeded_engine) as session:
        users.add_user(session, Scope.system("test"), "vera", "executive", [NSSCP], "Version-pass-1")
    assert db.data_version(seeded_engine) == start + 1
    with pytest.raises(UserError), db.write_session(seeded_engine) as session:
        users.add_user(session, Scope.system("test"), "vera", "executive", [NSSCP], "Version-pass-1")
    assert db.data_version(seeded_engine) == start + 1  # refused: rolled back whole, the bump too
    assert users.sign_in(seeded_engine, "vera", "Version-pass-1", demo_allowed=False).ok
    assert not users.sign_in(seeded_engine, "vera", "wrong-password-1", demo_allowed=False).ok
    assert not users.sign_in(seeded_engine, "nobody", "wrong-password-1", demo_allowed=False).ok
    users.record_sign_out(seeded_engine, "vera", "1.0")
    assert db.data_version(seeded_engine) == start + 1  # sign-in records change nothing a page shows
    result = run(seeded_engine, csv_of(demo_rows(NEW_ORG, ["Green"] * 3, engine=seeded_engine)))
    assert result.ok, result.errors
    assert db.data_version(seeded_engine) == start + 2  # an import (bulk rows: COPY on PostgreSQL) bumps it


def test_an_app_process_starting_renews_no_cache_unless_its_demo_accounts_change(seeded_engine: Engine) -> None:
    """Every app process ensures the demo accounts on its first run: creating them bumps the version, finding them
    ready does not (a bump there would send every replica's next load to the database cold)."""
    start = db.data_version(seeded_engine)
    assert users.ensure_demo_accounts(seeded_engine, embedded=True) == len(users.DEMO_ACCOUNTS)
    assert db.data_version(seeded_engine) == start + 1
    assert users.ensure_demo_accounts(seeded_engine, embedded=True) == 0
    assert db.data_version(seeded_engine) == start + 1
