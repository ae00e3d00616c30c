"""The Streamlit entry point: prepares the database, signs the user in, and routes to the pages."""
from __future__ import annotations

import streamlit as st

from app import shell

st.set_page_config(page_title="s11 dashboard", page_icon=":material/shield:", layout="wide")
shell.run()
