"""The Report page's drawing: the drafted report's outline, the narrative editors (or the text to read), and the
documents built on demand behind a progress indicator.

    report = report_view.drafted(scope, (cycle_id,))           # cached per scope, cycles and narrative versions
    report_view.outline(report)
    report_view.narrative_slots(scope, report, cycle_id)       # editors for business managers and admins
    report_view.downloads(report, "Section 11 report GSCP 2021")

Nothing in a report is drawn as Markdown or HTML: headings and titles are escaped, texts sit in text areas and
tables.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from app import filters, tables, turns, writes
from app.text import plain
from s11data.store import db
from s11data.report import document, draft, narrative, render, rollup
from s11data.store.scope import Scope

LOG = logging.getLogger(__name__)
DRAFT_TTL = 300
CHOICES = {fmt.upper(): fmt for fmt in render.FORMATS}
"""The formats as offered (DOCX, PDF, HTML) → render's format."""
Written = tuple[tuple[int, str, str, str, str], ...]
"""The narratives a draft merges in, as a hashable cache key: (cycle_id, key, text, author, written_at)."""


# --- reads -----------------------------------------------------------------------------------------------------

def written(scope: Scope, cycle_ids: Sequence[int]) -> Written:
    """The current narrative of each section of these cycles (read fresh: a save shows at the next run)."""
    with db.read_session(db.get_engine(db.database_url())) as session:
        return tuple((cid, n.key, n.text, n.author, n.written_at)
                     for cid in cycle_ids for n in narrative.latest(session, scope, cid).values())


def _by_cycle(items: Written) -> dict[int, dict[str, document.Narrative]]:
    out: dict[int, dict[str, document.Narrative]] = {}
    for cid, key, text, author, at in items:
        out.setdefault(cid, {})[key] = document.Narrative(key=key, title="", text=text, author=author, written_at=at)
    return out


@st.cache_data(ttl=DRAFT_TTL, max_entries=64, show_spinner=False)
def _drafted(cache_key: str, url: str, cycle_ids: tuple[int, ...], items: Written, _scope: Scope
             ) -> document.Report:
    by_cycle = _by_cycle(items)
    with db.read_session(db.get_engine(url)) as session:
        if len(cycle_ids) == 1:
            return draft.draft(session, _scope, cycle_id=cycle_ids[0], narratives=by_cycle.get(cycle_ids[0], {}))
        return rollup.draft_rollup(session, _scope, cycle_ids=cycle_ids, narratives=by_cycle)


def drafted(scope: Scope, cycle_ids: Sequence[int]) -> tuple[document.Report, Written]:
    """The drafted report of one cycle (or the roll-up of several) with the narratives it holds, cached per
    caller's scope, cycles and narrative versions."""
    items = written(scope, cycle_ids)
    if len(cycle_ids) > 1:
        turns.step_aside()  # a roll-up's draft takes seconds: others' pages go on meanwhile
    with st.spinner("Drafting the report from the data…"):
        return _drafted(scope.cache_key, db.database_url(), tuple(cycle_ids), items, scope), items


# --- drawing ---------------------------------------------------------------------------------------------------

def _what(block: document.Block) -> str:
    if isinstance(block, document.Narrative):
        return (f"narrative · written by {block.author}, {block.written_at}" if block.text
                else "PLACEHOLDER · not written yet")
    if isinstance(block, document.Table):
        return f"table · {block.caption} ({len(block.rows)} rows)"
    if isinstance(block, document.Chart):
        return f"chart · {block.caption}"
    return ""


def outline_frame(report: document.Report) -> pd.DataFrame:
    """The report's outline: its headings (indented by level) and, under them, each table, chart and narrative
    slot, placeholders marked."""
    rows, level = [], 1
    for block in report.blocks:
        if isinstance(block, document.Heading):
            level = block.level
            rows.append(("    " * (level - 1) + block.text, ""))
        elif isinstance(block, document.Narrative):
            rows.append(("    " * level + block.title, _what(block)))
        elif isinstance(block, (document.Table, document.Chart)):
            rows.append(("    " * level + "·", _what(block)))
    return pd.DataFrame(rows, columns=["section", "content"])


def outline(report: document.Report) -> None:
    """The title facts and the outline, placeholders counted."""
    slots = [b for b in report.blocks if isinstance(b, document.Narrative)]
    missing = sum(1 for b in slots if not b.text)
    st.text(f"{report.title}\n{report.subtitle}\n" + "\n".join(f"{k}: {v}" for k, v in report.facts))
    if report.illustrative:
        st.warning(plain(report.footer), icon=":material/science:")
    st.caption(f"{len(slots)} narrative sections: {len(slots) - missing} written, {missing} still a placeholder.")
    st.dataframe(outline_frame(report), hide_index=True, width="stretch",
                 column_config={"section": st.column_config.TextColumn("section", width="large")})


def narrative_slots(scope: Scope, report: document.Report, cycle_id: int, *, can_write: bool) -> None:
    """One text area per narrative section of the draft: editable with a Save button for writers (earlier
    versions listed), read-only for readers; a placeholder note where nothing is written yet."""
    for slot in (b for b in report.blocks if isinstance(b, document.Narrative)):
        title = slot.title or slot.key
        with st.container(border=True):
            st.markdown(f"**{plain(title)}**")
            if slot.text:
                st.caption(plain(f"Version by {slot.author}, {slot.written_at}."))
            else:
                st.caption("Not written yet: the report shows a placeholder here.")
            if can_write:
                _editor(scope, cycle_id, slot, title)
            elif slot.text:
                st.text_area(plain(title), value=slot.text, disabled=True, label_visibility="collapsed",
                             key=f"read_{cycle_id}_{slot.key}", height=160)


def _editor(scope: Scope, cycle_id: int, slot: document.Narrative, title: str) -> None:
    with st.form(f"narrative_{cycle_id}_{slot.key}", border=False):
        text = st.text_area(plain(f"Text of {title}"), value=slot.text, height=200,
                            max_chars=narrative.NARRATIVE_MAX, key=f"text_{cycle_id}_{slot.key}",
                            help="Plain text, shown and printed exactly as written.")
        if st.form_submit_button(f"Save {title}", type="primary"):
            writes.run(lambda s: narrative.save(s, scope, cycle_id, slot.key, text, title=title),
                       lambda row: f"Saved {title} (version {row.version}).", page="report")
    if slot.text:
        with st.expander("Earlier versions"):
            with db.read_session(db.get_engine(db.database_url())) as session:
                versions = narrative.history(session, scope, cycle_id, slot.key)
            tables.show(versions, name=f"narrative {slot.key} versions", key=f"versions_{cycle_id}_{slot.key}",
                        downloads=False, column_config={"text": st.column_config.TextColumn("text", width="large")})


def downloads(report: document.Report, items: Written, name: str) -> None:
    """Build a document on demand (a progress indicator while it builds), then offer it for download. A document
    built from an older draft (a narrative saved since) is built again."""
    stamp = hash((report.title, report.subtitle, items))
    choice = st.segmented_control("Format", list(CHOICES), default="DOCX", key="report_format") or "DOCX"
    fmt = CHOICES[choice]
    held_key = f"report_document_{fmt}"
    if st.button(f"Build the {choice}", icon=":material/description:", key=f"build_{fmt}"):
        turns.step_aside()  # a document takes seconds (a roll-up's, a minute): others' pages go on meanwhile
        with st.status(f"Building the {choice}…", expanded=False) as status:
            try:
                data = render.render(report, fmt)
            except Exception:  # noqa: BLE001 - a document engine's failure must not reach the user as a trace
                LOG.exception("building the %s failed", fmt)
                status.update(label=f"The {choice} could not be built; the error is in the server's log.",
                              state="error")
                return
            status.update(label=f"The {choice} is ready ({len(data) // 1024 + 1} KB).", state="complete")
        st.session_state[held_key] = (stamp, data)
    held = st.session_state.get(held_key)
    if held and held[0] == stamp:
        st.download_button(f"Download the {choice}", data=held[1], file_name=tables.file_stem(name) + render.EXTENSIONS[fmt],
                           mime=render.MEDIA_TYPES[fmt], key=f"download_{fmt}", on_click="ignore", icon=":material/download:",
                           type="primary")


def rollup_choice(scope: Scope) -> tuple[int, ...]:
    """The roll-up's cycles: a year, then the partnerships' cycles of that year (all chosen by default)."""
    c = filters.choices(scope)
    options = rollup.year_options(c.cycles)
    if not options:
        st.info("There are no cycles in your partnerships to combine yet.")
        return ()
    year = st.selectbox("Year", list(options), key="rollup_year")
    names = {p.id: p.name + (" (illustrative)" if p.illustrative else "") for p in c.partnerships}
    labels: Mapping[int, str] = {y.id: f"{names.get(y.partnership_id, '?')} · {y.label}" for y in options[year]}
    chosen = st.multiselect("Partnerships' cycles to combine", list(labels), default=list(labels),
                            format_func=lambda cid: labels[cid], key=f"rollup_cycles_{year}")
    return tuple(chosen)
