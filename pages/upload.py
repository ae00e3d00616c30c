"""Upload returns (business managers and admins): choose the cycle, get a template, drop a file, see every
problem and every change, import once, and look back at what each upload changed."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app import filters, tables
from app.text import plain  # a file name or a name from the file is never read as Markdown
from app.session import current_scope
from s11data.returns import importer, templates
from s11data.returns.return_file import MAX_FILE_BYTES, size_text
from s11data.store import db
from s11data.store.errors import DatabaseBusy, UserError
from s11data.store.scope import ScopeError

DONE_KEY = "upload_done"  # file hash + target → the committed result: a second click never imports twice
PREVIEW_KEY = "upload_preview"  # file hash + target → the dry run shown before Import

scope = current_scope()
st.title("Upload returns")
if not scope.can("import"):
    st.error("Only business managers and admins can upload returns.")
    st.stop()
engine = db.get_engine()

st.subheader("1. Choose the cycle")
f = filters.sidebar(scope, show=("partnership", "cycle"), container=st.container())
if not f.cycle:
    st.warning("This partnership has no cycle yet: set one up first.")
    filters.page_link("cycles", "Set up a cycle and its invitation list →", icon=":material/event_note:")
    st.stop()
from_file = st.toggle("Take the partnership and cycle from each row of the file (e.g. an export of several "
                      "cycles)", key="upload_from_file")
target = (None, None) if from_file else (f.partnership_name, f.cycle)

st.subheader("2. Get a template")
st.caption(f"Pre-filled with the question codes and invited organisations of {plain(f.partnership_name or '')} {plain(f.cycle or '')}. "
           "Long form: one row per organisation and question. Wide form: one row per organisation.")


def _template(layout: str, fmt: str):  # type: ignore[no-untyped-def]
    """Build the file only when its button is clicked (runs outside the script: no st calls)."""
    def build() -> bytes:
        with db.read_session(engine) as session:
            return templates.template_file(session, scope, f.partnership_name, f.cycle, layout, fmt)[1]
    return build


columns = st.columns(4)
for index, (layout, fmt) in enumerate([("long", "csv"), ("long", "xlsx"), ("wide", "csv"), ("wide", "xlsx")]):
    columns[index].download_button(f"{layout.capitalize()} form · {fmt.upper()}", data=_template(layout, fmt),
                                   file_name=templates.file_name(f.partnership or "", f.cycle, layout, fmt),
                                   mime=templates.MIME[fmt], on_click="ignore",
                                   key=f"template_{layout}_{fmt}", icon=":material/download:")

st.subheader("3. Upload the completed return")
upload = st.file_uploader("Return file (CSV or Excel .xlsx)", type=["csv", "xlsx", "txt", "tsv"],
                          key="upload_file", help=f"Up to {size_text(MAX_FILE_BYTES)}, as exported by Microsoft "
                          "Forms, SurveyMonkey, SmartSurvey, Google Forms or Jotform, or the template. Nothing is "
                          "saved until you press Import.")


def _problems(result: importer.ImportResult) -> None:
    frame = result.problems_frame()
    if frame.empty:
        return
    st.dataframe(frame, hide_index=True, width="stretch",
                 column_config={"row": st.column_config.NumberColumn("row", format="%d"),
                                "problem": st.column_config.TextColumn("problem", width="large"),
                                "how to fix": st.column_config.TextColumn("how to fix", width="large")})
    st.caption("Download the list to send back to whoever filled in the return:")
    tables.download_buttons(frame, name=f"problems {result.filename}", key="upload_problems")


def _changes(result: importer.ImportResult) -> None:
    returns, ratings = result.return_counts(), result.rating_counts()
    for figures in ([("New returns", returns["new return"]), ("Corrected returns", returns["corrected return"]),
                     ("Unchanged returns", returns["unchanged"])],
                    [("New ratings", ratings["new"]), ("Changed ratings", ratings["changed"]),
                     ("Unchanged ratings", ratings["unchanged"]), ("No longer answered", ratings["removed"])]):
        for cell, (label, value) in zip(st.columns(4), figures):
            cell.metric(label, value)
    st.dataframe(result.returns_frame(), hide_index=True, width="stretch")
    changes = result.changes_frame()
    if not changes.empty:
        with st.expander(f"Every rating that changes ({len(changes)})", expanded=len(changes) <= 40):
            st.dataframe(changes, hide_index=True, width="stretch")


def _commit(data: bytes, name: str, key: str, partnership: str | None, cycle: str | None,
            partial_ok: bool) -> None:
    """The Import button's callback: runs once per file and target, whatever the number of clicks."""
    done = st.session_state.setdefault(DONE_KEY, {})
    if key in done:
        return
    done[key] = None  # claimed before the import starts
    try:
        result = importer.import_file(engine, scope, data, name, partnership, cycle, partial_ok=partial_ok)
    except (UserError, ScopeError) as exc:
        done.pop(key, None)
        st.session_state["upload_failure"] = str(exc)
        return
    except Exception as exc:  # noqa: BLE001 - no stack trace reaches a user
        done.pop(key, None)
        st.session_state["upload_failure"] = f"The import failed and nothing was changed ({type(exc).__name__})."
        return
    done[key] = result
    st.cache_data.clear()  # every page's cached reads now see the new returns


failure = st.session_state.pop("upload_failure", None)
if failure:
    st.error(failure)

if upload is not None:
    data = upload.getvalue()
    sha = importer.sha256_of(data)
    key = f"{sha}|{target[0]}|{target[1]}"
    committed = st.session_state.get(DONE_KEY, {}).get(key)
    if committed is not None:
        (st.success if committed.ok else st.error)(plain(committed.summary()))
        _problems(committed)
        _changes(committed)
    else:
        previews = st.session_state.setdefault(PREVIEW_KEY, {})
        if key not in previews:
            with st.spinner("Checking the file…"):
                try:
                    previews.clear()
                    previews[key] = importer.check_file(engine, scope, data, upload.name, *target)
                except DatabaseBusy as exc:
                    st.error(str(exc))
                    st.stop()
                except Exception as exc:  # noqa: BLE001 - no stack trace reaches a user
                    st.error(f"The file could not be checked ({type(exc).__name__}); nothing was changed.")
                    st.stop()
        preview = previews[key]
        st.caption(plain(f"{upload.name} · {importer.counted(preview.rows, 'row')} · SHA-256 {sha[:16]}…"))
        if not preview.ok:
            st.error(plain(preview.summary()))
            _problems(preview)
        else:
            st.info(plain(preview.summary()))
            _problems(preview)
            _changes(preview)
            partial_ok = bool(preview.partial_held) and st.checkbox(
                f"Partial returns are complete as sent: mark {importer.counted(preview.partial_held, 'invitation')}"
                " as submitted", key=f"partial_{sha[:16]}",
                help="A partial return is imported either way; ticked, its invitation also becomes submitted "
                     "(or late) instead of staying as it is.")
            counts = preview.return_counts()
            if counts["new return"] or counts["corrected return"] or preview.invitations_marked or partial_ok:
                label = (f"Import {importer.counted(preview.imported, 'rating')}" if preview.imported
                         else "Import: mark the invitations")
                st.button(label, type="primary", key=f"commit_{sha[:16]}", on_click=_commit,
                          args=(data, upload.name, key, *target, partial_ok), icon=":material/upload:")

st.subheader("Upload history")
with db.read_session(engine) as session:
    history = importer.uploads(session, scope)
if history.empty:
    st.caption("No uploads yet.")
else:
    shown = history.assign(sha256=history["sha256"].str[:16])
    st.dataframe(shown, hide_index=True, width="stretch",
                 column_config={"when": st.column_config.DatetimeColumn("when", format="YYYY-MM-DD HH:mm")})
    labels = {int(r.upload): f"#{r.upload} · {r.file} · {pd.Timestamp(r.when):%Y-%m-%d %H:%M} · {r.who}"
              for r in history.itertuples()}
    chosen = st.selectbox("See what an upload changed", list(labels), format_func=labels.get,
                          key="upload_history_pick")
    with db.read_session(engine) as session:
        changed = importer.upload_changes(session, scope, int(chosen))
    if changed.empty:
        st.caption("That upload changed no ratings you can see.")
    else:
        st.dataframe(changed, hide_index=True, width="stretch")
