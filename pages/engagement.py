"""Engagement: who was invited, who responded, who is still missing and when they were last contacted.

Business managers (and admins) log contacts and change statuses here; everyone else reads.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app import charts, filters, meeting, reads, screen, tables, writes
from app.session import current_scope
from app.text import plain
from s11data.charts import status_board_style
from s11data.views import engagement, figures, words
from s11data.store.errors import UserError
from s11data.store.models import ContactKind, Engagement

scope = current_scope()
f = filters.sidebar(scope, show=("partnership", "cycle", "organisation"))
large = screen.is_on()
today = dt.date.today()
filters.partnership_header("Engagement", f, "engagement")

try:
    funnel = reads.funnel(scope, partnership_id=f.partnership_id)
    board = reads.status_board(scope, partnership_id=f.partnership_id,
                      organisation_id=f.organisation_id)
    chase = reads.chase_list(scope, today=today, partnership_id=f.partnership_id,
                      cycle_id=f.cycle_id)
    history = reads.contact_history(scope, partnership_id=f.partnership_id,
                        cycle_id=None if f.organisation_id else f.cycle_id, organisation_id=f.organisation_id)
except UserError as exc:
    st.error(str(exc))
    st.stop()

# --- the funnel and the response rate, cycle by cycle --------------------------------------------------------
lead = st.container()  # meeting mode: the headline first, then the funnel
st.subheader(" → ".join(words.heading(stage) for stage in engagement.FUNNEL_STAGES).capitalize())
if funnel.empty:
    st.info("No invitations recorded for this partnership yet.")
else:
    if large and f.cycle_id is not None:
        returns = reads.returns_figures(scope, cycle_id=f.cycle_id)
        with lead:
            meeting.headline([f"{f.cycle}: {figures.returns_words(returns.received, returns.expected)}",
                              f"{returns.to_chase} still to chase" if returns.to_chase else "nobody to chase",
                              f"{returns.on_time} on time" + (f", {returns.late} late" if returns.late else "")])
    left, right = meeting.picture(lead).columns([3, 2], gap="large")
    with left:  # meeting mode: the chosen cycle and the one before (the rate line on the right has them all)
        shown = engagement.recent_cycles(funnel, f.cycle) if large else funnel
        stages = engagement.funnel_long(shown).assign(stage=lambda d: d["stage"].astype(str).map(words.heading))
        charts.draw("stage_bars", stages, stage="stage", value="organisations", group="cycle",
                    stage_order=tuple(words.heading(s) for s in engagement.FUNNEL_STAGES), large=large,
                    alt_text="Organisations at each stage of the audit, per cycle")
    with right:
        if len(funnel) > 1:
            charts.draw("percent_line", funnel[["cycle", "response_rate"]], x="cycle", value="response_rate",
                        x_order=tuple(funnel["cycle"]), title=words.heading("response_rate"), large=large,
                        alt_text="Returns received as a % of those expected, across cycles")
        else:
            rate = funnel["response_rate"].iloc[0]
            st.metric(f"{words.heading('response_rate')} · {funnel['cycle'].iloc[0]}", "–" if pd.isna(rate) else f"{rate:.0f}%",
                      border=True)
    st.caption("Responded: a return, a review, a national return or a refusal. Returns received: a local "
               "return or a review, late ones included (the Overview's 'Returns received'). "
               "review (late ones included). Reviewed: a peer review or panel session held. National returns, "
               "two-year cycles and withdrawn services are their own states, not failures: the response rate is "
               "submitted ÷ expected, and they are not expected.")
    tables.show(funnel, name=f"engagement funnel {f.partnership}", key="funnel")

# --- status board -------------------------------------------------------------------------------------------
st.subheader("Status board")
st.caption("Each organisation's status in every cycle. **Awaiting response** is missing (to chase); national "
           "return, two-year cycle and withdrawn are not failures; did not engage and declined are. A blank "
           "cell: not invited that cycle.")
if board.empty:
    st.info("No organisation was invited in these filters.")
else:
    tables.show(board, name=f"status board {f.partnership}", key="board", links={"organisation": "agency"},
                style=status_board_style)

# --- chase list ---------------------------------------------------------------------------------------------
st.subheader(f"Chase list · {f.cycle}")
if chase.empty:
    st.write("Nobody to chase: every invited organisation has responded or has a recorded reason.")
else:
    st.caption(f"Awaiting a response or did not engage, longest without contact first; days counted to "
               f"{words.day(today)}.")
    tables.show(chase, name=f"chase list {f.partnership} {f.cycle}", key="chase", links={"organisation": "agency"})

# --- contact history ----------------------------------------------------------------------------------------
where = f"{f.org}, all cycles" if f.org else f"{f.cycle}"
st.subheader(plain(f"Contact history · {where}"))
if history.empty:
    st.write("No contacts recorded.")
else:
    tables.show_or_list(history, name=f"contacts {f.partnership} {where}", key="contacts",
                        links={"organisation": "agency"}, line=["date", "organisation", "kind", "cycle"],
                        whole="detail")


# --- writes: business managers and admins -------------------------------------------------------------------
if scope.can("invitations") and scope.can_read(f.partnership_id) and f.cycle_id is not None:
    options = reads.invitation_options(scope, partnership_id=f.partnership_id,
                        cycle_id=f.cycle_id)
    st.subheader(f"Record engagement · {f.cycle}")
    if options.empty:
        st.info("This cycle has no invitations yet.")
    else:
        by_label = {f"{row.organisation} ({row.status})": row.invitation_id for row in options.itertuples()}
        labels = list(by_label)
        default = next((i for i, row in enumerate(options.itertuples()) if row.organisation == f.org), 0)
        contact_col, status_col = st.columns(2, gap="large")
        with contact_col, st.form("log_contact", clear_on_submit=True):
            st.markdown("**Log a contact**")
            org = st.selectbox("Organisation", labels, index=default, key="contact_org")
            kind = st.selectbox("Kind", [k.value for k in ContactKind], key="contact_kind")
            day = st.date_input("Date", value=today, max_value=today, key="contact_date", format="DD/MM/YYYY")
            detail = st.text_area("Detail", key="contact_detail", max_chars=engagement.DETAIL_MAX,
                                  placeholder="Who was contacted, how, and what was agreed")
            if st.form_submit_button("Log contact", type="primary"):
                writes.run(lambda s: engagement.log_contact(s, scope, by_label[org], kind, day, detail, today=today),
                           f"Contact logged: {kind} on {words.day(day)} with {org}.", page="engagement")
        with status_col, st.form("set_status"):
            st.markdown("**Change a status**")
            org_s = st.selectbox("Organisation", labels, index=default, key="status_org")
            status = st.selectbox("New status", [s.value for s in Engagement], key="status_value")
            st.caption("National return, two-year cycle and withdrawn take an organisation out of the response "
                       "rate; did not engage and declined count against it.")
            if st.form_submit_button("Change status", type="primary"):
                writes.run(lambda s: engagement.set_status(s, scope, by_label[org_s], status),
                           f"Status changed: {org_s.rsplit(' (', 1)[0]} is now {status}.", page="engagement")
