"""Cycles & invitations (business managers and admins): set up a partnership's next audit cycle with its framework,
then its invitation list. Every write goes through `s11data.admin.cycles` (scoped, audited, all or nothing)."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from app import filters, reads, tables, writes
from app.session import current_scope
from app.text import plain
from s11data.admin import cycles
from s11data.store import db
from s11data.store.models import Method, Scale, Sector

PAGE = "cycles"  # the flash key of this page's writes
COPY, UPLOAD = "Copy an earlier cycle's framework", "Upload a framework file"

scope = current_scope()
st.title("Cycles & invitations")
if not scope.can("cycles"):
    st.error("Only business managers and admins can set up cycles and invitations.")
    st.stop()
f = filters.sidebar(scope, show=("partnership", "cycle"))
if f.partnership_id is None:
    st.warning("There is no partnership in your scope yet.")
    st.stop()
filters.illustrative_banner(f)
writes.flash(PAGE)
today = dt.date.today()

with reads.refused_stops():
    listed = reads.cycles(scope, partnership_id=f.partnership_id)
    sources = reads.framework_sources(scope)

# --- the partnership's cycles ---------------------------------------------------------------------------------
st.subheader(plain(f"Cycles of {f.partnership_name}"))
if listed.empty:
    st.info("No cycle yet: set up the first one below.")
else:
    tables.show(listed, name=f"cycles {f.partnership}", key="cycles")

# --- a new cycle ----------------------------------------------------------------------------------------------
st.subheader("Set up a new cycle")
latest = listed.iloc[0] if not listed.empty else None
how = st.radio("Framework (the questions of the cycle)", [COPY, UPLOAD], key="cycle_how", horizontal=True)
if how == UPLOAD:
    st.caption("One row per question with the columns **section**, **section_title**, **code**, **question** and "
               "**themes** (one or more of the stable list, separated by ';'). Start from the template, or "
               "download an earlier cycle's framework below and edit it.")
    left, right, _rest = st.columns([1, 1, 3])
    left.download_button("Framework template · CSV", data=lambda: cycles.framework_template("csv"),
                         file_name="s11-framework-template.csv", mime="text/csv", on_click="ignore",
                         key="framework_template_csv", icon=":material/download:")
    right.download_button("Framework template · XLSX", data=lambda: cycles.framework_template("xlsx"),
                          file_name="s11-framework-template.xlsx", mime=tables.XLSX_MIME, on_click="ignore",
                          key="framework_template_xlsx", icon=":material/download:")

methods, scales = [m.value for m in Method], [s.value for s in Scale]
form_key = f"{f.partnership_id}_{len(listed)}"  # a new form (with the next label) once a cycle is set up
with st.form(f"new_cycle_{form_key}"):
    label = st.text_input("Label", value=cycles.next_label(latest["cycle"] if latest is not None else None),
                          key=f"cycle_label_{form_key}", max_chars=12,
                          help="The year of the audit as your reports write it: 2025-26, or 2025 for a calendar year.")
    left, right = st.columns(2)
    method = left.selectbox("Method", methods, key="cycle_method",
                            index=methods.index(latest["method"]) if latest is not None else 0)
    scale = right.selectbox("Scale of the grades", scales, key="cycle_scale",
                            index=scales.index(latest["scale"]) if latest is not None else 0,
                            help="RAG (Green/Amber/Red), 0-3 (3 green, 2 amber, 0-1 red), or none (no grades, "
                                 "e.g. a peer review)")
    title = st.text_input("Title", key=f"cycle_title_{form_key}", placeholder="e.g. Section 11 audit 2025-26")
    due_col, start_col, end_col = st.columns(3)
    due = due_col.date_input("Returns due", value=None, key="cycle_due", format="DD/MM/YYYY")
    start = start_col.date_input("Period starts (optional)", value=None, key="cycle_start", format="DD/MM/YYYY")
    end = end_col.date_input("Period ends (optional)", value=None, key="cycle_end", format="DD/MM/YYYY")
    source = upload = None
    if how == COPY:
        names = {int(r.cycle_id): f"{r.partnership} {r.cycle} ({r.questions} questions)" for r in sources.itertuples()}
        own = [int(r.cycle_id) for r in sources.itertuples() if r.partnership_id == f.partnership_id]
        if names:
            source = st.selectbox("Copy the framework of", list(names), format_func=names.get, key="cycle_source",
                                  index=list(names).index(own[0]) if own else 0)
        else:
            st.caption("No cycle in your partnerships has questions yet: upload a framework file instead.")
    else:
        upload = st.file_uploader("Framework file (CSV or Excel .xlsx)", type=["csv", "xlsx", "txt", "tsv"],
                                  key="cycle_framework_file")
    submitted = st.form_submit_button("Set up cycle", type="primary", icon=":material/add_circle:")


if submitted:
    framework: cycles.Framework | None = None
    ready = True
    if how == UPLOAD:
        if upload is None:
            st.error("Choose the framework file to upload.")
            ready = False
        else:
            try:
                framework = cycles.read_framework(upload.getvalue(), upload.name)
            except cycles.FrameworkRefused as refused:
                st.error(f"{plain(upload.name)} was not used: fix these {len(refused.problems)} problem(s) and upload it "
                         "again. Nothing was saved.", icon=":material/error:")
                tables.show(refused.frame(), name=f"framework problems {upload.name}", key="framework_problems")
                ready = False
    elif source is None:
        st.error("There is no framework to copy: upload a framework file.")
        ready = False
    if ready:
        def _set_up(session):  # type: ignore[no-untyped-def]
            cycle = cycles.add_cycle(session, scope, f.partnership_id, label, method, scale, title, due, start, end,
                                     framework_from_cycle_id=source, framework=framework)
            filters.set_param("cycle", cycle.label)  # after the reload the page (and every page) shows the new cycle
            return cycle.label, len(cycle.questions)
        origin = names[source].rsplit(" (", 1)[0] if source is not None else upload.name  # type: ignore[union-attr]
        writes.run(_set_up, lambda made: f"Cycle {made[0]} set up for {f.partnership_name}, with "
                   f"{made[1]} questions from {origin}. Now invite the organisations below; the "
                   "Upload page has the return templates.", page=PAGE)

# --- the chosen cycle: framework and invitation list ----------------------------------------------------------
if f.cycle_id is None:
    st.stop()
st.subheader(f"Invitation list · {f.cycle}")
invited = reads.invitations(scope, cycle_id=f.cycle_id)
if invited.empty:
    st.info(f"Nobody is invited to {f.cycle} yet.")
else:
    tables.show(invited, name=f"invitations {f.partnership} {f.cycle}", key="invited",
                links={"organisation": "agency"})
with st.expander(f"Framework of {f.cycle}", icon=":material/list_alt:"):
    st.caption("Download it to edit for a new cycle, then upload it above.")
    tables.show(reads.framework(scope, cycle_id=f.cycle_id), name=f"framework {f.partnership} "
                f"{f.cycle}", key="framework")

st.markdown(f"**Invite organisations to {f.cycle}**")
known = reads.not_yet_invited(scope, cycle_id=f.cycle_id)
known_labels = {int(r.organisation_id): f"{r.organisation} (last: {r.last_cycle})" for r in known.itertuples()}
chosen = st.multiselect(f"From {f.partnership}'s earlier cycles", list(known_labels), format_func=known_labels.get,
                        key=f"invite_known_{f.cycle_id}", placeholder="Choose organisations")
search = st.text_input("Search every organisation", key="invite_search", placeholder="Part of a name or alias")
with db.read_session(db.get_engine(db.database_url())) as session:
    found = cycles.find_organisations(session, scope, search)
found = found[~found["organisation_id"].isin(invited["organisation_id"])] if not invited.empty else found
found_labels = {int(r.organisation_id): f"{r.organisation} ({r.sector})" for r in found.itertuples()}
if search.strip() and not found_labels:
    st.caption(plain(f"No organisation not yet invited matches '{search.strip()}': add it below if it is new."))
picked = st.multiselect("Found", list(found_labels), format_func=found_labels.get, key=f"invite_found_{f.cycle_id}",
                        placeholder="Choose from the search", disabled=not found_labels)
on = st.date_input("Invited on", value=today, max_value=today, key="invite_on", format="DD/MM/YYYY")
if st.button("Invite", type="primary", key="invite_button", icon=":material/forward_to_inbox:"):
    wanted = [*chosen, *picked]
    writes.run(lambda s: cycles.invite(s, scope, f.cycle_id, wanted, on=on), lambda result: result.message,
               page=PAGE)

others = listed[(listed["cycle_id"] != f.cycle_id) & (listed["invited"] > 0)]
if not others.empty:
    same = {int(r.cycle_id): f"{r.cycle} ({r.invited} invited)" for r in others.itertuples()}
    pick_col, button_col = st.columns([3, 2], vertical_alignment="bottom")
    copy_from = pick_col.selectbox("Or invite the same organisations as", list(same), format_func=same.get,
                                   key=f"invite_same_{f.cycle_id}")
    if button_col.button(f"Invite the same as {same[copy_from].split(' ')[0]}", key="invite_same_button"):
        writes.run(lambda s: cycles.copy_invitations(s, scope, copy_from, f.cycle_id, on=on),
                   lambda result: result.message, page=PAGE)

added = st.session_state.setdefault("cycles_organisations_added", 0)  # a fresh form after each one added; a
new_org = st.expander("Add a new organisation", icon=":material/domain_add:")  # refused one keeps what was typed
with new_org, st.form(f"new_organisation_{added}"):
    org_name = st.text_input("Name", key=f"org_name_{added}", max_chars=cycles.NAME_MAX)
    sector_col, aliases_col = st.columns([1, 2])
    sector = sector_col.selectbox("Sector", [s.value for s in Sector], key=f"org_sector_{added}")
    aliases = aliases_col.text_input("Other names it goes by (optional, separated by ';')", key=f"org_aliases_{added}",
                                     placeholder="e.g. an abbreviation")
    different = st.checkbox("I have checked: it is not one of the similar names already known",
                            key=f"org_different_{added}",
                            help="Tick only after a near-miss warning, when it really is another organisation.")
    and_invite = st.checkbox(f"Invite it to {f.cycle} (invited on the date above)", value=True,
                             key=f"org_invite_{added}")
    if st.form_submit_button("Add organisation", icon=":material/add_business:"):
        def _add(session):  # type: ignore[no-untyped-def]
            org = cycles.add_organisation(session, scope, org_name, sector, aliases.split(";"),
                                          partnership_id=f.partnership_id, different=different)
            if and_invite:
                cycles.invite(session, scope, f.cycle_id, [org.id], on=on)
            st.session_state["cycles_organisations_added"] = added + 1
            return org
        writes.run(_add, lambda org: f"Added {org.name}" + (f" and invited it to {f.cycle}." if and_invite
                                                             else "."), page=PAGE)

removable = invited[invited["return"] == "no"] if not invited.empty else invited
if not invited.empty:
    st.markdown(f"**Remove an invitation from {f.cycle}**")
    if removable.empty:
        st.caption("Every invited organisation has sent a return, so none can be removed.")
    else:
        options = {int(r.invitation_id): r.organisation for r in removable.itertuples()}
        pick_col, button_col = st.columns([3, 2], vertical_alignment="bottom")
        gone = pick_col.selectbox("Organisation", list(options), format_func=options.get, key="remove_pick",
                                  help="Only organisations with no return in this cycle; its contacts go with it.")
        if button_col.button("Remove invitation", key="remove_button", icon=":material/person_remove:"):
            writes.run(lambda s: cycles.remove_invitation(s, scope, gone),
                       lambda name: f"{name} is no longer invited to {f.cycle}.", page=PAGE)
        if len(removable) < len(invited):
            st.caption("Organisations that have sent a return for this cycle stay on the list.")
