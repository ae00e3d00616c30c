"""Users (admins): who may sign in, their role, partnerships and (chairs) themes; disable, unlock, reset; the audit
log."""
from __future__ import annotations

import streamlit as st

from app.session import current_scope
from app.text import plain
from s11data.store import audit, db
from s11data.admin import users
from s11data.store.errors import UserError
from s11data.store.lookup import partnerships_in_scope
from s11data.store.models import STABLE_THEMES, Role
from s11data.store.scope import ScopeError
from s11data.returns.spreadsheet import to_bytes

scope = current_scope()
st.title("Users")
if not scope.can("users"):
    st.error("Only an admin can manage users.")
    st.stop()

engine = db.get_engine(db.database_url())  # by URL: get_engine() alone is cached per process


def _write(what, *args, done: str, **kwargs) -> bool:  # type: ignore[no-untyped-def]
    """Run one user change in its own transaction; say what happened or why not."""
    try:
        with db.write_session(engine) as session:
            what(session, scope, *args, **kwargs)
    except (UserError, ScopeError) as exc:
        st.error(str(exc)[:1].upper() + str(exc)[1:])
        return False
    st.session_state["users_notice"] = done
    st.rerun()
    return True


notice = st.session_state.pop("users_notice", None)
if notice:
    st.success(notice)


with db.read_session(engine) as session:
    people = users.list_users(session, scope)
    partnership_names = [p.name for p in partnerships_in_scope(session, scope)]

listing, adding, log = st.tabs(["Users", "Add a user", "Audit log"])

with listing:
    st.dataframe(people, hide_index=True, width="stretch",
                 column_config={"created": st.column_config.DatetimeColumn("created", format="YYYY-MM-DD")})
    who = (st.selectbox("User", people["username"].tolist(), index=None, key="users_who",
                        placeholder="Choose a user to change their account") if not people.empty else None)
    if who is not None:
        row = people.set_index("username").loc[who]
        st.caption(plain(f"{row['role']} · {row['status']} · {row['partnerships'] or 'no partnership'}"))
        left, middle, right = st.columns(3)
        if row["status"] == "disabled":
            if left.button("Enable", key="users_enable"):
                _write(users.set_disabled, who, False, done=f"{who} can sign in again.")
        elif who == scope.username:
            left.caption("This is your own account: another admin can disable it.")
        elif left.button("Disable", key="users_disable"):
            _write(users.set_disabled, who, True, done=f"{who} is disabled and signed out at their next click.")
        if row["status"] == "locked" and middle.button("Unlock", key="users_unlock"):
            _write(users.unlock, who, done=f"{who} is unlocked.")
        with right.popover("Reset password"):
            with st.form("users_reset", clear_on_submit=True):
                first = st.text_input("New password", type="password")
                again = st.text_input("Repeat it", type="password")
                if st.form_submit_button("Set password"):
                    if first != again:
                        st.error("The two passwords differ.")
                    else:
                        _write(users.reset_password, who, first,
                               done=f"New password set for {who}; the account is unlocked and its sessions ended.")
        with st.form("users_partnerships"):
            current = [n for n in partnership_names if n in str(row["partnerships"]).split("; ")]
            chosen = st.multiselect("Partnerships", partnership_names, default=current)
            if st.form_submit_button("Save partnerships"):
                _write(users.set_partnerships, who, chosen, done=f"Partnerships of {who} saved.")
        if row["role"] == Role.CHAIR.value:
            with st.form("users_themes"):
                current = [t for t in STABLE_THEMES if t in str(row["themes"]).split("; ")]
                themes = st.multiselect("Themes", STABLE_THEMES, default=current, key=f"users_themes_{who}",
                                        help="The chair's pages open filtered to these themes (they can still "
                                             "choose any theme). None: every theme.")
                if st.form_submit_button("Save themes"):
                    _write(users.set_themes, who, themes, done=f"Themes of {who} saved.")

with adding:
    with st.form("users_add", clear_on_submit=False):
        username = st.text_input("Username", key="add_username",
                                 help="lower case letters, digits, '.', '_', '@', '-'")
        name = st.text_input("Full name", key="add_name")
        email = st.text_input("E-mail (optional)", key="add_email")
        role = st.selectbox("Role", [r.value for r in Role], key="add_role",
                            help="executive: reads · chair: reads, updates their subgroup's actions · "
                                 "business manager: cycles, invitations, uploads, recommendations · admin: users")
        subgroup = st.text_input("Subgroup (chairs only)", key="add_subgroup", help="e.g. Neglect subgroup")
        themes = st.multiselect("Themes (chairs only)", STABLE_THEMES, key="add_themes",
                                help="The chair's pages open filtered to these themes, e.g. neglect for the "
                                     "Neglect subgroup. None: every theme.")
        chosen = st.multiselect("Partnerships", partnership_names, key="add_partnerships")
        password = st.text_input("Password", type="password", key="add_password",
                                 help=f"at least {users.MIN_PASSWORD} characters")
        repeat = st.text_input("Repeat the password", type="password", key="add_repeat")
        if st.form_submit_button("Add user", type="primary"):
            if password != repeat:
                st.error("The two passwords differ.")
            elif not chosen:
                st.error("Choose at least one partnership.")
            else:
                _write(users.add_user, username, role, chosen, password, name, email, subgroup, themes=themes,
                       done=f"Added {username.strip().lower()}.")

with log:
    left, right = st.columns(2)
    by = left.text_input("Who (username)", key="audit_username", placeholder="everyone")
    action = right.selectbox("Action", ["all", *audit.ACTIONS], key="audit_action")
    with db.read_session(engine) as session:
        events = audit.events(session, scope, limit=1000, username=by.strip().lower() or None,
                              action=None if action == "all" else action)
    st.dataframe(events, hide_index=True, width="stretch")
    st.download_button("Download the audit log (CSV)", data=lambda: to_bytes(events, "csv"),
                       file_name="s11-audit-log.csv", mime="text/csv")
