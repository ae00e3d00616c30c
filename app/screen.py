"""Shared-screen mode: one toggle (URL `screen=1`) for large type, high contrast and no sidebar, for a meeting
room at 1920×1080. The look is static CSS only (no data is ever written into it); navigation moves to the top
bar and the filters into a collapsible box on the page (app.filters does that).

`apply()` runs once per script run from app.shell, before navigation. `is_on()` tells charts to draw large.
"""
from __future__ import annotations

import streamlit as st

from app import filters, tables
from s11data.charts import FLAG_FILL

BASE_CSS = """
<style>
/* WCAG AA everywhere: Streamlit's captions and placeholders are grey at 60% opacity on white (< 4.5:1). */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {
  color: #3d3d3d !important; opacity: 1 !important; }
[data-testid="stMetricLabel"] p { color: #1a1a1a !important; }
[data-testid="stWidgetLabel"] p { color: #111111 !important; }
a:focus-visible, button:focus-visible { outline: 3px solid #1f4e79 !important; outline-offset: 2px; }
</style>
"""

SCREEN_CSS = """
<style>
html { font-size: 24px !important; }
.stApp, .stApp p, .stApp li, .stApp span, .stApp label { color: #000000; }
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stSidebarCollapseButton"] { display: none !important; }
.stMainBlockContainer, .block-container { max-width: 100% !important; padding-left: 2.5rem !important;
  padding-right: 2.5rem !important; padding-top: 3.5rem !important; }
[data-testid="stMetricValue"] { font-size: 3rem !important; font-weight: 700 !important; color: #000000 !important; }
[data-testid="stMetricLabel"] p { font-size: 1.1rem !important; font-weight: 600 !important; }
[data-testid="stMetricDelta"] { font-size: 1rem !important; }
h1 { font-size: 2.2rem !important; } h2 { font-size: 1.7rem !important; } h3 { font-size: 1.35rem !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #111111 !important;
  font-size: 0.95rem !important; }
[data-testid="stPageLink"] p, [data-testid="stPageLink-NavLink"] p { font-size: 1rem !important; font-weight: 600; }
[data-testid="stPageLink"] a { text-decoration: underline !important; }
/* Meeting mode: the message first. No Streamlit header; one line of chrome; banners thin. */
[data-testid="stHeader"] { display: none !important; }
.stMainBlockContainer, .block-container { padding-top: 0.5rem !important; padding-bottom: 2rem !important;
  padding-left: 1.25rem !important; padding-right: 1.25rem !important; }
[data-testid="stAlertContainer"] { padding: 0.15rem 0.6rem !important; min-height: 0 !important; }
[data-testid="stAlert"] p, [data-testid="stAlert"] span { font-size: 0.7rem !important; line-height: 1.3 !important; }
[data-testid="stAlert"] [data-testid="stAlertDynamicIcon"] { font-size: 0.8rem !important; height: 0.9rem !important;
  width: 0.9rem !important; }
[data-testid="stAlert"] span:has(> [data-testid="stAlertDynamicIcon"]) { height: auto !important; }
[data-testid="stAlert"] [data-testid^="stAlertContent"], [data-testid="stAlert"] [data-testid^="stAlertContent"] div {
  font-size: 0.7rem !important; line-height: 1.3 !important; }
/* The page's blocks half as far apart as Streamlit's 1rem (24 px here): banners, bar, headline, picture. */
.stMainBlockContainer > [data-testid="stVerticalBlock"] { gap: 0.5rem !important; }
.st-key-meeting_bar { flex-wrap: nowrap !important; overflow: hidden; min-height: 0; }
.st-key-meeting_bar h1 { font-size: 1.5rem !important; padding: 0 !important; margin: 0 !important;
  white-space: nowrap; line-height: 1.2 !important; }
.st-key-meeting_bar > div { flex: 0 0 auto; }
.st-key-meeting_bar > div:first-child { flex: 1 1 auto; min-width: 0; }
.st-key-meeting_bar button { padding-top: 0.1rem !important; padding-bottom: 0.1rem !important;
  min-height: 0 !important; }
.st-key-meeting_bar [data-testid="stPageLink"] a { padding: 0.1rem 0.3rem !important; }
.st-key-meeting_bar p, .st-key-meeting_bar span, .st-key-meeting_bar button, .st-key-meeting_bar label {
  font-size: 0.75rem !important; white-space: nowrap; }
.st-key-meeting_bar [data-testid="stPageLink"] p { font-size: 0.75rem !important; }
.st-key-meeting_bar h1, .st-key-meeting_bar h1 span { font-size: 1.3rem !important; }
/* A long title (an agency's name) wraps inside its share of the line, never under the controls beside it. */
.st-key-meeting_bar h1, .st-key-meeting_bar h1 span { white-space: normal !important; overflow-wrap: break-word;
  line-height: 1.1 !important; }
.st-key-meeting_headline [data-testid="stText"], .st-key-meeting_headline div {
  font-size: 1.4rem !important; font-weight: 700 !important; line-height: 1.25 !important; color: #000 !important; }
/* Metric cards (below the picture): a value or delta wraps whole words inside its card, never cut ("19 of 22
   expe…"): a projector's card is ~190 px wide. */
[data-testid="stMetricValue"] { font-size: 2rem !important; line-height: 1.15 !important; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] *, [data-testid="stMetricDelta"],
[data-testid="stMetricDelta"] *, [data-testid="stMetricLabel"] * { white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; overflow-wrap: break-word; }
.st-key-heat_map_frame { max-height: calc(100vh - 290px); overflow-y: auto; overflow-x: hidden; }
.st-key-heat_map_frame > div:first-child { position: sticky; top: 0; z-index: 3; background: #ffffff; }
/* The headings' chart is its 24 px labels over a 1 px plot, then ~40 px of padding: shown to 1.6rem, the rows
   start just under the headings (one more row on a projector's screen). */
.st-key-heat_map_head { max-height: 1.6rem; overflow: hidden; }
@media (max-height: 900px) { .st-key-heat_map_frame { max-height: calc(100vh - 310px); } }
/* The map's key in words: 24 px in the room; 20 px on a projector's 768 px, where each line costs map rows. */
.st-key-heat_map_key [data-testid="stText"] { font-size: 1rem !important; line-height: 1.25 !important; }
@media (max-height: 900px) { .st-key-heat_map_key [data-testid="stText"] { font-size: 0.85rem !important; } }
/* Meeting mode: a list of organisations (the agency page) shows every name whole, wrapped, never cut. */
.st-key-meeting_picture [data-testid="stPageLink"] p, .st-key-meeting_picture [data-testid="stPageLink"] span {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  line-height: 1.15 !important; }
.st-key-meeting_picture [data-testid="stPageLink"] a { padding-top: 0.15rem !important;
  padding-bottom: 0.15rem !important; min-height: 0 !important; }
.st-key-meeting_picture [data-testid="stColumn"] > [data-testid="stVerticalBlock"] { gap: 0.35rem !important; }
[data-testid="stDialog"] [data-testid="stText"] { font-size: 1rem !important; }
/* A table as a wrapping list (tables.listed, e.g. the actions): every word shown, scrolled inside its frame on the
   first screen. */
[class*="st-key-mlist_"] { max-height: calc(100vh - 250px); overflow-y: auto; overflow-x: hidden;
  border: 1px solid #8a8a8a; border-radius: 0.3rem; }
[class*="st-key-mrow_"] { padding: 0.25rem 0.5rem; border-bottom: 1px solid #c8c8c8; }
[class*="st-key-mrow_"] > :not(:last-child) [data-testid="stText"] { font-weight: 700 !important; }
[class*="st-key-mlist_"] [data-testid="stText"] { white-space: normal !important; overflow-wrap: break-word;
  line-height: 1.25 !important; }
</style>
"""

SCREEN_CSS = SCREEN_CSS.replace("</style>", "".join(
    f'[class*="st-key-{tables.FLAG_KEY.format(tables.file_stem(flag).lower(), "")}"] {{ background: {fill}; '
    "font-weight: 700; padding: 0 0.3rem; border-radius: 0.2rem; }\n" for flag, fill in FLAG_FILL.items())
    + "</style>")
"""Meeting mode's flag boxes (`tables.listed`) tinted as the grid's flag cells (`FLAG_FILL`: fixed words)."""

TOGGLE_KEY = "screen_toggle"


def is_on() -> bool:
    """True in shared-screen mode (URL parameter screen=1, kept across pages)."""
    return filters.get_param("screen") == "1"


def apply() -> None:
    """Inject the static CSS for this run (base always, screen mode when on)."""
    st.html(BASE_CSS + (SCREEN_CSS if is_on() else ""))


def toggle() -> None:
    """The one switch for shared-screen mode: at the top right of the page, in the meeting bar when on."""
    st.session_state[TOGGLE_KEY] = is_on()

    def _changed() -> None:
        filters.set_param("screen", "1" if st.session_state[TOGGLE_KEY] else None)

    def _draw() -> None:
        st.toggle("Shared screen", key=TOGGLE_KEY, on_change=_changed, width="content",
                  help="Large type, high contrast, no sidebar: for the meeting-room screen. Kept in the link.")

    if is_on():
        _draw()
        return
    _left, right = st.columns([5, 1])
    with right:
        _draw()
