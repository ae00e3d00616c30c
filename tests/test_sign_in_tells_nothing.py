"""Sign-in never tells which user names exist: an unknown name, a disabled account and a real one get the same
answers, attempt by attempt, lock included, and the lock ends after the same time (SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from s11data.admin import users
from s11data.store import db
from s11data.store.models import SignInGuard, User
from s11data.store.scope import Scope

NSSCP = "North Somerset Children's Partnership"
PASSWORD = "Correct-horse-9"
WRONG = "wrong-password-1"


@pytest.fixture(autouse=True)
def _settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S11_BCRYPT_ROUNDS", "4")
    monkeypatch.setenv("S11_COOKIE_KEY", "sign-in-tests-only-" + "k" * 40)
    monkeypatch.delenv("S11_LOCK_AFTER", raising=False)
    monkeypatch.delenv("S11_LOCK_MINUTES", raising=False)


def _add(engine: Engine, username: str, disabled: bool = False) -> None:
    with db.write_session(engine) as session:
        users.add_user(session, Scope.system("test"), username, "executive", [NSSCP], PASSWORD)
        if disabled:
            users.set_disabled(session, Scope.system("test"), username)


def _answers(engine: Engine, name: str, passwords: list[str]) -> list[str]:
    return [users.sign_in(engine, name, password, demo_allowed=False).message for password in passwords]


def _locks_began(engine: Engine, minutes_ago: int) -> None:
    """Move every lock (accounts' and other names') back in time, as if they had been set `minutes_ago`."""
    with db.write_session(engine) as session:
        for model in (User, SignInGuard):
            for row in session.scalars(select(model).where(model.locked_at.is_not(None))):
                row.locked_at -= dt.timedelta(minutes=minutes_ago)


def test_unknown_disabled_and_real_names_get_the_same_answers_lock_included(seeded_engine: Engine) -> None:
    _add(seeded_engine, "dave")
    _add(seeded_engine, "fred", disabled=True)
    tries = [WRONG] * users.lock_after() + [PASSWORD, WRONG]  # five wrong, then the right password, then wrong
    expected = [users.INCORRECT] * (users.lock_after() - 1) + [users.locked_message()] * 3
    names = ["dave", "nobody-called-this", "fred", "Dave2@example.org"]
    assert {name: _answers(seeded_engine, name, tries) for name in names} == {name: expected for name in names}
    _locks_began(seeded_engine, users.lock_minutes() - 1)  # still locked a minute before the end
    assert {name: _answers(seeded_engine, name, [PASSWORD]) for name in names} == \
        {name: [users.locked_message()] for name in names}
    _locks_began(seeded_engine, 2)  # the lock's time is up: counting starts again from zero
    again = [users.INCORRECT] * (users.lock_after() - 1) + [users.locked_message()]
    assert {name: _answers(seeded_engine, name, [WRONG] * users.lock_after()) for name in names} == \
        {name: again for name in names}


def test_the_typed_unknown_name_is_never_stored(seeded_engine: Engine) -> None:
    typed = "my-Secret-typed-in-the-wrong-box"
    users.sign_in(seeded_engine, typed, WRONG, demo_allowed=False)
    with seeded_engine.connect() as conn:
        for table in ("sign_in_guard", "audit_event", "app_user"):
            dumped = " ".join(str(row) for row in conn.exec_driver_sql(f"SELECT * FROM {table}"))
            assert typed not in dumped and typed.lower() not in dumped, table
