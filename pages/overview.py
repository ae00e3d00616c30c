"""Overview: placeholder until the dashboard pages land (issue 5)."""
import streamlit as st

st.title("Section 11 overview")
