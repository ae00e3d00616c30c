"""What every page shares: database readiness, sign-in, navigation by role, banners."""
from __future__ import annotations

import streamlit as st

from app import filters, screen
from s11data import db

PAGES_DIR = "../pages"


@st.cache_resource(show_spinner="Preparing the database…")
def _prepared(url: str) -> bool:
    """Migrate (and on the embedded default, seed) once per process."""
    db.prepare(db.get_engine(url))
    return True


def run() -> None:
    _prepared(db.database_url())
    pages = [
        st.Page(f"{PAGES_DIR}/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview",
                default=True),
        st.Page(f"{PAGES_DIR}/heat_map.py", title="Heat map", icon=":material/grid_on:", url_path="heat-map"),
        st.Page(f"{PAGES_DIR}/trends.py", title="Trends", icon=":material/trending_up:", url_path="trends"),
        st.Page(f"{PAGES_DIR}/agency.py", title="Agency", icon=":material/apartment:", url_path="agency"),
    ]
    filters.sync()  # shared filters: an incoming link wins, then they are kept in the URL across pages
    filters.register_pages(pages)
    screen.apply()
    screen.toggle()
    st.navigation(pages, position="top" if screen.is_on() else "sidebar").run()
