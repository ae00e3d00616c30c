"""The shared filters, the one place that reads and writes the URL, and deep links between pages. The values a link
asks for are resolved in one pass by `s11data.views.filter_values.resolve` (raw values in, ids and names out).

Filters (URL parameter → meaning; values are written the way people read them, so a link can be typed):

    partnership  short name (GSCP, NSSCP, SGCP, DEMO) or full name or alias     → Filters.partnership_id
    cycle        the cycle's label, e.g. 2023-24                               → Filters.cycle_id
    theme        a stable theme name, e.g. neglect; mine = the caller's themes; all → Filters.theme_id
    section      a section code of the cycle's framework, e.g. A               → Filters.section
    sector       health, police, local authority, …                            → Filters.sector
    org          an organisation's name, alias or unique part of it ("Sirona") → Filters.organisation_id
    screen       1 = shared-screen mode (see app.screen)                       → Filters.screen

How a page uses it (thin pages, DESIGN §5):

    from app import filters
    from app.session import current_scope
    scope = current_scope()
    f = filters.sidebar(scope, show=("partnership", "cycle", "theme", "organisation"))
    frame = reads.heat_map_cells(scope, **f.query_args())          # ids/values, None = all
    filters.page_link("agency", "Sirona Care & Health", org="Sirona Care & Health")   # st.page_link
    st.markdown(f"[Sirona]({filters.link('agency', org='Sirona Care & Health')})")    # a plain href
    filters.illustrative_banner(f)                                    # "Illustrative data" on demo views

Rules:
- `sync()` runs once per script run (app.shell calls it before navigation). A link arriving in the URL (a shared
  link, `st.page_link(query_params=…)`) overrides what the session held for the keys it names; an empty value
  (`org=`) clears that filter. Moving between pages keeps the filters: they live in `st.session_state` and are
  written back to the URL, so the address bar is always a shareable link to the view on screen.
- A partnership and one of its cycles are always chosen (default: the first real partnership in scope and its
  latest cycle); pages that work across cycles simply ignore `cycle_id`. Theme, section, sector and organisation
  default to "all" (None). An organisation outside the chosen partnership is dropped unless the page passes
  `across_partnerships=True` (the agency page); a link naming only an organisation picks a partnership it is in.
- A subgroup chair with themes (`Scope.themes`) is offered "My themes (…)" first, and it is their default
  (`theme=mine`; `theme=all` for every theme): `theme_id` is then a tuple of ids, which every query taking
  `theme_id` accepts. A view, not a permission: they may still choose any theme or all of them.
- Options come from `s11data.views.filter_choices` (and `cycle_sections` for the chosen cycle, see `sections`)
  through `app.reads` (cached per scope for `reads.CHOICES_TTL` seconds); a page that writes calls
  `app.reads.clear()` (app.writes does) after committing.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict

import streamlit as st

from app import reads
from app.text import plain
from s11data.store.models import Sector
from s11data.store.scope import Scope
from s11data.views import filter_choices
from s11data.views.filter_values import ALL_THEMES, MY_THEMES, Filters, my_themes_label, resolve

PARAMS: tuple[str, ...] = ("partnership", "cycle", "theme", "section", "sector", "org", "screen")
"""The URL parameters this module owns, in the order they appear in links."""
FILTERS: tuple[str, ...] = ("partnership", "cycle", "theme", "section", "sector", "organisation")
"""Names accepted by `sidebar(show=…)`."""
STORE_KEY = "s11_filters"
URL_KEY = "s11_filters_url"
PAGES_KEY = "s11_pages"
"""Session key of url_path → st.Page of this user's navigation (app.shell `register_pages`)."""
PAGES_DIR = "../pages"
DEFAULT_PAGE = "overview"
"""The default page is served at '/' (Streamlit ignores a default page's url_path)."""
_ALL = ""


# --- the URL and the session ----------------------------------------------------------------------

def _store() -> dict[str, str]:
    return st.session_state.setdefault(STORE_KEY, {})


def sync() -> dict[str, str]:
    """Merge an incoming link into the session's filters and write them back to the URL. Returns the raw values."""
    store = _store()
    url = {k: st.query_params[k] for k in PARAMS if k in st.query_params}
    if url and url != st.session_state.get(URL_KEY):
        for key, value in url.items():
            if value.strip():
                store[key] = value.strip()
            else:
                store.pop(key, None)
        if "org" in url and "partnership" not in url:
            store["_org_only"] = "1"
    _write_url(store)
    return dict(store)


def set_param(key: str, value: str | None) -> None:
    """Set (or clear, with None/'') one parameter in the session and the URL, e.g. `set_param('screen', '1')`."""
    if key not in PARAMS:
        raise KeyError(f"unknown filter parameter {key!r}; known: {', '.join(PARAMS)}")
    store = _store()
    if value:
        store[key] = str(value)
    else:
        store.pop(key, None)
    _write_url(store)


def get_param(key: str) -> str | None:
    """The raw value the session holds for a parameter (after `sync`)."""
    return _store().get(key)


def _write_url(store: Mapping[str, str]) -> None:
    wanted = {k: store[k] for k in PARAMS if store.get(k)}
    current = {k: st.query_params[k] for k in PARAMS if k in st.query_params}
    if current != wanted:
        for key in PARAMS:
            if key in wanted:
                st.query_params[key] = wanted[key]
            elif key in st.query_params:
                del st.query_params[key]
    st.session_state[URL_KEY] = wanted


# --- choices and resolution -----------------------------------------------------------------------

def choices(scope: Scope) -> filter_choices.Choices:
    """What the caller may filter by (cached per scope, `reads.filter_choices`)."""
    return reads.filter_choices(scope)


def sections(scope: Scope, cycle_id: int | None) -> tuple[tuple[str, str], ...]:
    """The (code, title) sections of a cycle's framework (cached per scope)."""
    return () if cycle_id is None else reads.cycle_sections(scope, cycle_id)


def current(scope: Scope, *, across_partnerships: bool = False) -> Filters:
    """The filters of this run, resolved against the caller's choices, without drawing anything."""
    return resolve(choices(scope), sync(), across_partnerships, lambda cid: sections(scope, cid), scope.themes)


# --- widgets ---------------------------------------------------------------------------------------

def sidebar(scope: Scope, show: Iterable[str] = FILTERS, *, across_partnerships: bool = False,
            container=None, in_title: Iterable[str] = ()) -> Filters:  # type: ignore[no-untyped-def]
    """Draw the chosen filters (in the sidebar unless `container` is given) and return the resolved filters.

    In meeting mode (`screen=1`) the sidebar is hidden: the same widgets are drawn in the filter chip of the
    meeting bar (`app.meeting.chip`), labelled with the filters beyond partnership and cycle, less those the
    page's title already names (`in_title`, e.g. the agency page's organisation): the one line holds each once.
    """
    shown = tuple(show)
    unknown = set(shown) - set(FILTERS)
    if unknown:
        raise KeyError(f"unknown filters {sorted(unknown)}; known: {', '.join(FILTERS)}")
    c = choices(scope)
    f = resolve(c, sync(), across_partnerships, lambda cid: sections(scope, cid), scope.themes)
    if container is not None:
        where = container
    elif f.screen:  # meeting mode has no sidebar: the filters fold into a chip in the one line of chrome
        from app import meeting

        narrowed = [f"{k}: {v}" for k, v in (("theme", f.theme), ("section", f.section), ("sector", f.sector),
                                              ("organisation", f.org)) if v and k not in set(in_title)]
        where = meeting.chip(" · ".join(["Filters", *narrowed]))
    else:
        where = st.sidebar
    with where:
        for name in FILTERS:
            if name == "section" and name in shown:
                _section(sections(scope, f.cycle_id), f)
            elif name in shown:
                _WIDGETS[name](c, f, across_partnerships)
    store = _store()
    store.clear()
    store.update(f.params())  # defaults chosen, unknown or out-of-scope values dropped
    _write_url(store)
    return f


def _select(name: str, label: str, options: list[str], value: str | None, labels: Mapping[str, str],
            all_label: str | None) -> None:
    """A selectbox bound to one URL parameter: its value is written to the session on change."""
    key = f"filter_{name}"
    values = ([_ALL] if all_label else []) + options
    st.session_state[key] = value if value in values else (values[0] if values else _ALL)

    def _changed() -> None:
        set_param(name, st.session_state[key] or None)
        if name == "partnership":  # a new partnership: its own latest cycle and organisations
            for dependant in ("cycle", "section", "org"):
                _store().pop(dependant, None)
            _store().pop("_org_only", None)
        if name == "cycle":
            _store().pop("section", None)

    st.selectbox(label, values, key=key, on_change=_changed,
                 format_func=lambda v: all_label if v == _ALL and all_label else labels.get(v, v))


def _partnership(c: filter_choices.Choices, f: Filters, _across: bool) -> None:
    labels = {p.key: p.name + (" (illustrative)" if p.illustrative else "") for p in c.partnerships}
    _select("partnership", "Partnership", list(labels), f.partnership, labels, None)


def _cycle(c: filter_choices.Choices, f: Filters, _across: bool) -> None:
    cycles = [y for y in c.cycles if y.partnership_id == f.partnership_id]
    labels = {y.label: f"{y.label} ({y.method})" for y in cycles}
    _select("cycle", "Cycle", list(labels), f.cycle, labels, None)


def _theme(c: filter_choices.Choices, f: Filters, _across: bool) -> None:
    names = [name for _tid, name in c.themes]
    labels = {n: n[:1].upper() + n[1:] for n in names}
    if not f.my_theme_ids:
        _select("theme", "Theme", names, f.theme, labels, "All themes")
        return
    mine = my_themes_label(name for tid, name in c.themes if tid in f.my_theme_ids)
    labels |= {MY_THEMES: mine[:1].upper() + mine[1:], ALL_THEMES: "All themes"}
    _select("theme", "Theme", [MY_THEMES, ALL_THEMES, *names], f.theme_param or f.theme, labels, None)


def _section(cycle_sections: Iterable[tuple[str, str]], f: Filters) -> None:
    labels = {code: f"{code} – {title}" if title else code for code, title in cycle_sections}
    _select("section", "Section", list(labels), f.section, labels, "All sections")


def _sector(c: filter_choices.Choices, f: Filters, _across: bool) -> None:
    names = [s.value for s in Sector]
    _select("sector", "Sector", names, f.sector, {n: n[:1].upper() + n[1:] for n in names}, "All sectors")


def _organisation(c: filter_choices.Choices, f: Filters, across: bool) -> None:
    if across:
        orgs = list(c.organisations)
    else:
        orgs = [o for o in c.organisations if f.partnership_id in o.partnership_ids] if f.partnership_id else []
    if f.org and f.org not in {o.name for o in orgs}:
        orgs += [o for o in c.organisations if o.name == f.org]
    names = sorted({o.name for o in orgs}, key=str.lower)
    _select("org", "Organisation", names, f.org, {}, "All organisations")


_WIDGETS = {"partnership": _partnership, "cycle": _cycle, "theme": _theme, "sector": _sector,
            "organisation": _organisation}


# --- deep links ------------------------------------------------------------------------------------

def _link_params(params: Mapping[str, object]) -> dict[str, str]:
    """The session's filters with `params` applied (None or '' clears one); org_id is not a URL key."""
    merged = {k: v for k, v in _store().items() if k in PARAMS}
    for key, value in params.items():
        if key not in PARAMS:
            raise KeyError(f"unknown link parameter {key!r}; known: {', '.join(PARAMS)}")
        if value in (None, ""):
            merged[key] = ""
        else:
            merged[key] = str(value)
    return {k: merged[k] for k in PARAMS if k in merged}


def link(page: str, **params: object) -> str:
    """A relative href to a page with the current filters and `params`, e.g. '/agency?partnership=NSSCP&org=…'.

    `page` is the url_path ('overview', 'heat-map', 'trends', 'agency', 'engagement', 'actions').
    A parameter given as None is written empty, which clears that filter on arrival.
    """
    from urllib.parse import urlencode

    query = urlencode(_link_params(params))
    path = "/" if page == DEFAULT_PAGE else f"/{page}"
    return path + (f"?{query}" if query else "")


def page_file(page: str):  # type: ignore[no-untyped-def]
    """The page (its st.Page as registered, else its script path) as st.page_link / st.switch_page want it."""
    return _pages().get(page, f"{PAGES_DIR}/{page.replace('-', '_')}.py")


def _pages() -> dict[str, object]:
    return st.session_state.get(PAGES_KEY, {})


def register_pages(pages: Iterable[object]) -> None:
    """Tell `page_link` which pages this user's navigation has (the st.Page objects); app.shell calls it each run."""
    st.session_state[PAGES_KEY] = {page.url_path: page for page in pages}  # type: ignore[attr-defined]


def has_page(page: str) -> bool:
    """True when the page is in this user's navigation (or nothing was registered, e.g. a bare test script)."""
    return not _pages() or page in _pages()


def page_link(page: str, label: str, *, icon: str | None = None, help: str | None = None,
              **params: object) -> None:
    """An in-app link (no reload, session kept) to a page with the current filters and `params`.

    A page missing from this user's navigation (their role, or not built yet) shows the label as plain text.
    """
    if not has_page(page):
        st.markdown(plain(label))
        return
    st.page_link(page_file(page), label=plain(label), icon=icon, help=help, query_params=_link_params(params))


def switch_page(page: str, **params: object) -> None:
    """Go to a page now (e.g. after a chart click), carrying the filters and `params`."""
    st.switch_page(page_file(page), query_params=_link_params(params))


def illustrative_banner(f: Filters) -> None:
    """The 'Illustrative data' label every view of the demo partnership carries."""
    if f.illustrative:
        st.info(f"**Illustrative data** — {plain(f.partnership_name or '')} is a fictional partnership for trying the "
                "dashboard. Nothing in it is real.", icon=":material/science:")


def partnership_header(title: str, f: Filters, page: str) -> None:
    """The opening of a page about one partnership: '{title} · {partnership}', a stop when the caller has no
    partnership, the illustrative banner and the note of the page's last write (`app.writes.flash`)."""
    from app import writes

    from app import meeting

    meeting.title(f"{title} · {f.partnership or 'no partnership'}")
    if f.partnership_id is None:
        st.warning("There is no partnership to show yet in your scope.")
        st.stop()
    illustrative_banner(f)
    writes.flash(page)


def as_dict(f: Filters) -> dict[str, object]:
    """The filters as a plain dict (for cache keys and tests)."""
    return asdict(f)


def require_cycle(f: Filters) -> None:
    """Stop the page with a word when the caller's partnerships have no cycle yet."""
    if f.cycle_id is None:
        st.warning("There is no cycle to show yet in your partnerships.")
        st.stop()
