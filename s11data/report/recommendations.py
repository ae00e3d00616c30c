"""This cycle's recommendations (number as published, text, owner, response, review or due date), its "you said, we
will" commitments, and the progress of the previous cycle's recommendations (status and latest update). Every row
from `actions.actions`, the Actions page's read."""
from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from ..views import actions
from ..store.models import ActionKind
from .context import Drafting, count, listed, when
from .document import Block, Heading, Paragraph, Table
from .facts import earlier_cycle

PARTNERSHIP = "Partnership"


def number_key(number: str) -> list[object]:
    """Numbers as published, in natural order: 2 before 10, '4.2' after '4.1', letters after numbers."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t.lower()) for t in re.split(r"(\d+)", number or "") if t]


def _of_cycle(d: Drafting, cycle_id: int, kind: ActionKind) -> pd.DataFrame:
    frame = actions.actions(d.session, d.scope, d.today, cycle_id=cycle_id, only_open=False, kinds=[kind.value])
    return frame.sort_values(["recommendation_id"]).reset_index(drop=True)


def recommendations(d: Drafting) -> list[Block]:
    blocks: list[Block] = [Heading("Recommendations", 1)]
    made = _of_cycle(d, d.cycle.id, ActionKind.RECOMMENDATION)
    if made.empty:
        blocks.append(Paragraph(f"No recommendations of the {d.cycle.label} audit have been recorded yet."))
    for made_by, group in made.groupby("made_by", sort=False):
        blocks += this_cycle(group, str(made_by), d.cycle.label)
    commitments = _of_cycle(d, d.cycle.id, ActionKind.COMMITMENT)
    if not commitments.empty:
        blocks += you_said_we_will(commitments)
    blocks += previous_progress(d)
    return blocks


def this_cycle(group: pd.DataFrame, made_by: str, label: str) -> list[Block]:
    group = group.iloc[sorted(range(len(group)), key=lambda i: number_key(str(group["number"].iloc[i])))]
    asked_of = (group["target"] != PARTNERSHIP).any()
    header = ("Number", "Recommendation", *(("Asked of",) if asked_of else ()), "Response", "Owner",
              "Review or due date", "Status")
    rows = tuple((str(r.number), r.text, *((r.target,) if asked_of else ()), r.response or "",
                  (r.owner or "").replace(";", "; "), when(r.due), r.status) for r in group.itertuples(index=False))
    title = f"Recommendations: {made_by}" if made_by else "Recommendations"
    return [Heading(title, 2),
            Paragraph((f"Made by {made_by}: " if made_by else "")
                      + f"{count(len(group), 'recommendation')} of the {label} audit, numbered as published."),
            Table(caption=f"{title} ({label})", header=header, rows=rows)]


def you_said_we_will(group: pd.DataFrame) -> list[Block]:
    group = group.iloc[sorted(range(len(group)), key=lambda i: number_key(str(group["number"].iloc[i])))]
    rows = tuple((str(r.number), r.target, r.text, (r.owner or "").replace(";", "; "), r.status)
                 for r in group.itertuples(index=False))
    return [Heading("You said, we will", 2),
            Paragraph(f"The partnership's {count(len(group), 'commitment')} in answer to organisations' feedback, "
                      "kept apart from the numbered recommendations."),
            Table(caption="You said, we will: the partnership's commitments",
                  header=("Number", "Organisation", "Commitment", "Owner", "Status"), rows=rows)]


def previous_progress(d: Drafting) -> list[Block]:
    earlier = earlier_cycle(d.session, d.scope, d.cycle.id)
    if earlier is None:
        return []
    cycle_id, label = earlier
    made = _of_cycle(d, cycle_id, ActionKind.RECOMMENDATION)
    title = f"Progress on the {label} recommendations"
    if made.empty:
        return [Heading(title, 2), Paragraph(f"No recommendations of the {label} audit are recorded.")]
    made = made.iloc[sorted(range(len(made)), key=lambda i: (str(made["made_by"].iloc[i]),
                                                             number_key(str(made["number"].iloc[i]))))]
    statuses = Counter(made["status"])
    said = listed([f"{n} {status}" for status, n in sorted(statuses.items(), key=lambda kv: (-kv[1], kv[0]))])
    rows = tuple((str(r.number), r.text, r.status, r.last_update or "", when(r.last_update_on))
                 for r in made.itertuples(index=False))
    return [Heading(title, 2),
            Paragraph(f"Of the {count(len(made), 'recommendation')} of the {label} audit: {said}."),
            Table(caption=title, header=("Number", "Recommendation", "Status", "Latest update", "Updated on"),
                  rows=rows)]
