"""Running a page's write: one transaction, the refusal shown as the user's error, success shown after a reload.

    if st.form_submit_button("Log contact"):
        writes.run(lambda s: engagement.log_contact(s, scope, ...), "Contact logged.", page="engagement")
    writes.flash("engagement")   # near the top of the page: shows the last success once

`s11data` enforces who may write (ScopeError) and checks the input (UserError); both messages are written for the
user and are shown as `st.error`, never as a stack trace. After a commit the cached reads are cleared, so every
table on the page shows the change.
"""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from sqlalchemy.orm import Session

from app import reads
from s11data.store import db
from s11data.store.errors import UserError
from s11data.store.scope import ScopeError


def _key(page: str) -> str:
    return f"s11_flash_{page}"


def flash(page: str) -> None:
    """Show (once) the success note of the last write on this page."""
    message = st.session_state.pop(_key(page), None)
    if message:
        st.success(message, icon=":material/check_circle:")


def run(action: Callable[[Session], object], done: str | Callable[[object], str], *, page: str) -> bool:
    """Run `action(session)` in one write transaction. On success clear cached reads and reload the page with
    `done` shown (or `done(result)`, a message made from what the action returned); on refusal show the message
    and return False (nothing was written)."""
    try:
        with db.write_session(db.get_engine(db.database_url())) as session:  # by URL (get_engine() caches None)
            result = action(session)
    except (UserError, ScopeError) as exc:
        st.error(str(exc), icon=":material/error:")
        return False
    reads.clear()
    st.session_state[_key(page)] = done(result) if callable(done) else done
    st.rerun()
    return True  # not reached: st.rerun() ends this run
