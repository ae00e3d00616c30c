"""What every page shares: database readiness, sign-in, navigation by role, banners."""
from __future__ import annotations

import streamlit as st

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
    ]
    st.navigation(pages).run()
