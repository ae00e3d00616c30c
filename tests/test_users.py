"""Users, roles, sign-in counting and lockout, the audit log, the cookie key and `s11 users` — on real databases."""
from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from s11data.store import audit, db
from s11data.admin import cookie_key, users
from s11data.returns import exports
from s11data.store.errors import UserError
from s11data.store.models import AuditEvent, Partnership, Role, User
from s11data.store.scope import Scope, ScopeError

NSSCP = "North Somerset Children's Partnership"
DEMO = "Illustrative Demo Partnership"
GSCP = "Gloucestershire Safeguarding Children Partnership"
PASSWORD = "Correct-horse-9"
OPERATOR = Scope.system("test")


@pytest.fixture(autouse=True)
def _fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S11_BCRYPT_ROUNDS", "4")
    monkeypatch.delenv("S11_LOCK_AFTER", raising=False)


def _add(engine: Engine, username: str, role: str, partnerships: list[str], scope: Scope = OPERATOR,
         password: str = PASSWORD, subgroup: str = "") -> None:
    with db.write_session(engine) as session:
        users.add_user(session, scope, username, role, partnerships, password, subgroup=subgroup)


def _user(engine: Engine, username: str) -> User:
    with db.read_session(engine) as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        user.partnerships  # noqa: B018 - loaded while the session is open
        return user


def _audit(engine: Engine) -> list[tuple[str, str, str]]:
    with db.read_session(engine) as session:
        return [tuple(r) for r in session.execute(select(AuditEvent.username, AuditEvent.action, AuditEvent.detail)
                                                  .order_by(AuditEvent.id))]


def _scope_of(engine: Engine, username: str) -> Scope:
    with db.read_session(engine) as session:
        scope = users.session_scope(session, username, demo_allowed=False, signed_in_at=None)
    assert scope is not None
    return scope


# --- accounts and passwords -----------------------------------------------------------------------

def test_add_user_stores_a_bcrypt_hash_the_library_accepts_and_never_the_password(seeded_engine: Engine) -> None:
    import streamlit_authenticator as stauth

    _add(seeded_engine, "Alice", "business manager", [NSSCP, "DEMO"])
    alice = _user(seeded_engine, "alice")  # usernames are kept in lower case
    assert alice.password_hash.startswith("$2b$") and PASSWORD not in alice.password_hash
    assert stauth.Hasher.check_pw(PASSWORD, alice.password_hash)
    assert sorted(p.name for p in alice.partnerships) == [DEMO, NSSCP]
    assert _scope_of(seeded_engine, "alice").role is Role.BUSINESS_MANAGER
    assert all(PASSWORD not in detail for _, _, detail in _audit(seeded_engine))
    assert ("test", "user.add") in [(u, a) for u, a, _ in _audit(seeded_engine)]


@pytest.mark.parametrize("password, message", [
    ("short", "at least 10"), ("x" * 73, "at most 72"), (" padded-password ", "space"), ("alicealice", "username"),
])
def test_weak_passwords_are_refused(seeded_engine: Engine, password: str, message: str) -> None:
    with pytest.raises(UserError, match=message), db.write_session(seeded_engine) as session:
        users.add_user(session, OPERATOR, "alicealice", "executive", [NSSCP], password)


def test_bad_accounts_are_refused_with_a_message(seeded_engine: Engine) -> None:
    _add(seeded_engine, "alice", "executive", [NSSCP])
    cases = [("alice", "executive", [NSSCP], "", "already exists"),
             ("bob", "chair", [NSSCP], "", "subgroup"),
             ("bob", "overlord", [NSSCP], "", "unknown role"),
             ("b o b", "executive", [NSSCP], "", "not a valid username"),
             ("bob", "executive", ["Atlantis"], "", "unknown partnership")]
    for username, role, partnerships, subgroup, message in cases:
        with pytest.raises(UserError, match=message), db.write_session(seeded_engine) as session:
            users.add_user(session, OPERATOR, username, role, partnerships, PASSWORD, subgroup=subgroup)
    with db.read_session(seeded_engine) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1


# --- sign-in, counting and lockout ----------------------------------------------------------------

def test_sign_in_gives_the_users_scope_and_logs_it(seeded_engine: Engine) -> None:
    _add(seeded_engine, "carol", "chair", [NSSCP], subgroup="Neglect subgroup")
    result = users.sign_in(seeded_engine, " Carol ", PASSWORD, demo_allowed=False)
    assert result.ok and result.scope is not None
    assert result.scope.role is Role.CHAIR and result.scope.subgroup == "Neglect subgroup"
    assert result.scope.partnership_ids == _scope_of(seeded_engine, "carol").partnership_ids
    assert len(result.scope.partnership_ids) == 1
    assert ("carol", "sign-in") in [(u, a) for u, a, _ in _audit(seeded_engine)]


def test_five_wrong_passwords_lock_the_account_in_the_database(seeded_engine: Engine) -> None:
    _add(seeded_engine, "dave", "executive", [NSSCP])
    for attempt in range(1, 5):
        result = users.sign_in(seeded_engine, "dave", "wrong-password-1", demo_allowed=False)
        assert not result.ok and result.message == users.INCORRECT
        assert _user(seeded_engine, "dave").failed_attempts == attempt
    fifth = users.sign_in(seeded_engine, "dave", "wrong-password-1", demo_allowed=False)
    assert not fifth.ok and "locked" in fifth.message
    # a restart: a new engine (new connections, nothing in memory) still sees the lock
    url = seeded_engine.url.render_as_string(hide_password=False)
    seeded_engine.dispose()
    db.get_engine.cache_clear()
    restarted = db.get_engine(url)
    assert _user(restarted, "dave").locked_at is not None
    right = users.sign_in(restarted, "dave", PASSWORD, demo_allowed=False)
    assert not right.ok and "locked" in right.message  # even the right password
    actions = [a for u, a, _ in _audit(restarted) if u == "dave"]
    assert actions.count("sign-in failed") == 5 and "account locked" in actions and "sign-in refused" in actions
    with db.read_session(restarted) as session:
        assert users.session_scope(session, "dave", False, None) is None  # a cookie cannot sign in either
    with db.write_session(restarted) as session:
        users.unlock(session, OPERATOR, "dave")
    assert users.sign_in(restarted, "dave", PASSWORD, demo_allowed=False).ok
    assert _user(restarted, "dave").failed_attempts == 0


def _locked_minutes_ago(engine: Engine, username: str, minutes: int) -> None:
    """Lock the account with 5 wrong passwords, then move the lock `minutes` into the past (time passing)."""
    for _ in range(5):
        users.sign_in(engine, username, "wrong-password-1", demo_allowed=False)
    with db.write_session(engine) as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None and user.locked_at is not None
        user.locked_at -= dt.timedelta(minutes=minutes)


def test_a_lock_ends_by_itself_after_its_minutes_and_the_count_starts_again(seeded_engine: Engine) -> None:
    _add(seeded_engine, "faye", "executive", [NSSCP])
    _locked_minutes_ago(seeded_engine, "faye", 14)  # the default lasts 15 minutes
    still = users.sign_in(seeded_engine, "faye", PASSWORD, demo_allowed=False)
    assert not still.ok and "Try again in 15 minutes" in still.message
    with db.write_session(seeded_engine) as session:
        session.scalar(select(User).where(User.username == "faye")).locked_at -= dt.timedelta(minutes=2)
    assert not users.sign_in(seeded_engine, "faye", "wrong-password-1", demo_allowed=False).ok
    assert _user(seeded_engine, "faye").locked_at is None and _user(seeded_engine, "faye").failed_attempts == 1
    assert users.sign_in(seeded_engine, "faye", PASSWORD, demo_allowed=False).ok
    actions = [(a, d) for u, a, d in _audit(seeded_engine) if u == "faye"]
    assert ("account unlocked", "the lock ended after 15 minutes") in actions


def test_with_lock_minutes_0_only_an_admin_unlocks(seeded_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S11_LOCK_MINUTES", "0")
    _add(seeded_engine, "gus", "executive", [NSSCP])
    _locked_minutes_ago(seeded_engine, "gus", 60 * 24 * 30)
    refused = users.sign_in(seeded_engine, "gus", PASSWORD, demo_allowed=False)
    assert not refused.ok and refused.message.startswith("This account is locked after 5 failed sign-ins. Ask an")


def test_a_right_password_resets_the_count(seeded_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S11_LOCK_AFTER", "3")
    _add(seeded_engine, "erin", "executive", [NSSCP])
    for _ in range(2):
        users.sign_in(seeded_engine, "erin", "wrong-password-1", demo_allowed=False)
    assert users.sign_in(seeded_engine, "erin", PASSWORD, demo_allowed=False).ok
    for _ in range(2):
        users.sign_in(seeded_engine, "erin", "wrong-password-1", demo_allowed=False)
    assert _user(seeded_engine, "erin").locked_at is None
    users.sign_in(seeded_engine, "erin", "wrong-password-1", demo_allowed=False)
    assert _user(seeded_engine, "erin").locked_at is not None


def test_disabled_and_unknown_accounts_cannot_sign_in(seeded_engine: Engine) -> None:
    _add(seeded_engine, "fred", "executive", [NSSCP])
    with db.write_session(seeded_engine) as session:
        users.set_disabled(session, OPERATOR, "fred")
    assert not users.sign_in(seeded_engine, "fred", PASSWORD, demo_allowed=False).ok
    with db.read_session(seeded_engine) as session:
        assert users.session_scope(session, "fred", False, None) is None
    typed = "my-Secret-typed-in-the-wrong-box"
    assert users.sign_in(seeded_engine, typed, "x", demo_allowed=False).message == users.INCORRECT
    log = _audit(seeded_engine)
    assert ("fred", "sign-in refused", "account disabled") in log
    assert ("", "sign-in failed", "unknown username") in log
    assert all(typed not in f"{u} {d}" for u, _, d in log)  # a mistyped password is never logged
    with db.write_session(seeded_engine) as session:
        users.set_disabled(session, OPERATOR, "fred", disabled=False)
    assert users.sign_in(seeded_engine, "fred", PASSWORD, demo_allowed=False).ok


def test_reset_password_unlocks_and_ends_earlier_sessions(seeded_engine: Engine) -> None:
    import datetime as dt

    _add(seeded_engine, "gina", "executive", [NSSCP])
    signed_in_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(seconds=1)
    mark = users.sign_in(seeded_engine, "gina", PASSWORD, demo_allowed=False).mark
    for _ in range(5):
        users.sign_in(seeded_engine, "gina", "wrong-password-1", demo_allowed=False)
    with db.write_session(seeded_engine) as session:
        users.reset_password(session, OPERATOR, "gina", "Brand-new-pass-2")
    assert not users.sign_in(seeded_engine, "gina", PASSWORD, demo_allowed=False).ok
    assert users.sign_in(seeded_engine, "gina", "Brand-new-pass-2", demo_allowed=False).ok
    later = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    with db.read_session(seeded_engine) as session:
        assert users.session_scope(session, "gina", False, signed_in_at) is None  # a cookie issued before the reset
        assert users.session_scope(session, "gina", False, mark=mark) is None  # a session open before the reset
        assert users.session_scope(session, "gina", False, mark=users.current_mark(session, "gina")) is not None
        assert users.session_scope(session, "gina", False, later) is not None


# --- admins manage only their own partnerships' users ---------------------------------------------

def test_an_admin_manages_only_users_of_their_partnerships(seeded_engine: Engine) -> None:
    _add(seeded_engine, "nadmin", "admin", [NSSCP])
    _add(seeded_engine, "gexec", "executive", [GSCP])
    _add(seeded_engine, "both", "executive", [GSCP, NSSCP])
    nadmin = _scope_of(seeded_engine, "nadmin")
    with pytest.raises(UserError, match="unknown partnership"), db.write_session(seeded_engine) as session:
        users.add_user(session, nadmin, "sneaky", "executive", [GSCP], PASSWORD)
    for target in ("gexec", "both"):
        with pytest.raises(ScopeError), db.write_session(seeded_engine) as session:
            users.reset_password(session, nadmin, target, "Taken-over-pass-1")
        with pytest.raises(ScopeError), db.write_session(seeded_engine) as session:
            users.set_disabled(session, nadmin, target)
    with db.read_session(seeded_engine) as session:
        listed = users.list_users(session, nadmin)
    assert set(listed["username"]) == {"nadmin", "both"}
    assert listed.set_index("username").loc["both", "partnerships"] == f"{NSSCP} (+1 other)"
    with pytest.raises(UserError, match="your own"), db.write_session(seeded_engine) as session:
        users.set_disabled(session, nadmin, "nadmin")
    _add(seeded_engine, "nexec", "executive", [NSSCP], scope=nadmin)
    assert _user(seeded_engine, "nexec").role is Role.EXECUTIVE


@pytest.mark.parametrize("role", ["executive", "chair", "business manager"])
def test_only_admins_manage_users_or_read_the_audit_log(seeded_engine: Engine, role: str) -> None:
    _add(seeded_engine, "someone", role, [NSSCP], subgroup="Neglect subgroup" if role == "chair" else "")
    scope = _scope_of(seeded_engine, "someone")
    with db.read_session(seeded_engine) as session:
        with pytest.raises(ScopeError):
            users.list_users(session, scope)
        with pytest.raises(ScopeError):
            audit.events(session, scope)
    with pytest.raises(ScopeError), db.write_session(seeded_engine) as session:
        users.add_user(session, scope, "other", "admin", [NSSCP], PASSWORD)


def test_the_audit_log_shows_an_admin_only_their_partnerships_lines(seeded_engine: Engine) -> None:
    _add(seeded_engine, "nadmin", "admin", [NSSCP])
    with db.read_session(seeded_engine) as session:
        nsscp = session.scalar(select(Partnership.id).where(Partnership.name == NSSCP))
        gscp = session.scalar(select(Partnership.id).where(Partnership.name == GSCP))
    with db.write_session(seeded_engine) as session:
        audit.record(session, "x", "import", "into North Somerset", partnership_id=nsscp)
        audit.record(session, "y", "import", "into Gloucestershire", partnership_id=gscp)
    with db.read_session(seeded_engine) as session:
        mine = audit.events(session, _scope_of(seeded_engine, "nadmin"))
        everything = audit.events(session, OPERATOR, action="import")
    assert "into North Somerset" in set(mine["detail"]) and "into Gloucestershire" not in set(mine["detail"])
    assert len(everything) == 2 and list(everything.columns) == audit.AUDIT_COLUMNS


def test_exports_follow_each_users_partnerships(seeded_engine: Engine) -> None:
    _add(seeded_engine, "nexec", "executive", [NSSCP])
    _add(seeded_engine, "dexec", "executive", [DEMO])
    for username, own, other in (("nexec", NSSCP, DEMO), ("dexec", DEMO, NSSCP)):
        scope = _scope_of(seeded_engine, username)
        with db.read_session(seeded_engine) as session:
            for kind in exports.KINDS:
                frame = exports.export(session, scope, kind)
                assert set(frame["partnership"]) <= {own}, (username, kind)
            assert not exports.export(session, scope, "actions").empty
            with pytest.raises(UserError, match="unknown partnership"):
                exports.export(session, scope, "ratings", partnership=other)


def test_a_chair_updates_only_their_subgroups_actions() -> None:
    chair = Scope.of("c", Role.CHAIR, [1], "Learning & Development subgroup")
    chair.check_update_action(1, "NSSCP Learning and Development Subgroup")
    for owner in ("Neglect subgroup", "", "Learning"):
        with pytest.raises(ScopeError):
            chair.check_update_action(1, owner)
    with pytest.raises(ScopeError):
        chair.check_update_action(2, "Learning & Development subgroup")  # not their partnership
    with pytest.raises(ScopeError):
        Scope.of("e", Role.EXECUTIVE, [1]).check_update_action(1, "anything")
    Scope.of("m", Role.BUSINESS_MANAGER, [1]).check_update_action(1, "Neglect subgroup")
    assert Scope.of("e", Role.EXECUTIVE, [1]).cache_key != chair.cache_key


# --- demo accounts --------------------------------------------------------------------------------

def test_demo_accounts_only_on_the_embedded_database_and_until_a_real_user_exists(seeded_engine: Engine) -> None:
    assert users.ensure_demo_accounts(seeded_engine, embedded=False) == 0
    assert users.ensure_demo_accounts(seeded_engine, embedded=True) == len(users.DEMO_ACCOUNTS)
    assert users.ensure_demo_accounts(seeded_engine, embedded=True) == 0  # idempotent
    with db.read_session(seeded_engine) as session:
        assert users.demo_mode(session, embedded=True) and not users.demo_mode(session, embedded=False)
        roles = {u.role for u in session.scalars(select(User).where(User.demo.is_(True)))}
        chair = session.scalar(select(User).where(User.username == "demo-chair"))
        assert [p.name for p in chair.partnerships] == [DEMO] and chair.subgroup
        admin = session.scalar(select(User).where(User.username == "demo-admin"))
        assert len(admin.partnerships) >= 4
    assert roles == set(Role)
    for account in users.DEMO_ACCOUNTS:
        assert users.sign_in(seeded_engine, account.username, account.password, demo_allowed=True).ok
        assert not users.sign_in(seeded_engine, account.username, account.password, demo_allowed=False).ok
    _add(seeded_engine, "real", "admin", [NSSCP])  # the first real user ends demo mode
    with db.read_session(seeded_engine) as session:
        assert not users.demo_mode(session, embedded=True)
        assert users.session_scope(session, "demo-admin", True, None) is None  # disabled with it
    assert not users.sign_in(seeded_engine, "demo-admin", "admin-demo-pass", demo_allowed=True).ok
    assert users.ensure_demo_accounts(seeded_engine, embedded=True) == 0


# --- the cookie key -------------------------------------------------------------------------------

def test_cookie_key_from_env_else_a_generated_private_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "DATA_DIR", tmp_path)
    monkeypatch.delenv(cookie_key.ENV, raising=False)
    key = cookie_key.cookie_key()
    path = tmp_path / "cookie_key"
    assert len(key) >= 60 and path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cookie_key.cookie_key() == key  # kept: cookies survive a restart
    assert cookie_key.cookie_key(secret="s" * 40) == "s" * 40  # a Streamlit secret comes before the file
    monkeypatch.setenv(cookie_key.ENV, "e" * 40)
    assert cookie_key.cookie_key(secret="s" * 40) == "e" * 40  # the environment comes first
    for weak in ("some_key", "short"):
        monkeypatch.setenv(cookie_key.ENV, weak)
        with pytest.raises(UserError, match="too weak"):
            cookie_key.cookie_key()


def test_the_project_ignores_the_key_file() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", "data/cookie_key"], cwd=db.PROJECT_DIR)
    assert ignored.returncode == 0


# --- s11 users ------------------------------------------------------------------------------------

def _s11(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`s11 users …` in its own process (standard input a pipe, not a terminal)."""
    env = {**os.environ, "S11_DATABASE_URL": url, "S11_BCRYPT_ROUNDS": "4"}
    return subprocess.run([sys.executable, "-m", "s11data", "users", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


def _s11_here(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, *args: str,
              stdin: str = "") -> tuple[int, str]:
    """`s11 users …` in this process (faster); returns the exit code and everything printed."""
    import io

    from s11data.cli import main

    monkeypatch.setenv("S11_DATABASE_URL", url)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["users", *args])
    out, err = capsys.readouterr()
    return code, out + err


def test_s11_users_add_list_disable_reset_never_show_the_password(
        sqlite_seeded: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    url = sqlite_seeded.url.render_as_string(hide_password=False)
    secret = "Very-secret-pass-7"
    added = _s11(url, "add", "Hana", "--role", "chair", "--subgroup", "Neglect subgroup", "--partnership", "NSSCP",
                 "--partnership", "DEMO", "--name", "Hana Ito", "--email", "hana@example.org", "--password-stdin",
                 stdin=secret + "\n")
    assert added.returncode == 0, added.stderr
    assert "added hana (chair)" in added.stdout
    listed = _s11(url, "list")
    assert "hana" in listed.stdout and "Neglect subgroup" in listed.stdout and "$2b$" not in listed.stdout
    printed = added.stdout + added.stderr + listed.stdout + listed.stderr
    for args, stdin, code, says in [
        (("add", "ivan", "--role", "executive", "--partnership", "GSCP"), "short\n", 2, "at least 10"),
        (("add", "ivan", "--role", "executive"), secret + "\n", 2, "--partnership"),
        (("add", "ivan", "--role", "executive", "--partnership", "GSCP"), "", 2, "no password"),
        (("disable", "hana"), "", 0, "disabled hana"),
        (("disable", "nobody"), "", 2, "no user 'nobody'"),
    ]:
        got, output = _s11_here(monkeypatch, capsys, url, *args, stdin=stdin)
        assert (got, says in output) == (code, True), output
        printed += output
    assert not users.sign_in(sqlite_seeded, "hana", secret, demo_allowed=False).ok
    for args, stdin in ((("enable", "hana"), ""), (("reset-password", "hana"), "Another-pass-8\n")):
        got, output = _s11_here(monkeypatch, capsys, url, *args, stdin=stdin)
        assert got == 0, output
        printed += output
    assert users.sign_in(sqlite_seeded, "hana", "Another-pass-8", demo_allowed=False).ok
    assert secret not in printed and "Another-pass-8" not in printed
    assert all(secret not in d and "Another-pass-8" not in d for _, _, d in _audit(sqlite_seeded))
    assert [a for u, a, _ in _audit(sqlite_seeded) if u.startswith("cli:")][:1] == ["user.add"]


def test_an_admin_does_not_see_sign_ins_or_user_changes_of_another_partnership(seeded_engine: Engine) -> None:
    _add(seeded_engine, "nadmin", "admin", [NSSCP])
    _add(seeded_engine, "dexec", "executive", [DEMO])
    _add(seeded_engine, "nexec", "executive", [NSSCP], scope=_scope_of(seeded_engine, "nadmin"))
    for username in ("dexec", "nexec"):
        assert users.sign_in(seeded_engine, username, PASSWORD, demo_allowed=False).ok
    with db.read_session(seeded_engine) as session:
        seen = audit.events(session, _scope_of(seeded_engine, "nadmin"))
    assert ("nexec", "sign-in") in set(zip(seen["username"], seen["action"]))
    assert ("nadmin", "user.add") in set(zip(seen["username"], seen["action"]))
    assert "dexec" not in seen.to_csv() and DEMO not in seen.to_csv()


@pytest.mark.parametrize("username, allowed", [("dmanager", True), ("nmanager", False), ("dexec", False)])
def test_the_import_takes_a_file_only_from_a_manager_of_its_partnership(seeded_engine: Engine, username: str,
                                                                        allowed: bool) -> None:
    from s11data.returns import importer
    from s11data.returns.spreadsheet import to_csv_bytes

    _add(seeded_engine, "dmanager", "business manager", [DEMO])
    _add(seeded_engine, "nmanager", "business manager", [NSSCP])
    _add(seeded_engine, "dexec", "executive", [DEMO])
    with db.read_session(seeded_engine) as session:
        frame = exports.export(session, _scope_of(seeded_engine, "dmanager"), "ratings", partnership=DEMO)
    assert len(frame) > 40
    data = to_csv_bytes(frame.head(40))  # the demo partnership's own export: it imports back unchanged
    result = importer.import_file(seeded_engine, _scope_of(seeded_engine, username), data, "demo.csv")
    assert result.ok is allowed, [p.message for p in result.errors[:3]]
    if not allowed:
        assert result.imported == 0
