"""The engagement chapter: invited, returned (on time or late), national returns, two-year cycle, withdrawn, did
not engage, with the contact dates; the reviews held and their dates. Figures from `overview.returns_figures` and
`engagement.funnel` (the Overview and Engagement pages' reads); rows from `cycles.invitations` and
`engagement.contact_history`."""
from __future__ import annotations

import pandas as pd

from ..admin import cycles
from ..views import engagement, overview
from ..views.words import day
from ..store.models import ContactKind, Engagement
from .context import Drafting, count, listed
from .document import Block, BulletList, Heading, Paragraph, Table

E = Engagement
REVIEW_KINDS = {k.value for k in engagement.REVIEW_CONTACTS}
NOT_TAKING_PART = (E.WITHDRAWN, E.DID_NOT_ENGAGE, E.DECLINED, E.INVITED)


def participation(d: Drafting) -> list[Block]:
    figures = overview.returns_figures(d.session, d.scope, d.cycle.id)
    contacts = engagement.contact_history(d.session, d.scope, cycle_id=d.cycle.id)
    invited = cycles.invitations(d.session, d.scope, d.cycle.id)
    blocks: list[Block] = [Heading("Engagement", 1), Paragraph(summary(d, figures)), figures_table(figures),
                           organisations_table(invited, contacts)]
    blocks += reviews_held(d, contacts)
    blocks += not_taking_part(invited, contacts)
    blocks.append(d.slot("engagement", "Engagement"))
    return blocks


def response_rate(d: Drafting) -> float | None:
    """Returned ÷ expected (%), as the Engagement page shows it."""
    funnel = engagement.funnel(d.session, d.scope, cycle_id=d.cycle.id)
    rate = funnel["response_rate"].iloc[0] if len(funnel) else None
    return None if rate is None or pd.isna(rate) else float(rate)


def summary(d: Drafting, f: overview.ReturnsFigures) -> str:
    by = f.by_status
    national, two_year, withdrawn = (by.get(s.value, 0) for s in (E.NATIONAL_RETURN, E.TWO_YEAR_CYCLE,
                                                                    E.WITHDRAWN))
    own = [part for n, part in (
        (national, f"{national} sent {'a national return' if national == 1 else 'national returns'}"),
        (two_year, f"{two_year} {'is' if two_year == 1 else 'are'} on a two-year cycle"),
        (withdrawn, f"{withdrawn} withdrew")) if n]
    text = f"{count(f.invited, 'organisation')} {'was' if f.invited == 1 else 'were'} invited to the {d.cycle.label} audit"
    text += f"; {f.expected} {'was' if f.expected == 1 else 'were'} expected to return" + (
        f" ({listed(own)})" if own else "") + "."
    text += f" {f.received} returned: {f.on_time} on time and {f.late} late."
    rate = response_rate(d)
    if rate is not None:
        text += f" The response rate (returned ÷ expected) is {rate:g}%."
    not_engaged = by.get(E.DID_NOT_ENGAGE.value, 0) + by.get(E.DECLINED.value, 0)
    if not_engaged:
        text += f" {count(not_engaged, 'organisation')} did not engage."
    if by.get(E.INVITED.value, 0):
        text += f" {count(by[E.INVITED.value], 'organisation')} had not responded when this report was drafted."
    return text


def figures_table(f: overview.ReturnsFigures) -> Table:
    by = f.by_status
    rows = [("Invited", f.invited), ("Expected to return", f.expected), ("Returned", f.received),
            ("On time", f.on_time), ("Late", f.late), ("National return", f.national),
            ("Two-year cycle", by.get(E.TWO_YEAR_CYCLE.value, 0)), ("Withdrawn", by.get(E.WITHDRAWN.value, 0)),
            ("Did not engage or declined", by.get(E.DID_NOT_ENGAGE.value, 0) + by.get(E.DECLINED.value, 0)),
            ("Awaiting a response", by.get(E.INVITED.value, 0))]
    return Table(caption="Engagement in figures", header=("Organisations", "Number"),
                 rows=tuple((label, str(n)) for label, n in rows),
                 note="Expected = invited less national returns, two-year cycles and withdrawn organisations.")


def _contacts_of(contacts: pd.DataFrame) -> dict[str, list[str]]:
    """Organisation → its contact events, oldest first ('follow-up 15 Feb 2022', 'panel attended (no date
    recorded)')."""
    listed_: dict[str, list[str]] = {}
    for row in contacts.iloc[::-1].itertuples(index=False):
        on = f"{row.kind} {day(row.date)}" if row.date else f"{row.kind} (no date recorded)"
        listed_.setdefault(row.organisation, []).append(on)
    return listed_


def organisations_table(invited: pd.DataFrame, contacts: pd.DataFrame) -> Table:
    events = _contacts_of(contacts)
    rows = tuple((row.organisation, row.sector, engagement.STATE_LABEL[Engagement(row.status)],
                  "; ".join(events.get(row.organisation, [])))
                 for row in invited.itertuples(index=False))
    return Table(caption="Organisations invited, their engagement and the contacts recorded",
                 header=("Organisation", "Sector", "Status", "Contacts"), rows=rows)


def reviews_held(d: Drafting, contacts: pd.DataFrame) -> list[Block]:
    held = contacts[contacts["kind"].isin(REVIEW_KINDS)]
    if held.empty:
        return []
    panel = d.cycle.method == "panel"
    items = tuple(f"{row.organisation}: {row.kind}" + (f" on {day(row.date)}" if row.date else " (date not recorded)")
                  for row in held.iloc[::-1].itertuples(index=False))
    title = "Panel attendance" if panel and set(held["kind"]) == {ContactKind.PANEL_ATTENDED.value} else "Reviews held"
    return [Heading(title, 2),
            Paragraph(f"{count(held['organisation'].nunique(), 'organisation')} "
                      + ("attended the panel" if title == "Panel attendance" else "had a review held") + ":"),
            BulletList(items)]


def not_taking_part(invited: pd.DataFrame, contacts: pd.DataFrame) -> list[Block]:
    absent = invited[invited["status"].isin([s.value for s in NOT_TAKING_PART])]
    if absent.empty:
        return []
    events = _contacts_of(contacts)
    items = tuple(f"{row.organisation}: {engagement.STATE_LABEL[Engagement(row.status)]}"
                  + (f"; contacts: {'; '.join(events[row.organisation])}" if row.organisation in events
                     else "; no contact recorded")
                  for row in absent.itertuples(index=False))
    return [Heading("Did not take part", 2), BulletList(items)]
