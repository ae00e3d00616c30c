"""The sign-in gate in front of every page: `require_user()` returns the caller's Scope or shows sign-in and stops.

`app.shell.run` calls it before navigation, so no page, download or deep link runs without a signed-in user.
streamlit-authenticator keeps the signed-in state and the browser's sign-in cookie (a JWT signed with
`s11data.admin.cookie_key`, never the library's default key); `s11data.admin.users` checks passwords against the database,
counts failures and locks accounts. On every script run the account is re-read from the database, so a disabled,
locked or reset account is signed out at its next click, and so is a cookie that was signed out or forged.

- Cookie: name `s11_auth_<hash of the database URL>` (two databases on one host never share a sign-in), expiry
  `S11_COOKIE_EXPIRY_DAYS` (default 1 day). A cookie is accepted only if its signature, expiry and account are
  good, it was not signed out, and the account's sessions were not ended after it was issued.
- Demo mode (embedded default database, no real user yet): the sign-in page lists one demo account per role and
  every page carries a "Demo" banner.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from dataclasses import dataclass
from typing import Any

import jwt
import streamlit as st
import streamlit_authenticator as stauth
from sqlalchemy import Engine

from app.session import set_scope
from s11data.admin import cookie_key, users
from s11data.store import db
from s11data.store.errors import UserError
from s11data.store.scope import Scope

SIGNED_IN_AT = "s11_signed_in_at"
MARK = "s11_password_mark"
TOKEN_ID = "s11_token_id"
DEMO_KEY = "s11_demo"
NOTICE = "s11_sign_in_notice"
SIGN_OUT = "s11_sign_out_requested"
FIRST_ADMIN = ('s11 users add USERNAME --role admin --name "Your Name" --partnership "PARTNERSHIP NAME"\n'
               '# or --all-partnerships; the password is asked for (or read with --password-stdin)')


def expiry_days() -> float:
    try:
        return max(0.01, float(os.environ.get("S11_COOKIE_EXPIRY_DAYS", "1")))
    except ValueError:
        return 1.0


def cookie_name(url: str) -> str:
    """The sign-in cookie's name for this database (the same host may serve several)."""
    return "s11_auth_" + hashlib.sha256(db.redacted(url).encode()).hexdigest()[:12]


def signing_key() -> str:
    """`S11_COOKIE_KEY`, else Streamlit secret `cookie_key`, else the generated key file."""
    try:
        secret = st.secrets.get("cookie_key")
    except Exception:  # noqa: BLE001 - no secrets file: that is fine
        secret = None
    return cookie_key.cookie_key(str(secret) if secret else None)


@dataclass(frozen=True)
class CookieClaims:
    username: str
    token_id: str
    issued_at: dt.datetime


def read_cookie(token: str, key: str, now: float | None = None) -> CookieClaims | None:
    """The claims of a sign-in cookie if its signature and expiry are good, else None (never raises)."""
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"])
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    username, exp = claims.get("username"), claims.get("exp_date")
    now = time.time() if now is None else now
    if not isinstance(username, str) or not isinstance(exp, (int, float)) or isinstance(exp, bool):
        return None
    lifetime = expiry_days() * 86400
    if not now < exp <= now + lifetime + 60:  # expired, or longer-lived than this app issues
        return None
    issued = dt.datetime.fromtimestamp(exp - lifetime, dt.timezone.utc).replace(tzinfo=None)
    return CookieClaims(username, f"{exp:.6f}", issued)


# --- the gate -------------------------------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def _demo_accounts_ready(url: str) -> int:
    return users.ensure_demo_accounts(db.get_engine(url), embedded=True)


def require_user(pages: list[Any] | None = None) -> Scope:
    """The signed-in caller's scope; otherwise the sign-in page is shown and the script stops.

    `pages` (every `st.Page` of the app) lets a deep link survive sign-in: while the form is shown they are
    registered with hidden navigation, without running any, so the page asked for opens once signed in."""
    url = db.database_url()
    engine = db.get_engine(url)
    embedded = db.is_embedded_default(url)
    if embedded:
        _demo_accounts_ready(url)
    try:
        key = signing_key()
    except UserError as exc:
        st.error(f"The app cannot start sign-in: {exc}")
        st.stop()
    with db.read_session(engine) as session:
        demo = users.demo_mode(session, embedded)
    st.session_state[DEMO_KEY] = demo
    if st.session_state.pop(SIGN_OUT, False) and _signed_in():
        username = st.session_state["username"]
        users.record_sign_out(engine, username, st.session_state.get(TOKEN_ID))
        _end_session(_authenticator(engine, url, key, username), "You are signed out.")
    elif not _signed_in():
        _sign_in_with_cookie(engine, url, key, demo)
    if _signed_in():
        with db.read_session(engine) as session:
            scope = users.session_scope(session, st.session_state["username"], demo,
                                        mark=st.session_state.get(MARK, ""))
        if scope is not None:
            return _admitted(scope, demo)
        _end_session(_authenticator(engine, url, key, None), "Your session has ended (the account was changed, "
                                    "disabled or locked). Please sign in again.")
    return _sign_in_page(engine, url, key, demo, pages)


def _signed_in() -> bool:
    return bool(st.session_state.get("authentication_status") and st.session_state.get("username"))


def _authenticator(engine: Engine, url: str, key: str, username: str | None) -> stauth.Authenticate:
    """streamlit-authenticator with credentials built from the database (only the account in play)."""
    entries = {}
    if username:
        with db.read_session(engine) as session:
            entry = users.credentials_entry(session, username)
        if entry:
            entries[username] = entry
    return stauth.Authenticate({"usernames": entries}, cookie_name=cookie_name(url), cookie_key=key,
                               cookie_expiry_days=expiry_days(), auto_hash=False, login_sleep_time=0)


def _sign_in_with_cookie(engine: Engine, url: str, key: str, demo: bool) -> None:
    """Sign in with the browser's cookie if it is good and still allowed."""
    token = st.context.cookies.get(cookie_name(url))
    claims = read_cookie(token, key) if token else None
    if claims is None:
        return
    with db.read_session(engine) as session:
        scope = users.session_scope(session, claims.username, demo, claims.issued_at)
        if scope is None or users.token_signed_out(session, claims.username, claims.token_id, claims.issued_at):
            return
        mark = users.current_mark(session, claims.username)
    authenticator = _authenticator(engine, url, key, claims.username)
    authenticator.authentication_controller.login(token={"username": claims.username})
    st.session_state[SIGNED_IN_AT] = claims.issued_at
    st.session_state[MARK] = mark
    st.session_state[TOKEN_ID] = claims.token_id
    users.record_cookie_sign_in(engine, claims.username)


def _admitted(scope: Scope, demo: bool) -> Scope:
    set_scope(scope)
    st.session_state.pop(NOTICE, None)  # a sign-out notice lasts until the next sign-in
    if demo:
        demo_banner()
    with st.sidebar:
        st.caption(f"Signed in as **{st.session_state.get('name') or scope.username}** · {scope.role.value}"
                   + (f" · {scope.subgroup}" if scope.subgroup else ""))
        st.button("Sign out", key="s11_sign_out", icon=":material/logout:", on_click=_ask_sign_out)
    return scope


def _ask_sign_out() -> None:
    """The button's callback: the next run (which it starts) signs out before anything is drawn."""
    st.session_state[SIGN_OUT] = True


def _end_session(authenticator: stauth.Authenticate, notice: str) -> None:
    """Sign out in this browser: the library's state, the cookie, and everything this session held."""
    if st.session_state.get("authentication_status"):
        authenticator.logout(location="unrendered")  # clears its keys and deletes the cookie
    else:
        authenticator.cookie_controller.delete_cookie()
    for name in list(st.session_state.keys()):
        del st.session_state[name]
    set_scope(None)
    st.session_state[NOTICE] = notice


def _sign_in_page(engine: Engine, url: str, key: str, demo: bool, pages: list[Any] | None) -> Scope:
    """Show the sign-in form; on success carry on to the page asked for (the deep link is kept)."""
    set_scope(None)
    page = st.empty()
    with page.container():
        st.title("Section 11 audit dashboard")
        st.subheader("Sign in")
        notice = st.session_state.get(NOTICE)  # kept across the reruns the cookie component causes
        if notice:
            st.info(notice)
        if demo:
            demo_banner()
        with st.form("s11_sign_in", clear_on_submit=True):
            username = st.text_input("Username", autocomplete="username")
            password = st.text_input("Password", type="password", autocomplete="current-password")
            submitted = st.form_submit_button("Login", type="primary")
        message = st.empty()
        _help(engine, demo)
    if submitted and not (username.strip() and password):
        message.warning("Enter your username and your password.")
    elif submitted:
        result = users.sign_in(engine, username, password, demo)
        if result.ok and result.scope is not None:
            page.empty()
            authenticator = _authenticator(engine, url, key, result.username)
            authenticator.authentication_controller.login(token={"username": result.username})
            authenticator.cookie_controller.set_cookie()
            st.session_state[SIGNED_IN_AT] = _utcnow()
            st.session_state[MARK] = result.mark
            st.session_state[TOKEN_ID] = f"{authenticator.cookie_controller.cookie_model.exp_date:.6f}"
            st.session_state[DEMO_KEY] = demo
            return _admitted(result.scope, demo)
        message.error(result.message)
    if pages:
        st.navigation(pages, position="hidden")  # remember the page asked for; none of them runs
    st.stop()
    raise AssertionError("unreachable")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _help(engine: Engine, demo: bool) -> None:
    if demo:
        st.markdown("**Demo accounts** (this is the built-in demo database; they stop working as soon as a real "
                    "user is added with `s11 users add`):")
        st.table([{"role": a.role.value, "username": a.username, "password": a.password, "sees": a.sees()
                   + (f" (chairs the {a.subgroup})" if a.subgroup else "")} for a in users.DEMO_ACCOUNTS])
        return
    with db.read_session(engine) as session:
        anyone = users.any_user(session)
    if not anyone:
        st.markdown("**No accounts yet.** An operator with access to the server creates the first admin:")
        st.code(FIRST_ADMIN, language="bash")
    else:
        st.caption("Forgotten your password or locked out? Ask an admin of your partnership to reset it.")


def demo_banner() -> None:
    """The banner every page carries in demo mode."""
    st.warning("**Demo** — built-in demo database with demo accounts. Published figures are real; the "
               "Illustrative Demo Partnership is fictional. Not for real returns.", icon=":material/science:")


def is_demo() -> bool:
    """Whether this session runs in demo mode (set by the gate on every run)."""
    return bool(st.session_state.get(DEMO_KEY))
