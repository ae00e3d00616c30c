"""Actions: open recommendations and commitments, overdue and due-soon first, with their dated progress.

Business managers and admins add and edit recommendations; they and the chairs of the owning subgroup add
progress updates (history is kept, never overwritten). Executives read.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from app import filters, meeting, reads, screen, tables, writes
from app.session import current_scope
from app.text import plain
from s11data.charts import action_flag_style
from s11data.views import actions, figures, words
from s11data.store.errors import UserError
from s11data.store.models import STABLE_THEMES, ActionKind, ActionStatus, Role

scope = current_scope()
f = filters.sidebar(scope, show=("partnership", "cycle", "theme", "organisation"))
large = screen.is_on()
today = dt.date.today()
filters.partnership_header("Actions", f, "actions")

is_chair = scope.role == Role.CHAIR and not scope.everything
my_themes = is_chair and f.theme_param == filters.MY_THEMES  # a chair's default: their subgroup's or themes' actions
c1, c2, c3 = meeting.controls().columns(3)
this_cycle = c1.toggle(f"Only cycle {f.cycle}", value=False, key="actions_this_cycle",
                       help="Off: the open actions of every cycle of the partnership.")
closed_too = c2.toggle("Show complete and superseded", value=False, key="actions_closed_too")
mine_help = ("Chairs: the actions your subgroup owns and those on your themes (off: every action on your themes)."
             if my_themes else "Chairs: the actions your subgroup owns.")
mine = c3.toggle(f"Only {scope.subgroup or 'my subgroup'}'s actions" + (" or my themes'" if my_themes else ""),
                 value=True, key="actions_mine", disabled=not is_chair, help=mine_help) if is_chair else False
view = figures.action_view(scope, f.theme_id, my_themes, mine=mine)  # subgroup's OR themes' actions
try:
    table = reads.actions(scope, today=today, partnership_id=f.partnership_id,
                          cycle_id=f.cycle_id if this_cycle else None, organisation_id=f.organisation_id,
                          only_open=not closed_too, **view)
    counts = reads.action_figures(scope, f.partnership_id, today=today, cycle_id=f.cycle_id if this_cycle else None,
                                  organisation_id=f.organisation_id, **view)
except UserError as exc:
    st.error(str(exc))
    st.stop()

# --- headline: open, overdue, due soon --------------------------------------------------------------------------
meeting.headline([f"{counts.open} open {'action' if counts.open == 1 else 'actions'}", counts.overdue_words,
                  f"{counts.due_soon} due within {actions.DUE_SOON_DAYS} days" if counts.due_soon else ""])
lead = st.container()  # meeting mode: the table comes before the figures repeated in boxes
m1, m2, m3 = st.columns(3)
m1.metric("Open actions", counts.open, border=True)
m2.metric("Overdue", counts.overdue, border=True)
m3.metric(f"Due within {actions.DUE_SOON_DAYS} days", counts.due_soon, border=True)
if counts.undated:
    st.caption(f"{counts.open} open actions · no due date: none of them has one, so none can show as overdue."
               if counts.undated == counts.open else f"{counts.undated} open with no due date.")
st.caption(f"{f.describe() if this_cycle else (f.partnership_name or '') + ', all cycles'} · as of "
           f"{words.day(today)}. Flag: overdue (due date passed) or due soon (within {actions.DUE_SOON_DAYS} days). "
           "Theme change: the theme's % green in the partnership's next cycle against the cycle the action came "
           "from.")

MEETING_LINE = ["flag", "days_to_due", "target"]
"""Meeting mode: what a room reads of each action, on one line above its text (whole, wrapped); the downloads
and the page outside meeting mode keep every column."""
if table.empty:
    st.info("No actions in these filters.")
elif large:
    with meeting.picture(lead):
        tables.listed(table, key="actions", line=MEETING_LINE, whole="text", flag="flag")
    tables.download_buttons(table, name=f"actions {f.describe() if this_cycle else f.partnership}", key="actions")
else:
    tables.show(table, name=f"actions {f.describe() if this_cycle else f.partnership}", key="actions",
                links={"theme": "trends"}, style=action_flag_style,
                column_config={"text": st.column_config.TextColumn("text", width="large"),
                               "flag": st.column_config.TextColumn("flag", help="overdue / due soon"),
                               "theme_green": st.column_config.NumberColumn("theme % green", format="%.1f"),
                               "next_theme_green": st.column_config.NumberColumn("next % green", format="%.1f")})


# --- one action: its history and the forms ------------------------------------------------------------------------
st.subheader("Progress of one action")
if table.empty:
    st.write("No action in these filters.")
else:
    by_label = {f"{row.cycle} · {row.kind} {row.number}{' (' + row.made_by + ')' if row.made_by else ''} · "
                f"{row.text[:80]}": row.recommendation_id for row in table.itertuples()}
    editable = next((i for i, owner in enumerate(table["owner"]) if scope.owns(owner)), 0)  # one they can update
    chosen = int(by_label[st.selectbox("Action (one of the table above)", list(by_label), index=editable,
                                       key="actions_chosen")])
    row = table.set_index("recommendation_id").loc[chosen]
    st.markdown(f"**{plain(str(row['kind']).capitalize())} {plain(str(row['number']))}** ({plain(str(row['cycle']))}) — "
                f"{plain(str(row['text']))}")
    st.caption(plain(f"Owner: {row['owner'] or 'not recorded'} · status: {row['status']}"))
    history = reads.progress_history(scope, recommendation_id=chosen)
    if history.empty:
        st.write("No progress recorded yet.")
    else:
        tables.show(history, name=f"progress {row['cycle']} {row['kind']} {row['number']}", key="history")

    if scope.can("progress") and scope.owns(row["owner"]) and scope.can_read(f.partnership_id):
        with st.form("add_progress", clear_on_submit=True):
            st.markdown("**Add a progress update** (earlier updates are kept as they are)")
            statuses = [s.value for s in ActionStatus]
            status = st.selectbox("Status", statuses, index=statuses.index(row["status"]),
                                  key=f"progress_status_{chosen}")
            day = st.date_input("Date", value=today, max_value=today, key="progress_date", format="DD/MM/YYYY")
            text = st.text_area("Update", key="progress_text", max_chars=actions.TEXT_MAX)
            if st.form_submit_button("Add update", type="primary"):
                writes.run(lambda s: actions.add_progress(s, scope, chosen, status, text, day, today=today),
                           f"Progress added to {row['kind']} {row['number']} ({row['cycle']}): {status}.",
                           page="actions")
    elif is_chair:
        st.caption(plain(f"Chairs update the actions their subgroup owns; this one is owned by "
                         f"{row['owner'] or 'nobody yet'}."))

    if scope.can("recommendations") and scope.can_read(f.partnership_id):
        with st.form("edit_recommendation"):
            st.markdown("**Edit owner, due date or planned response**")
            owner = st.text_input("Owner", value=row["owner"], key=f"edit_owner_{chosen}", max_chars=200)
            due_text = st.text_input("Due date (YYYY-MM-DD, blank for none)", value=row["due"],
                                     key=f"edit_due_{chosen}")
            response = st.text_area("Planned response", value=row["response"], key=f"edit_response_{chosen}")
            if st.form_submit_button("Save changes", type="primary"):
                try:
                    due = dt.date.fromisoformat(due_text.strip()) if due_text.strip() else None
                except ValueError:
                    st.error(f"'{due_text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-03-31.")
                else:
                    writes.run(lambda s: actions.update_recommendation(s, scope, chosen, owner=owner,
                                                                       due_on=due, response=response),
                               f"Saved {row['kind']} {row['number']} ({row['cycle']}).", page="actions")

# --- a new recommendation ---------------------------------------------------------------------------------------
if scope.can("recommendations") and scope.can_read(f.partnership_id) and f.cycle_id is not None:
    with st.expander(f"Add a recommendation or commitment to {f.cycle}", icon=":material/add:"):
        orgs = reads.invitation_options(scope, partnership_id=f.partnership_id,
                         cycle_id=f.cycle_id)
        questions = reads.question_options(scope, cycle_id=f.cycle_id)
        with st.form("add_recommendation", clear_on_submit=True):
            number = st.text_input("Number (as published: 1, 4.2, a)", max_chars=20, key="new_number")
            kind = st.selectbox("Kind", [k.value for k in ActionKind], key="new_kind")
            made_by = st.text_input("Made by (e.g. Panel, Peer review; optional)", max_chars=100, key="new_made_by")
            text = st.text_area("Text", key="new_text", max_chars=actions.TEXT_MAX)
            target = st.selectbox("Asked of", ["Partnership", *sorted(set(orgs["organisation"]))], key="new_target")
            theme = st.selectbox("Theme", ["", *STABLE_THEMES], key="new_theme",
                                 format_func=lambda t: t or "(none)")
            by_code = {f"{q.code} – {q.text[:90]}": int(q.question_id) for q in questions.itertuples()}
            question = st.selectbox("Question it came from (optional)", ["", *by_code], key="new_question",
                                    format_func=lambda q: q or "(none)")
            owner = st.text_input("Owner (person, role or subgroup)", max_chars=200, key="new_owner")
            response = st.text_area("Planned response", key="new_response")
            due = st.date_input("Due date", value=None, key="new_due", format="DD/MM/YYYY")
            if st.form_submit_button("Add", type="primary"):
                writes.run(lambda s: actions.add_recommendation(
                    s, scope, f.cycle_id, number, text, kind=kind, made_by=made_by, target=target,
                    theme=theme or None, owner=owner, response=response, due_on=due,
                    question_id=by_code.get(question)),
                    f"Added {kind} {number} to {f.cycle}.", page="actions")
