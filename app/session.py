"""Who is signed in, for pages: `current_scope()` returns the caller's `Scope` set by the sign-in gate.

    from app.session import current_scope
    scope = current_scope()
    frame = queries.heat_map(session, scope, ...)          # s11data enforces the scope
    @st.cache_data
    def _cached(cache_key: str, ...): ...                  # caches are shared between users: key them by scope

The gate (`app.auth.require_user`, run by `app.shell.run` before navigation) stores the scope in
`st.session_state` on every script run, re-read from the database, so a disabled user or a changed role takes
effect at the next click.
"""
from __future__ import annotations

import streamlit as st

from s11data.store.scope import Scope

SCOPE_KEY = "s11_scope"


def current_scope() -> Scope:
    """The signed-in caller's scope. Stops the page (after asking to sign in) when there is none."""
    scope = st.session_state.get(SCOPE_KEY)
    if isinstance(scope, Scope):
        return scope
    st.warning("Please sign in to see this page.")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises; this keeps type checkers honest


def set_scope(scope: Scope | None) -> None:
    """Store (or clear, with None) the caller's scope; only the sign-in gate calls this."""
    if scope is None:
        st.session_state.pop(SCOPE_KEY, None)
    else:
        st.session_state[SCOPE_KEY] = scope
