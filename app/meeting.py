"""Meeting mode (`?screen=1`): the one line of chrome, the agenda and the headline sentence, for a room.

In meeting mode the shell opens one line before the page runs (`open_bar`): the page's title, a filter chip (a
popover holding the page's filter widgets, filled by `app.filters.sidebar`), the agenda's previous / next, sign
out and the switch back. A page then says its message in one sentence (`headline`) and draws its main picture.

    from app import meeting
    meeting.title("Heat map · DEMO 2025-26")        # st.title outside meeting mode
    meeting.headline(["19 of 22 returns", "46% outstanding"])   # only in meeting mode

Nothing written here is Markdown: titles and sentences are plain text (`st.text` or escaped).
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from app.text import plain

AGENDA: tuple[tuple[str, str], ...] = (
    ("overview", "Overview"), ("heat-map", "Heat map"), ("trends", "Trends"), ("engagement", "Engagement"),
    ("actions", "Overdue actions"), ("agency", "An agency"))
"""The meeting's running order: (url_path, what the step is called)."""
CURRENT_KEY = "s11_current_page"
"""Session key of the url_path of the page this run shows (set by the shell)."""
SLOTS_KEY = "s11_meeting_slots"
BAR_KEY = "meeting_bar"
HEADLINE_KEY = "meeting_headline"


def step_of(page: str) -> int | None:
    """The page's place in the agenda (0-based), None when the page is not on it."""
    return next((i for i, (path, _name) in enumerate(AGENDA) if path == page), None)


def neighbours(page: str) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """The agenda steps before and after `page` (None at either end); off the agenda, next is the first step."""
    i = step_of(page)
    if i is None:
        return None, AGENDA[0]
    return (AGENDA[i - 1] if i > 0 else None), (AGENDA[i + 1] if i + 1 < len(AGENDA) else None)


def current_page() -> str:
    """The url_path of the page this run shows ('overview' for the default page)."""
    return st.session_state.get(CURRENT_KEY) or "overview"


def set_current(url_path: str) -> None:
    st.session_state[CURRENT_KEY] = url_path or "overview"


def _slots() -> dict[str, Any]:
    return st.session_state.get(SLOTS_KEY) or {}


def sign_out() -> None:
    """Sign-out in the meeting bar: the sidebar's own button is hidden in meeting mode; this asks the gate the
    same way (`app.auth`), so the next run signs out before anything is drawn."""
    from app import auth

    st.button("Sign out", key="meeting_sign_out", icon=":material/logout:", on_click=auth._ask_sign_out)


def open_bar(toggle: Any, link: Any) -> None:
    """Draw the one line of chrome (meeting mode): slots for the title and the filter chip, the agenda (each step
    drawn by `link(url_path, label)`, the shell's `filters.page_link`), sign-out and `toggle()` (which
    draws the switch back to the ordinary layout in place). Meeting mode is on for this run from here."""
    page = current_page()
    with st.container(horizontal=True, key=BAR_KEY, vertical_alignment="center", gap="small", wrap=False):
        slots = {"title": st.empty(), "chip": st.container(key="meeting_chip", width="content")}
        before, after = neighbours(page)
        i = step_of(page)
        if before:  # no tooltip: after a click it would stay over the headline while the pointer rests there
            link(before[0], f"‹ {before[1]}")
        if i is not None:
            st.text(f"{i + 1} / {len(AGENDA)}", width="content")
        if after:
            link(after[0], f"Next: {after[1]} ›")
        sign_out()
        toggle()
    st.session_state[SLOTS_KEY] = slots


def title(text: str) -> None:
    """The page's title: in the meeting bar in meeting mode, else an ordinary title. Plain text, never Markdown."""
    slot = _slots().get("title") if is_on() else None
    (slot or st).title(plain(text), anchor=False)


def chip(label: str):  # type: ignore[no-untyped-def]
    """The filter chip of meeting mode: a popover in the bar (its label escaped); the caller draws widgets in it.
    A second call this run returns the same popover (a page adds its own view controls to it)."""
    slots = _slots()
    if slots.get("popover") is None:
        where = slots.get("chip") or st
        slots["popover"] = where.popover(plain(label), icon=":material/filter_list:")
    return slots["popover"]


def controls():  # type: ignore[no-untyped-def]
    """Where a page draws its view controls: the filter chip in meeting mode, else the page itself."""
    return chip("Filters") if is_on() else st.container()


def picture(where: Any = None):  # type: ignore[no-untyped-def]
    """The container of the page's main picture: in meeting mode inside `where` (the page's lead container, drawn
    before its notes), which meeting-mode tests measure; else simply here."""
    if not is_on():
        return st.container()
    return (where or st).container(key="meeting_picture")


def headline(parts: list[str] | str) -> None:
    """The page's message in one sentence (parts joined with ' · '), large, before its main picture (meeting mode
    only). Plain text. The figures in it come from s11data (`s11data.views.figures`), worded there."""
    sentence = parts if isinstance(parts, str) else " · ".join(p for p in parts if p)
    if is_on() and sentence:
        with st.container(key=HEADLINE_KEY):
            st.text(sentence, width="stretch")


def is_on() -> bool:
    """Meeting mode this run: the shell opened the bar (`open_bar`) before the page ran."""
    return bool(_slots())


def close_bar() -> None:
    """Ordinary layout this run: forget the bar of an earlier meeting-mode run."""
    st.session_state.pop(SLOTS_KEY, None)
