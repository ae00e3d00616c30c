"""Report: the cycle's Section 11 report drafted from the data, its narrative written here, and the documents.

Business managers and admins write each narrative section (every save a new version; earlier ones listed);
executives and chairs read. The outline shows what the draft holds and which sections are still placeholders;
DOCX, PDF and HTML are built on demand. "Regional roll-up" combines several partnerships' cycles of one year.
"""
from __future__ import annotations

import streamlit as st

from app import filters, report_view
from app.session import current_scope
from s11data.store.errors import UserError
from s11data.store.scope import ScopeError

scope = current_scope()
f = filters.sidebar(scope, show=("partnership", "cycle"))
filters.partnership_header("Report", f, "report")
kind = st.segmented_control("Report of", ["This cycle", "Regional roll-up"], default="This cycle",
                            key="report_kind") or "This cycle"

if kind == "This cycle":
    if f.cycle_id is None:
        st.warning("This partnership has no cycle yet: set one up on the Cycles page.")
        st.stop()
    cycle_ids: tuple[int, ...] = (f.cycle_id,)
    name = f"Section 11 report {f.partnership} {f.cycle}"
else:
    st.caption("One report across several partnerships' cycles of one year: their figures side by side by theme, "
               "then each partnership's own report with its narrative.")
    cycle_ids = report_view.rollup_choice(scope)
    if len(cycle_ids) < 2:
        st.info("Choose at least two partnerships' cycles to combine.")
        st.stop()
    name = f"Section 11 regional report {st.session_state.get('rollup_year', '')}"

try:
    report, written = report_view.drafted(scope, cycle_ids)
except (UserError, ScopeError) as exc:
    st.error(str(exc), icon=":material/error:")
    st.stop()

# No tabs: a build's rerun would show the first tab again, hiding the download it brings.
st.subheader("Documents")
report_view.downloads(report, written, name)
st.subheader("Outline of the draft")
report_view.outline(report)
st.subheader("Narrative")
if kind == "This cycle":
    report_view.narrative_slots(scope, report, f.cycle_id, can_write=scope.can("report"))
else:
    st.info("Each partnership's narrative is written on its own report (choose 'This cycle'); the roll-up "
            "carries it into that partnership's chapter.")
