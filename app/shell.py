"""What every page shares: database readiness, sign-in, navigation by role, banners, and the one place that turns a
busy (locked) or unreachable database into a message in words (`db.unavailable`) instead of an error page."""
from __future__ import annotations

import gc

import streamlit as st

from app import auth, filters, meeting, reads, screen, turns
from s11data.store import db
from s11data.seed.load import prepare

PAGES_DIR = "../pages"
PAGE_NEEDS: dict[str, str] = {"upload": "import", "cycles": "cycles", "users": "users"}
"""url_path → the `Scope.can` action a page needs; other roles do not get it in navigation (a deep link to it
falls back to the default page), and the page checks again itself."""


@st.cache_resource(show_spinner="Preparing the database…")
def _prepared(url: str) -> bool:
    """Migrate (and on the embedded default, seed) once per process; then freeze the start-up heap.

    `gc.freeze()` moves the ~1 M objects of the loaded libraries out of the garbage collector's reach: without
    it every full collection walks them all, a pause of ~0.1 s that lands on whichever page run allocates next
    (measured on the national set). Objects made later are collected as usual."""
    prepare(db.get_engine(url))
    gc.freeze()
    return True


def run() -> None:
    """One script run: sign-in, then the page asked for. A database that is busy or down, anywhere in the run
    (sign-in, a page's read or write), ends the run with a message in words; other errors are raised as usual."""
    try:
        with turns.turn():
            _run()
    except Exception as error:  # noqa: BLE001 - only the database's absence is handled here; the rest re-raised
        message = db.unavailable(error)
        if message is None:
            raise
        st.error(message, icon=":material/cloud_off:")
        st.stop()


def _run() -> None:
    _prepared(db.database_url())
    reads.note_data_version()  # cached reads this run are keyed by it: a write anywhere shows on the next run
    pages = [
        st.Page(f"{PAGES_DIR}/overview.py", title="Overview", icon=":material/dashboard:", url_path="home",
                default=True),
        st.Page(f"{PAGES_DIR}/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview",
                visibility="hidden"),  # /overview, as people type it: the same page
        st.Page(f"{PAGES_DIR}/heat_map.py", title="Heat map", icon=":material/grid_on:", url_path="heat-map"),
        st.Page(f"{PAGES_DIR}/trends.py", title="Trends", icon=":material/trending_up:", url_path="trends"),
        st.Page(f"{PAGES_DIR}/agency.py", title="Agency", icon=":material/apartment:", url_path="agency"),
        st.Page(f"{PAGES_DIR}/engagement.py", title="Engagement", icon=":material/forward_to_inbox:",
                url_path="engagement"),
        st.Page(f"{PAGES_DIR}/actions.py", title="Actions", icon=":material/task_alt:", url_path="actions"),
        st.Page(f"{PAGES_DIR}/report.py", title="Report", icon=":material/description:", url_path="report"),
        st.Page(f"{PAGES_DIR}/upload.py", title="Upload returns", icon=":material/upload_file:", url_path="upload"),
        st.Page(f"{PAGES_DIR}/cycles.py", title="Cycles & invitations", icon=":material/event_note:",
                url_path="cycles"),
        st.Page(f"{PAGES_DIR}/users.py", title="Users", icon=":material/manage_accounts:", url_path="users"),
    ]
    scope = auth.require_user(pages)  # the gate: no page runs without a signed-in user (pages: keeps deep links)
    pages = [p for p in pages if p.url_path not in PAGE_NEEDS or scope.can(PAGE_NEEDS[p.url_path])]
    filters.sync()  # shared filters: an incoming link wins, then they are kept in the URL across pages
    filters.register_pages(pages)
    screen.apply()
    if not screen.is_on():
        meeting.close_bar()
        screen.toggle()
        st.navigation(pages, position="sidebar").run()
        return
    page = st.navigation(pages, position="hidden")  # meeting mode: the agenda in the meeting bar navigates
    meeting.set_current(page.url_path)
    meeting.open_bar(screen.toggle, filters.page_link)
    page.run()
