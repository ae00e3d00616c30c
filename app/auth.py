"""The sign-in gate in front of every page: `require_user()` returns the caller's Scope or shows sign-in and stops.

`app.shell.run` calls it before navigation, so no page, download or deep link runs without a signed-in user.
`s11data.admin.users` checks passwords against the database, counts failures and locks accounts; the signed-in state is
this session's (`st.session_state`), and the browser's sign-in cookie (`app.sign_in_cookie`, a JWT signed with
`s11data.admin.cookie_key`) signs new sessions in. On every script run the account is re-read from the database, so a
disabled, locked or reset account is signed out at its next click.

- Cookie: read and checked on the server on a session's first run (signature, expiry, the user name exactly as
  stored, the account still allowed, not signed out, its sessions not ended since it was issued), so a new tab
  runs its page once. Written after a sign-in by a script in the page (drawn again on every run of the session,
  so a lost write is made on the next run; a lost write never loses this session's sign-in). Sign-out is
  recorded in the database at once (that cookie never signs in again, wherever it was copied) and the browser's
  cookie is deleted on every run of the sign-in page that follows, and whenever a refused cookie comes in.
- Name `s11_auth_<hash of the database URL>` (two databases on one host never share a sign-in), expiry
  `S11_COOKIE_EXPIRY_DAYS` (default 1 day).
- Demo mode (embedded default database, no real user yet): the sign-in page lists one demo account per role and
  every page carries a "Demo" banner.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st
from sqlalchemy import Engine

from app import sign_in_cookie
from app.session import set_scope
from app.sign_in_cookie import cookie_name, read_cookie, signing_key  # noqa: F401 - the gate's cookie, by name
from app.text import plain
from s11data.admin import users
from s11data.store import db
from s11data.store.errors import UserError
from s11data.store.scope import Scope

USER = "s11_user"
USER_NAME = "s11_user_name"
SIGNED_IN_AT = "s11_signed_in_at"
MARK = "s11_password_mark"
TOKEN_ID = "s11_token_id"
DEMO_KEY = "s11_demo"
NOTICE = "s11_sign_in_notice"
SIGN_OUT = "s11_sign_out_requested"
WRITE_COOKIE = "s11_cookie_to_write"
"""The cookie this session's form sign-in issued (`sign_in_cookie.Issued`): written on every run while signed in."""
DELETE_COOKIE = "s11_cookie_to_delete"
"""Set at sign-out (or when a refused cookie came in): the sign-in page deletes the cookie on every run."""
FIRST_ADMIN = ('s11 users add USERNAME --role admin --name "Your Name" --partnership "PARTNERSHIP NAME"\n'
               '# or --all-partnerships; the password is asked for (or read with --password-stdin)')


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
    name = cookie_name(url)
    if st.session_state.pop(SIGN_OUT, False) and _signed_in():
        users.record_sign_out(engine, st.session_state[USER], st.session_state.get(TOKEN_ID))
        _end_session("You are signed out.")
    elif not _signed_in():
        _sign_in_with_cookie(engine, st.context.cookies.get(name), key, demo)
    if _signed_in():
        with db.read_session(engine) as session:
            scope = users.session_scope(session, st.session_state[USER], demo, mark=st.session_state.get(MARK, ""))
        if scope is not None:
            return _admitted(scope, demo, name)
        _end_session("Your session has ended (the account was changed, disabled or locked). Please sign in again.")
    return _sign_in_page(engine, name, key, demo, pages)


def _signed_in() -> bool:
    return bool(st.session_state.get(USER))


def _sign_in_with_cookie(engine: Engine, token: str | None, key: str, demo: bool) -> None:
    """Sign this session in with the cookie of the request that opened it, if it is good and still allowed;
    a cookie that is not is deleted from the browser by the sign-in page."""
    if not token:
        return
    claims = read_cookie(token, key)
    with db.read_session(engine) as session:
        scope = users.session_scope(session, claims.username, demo, claims.issued_at) if claims else None
        if claims is None or scope is None or users.token_signed_out(session, claims.username, claims.token_id,
                                                                     claims.issued_at):
            st.session_state[DELETE_COOKIE] = True
            return
        mark = users.current_mark(session, claims.username)
        shown = users.credentials_entry(session, claims.username) or {}
    _remember(claims.username, str(shown.get("name") or claims.username), claims.issued_at, mark, claims.token_id)
    users.record_cookie_sign_in(engine, claims.username)


def _remember(username: str, shown_name: str, signed_in_at: dt.datetime, mark: str, token_id: str) -> None:
    st.session_state.update({USER: username, USER_NAME: shown_name, SIGNED_IN_AT: signed_in_at, MARK: mark,
                             TOKEN_ID: token_id})
    st.session_state.pop(DELETE_COOKIE, None)


def _admitted(scope: Scope, demo: bool, cookie: str) -> Scope:
    set_scope(scope)
    st.session_state.pop(NOTICE, None)  # a sign-out notice lasts until the next sign-in
    if demo:
        demo_banner()
    with st.sidebar:
        st.caption(f"Signed in as **{plain(st.session_state.get(USER_NAME) or scope.username)}** · {scope.role.value}"
                   + (f" · {plain(scope.subgroup)}" if scope.subgroup else ""))
        st.button("Sign out", key="s11_sign_out", icon=":material/logout:", on_click=_ask_sign_out)
        issued = st.session_state.get(WRITE_COOKIE)
        if isinstance(issued, sign_in_cookie.Issued):
            sign_in_cookie.write(cookie, issued)
    return scope


def _ask_sign_out() -> None:
    """The button's callback: the next run (which it starts) signs out before anything is drawn."""
    st.session_state[SIGN_OUT] = True


def _end_session(notice: str) -> None:
    """Sign out in this browser: everything this session held goes; the sign-in page deletes the cookie."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    set_scope(None)
    st.session_state[NOTICE] = notice
    st.session_state[DELETE_COOKIE] = True


def _sign_in_page(engine: Engine, cookie: str, key: str, demo: bool, pages: list[Any] | None) -> Scope:
    """Show the sign-in form; on success carry on to the page asked for (the deep link is kept)."""
    set_scope(None)
    page = st.empty()
    with page.container():
        st.title("Section 11 audit dashboard")
        st.subheader("Sign in")
        notice = st.session_state.get(NOTICE)
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
        if st.session_state.get(DELETE_COOKIE):
            sign_in_cookie.delete(cookie)
    if submitted and not (username.strip() and password):
        message.warning("Enter your username and your password.")
    elif submitted:
        result = users.sign_in(engine, username, password, demo)
        if result.ok and result.scope is not None:
            page.empty()
            issued = sign_in_cookie.issue(result.username, key)
            _remember(result.username, result.name or result.username, _utcnow(), result.mark, issued.token_id)
            st.session_state[WRITE_COOKIE] = issued
            return _admitted(result.scope, demo, cookie)
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
