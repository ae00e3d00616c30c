"""Agency drill-down: one organisation across every cycle and partnership — grades, evidence, recommendations,
engagement. Every organisation name in the app links here (`/agency?org=…`)."""
from __future__ import annotations

import streamlit as st

from app import charts, filters, meeting, reads, screen, tables
from app.session import current_scope
from app.text import plain
from s11data.charts import NOT_ANSWERED, NOT_PUBLISHED

scope = current_scope()
large = screen.is_on()
title = st.empty()  # 'Agency'; in meeting mode 'Agency · <organisation>' in the meeting bar
f = filters.sidebar(scope, show=("organisation",), across_partnerships=True,
                    container=None if large else st.container(),  # meeting mode: in the filter chip
                    in_title=("organisation",))  # the meeting bar's title names it
with title.container():
    meeting.title(f"Agency · {f.org}" if large and f.org else "Agency")
if f.organisation_id is None:
    everyone = filters.choices(scope).organisations
    organisations = sorted((o for o in everyone if f.partnership_id in o.partnership_ids),
                           key=lambda o: o.name.lower())
    meeting.headline(f"Choose the agency to discuss: {len(organisations)} organisations of {f.partnership_name}")
    if not large:
        st.info("Choose an organisation above (type part of its name), or follow any organisation name in the app.")
        st.caption(f"{len(organisations)} organisations of {plain(f.partnership_name or '')}"
                   + (f" ({len(everyone):,} in all your partnerships: type a name above to find any)"
                      if len(everyone) > len(organisations) else ""))
    with meeting.picture():
        lists = st.columns(3 if large else 1)  # meeting mode: three columns, all on the first screen
        for i, org in enumerate(organisations):
            with lists[i * len(lists) // max(len(organisations), 1)]:
                filters.page_link("agency", org.name, org=org.name)
    st.stop()

with reads.refused_stops():
    profile = reads.agency_profile(scope, organisation_id=f.organisation_id)

if not large:  # meeting mode: the name is in the title
    st.header(plain(profile.name), anchor=False)
lead = st.container()  # meeting mode: the headline and the ratings history first
st.text(f"Sector: {profile.sector}" + (f" · also written: {', '.join(profile.aliases)}" if profile.aliases else ""))
if any("Illustrative" in p for p in profile.engagement["partnership"]):
    st.info("**Illustrative data** — this organisation belongs to the fictional demo partnership.",
            icon=":material/science:")

open_actions = profile.recommendations[profile.recommendations["status"].isin(["open", "in progress",
                                                                              "not started"])]
cols = st.columns(4)
cols[0].metric("Cycles invited to", len(profile.engagement), border=True)
returned = int(profile.engagement["status"].isin(["submitted", "late", "reviewed", "national return"]).sum())
cols[1].metric("Returns / reviews", returned, border=True)
cols[2].metric("Recommendations to it", len(profile.recommendations), border=True)
cols[3].metric("Still open", len(open_actions), border=True)
with lead:
    meeting.headline([f"invited to {len(profile.engagement)} {'cycle' if len(profile.engagement) == 1 else 'cycles'}",
                      f"{returned} {'return or review' if returned == 1 else 'returns or reviews'}",
                      f"{len(profile.recommendations)} "
                      f"{'recommendation' if len(profile.recommendations) == 1 else 'recommendations'}, "
                      f"{len(open_actions)} still open"])

st.subheader("Ratings history")
grades = profile.grades
if grades.empty:
    st.info("No grades recorded for this organisation (ungraded peer reviews show their responses below).")
else:
    names = {p.name: p.key for p in filters.choices(scope).partnerships}
    long = grades.melt(id_vars=["partnership", "cycle", "method", "source"], var_name="grade", value_name="count")
    long = long[long["count"].fillna(0).astype(int) > 0]
    given = long["grade"] != NOT_ANSWERED  # questions left out: said beside the bar ('× 2 not answered'), not a %
    long["percent"] = (100 * long["count"] / long[given].groupby(["partnership", "cycle"])["count"]
                       .transform("sum")).where(given)
    long["label"] = long["partnership"].map(names) + " " + long["cycle"] + " · " + long["source"]
    order = list(dict.fromkeys(long.sort_values(["cycle", "partnership"], ascending=[False, True])["label"]))
    with meeting.picture(lead):
        charts.rag_bars(long, label="label", label_order=order, large=large,
                        alt_text=f"Grades of {profile.name} per cycle")
    if (grades["source"] == "published aggregate").any():
        st.caption("Published aggregate: the report's own per-organisation counts (e.g. NSSCP Appendix One, whose "
                   "colours were lost in the text and are read as green, amber, red).")
    tables.show(grades, name=f"grades {profile.name}", key="agency_grades")
    for row in grades.drop_duplicates(["partnership", "cycle"]).itertuples():
        filters.page_link("heat-map", f"{row.partnership} {row.cycle} on the heat map →",
                          partnership=names.get(row.partnership, row.partnership), cycle=row.cycle, org=profile.name)

st.subheader("Evidence")
if profile.evidence.empty:
    st.info("No answers recorded.")
else:
    evidence = profile.evidence.fillna("")
    cycles = list(dict.fromkeys(evidence["partnership"] + " " + evidence["cycle"]))
    chosen = st.selectbox("Cycle", cycles, key="agency_evidence_cycle")
    shown = evidence[(evidence["partnership"] + " " + evidence["cycle"]) == chosen].copy()
    shown["self"] = shown["self"].replace("", NOT_PUBLISHED)
    tables.show_or_list(shown, name=f"evidence {profile.name} {chosen}", key="agency_evidence",
                        line=["question", "self", "moderated", "text"], whole="evidence")

st.subheader("Recommendations and their progress")
if profile.recommendations.empty:
    st.info("No recommendation or commitment is addressed to this organisation.")
else:
    tables.show_or_list(profile.recommendations, name=f"recommendations {profile.name}", key="agency_recs",
                        line=["cycle", "kind", "number", "status", "due", "owner", "latest update"], whole="text")
    filters.page_link("actions", "All actions →")

st.subheader("Engagement history")
tables.show(profile.engagement, name=f"engagement {profile.name}", key="agency_engagement")
if not profile.contacts.empty:
    tables.show_or_list(profile.contacts, name=f"contacts {profile.name}", key="agency_contacts",
                        line=["date", "kind", "partnership", "cycle"], whole="detail")
filters.page_link("engagement", "Engagement across the partnership →")
