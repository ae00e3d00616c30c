"""Users, roles and sign-in: accounts live in the database, passwords as bcrypt hashes, failed sign-ins counted there.

Roles (`s11data.store.scope.WRITE_ROLES` says what each may change): executive reads; chair reads and updates the
actions their subgroup owns; business manager sets up cycles, invitations, uploads and recommendations; admin also
manages users. Each user belongs to one or more partnerships and sees nothing else.

- Usernames are kept in lower case (sign-in is case-insensitive). Passwords are never stored, logged or echoed.
- After `lock_after()` (default 5, `S11_LOCK_AFTER`) wrong passwords in a row the account is locked, in the
  database, so it survives a restart, for `lock_minutes()` (default 15, `S11_LOCK_MINUTES`; 0 = until an admin
  unlocks it with reset-password or unlock). A lock that ends by itself keeps guessing slow without letting
  anyone who knows a username lock its owner out for good. A name that is no account (or a disabled one) is
  answered the same way, locks included (`sign_in_guard`), so sign-in never tells which names exist.
- Demo accounts (one per role) exist only on the embedded default database while no real user exists.
- Ending sessions: a disabled or locked account is refused on every script run. A password reset changes the
  hash, which open sessions notice (`password_mark`), and writes a "sessions ended" audit line that refuses the
  cookies issued before it. Sign-out ends the cookie of that browser only (`token_signed_out`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import bcrypt
import pandas as pd
from sqlalchemy import Engine, exists, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from s11data.admin import cookie_key
from s11data.store import audit, db
from s11data.store.errors import UserError
from s11data.store.lookup import closest_theme, find_partnership, stable_theme
from s11data.store.models import AuditEvent, Partnership, Role, SignInGuard, Theme, User, UserPartnership, UserTheme
from s11data.store.scope import Scope, ScopeError

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
MIN_PASSWORD = 10
MAX_PASSWORD_BYTES = 72  # bcrypt's limit
SESSIONS_ENDED = "sessions ended"
INCORRECT = "Username or password is incorrect."


def lock_after() -> int:
    """Wrong passwords in a row that lock an account (`S11_LOCK_AFTER`, default 5)."""
    try:
        return max(1, int(os.environ.get("S11_LOCK_AFTER", "5")))
    except ValueError:
        return 5


def lock_minutes() -> int:
    """How long a lock lasts (`S11_LOCK_MINUTES`, default 15; 0 = until an admin unlocks the account)."""
    try:
        return max(0, int(os.environ.get("S11_LOCK_MINUTES", "15")))
    except ValueError:
        return 15


def lock_expired(locked_at: dt.datetime, now: dt.datetime | None = None) -> bool:
    minutes = lock_minutes()
    return bool(minutes) and (now or _now()) >= locked_at + dt.timedelta(minutes=minutes)


def locked_message() -> str:
    wait = f"Try again in {lock_minutes()} minutes, or ask" if lock_minutes() else "Ask"
    return (f"This account is locked after {lock_after()} failed sign-ins. {wait} an admin to unlock it "
            "(Users page, or `s11 users reset-password USERNAME`).")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


# --- passwords ------------------------------------------------------------------------------------

def _rounds() -> int:
    """bcrypt cost (`S11_BCRYPT_ROUNDS`, default 12; tests may lower it, never below 4)."""
    try:
        return min(16, max(4, int(os.environ.get("S11_BCRYPT_ROUNDS", "12"))))
    except ValueError:
        return 12


def hash_password(password: str) -> str:
    """A bcrypt hash in the format streamlit-authenticator's `Hasher.hash` makes."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(_rounds())).decode()


def password_matches(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), hashed.encode())
    except ValueError:  # malformed hash or an over-long password: not a match
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to check against when there is no account, so that a wrong username takes as long as a wrong
    password."""
    return bcrypt.hashpw(b"not a password", bcrypt.gensalt(_rounds())).decode()


def check_new_password(password: str, username: str = "") -> None:
    """Refuse a password that is too short, too long for bcrypt, padded with spaces, or the username."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise UserError(f"the password must be at most {MAX_PASSWORD_BYTES} bytes")
    if password != password.strip():
        raise UserError("the password must not begin or end with a space")
    if username and password.lower() == username.lower():
        raise UserError("the password must not be the username")


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


# --- who may manage whom --------------------------------------------------------------------------

def _check_admin(scope: Scope) -> None:
    if not scope.can("users"):
        raise ScopeError(f"Your role ({scope.role.value}) cannot manage users.")


def _partnership_ids(session: Session, user_id: int) -> frozenset[int]:
    return frozenset(session.scalars(select(UserPartnership.partnership_id)
                                     .where(UserPartnership.user_id == user_id)))


def _managed(session: Session, scope: Scope, username: str) -> User:
    """The user `username` if the caller may manage them: an admin of every partnership the user belongs to."""
    _check_admin(scope)
    name = normalise_username(username)
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        raise UserError(f"no user '{name}'; see `s11 users list`")
    if not scope.everything and not _partnership_ids(session, user.id) <= scope.partnership_ids:
        raise ScopeError(f"'{name}' belongs to a partnership that is not one of yours.")
    return user


def _resolve_partnerships(session: Session, scope: Scope, names: Sequence[str]) -> list[Partnership]:
    found: dict[int, Partnership] = {}
    for name in names:
        partnership = find_partnership(session, name, scope)
        found[partnership.id] = partnership
    return list(found.values())


def _resolve_themes(session: Session, names: Sequence[str]) -> list[Theme]:
    """Themes of the stable list by name, matched ignoring case, '&'/'and' and punctuation; in the list's order."""
    themes = list(session.scalars(select(Theme).order_by(Theme.position)))
    by_name = {t.name: t for t in themes}
    found: dict[int, Theme] = {}
    for name in names:
        theme = by_name.get(stable_theme(name) or "")
        if theme is None:
            close = closest_theme(name)
            hint = f"did you mean '{close}'? " if close else ""
            raise UserError(f"'{name}' is not a theme of the stable list; {hint}themes: "
                            + "; ".join(t.name for t in themes))
        found[theme.id] = theme
    return sorted(found.values(), key=lambda t: t.position)


def _theme_ids(session: Session, user_id: int) -> frozenset[int]:
    return frozenset(session.scalars(select(UserTheme.theme_id).where(UserTheme.user_id == user_id)))


def _check_chair_themes(role: Role, themes: Sequence[Theme]) -> None:
    if themes and role is not Role.CHAIR:
        raise UserError(f"themes are for subgroup chairs; this user is {role.value} (they see every theme)")


def scope_of(session: Session, user: User) -> Scope:
    return Scope.of(user.username, user.role, _partnership_ids(session, user.id), user.subgroup,
                    _theme_ids(session, user.id))


# --- managing users -------------------------------------------------------------------------------

def add_user(session: Session, scope: Scope, username: str, role: Role | str, partnerships: Sequence[str],
             password: str, name: str = "", email: str = "", subgroup: str = "", demo: bool = False,
             themes: Sequence[str] = ()) -> User:
    """Create a user in the named partnerships (each must be one of the caller's). Admins only. A chair may
    have `themes` (names of the stable list) that their pages open filtered to."""
    _check_admin(scope)
    username = normalise_username(username)
    if not USERNAME_RE.match(username):
        raise UserError(f"'{username}' is not a valid username: 2-100 of a-z, 0-9, '.', '_', '@', '-'")
    try:
        role = Role(role)
    except ValueError:
        raise UserError(f"unknown role '{role}'; roles: {', '.join(r.value for r in Role)}") from None
    subgroup = subgroup.strip()
    if role is Role.CHAIR and not subgroup:
        raise UserError("a chair needs the subgroup they chair (--subgroup), e.g. 'Neglect subgroup'")
    email = email.strip()
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        raise UserError(f"'{email}' is not an e-mail address")
    check_new_password(password, username)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError(f"user '{username}' already exists; use `s11 users reset-password {username}` to change "
                        "the password")
    found = _resolve_partnerships(session, scope, partnerships)
    followed = _resolve_themes(session, themes)
    _check_chair_themes(role, followed)
    user = User(username=username, name=name.strip() or username, email=email, role=role, subgroup=subgroup,
                password_hash=hash_password(password), demo=demo, partnerships=found, themes=followed)
    session.add(user)
    if not demo:  # a real user ends demo mode: demo accounts stop working everywhere
        session.execute(update(User).where(User.demo.is_(True)).values(disabled=True))
    session.flush()
    where = ", ".join(p.name for p in found) or "no partnership yet"
    audit.record(session, scope, "user.add", f"{username}: {role.value}"
                 f"{' of ' + subgroup if subgroup else ''}; partnerships: {where}"
                 + (f"; themes: {'; '.join(t.name for t in followed)}" if followed else ""))
    return user


def set_partnerships(session: Session, scope: Scope, username: str, partnerships: Sequence[str]) -> None:
    """Replace the partnerships a user belongs to (within the caller's own)."""
    user = _managed(session, scope, username)
    found = _resolve_partnerships(session, scope, partnerships)
    user.partnerships = found
    audit.record(session, scope, "user.partnerships",
                 f"{user.username}: {', '.join(p.name for p in found) or 'none'}")


def set_themes(session: Session, scope: Scope, username: str, themes: Sequence[str]) -> None:
    """Replace a chair's themes (names of the stable list; none = every theme by default). Admins of the user's
    partnerships only; audited."""
    user = _managed(session, scope, username)
    followed = _resolve_themes(session, themes)
    _check_chair_themes(user.role, followed)
    user.themes = followed
    audit.record(session, scope, "user.themes",
                 f"{user.username}: {'; '.join(t.name for t in followed) or 'none (every theme)'}")


def user_themes(session: Session, scope: Scope, username: str) -> list[str]:
    """A user's themes, in the stable list's order (an admin reads only users they manage)."""
    return [t.name for t in _managed(session, scope, username).themes]


def set_disabled(session: Session, scope: Scope, username: str, disabled: bool = True) -> None:
    """Disable (or enable again) an account; a disabled account cannot sign in, even with a cookie."""
    user = _managed(session, scope, username)
    if disabled and user.username == scope.username:
        raise UserError("you cannot disable your own account")
    user.disabled = disabled
    audit.record(session, scope, "user.disable" if disabled else "user.enable", user.username)


def reset_password(session: Session, scope: Scope, username: str, password: str) -> None:
    """Set a new password, unlock the account and end its current sessions."""
    user = _managed(session, scope, username)
    check_new_password(password, user.username)
    user.password_hash = hash_password(password)
    user.failed_attempts = 0
    user.locked_at = None
    audit.record(session, scope, "user.reset-password", f"{user.username} (and unlocked)")
    _end_sessions(session, scope, user, "password reset")


def unlock(session: Session, scope: Scope, username: str) -> None:
    """Unlock an account locked by failed sign-ins, keeping its password."""
    user = _managed(session, scope, username)
    user.failed_attempts = 0
    user.locked_at = None
    audit.record(session, scope, "user.unlock", user.username)


def _end_sessions(session: Session, scope: Scope, user: User, why: str) -> None:
    session.flush()
    audit.record(session, user.username, SESSIONS_ENDED, f"{why} by {scope.username}")


USER_COLUMNS = ["username", "name", "email", "role", "subgroup", "themes", "partnerships", "status",
                "failed_attempts", "demo", "created"]


def list_users(session: Session, scope: Scope) -> pd.DataFrame:
    """Users the caller may see: every user for the operator; for an admin, users sharing one of their
    partnerships (or with none). Partnerships outside the caller's scope are counted, not named."""
    _check_admin(scope)
    users = list(session.scalars(select(User).order_by(User.username)))
    links = session.execute(select(UserPartnership.user_id, Partnership.id, Partnership.name)
                            .join(Partnership).order_by(Partnership.name)).all()
    names: dict[int, list[tuple[int, str]]] = {}
    for user_id, pid, pname in links:
        names.setdefault(user_id, []).append((pid, pname))
    themes: dict[int, list[str]] = {}
    for user_id, theme in session.execute(select(UserTheme.user_id, Theme.name).join(Theme)
                                          .order_by(Theme.position)):
        themes.setdefault(user_id, []).append(theme)
    rows = []
    for user in users:
        own = names.get(user.id, [])
        if own and not any(scope.can_read(pid) for pid, _ in own):
            continue
        visible = [pname for pid, pname in own if scope.can_read(pid)]
        hidden = len(own) - len(visible)
        shown = "; ".join(visible) + (f" (+{hidden} other)" if hidden else "")
        status = "disabled" if user.disabled else "locked" if user.locked_at else "active"
        rows.append([user.username, user.name, user.email, user.role.value, user.subgroup,
                     "; ".join(themes.get(user.id, [])), shown, status,
                     user.failed_attempts, "yes" if user.demo else "", user.created_at])
    return pd.DataFrame(rows, columns=USER_COLUMNS)


# --- signing in -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignIn:
    """The outcome of one sign-in attempt: a scope when it succeeded, else a message for the person."""
    ok: bool
    message: str
    username: str = ""
    name: str = ""
    scope: Scope | None = None
    mark: str = ""
    """`password_mark` of the account at sign-in (the session ends when it changes)."""


def demo_mode(session: Session, embedded: bool) -> bool:
    """Demo accounts work only on the embedded default database while no real (non-demo) user exists."""
    return embedded and not session.scalar(select(exists().where(User.demo.is_(False))))


def sign_in(engine: Engine, username: str, password: str, demo_allowed: bool) -> SignIn:
    """Check a password and count the outcome in the database (one attempt = one audit line). A name that is no
    account that may sign in answers exactly as one would (`_no_account`): nothing tells which names exist."""
    name = normalise_username(username)
    with db.read_session(engine) as session:
        user = session.scalar(select(User).where(User.username == name)) if name else None
    if user is None or user.disabled or (user.demo and not demo_allowed):
        return _no_account(engine, name, user, password)
    if user.locked_at is not None and not lock_expired(user.locked_at):
        return _refused(engine, name, "account locked", locked_message())
    if user.locked_at is not None:
        _end_lock(engine, name)
    if password_matches(password, user.password_hash):
        return _succeeded(engine, name)
    return _failed(engine, name)


def _no_account(engine: Engine, name: str, user: User | None, password: str) -> SignIn:
    """The answer for a name that cannot sign in (unknown, disabled, a demo account outside demo mode): the same
    words, the same work (a password check, one write) and the same lock after `lock_after()` failures, for as
    long, as a real account; counted in `sign_in_guard` by a keyed digest of the name. A typed unknown name is
    never logged (it may be a password)."""
    why = "unknown username" if user is None else "account disabled" if user.disabled else \
        "demo account outside demo mode"
    logged = name if user is not None else ""
    with db.write_session(engine, changes_data=False) as session:
        guard = _guard(session, name)
        if guard.locked_at is not None and not lock_expired(guard.locked_at):
            audit.record(session, logged, "sign-in refused", why)
            return SignIn(False, locked_message())
        password_matches(password, _dummy_hash())
        if guard.locked_at is not None:  # the lock's time is up: count from zero, as `_end_lock` does
            guard.locked_at, guard.failed_attempts = None, 0
        guard.failed_attempts += 1
        audit.record(session, logged, "sign-in failed" if user is None else "sign-in refused", why)
        if guard.failed_attempts >= lock_after():
            guard.locked_at = _now()
            return SignIn(False, locked_message())
    return SignIn(False, INCORRECT)


def _guard(session: Session, name: str) -> SignInGuard:
    """The `sign_in_guard` row of a typed name (made on first use; locked for update on PostgreSQL)."""
    digest = hmac.new(cookie_key.cookie_key().encode(), b"sign-in guard\0" + name.encode(), "sha256").hexdigest()
    dialect = session.get_bind().dialect.name
    make = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(make(SignInGuard).values(name_digest=digest, failed_attempts=0).on_conflict_do_nothing())
    return session.execute(select(SignInGuard).where(SignInGuard.name_digest == digest).with_for_update()
                           .execution_options(populate_existing=True)).scalar_one()


def _refused(engine: Engine, name: str, why: str, message: str) -> SignIn:
    with db.write_session(engine, changes_data=False) as session:
        audit.record(session, name, "sign-in refused", why)
    return SignIn(False, message, name)


def _end_lock(engine: Engine, name: str) -> None:
    """A lock whose time is up ends at the next attempt, which then counts from zero."""
    with db.write_session(engine, changes_data=False) as session:
        user = session.scalar(select(User).where(User.username == name))
        if user is not None and user.locked_at is not None and lock_expired(user.locked_at):
            user.locked_at, user.failed_attempts = None, 0
            audit.record(session, name, "account unlocked", f"the lock ended after {lock_minutes()} minutes")


def _succeeded(engine: Engine, name: str) -> SignIn:
    with db.write_session(engine, changes_data=False) as session:
        user = session.scalar(select(User).where(User.username == name))
        if user is None or user.disabled or user.locked_at is not None:  # changed while we checked
            audit.record(session, name, "sign-in refused", "account changed during sign-in")
            return SignIn(False, INCORRECT, name)
        user.failed_attempts = 0
        audit.record(session, name, "sign-in", "")
        return SignIn(True, "", name, user.name, scope_of(session, user), password_mark(user.password_hash))


def _failed(engine: Engine, name: str) -> SignIn:
    limit = lock_after()
    with db.write_session(engine, changes_data=False) as session:
        session.execute(update(User).where(User.username == name)
                        .values(failed_attempts=User.failed_attempts + 1))
        user = session.scalar(select(User).where(User.username == name).execution_options(populate_existing=True))
        assert user is not None
        audit.record(session, name, "sign-in failed", f"wrong password ({user.failed_attempts} of {limit})")
        if user.failed_attempts >= limit and user.locked_at is None:
            user.locked_at = _now()
            audit.record(session, name, "account locked", f"after {user.failed_attempts} failed sign-ins")
            return SignIn(False, locked_message(), name)
    return SignIn(False, INCORRECT, name)


def password_mark(password_hash: str) -> str:
    """A short fingerprint of the stored hash: a session keeps it and ends when the password changes."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def session_scope(session: Session, username: str, demo_allowed: bool, signed_in_at: dt.datetime | None = None,
                  mark: str | None = None) -> Scope | None:
    """The scope of a signed-in user, or None when the session must end: the account is gone, disabled, locked, a
    demo account outside demo mode, its password changed since (`mark`, checked on every run at no cost), or its
    sessions were ended after `signed_in_at` (checked once, when a cookie signs a new browser session in)."""
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None or user.disabled or user.locked_at is not None or (user.demo and not demo_allowed):
        return None
    if mark is not None and mark != password_mark(user.password_hash):
        return None
    if signed_in_at is not None and sessions_ended_since(session, user.username, signed_in_at):
        return None
    return scope_of(session, user)


def current_mark(session: Session, username: str) -> str:
    hashed = session.scalar(select(User.password_hash).where(User.username == normalise_username(username)))
    return password_mark(hashed or "")


def sessions_ended_since(session: Session, username: str, since: dt.datetime) -> bool:
    return session.scalar(select(exists().where(AuditEvent.at >= since, AuditEvent.username == username,
                                                AuditEvent.action == SESSIONS_ENDED))) or False


def token_signed_out(session: Session, username: str, token_id: str, since: dt.datetime) -> bool:
    """Whether the cookie `token_id` (see `record_sign_out`) was signed out: it must never sign in again."""
    return session.scalar(select(exists().where(AuditEvent.at >= since, AuditEvent.username == username,
                                                AuditEvent.action == "sign-out",
                                                AuditEvent.detail == f"cookie {token_id}"))) or False


def record_cookie_sign_in(engine: Engine, username: str) -> None:
    with db.write_session(engine, changes_data=False) as session:
        audit.record(session, normalise_username(username), "sign-in", "with the browser's sign-in cookie")


def credentials_entry(session: Session, username: str) -> dict[str, object] | None:
    """One account as streamlit-authenticator's credentials dict wants it (built from the database each run)."""
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        return None
    return {"name": user.name or user.username, "email": user.email, "password": user.password_hash,
            "roles": [user.role.value], "failed_login_attempts": user.failed_attempts}


def any_user(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(User.id.isnot(None)))))


def record_sign_out(engine: Engine, username: str, token_id: str | None) -> None:
    """Log a sign-out; naming the browser's cookie so that it can never sign in again even if kept."""
    with db.write_session(engine, changes_data=False) as session:
        audit.record(session, normalise_username(username), "sign-out", f"cookie {token_id}" if token_id else "")


# --- demo accounts --------------------------------------------------------------------------------

DEMO_PARTNERSHIP = "Illustrative Demo Partnership"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    name: str
    subgroup: str = ""
    only: str = ""
    """The one partnership this account is limited to ('' = every partnership in the database)."""
    themes: tuple[str, ...] = ()
    """A chair's themes (their pages open filtered to these)."""

    def sees(self) -> str:
        return self.only or "every partnership"


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo-executive", "executive-demo", Role.EXECUTIVE, "Demo executive"),
    DemoAccount("demo-chair", "chair-demo-pass", Role.CHAIR, "Demo subgroup chair",
                subgroup="Learning & Development subgroup", only=DEMO_PARTNERSHIP,
                themes=("learning & development and supervision", "safer recruitment & induction")),
    DemoAccount("demo-manager", "manager-demo", Role.BUSINESS_MANAGER, "Demo business manager"),
    DemoAccount("demo-admin", "admin-demo-pass", Role.ADMIN, "Demo admin"),
)
"""Demo-only: listed with their passwords on the sign-in page; created only on the embedded default database."""


def ensure_demo_accounts(engine: Engine, embedded: bool) -> int:
    """Create the demo accounts (on the embedded default database, while no real user exists). Returns how many
    were created. Accounts for 'every partnership' also gain partnerships seeded since."""
    if not embedded:
        return 0
    with db.write_session(engine, changes_data=False) as session:  # bumped below only when something changed:
        # every app process runs this at start, and a bump renews every replica's cached reads
        if not demo_mode(session, embedded):
            return 0
        everything = list(session.scalars(select(Partnership).order_by(Partnership.name)))
        created = changed = 0
        for account in DEMO_ACCOUNTS:
            wanted = [p for p in everything if p.name == account.only] if account.only else everything
            user = session.scalar(select(User).where(User.username == account.username))
            themes = list(session.scalars(select(Theme).where(Theme.name.in_(account.themes))
                                          .order_by(Theme.position))) if account.themes else []
            if user is None:
                session.add(User(username=account.username, name=account.name, role=account.role,
                                 subgroup=account.subgroup, password_hash=hash_password(account.password),
                                 demo=True, partnerships=wanted or everything,
                                 themes=themes))
                created += 1
            elif not account.only and len(user.partnerships) != len(everything):
                user.partnerships = everything
                changed += 1
            elif themes and not user.themes:  # a demo database made before the chairs' themes (0005)
                user.themes = themes
                changed += 1
        if created:
            audit.record(session, "system", "user.demo-accounts",
                         f"{created} demo accounts on the embedded demo database")
        if created or changed:
            session.flush()
            db.bump_data_version(session.connection())
        return created
