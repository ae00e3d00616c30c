"""A synthetic dataset at small, regional or national scale, the same for the same seed, for benchmarks.

Nothing here is real: every partnership is "Synthetic Partnership NNN" in region "Synthetic", flagged
`illustrative`, and every organisation's name ends in "(synthetic)". Rows are generated in Python from
`random.Random` streams derived from the seed and written in bulk (`db.insert_rows`: COPY on PostgreSQL,
executemany in chunks on SQLite) with ids assigned here, one partnership at a time, all in one transaction: an
interrupted run changes nothing. A database holds at most one synthetic set; running the same scale and seed again changes nothing,
another one is refused unless `replace=True` removes the earlier set first.
"""
from __future__ import annotations

import datetime as dt
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, Delete, Engine, Select, Table, delete, func, select

from s11data.store import db
from s11data.store.errors import UserError
from s11data.store.models import (
    ActionKind,
    ActionStatus,
    AuditEvent,
    AuditReturn,
    Contact,
    ContactKind,
    Cycle,
    Engagement,
    Invitation,
    Method,
    Organisation,
    OrganisationAlias,
    Partnership,
    PartnershipAlias,
    ProgressUpdate,
    PublishedAggregate,
    Question,
    QuestionTheme,
    Rag,
    Rating,
    Recommendation,
    Scale,
    Sector,
    Upload,
)
from s11data.returns.ratings import parse_grade

REGION = "Synthetic"
NAME_PREFIX = "Synthetic Partnership "
ORG_SUFFIX = " (synthetic)"
LAST_YEAR = 2025
"""Cycles end with 2025-26, whatever the date, so that the same seed always gives the same content."""


@dataclass(frozen=True)
class Size:
    """How big a synthetic set is: partnerships, their own organisations, cycles each, actions per cycle."""

    partnerships: int
    local_organisations: int
    cycles: int
    recommendations: int
    commitments: int


SIZES: dict[str, Size] = {
    "small": Size(partnerships=3, local_organisations=12, cycles=3, recommendations=8, commitments=6),
    "regional": Size(partnerships=15, local_organisations=40, cycles=10, recommendations=12, commitments=28),
    "national": Size(partnerships=150, local_organisations=40, cycles=10, recommendations=12, commitments=28),
}

# section code, section title, themes, question text. The Covid-19 questions appear in 2020-21 and 2021-22 only.
STATEMENTS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("A", "Leadership and accountability", ("safeguarding structure & leadership",),
     "There is a named senior lead for safeguarding children with clear accountability to the board."),
    ("A", "Leadership and accountability", ("safeguarding structure & leadership", "partnership engagement"),
     "Safeguarding is reported to the board at least annually and partnership priorities are reflected in plans."),
    ("A", "Leadership and accountability", ("partnership engagement",),
     "The organisation contributes to the partnership's subgroups, audits and reviews."),
    ("A", "Leadership and accountability", ("safeguarding structure & leadership",),
     "Safeguarding responsibilities are written into contracts with commissioned services."),
    ("B", "Safer recruitment", ("safer recruitment & induction",),
     "Safer recruitment practice, including DBS checks, is followed for every role working with children."),
    ("B", "Safer recruitment", ("safer recruitment & induction",),
     "Induction covers safeguarding and tells new staff who their safeguarding lead is."),
    ("B", "Safer recruitment", ("safer recruitment & induction", "policies, escalation & whistleblowing"),
     "Allegations against staff are referred to the LADO and managed to a conclusion."),
    ("C", "Learning and supervision", ("learning & development and supervision",),
     "Staff have safeguarding training at the level their role needs, and uptake is monitored."),
    ("C", "Learning and supervision", ("learning & development and supervision",),
     "Staff receive regular safeguarding supervision and reflective practice."),
    ("C", "Learning and supervision", ("learning & development and supervision",),
     "Learning from local and national reviews is shared with staff and changes practice."),
    ("D", "Policies and information sharing", ("policies, escalation & whistleblowing",),
     "Staff know and use the escalation (issue resolution) policy."),
    ("D", "Policies and information sharing", ("policies, escalation & whistleblowing",),
     "Whistleblowing arrangements are known to staff and reflect Freedom to Speak Up principles."),
    ("D", "Policies and information sharing", ("policies, escalation & whistleblowing",),
     "Safeguarding policies are reviewed at least every two years and follow partnership procedures."),
    ("D", "Policies and information sharing", ("information sharing",),
     "Information is shared promptly and safely with partners when children may be at risk."),
    ("D", "Policies and information sharing", ("information sharing",),
     "Staff understand consent and the lawful basis for sharing information about children."),
    ("E", "Voice of the child", ("listening to children & lived experience",),
     "Children's views and lived experience shape services and individual plans."),
    ("E", "Voice of the child", ("listening to children & lived experience",),
     "Children and families can give feedback and see what changed as a result."),
    ("E", "Voice of the child", ("equality & diversity", "listening to children & lived experience"),
     "Services understand and respond to the diversity of the children they serve."),
    ("E", "Voice of the child", ("equality & diversity",),
     "Staff are trained to recognise and challenge discrimination affecting children."),
    ("F", "Practice with families", ("child exploitation",),
     "Staff recognise signs of child exploitation and know the referral pathway."),
    ("F", "Practice with families", ("child exploitation",),
     "Missing episodes are recorded and return conversations inform safety plans."),
    ("F", "Practice with families", ("domestic abuse", "fathers"),
     "Practice with families where there is domestic abuse includes fathers and male carers."),
    ("F", "Practice with families", ("domestic abuse",),
     "Staff ask routinely about domestic abuse and refer to specialist services."),
    ("F", "Practice with families", ("neglect",),
     "Neglect is identified early using the partnership's neglect tool."),
    ("F", "Practice with families", ("fathers",),
     "Fathers and male carers are seen, assessed and included in plans."),
    ("F", "Practice with families", ("transitions",),
     "Transitions to adult services are planned early for young people with additional needs."),
    ("F", "Practice with families", ("transitions", "neglect"),
     "Young people leaving care are supported through the move to independence."),
    ("G", "Covid-19", ("impact of Covid-19",),
     "Safeguarding arrangements were kept up during Covid-19 restrictions."),
    ("G", "Covid-19", ("impact of Covid-19",),
     "Lessons from remote working during Covid-19 are built into practice."),
)
COVID_YEARS = (2020, 2021)

# Organisations each partnership has to itself, most important first (small scale takes the first ones).
LOCAL_KINDS: tuple[tuple[str, Sector, int], ...] = (
    ("Children's Services", Sector.LOCAL_AUTHORITY, 1),
    ("Community Health", Sector.HEALTH, 1),
    ("Youth Justice Service", Sector.JUSTICE, 1),
    ("Mental Health Partnership", Sector.HEALTH, 1),
    ("College", Sector.EDUCATION, 1),
    ("Domestic Abuse Service", Sector.VOLUNTARY, 1),
    ("Adult Social Care", Sector.LOCAL_AUTHORITY, 1),
    ("Council for Voluntary Services", Sector.VOLUNTARY, 1),
    ("Housing Association", Sector.OTHER, 1),
    ("Young Carers", Sector.VOLUNTARY, 1),
    ("Academy Trust", Sector.EDUCATION, 2),
    ("District Council", Sector.LOCAL_AUTHORITY, 3),
    ("GP Federation", Sector.HEALTH, 2),
    ("Youth Trust", Sector.VOLUNTARY, 2),
    ("Children's Homes", Sector.OTHER, 2),
    ("Sports Foundation", Sector.VOLUNTARY, 2),
    ("Early Years Network", Sector.EDUCATION, 2),
    ("Faith Forum", Sector.VOLUNTARY, 1),
    ("Leisure Trust", Sector.OTHER, 1),
    ("Hospice", Sector.HEALTH, 1),
    ("Academy Trust", Sector.EDUCATION, 4),
    ("Community Group", Sector.VOLUNTARY, 8),
)

# Bodies shared between neighbouring partnerships: name, sector, how many partnerships one body serves.
SHARED_KINDS: tuple[tuple[str, Sector, float], ...] = (
    ("Police Force", Sector.POLICE, 4),
    ("Integrated Care Board", Sector.HEALTH, 3.5),
    ("Hospitals NHS Trust", Sector.HEALTH, 2),
    ("Probation Region", Sector.JUSTICE, 12.5),
    ("Fire and Rescue Service", Sector.FIRE, 3.3),
    ("Ambulance Service", Sector.HEALTH, 15),
)
NATIONAL_BODIES: tuple[tuple[str, Sector, Engagement], ...] = (
    ("National Transport Police", Sector.POLICE, Engagement.NATIONAL_RETURN),
    ("National Family Court Advisory Service", Sector.JUSTICE, Engagement.TWO_YEAR_CYCLE),
)
SUBGROUPS = ("Learning & Development subgroup", "Quality Assurance subgroup", "Exploitation subgroup",
             "Neglect subgroup", "Business Unit")
RAG_WORDS = {3: "Green", 2: "Amber", 1: "Red", 0: "Red"}
TABLES: tuple[type, ...] = (Organisation, OrganisationAlias, Partnership, Cycle, Question, QuestionTheme,
                            Invitation, Contact, AuditReturn, Rating, Recommendation, ProgressUpdate)
"""Written in this order (parents first)."""


@dataclass
class SynthResult:
    scale: str
    seed: int
    counts: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    already_there: bool = False
    removed: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        if self.already_there:
            return f"synthetic set ({self.scale}, seed {self.seed}) already in the database; nothing changed"
        parts = ", ".join(f"{n:,} {table}" for table, n in self.counts.items())
        return f"generated synthetic set ({self.scale}, seed {self.seed}) in {self.seconds:.1f} s: {parts}"


def marker(scale: str, seed: int) -> str:
    """The `source` of every synthetic partnership: what made it, so it is never mistaken for real data."""
    return f"synthetic, not real data: generated by `s11 synth --scale {scale} --seed {seed}` (bench.synth)"


# --- the generator --------------------------------------------------------------------------------

@dataclass
class _Org:
    id: int
    name: str
    sector: Sector
    quality: float
    fixed_status: Engagement | None = None


class _Ids:
    """Primary keys handed out here (parents and children are written in bulk without RETURNING)."""

    def __init__(self, conn: Connection) -> None:
        self.next = {m.__tablename__: (conn.scalar(select(func.max(m.id))) or 0) + 1
                     for m in TABLES if hasattr(m, "id")}

    def __call__(self, model: type) -> int:
        value = self.next[model.__tablename__]
        self.next[model.__tablename__] = value + 1
        return value


class _Generator:
    """Rows for every table, one partnership at a time; `rows` holds the current batch by model."""

    def __init__(self, size: Size, scale: str, seed: int, ids: _Ids, themes: dict[str, int]) -> None:
        self.size, self.seed, self.ids, self.themes = size, seed, ids, themes
        self.source = marker(scale, seed)
        self.rows: dict[type, list[dict]] = {m: [] for m in TABLES}
        self.grades = {raw: parse_grade(raw, Scale.ZERO_TO_THREE)
                       for raw in ("0", "1", "2", "3", "Green", "Amber", "Red", "Amber/Green", "Not rated", "N/A")}
        self.years = list(range(LAST_YEAR - size.cycles + 1, LAST_YEAR + 1))
        self.shared: list[list[_Org]] = []
        self.national: list[_Org] = []

    def rnd(self, *parts: object) -> random.Random:
        return random.Random(":".join(map(str, (self.seed, *parts))))

    def add(self, model: type, **row: object) -> dict:
        self.rows[model].append(row)
        return row

    def take(self) -> dict[type, list[dict]]:
        rows, self.rows = self.rows, {m: [] for m in TABLES}
        return rows

    # -- organisations --------------------------------------------------------------------------
    def organisation(self, name: str, sector: Sector, rnd: random.Random, alias: str = "") -> _Org:
        org = _Org(self.ids(Organisation), name + ORG_SUFFIX, sector, rnd.uniform(0.35, 0.9))
        self.add(Organisation, id=org.id, name=org.name, sector=sector.value, source=self.source, note="synthetic")
        if alias:
            self.add(OrganisationAlias, id=self.ids(OrganisationAlias), organisation_id=org.id,
                     alias=alias + ORG_SUFFIX)
        return org

    def shared_bodies(self) -> None:
        rnd = self.rnd("shared")
        for name, sector, per in SHARED_KINDS:
            count = math.ceil(self.size.partnerships / per)
            initials = "".join(word[0] for word in name.split())
            self.shared.append([self.organisation(f"{name} {n:02d}", sector, rnd, alias=f"{initials} {n:02d}")
                                for n in range(1, count + 1)])
        for name, sector, status in NATIONAL_BODIES:
            org = self.organisation(name, sector, rnd)
            org.fixed_status = status
            self.national.append(org)

    def local_organisations(self, number: int, rnd: random.Random) -> list[_Org]:
        names: list[tuple[str, Sector]] = []
        seen: Counter[str] = Counter()
        for kind, sector, count in LOCAL_KINDS:
            for _ in range(count):
                seen[kind] += 1
                names.append((kind if seen[kind] == 1 else f"{kind} {seen[kind]}", sector))
        area = f"Area {number:03d}"
        return [self.organisation(f"{area} {kind}", sector, rnd,
                                  alias=f"A{number:03d} {kind}" if kind == "Children's Services" else "")
                for kind, sector in names[: self.size.local_organisations]]

    # -- one partnership ------------------------------------------------------------------------
    def partnership(self, index: int) -> None:
        number = index + 1
        rnd = self.rnd("partnership", number)
        pid = self.ids(Partnership)
        self.add(Partnership, id=pid, name=f"{NAME_PREFIX}{number:03d}", short_name=f"SP{number:03d}",
                 region=REGION, illustrative=True, source=self.source)
        local = self.local_organisations(number, rnd)
        shared = [bodies[index * len(bodies) // self.size.partnerships] for bodies in self.shared]
        frameworks = self.frameworks(rnd)
        switch = rnd.randint(0, self.size.cycles)
        for position, year in enumerate(self.years):
            self.cycle(pid, position, year, rnd, frameworks[position], switch, local, shared)

    def frameworks(self, rnd: random.Random) -> list[list[tuple[str, str, str, tuple[str, ...], str]]]:
        """The framework of each cycle: questions (code, section code, section title, themes, text).

        A partnership revises its framework every two to four cycles: some questions dropped, others added,
        sometimes a new code style; the Covid-19 questions appear only in the Covid years.
        """
        bank = [s for s in STATEMENTS if s[0] != "G"]
        covid = [s for s in STATEMENTS if s[0] == "G"]
        chosen = sorted(rnd.sample(range(len(bank)), 20))
        style = rnd.choice(("section", "numbered", "standard"))
        revise_every = rnd.choice((2, 3, 4))
        result = []
        for position, year in enumerate(self.years):
            if position and position % revise_every == 0:
                dropped = set(rnd.sample(chosen, rnd.randint(2, 4)))
                kept = [i for i in chosen if i not in dropped]
                new = [i for i in range(len(bank)) if i not in chosen]
                chosen = sorted(kept + rnd.sample(new, min(len(new), rnd.randint(2, 4))))
                if rnd.random() < 0.3:
                    style = rnd.choice(("section", "numbered", "standard"))
            statements = [bank[i] for i in chosen] + (covid if year in COVID_YEARS else [])
            result.append(_codes(statements, style))
        return result

    def cycle(self, pid: int, position: int, year: int, rnd: random.Random, framework: list,
              switch: int, local: list[_Org], shared: list[_Org]) -> None:
        last = position == self.size.cycles - 1
        if position < switch:
            method, scale = Method.SELF_ASSESSMENT, Scale.ZERO_TO_THREE
        else:
            method = rnd.choices((Method.PANEL, Method.SELF_ASSESSMENT, Method.PEER_REVIEW), (50, 35, 15))[0]
            scale = Scale.RAG
        label = f"{year}-{(year + 1) % 100:02d}"
        due = dt.date(year, 11, 30)
        published = dt.date(year + 1, 3, 15)
        cid = self.ids(Cycle)
        self.add(Cycle, id=cid, partnership_id=pid, label=label, method=method.value, scale=scale.value,
                 title=f"Synthetic Section 11 audit {label}", period_start=dt.date(year, 4, 1),
                 period_end=dt.date(year + 1, 3, 31), returns_due=due, published_on=published, report_file="",
                 source=self.source, note="synthetic")
        questions = []
        for order, (code, section, title, themes, text) in enumerate(framework, start=1):
            qid = self.ids(Question)
            self.add(Question, id=qid, cycle_id=cid, section_code=section, section_title=title, code=code,
                     text=text, position=order, source=self.source, note="synthetic")
            for theme in themes:
                self.add(QuestionTheme, question_id=qid, theme_id=self.themes[theme])
            questions.append((qid, code, themes))
        invited = [o for o in local if rnd.random() < 0.87] + shared + self.national
        for org in invited:
            status = self.status(org, position, last, method, rnd)
            iid = self.ids(Invitation)
            self.add(Invitation, id=iid, cycle_id=cid, organisation_id=org.id, status=status.value,
                     source=self.source, note="synthetic")
            submitted = self.contacts(iid, status, year, due, method, rnd)
            if submitted is not None:
                self.returns(cid, org, position, scale, method, questions, submitted, rnd)
        self.recommendations(cid, position, published, questions, invited, rnd)

    def status(self, org: _Org, position: int, last: bool, method: Method, rnd: random.Random) -> Engagement:
        if org.fixed_status == Engagement.NATIONAL_RETURN:
            return org.fixed_status
        if org.fixed_status == Engagement.TWO_YEAR_CYCLE and position % 2:
            return org.fixed_status
        roll = rnd.random()
        if roll < 0.03:
            return Engagement.DID_NOT_ENGAGE
        if roll < 0.045:
            return Engagement.DECLINED
        if roll < 0.06:
            return Engagement.WITHDRAWN
        if roll < 0.08 and last:
            return Engagement.INVITED
        if method == Method.PEER_REVIEW:
            return Engagement.REVIEWED
        return Engagement.LATE if roll < 0.16 else Engagement.SUBMITTED

    def contacts(self, iid: int, status: Engagement, year: int, due: dt.date, method: Method,
                 rnd: random.Random) -> dt.date | None:
        """The invitation's dated contact events; returns the day a return arrived, if one did."""
        invited = dt.date(year, 9, 1) + dt.timedelta(days=rnd.randint(0, 14))
        events = [(ContactKind.INVITED, invited, "Audit tool and guidance sent")]
        submitted = None
        if status in (Engagement.LATE, Engagement.INVITED, Engagement.DID_NOT_ENGAGE, Engagement.DECLINED):
            events.append((ContactKind.REMINDED, due - dt.timedelta(days=7), "Reminder before the deadline"))
            events.append((ContactKind.FOLLOW_UP, due + dt.timedelta(days=14), "Follow-up after the deadline"))
        if status == Engagement.SUBMITTED:
            submitted = due - dt.timedelta(days=rnd.randint(1, 30))
            events.append((ContactKind.SUBMITTED, submitted, "Return received"))
        elif status == Engagement.LATE:
            submitted = due + dt.timedelta(days=rnd.randint(15, 40))
            events.append((ContactKind.SUBMITTED, submitted, "Late return received"))
        elif status == Engagement.REVIEWED:
            offered = due - dt.timedelta(days=rnd.randint(20, 40))
            submitted = offered + dt.timedelta(days=rnd.randint(7, 21))
            events.append((ContactKind.DATE_OFFERED, offered, "Peer review date offered"))
            events.append((ContactKind.REVIEW_HELD, submitted, "Peer review held"))
        elif status == Engagement.WITHDRAWN:
            events.append((ContactKind.OTHER, invited + dt.timedelta(days=20), "No longer operates in the area"))
        elif status == Engagement.NATIONAL_RETURN:
            events.append((ContactKind.OTHER, due, "National return received: general assurance"))
        elif status == Engagement.DECLINED:
            events.append((ContactKind.OTHER, due + dt.timedelta(days=21), "Declined to take part"))
        for kind, day, detail in events:
            self.add(Contact, id=self.ids(Contact), invitation_id=iid, kind=kind.value, occurred_on=day,
                     detail=detail, recorded_by="synthetic", source="", note="")
        return submitted

    def returns(self, cid: int, org: _Org, position: int, scale: Scale, method: Method, questions: list,
                submitted: dt.date, rnd: random.Random) -> None:
        """One return with a rating per question; about 2% are corrected, keeping the first as history."""
        corrected = rnd.random() < 0.02
        for version in ((1, 2) if corrected else (1,)):
            rid = self.ids(AuditReturn)
            day = submitted + dt.timedelta(days=10 * (version - 1))
            self.add(AuditReturn, id=rid, cycle_id=cid, organisation_id=org.id, version=version,
                     is_current=version == (2 if corrected else 1), completed_by="Safeguarding lead (synthetic)",
                     submitted_on=day, created_at=dt.datetime.combine(day, dt.time(12)), upload_id=None,
                     source=self.source)
            quality = min(0.97, org.quality + 0.04 * position)
            for qid, code, _themes in questions:
                self.rating(rid, qid, code, quality, scale, method, rnd)

    def rating(self, rid: int, qid: int, code: str, quality: float, scale: Scale, method: Method,
               rnd: random.Random) -> None:
        roll = rnd.random()
        score = 3 if roll < quality * 0.75 else 2 if roll < quality * 0.75 + 0.25 else rnd.choice((0, 1))
        special = rnd.random()
        if special < 0.03:
            raw = "Not rated"
        elif special < 0.05:
            raw = "N/A"
        elif scale == Scale.ZERO_TO_THREE:
            raw = str(score)
        elif special < 0.08 and score == 2:
            raw = "Amber/Green"
        else:
            raw = RAG_WORDS[score]
        grade = self.grades[raw]
        moderated_raw, moderated = "", None
        if method != Method.SELF_ASSESSMENT and grade.rag in (Rag.GREEN, Rag.AMBER, Rag.RED):
            moderated = Rag.AMBER if grade.rag == Rag.GREEN and rnd.random() < 0.15 else grade.rag
            moderated_raw = moderated.value
        self.add(Rating, id=self.ids(Rating), return_id=rid, question_id=qid, raw_value=raw,
                 scale=grade.scale.value if grade.raw else scale.value, rag=grade.rag.value,
                 moderated_raw=moderated_raw, moderated_rag=moderated.value if moderated else None,
                 evidence=f"Synthetic evidence for {code}.", source="", note="")

    def recommendations(self, cid: int, position: int, published: dt.date, questions: list,
                        invited: list[_Org], rnd: random.Random) -> None:
        age = self.size.cycles - 1 - position
        statuses = _STATUSES[min(age, len(_STATUSES) - 1)]
        for kind, made_by, count in ((ActionKind.RECOMMENDATION, "Panel", self.size.recommendations),
                                     (ActionKind.COMMITMENT, "Partnership", self.size.commitments)):
            for number in range(1, count + 1):
                qid, code, themes = rnd.choice(questions)
                org = rnd.choice(invited) if kind == ActionKind.COMMITMENT or rnd.random() < 0.6 else None
                status = rnd.choice(statuses)
                owner = rnd.choice(SUBGROUPS)
                did = self.ids(Recommendation)
                self.add(Recommendation, id=did, cycle_id=cid, made_by=made_by, kind=kind.value,
                         number=str(number), text=f"Strengthen practice on {code} ({themes[0]}).",
                         organisation_id=org.id if org else None, theme_id=self.themes[themes[0]],
                         question_id=qid, owner=owner, response="Agreed; action plan to the next subgroup meeting",
                         due_on=published + dt.timedelta(days=rnd.choice((90, 180, 270, 365, 540))),
                         status=status.value, source=self.source, note="synthetic")
                self.progress(did, status, published, owner)

    def progress(self, did: int, status: ActionStatus, published: dt.date, owner: str) -> None:
        steps = {ActionStatus.NOT_STARTED: 0, ActionStatus.OPEN: 1, ActionStatus.IN_PROGRESS: 2}.get(status, 3)
        for step in range(steps):
            day = published + dt.timedelta(days=60 * (step + 1))
            final = step == steps - 1
            self.add(ProgressUpdate, id=self.ids(ProgressUpdate), recommendation_id=did, recorded_on=day,
                     status=(status if final or status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
                             else ActionStatus.IN_PROGRESS).value,
                     text=f"Synthetic update {step + 1}: {owner} reviewed progress.", recorded_by="synthetic",
                     created_at=dt.datetime.combine(day, dt.time(9)), source="", note="")


_STATUSES: tuple[tuple[ActionStatus, ...], ...] = (
    (ActionStatus.OPEN, ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.OPEN),
    (ActionStatus.IN_PROGRESS, ActionStatus.OPEN, ActionStatus.COMPLETE, ActionStatus.NOT_STARTED),
    (ActionStatus.COMPLETE, ActionStatus.IN_PROGRESS, ActionStatus.COMPLETE, ActionStatus.SUPERSEDED),
    (ActionStatus.COMPLETE, ActionStatus.COMPLETE, ActionStatus.SUPERSEDED, ActionStatus.COMPLETE,
     ActionStatus.COMPLETE, ActionStatus.COMPLETE, ActionStatus.IN_PROGRESS, ActionStatus.COMPLETE),
)
"""Recommendation statuses by the cycle's age: the latest cycle's are mostly open, old ones mostly complete."""


def _codes(statements: Iterable[tuple[str, str, tuple[str, ...], str]],
           style: str) -> list[tuple[str, str, str, tuple[str, ...], str]]:
    """Question codes in the framework's style: A1, A2, B1 … or Q1 … Qn or S1.1, S1.2, S2.1 …"""
    result = []
    sections: list[str] = []
    within: Counter[str] = Counter()
    for n, (section, title, themes, text) in enumerate(statements, start=1):
        if section not in sections:
            sections.append(section)
        within[section] += 1
        if style == "numbered":
            code, section_code = f"Q{n}", section
        elif style == "standard":
            code = f"S{len(sections)}.{within[section]}"
            section_code, title = f"S{len(sections)}", f"Standard {len(sections)}: {title}"
        else:
            code, section_code = f"{section}{within[section]}", section
        result.append((code, section_code, title, themes, text))
    return result


# --- writing ---------------------------------------------------------------------------------------

def _write(conn: Connection, rows: dict[type, list[dict]], counts: Counter[str]) -> None:
    """Insert each table's rows (COPY on PostgreSQL, chunked executemany on SQLite: `db.insert_rows`)."""
    for model in TABLES:
        batch = rows.get(model) or []
        table: Table = model.__table__  # type: ignore[attr-defined]
        db.insert_rows(conn, table, batch)
        counts[table.name] += len(batch)


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL: move each id sequence past the ids written here."""
    if conn.dialect.name != "postgresql":
        return
    for model in TABLES:
        table = model.__table__  # type: ignore[attr-defined]
        if "id" in table.c:
            top = select(func.max(table.c.id)).scalar_subquery()
            conn.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), top)).where(
                top.is_not(None)))


def synthetic_partnerships(conn: Connection) -> list[tuple[int, str]]:
    """(id, source) of the synthetic partnerships in the database."""
    return list(conn.execute(select(Partnership.id, Partnership.source).where(
        Partnership.region == REGION, Partnership.illustrative.is_(True),
        Partnership.name.startswith(NAME_PREFIX)).order_by(Partnership.id)).all())


def synthesize(engine: Engine, scale: str = "small", seed: int = 1, replace: bool = False,
               progress: Callable[[int, int, Counter[str]], None] | None = None) -> SynthResult:
    """Generate the synthetic set of `scale` and `seed` into a migrated database, in one transaction."""
    if scale not in SIZES:
        raise UserError(f"unknown scale '{scale}'; use one of: {', '.join(SIZES)}")
    size, result, started = SIZES[scale], SynthResult(scale, seed), time.perf_counter()
    with db.write_session(engine) as session:
        conn = session.connection()
        existing = synthetic_partnerships(conn)
        if existing:
            same = {source for _id, source in existing} == {marker(scale, seed)}
            if same and len(existing) == size.partnerships and not replace:
                result.already_there = True
                return result
            if not replace:
                made_by = existing[0][1].partition("`")[2].partition("`")[0] or "another scale or seed"
                raise UserError(f"the database already holds a synthetic set ({made_by}); "
                                "add --replace to remove it and generate this one")
            result.removed = _remove(conn, [pid for pid, _ in existing])
        from s11data.seed.loader import Loader

        loader = Loader(session)
        loader.themes()
        themes = {name: theme.id for name, theme in loader._themes.items()}
        gen = _Generator(size, scale, seed, _Ids(conn), themes)
        gen.shared_bodies()
        for index in range(size.partnerships):
            gen.partnership(index)
            _write(conn, gen.take(), result.counts)
            if progress:
                progress(index + 1, size.partnerships, result.counts)
        _reset_sequences(conn)
    analyse(engine)
    result.seconds = time.perf_counter() - started
    return result


def analyse(engine: Engine) -> None:
    """Refresh the planner's statistics after a bulk load: ANALYZE on SQLite; VACUUM ANALYZE on PostgreSQL, which
    also sets the visibility map so that index-only scans need not visit the table."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def remove(engine: Engine) -> Counter[str]:
    """Delete the synthetic set (partnerships, their cycles and everything under them, synthetic organisations)."""
    with db.write_session(engine) as session:
        conn = session.connection()
        return _remove(conn, [pid for pid, _ in synthetic_partnerships(conn)])


def under_cycles(cycles: Select) -> list[Delete]:
    """Deletes of the cycles `cycles` selects and everything stored under them (returns and their ratings, uploads,
    invitations and contacts, actions and their progress, published figures, questions), in an order the foreign
    keys allow."""
    returns = select(AuditReturn.id).where(AuditReturn.cycle_id.in_(cycles))
    invitations = select(Invitation.id).where(Invitation.cycle_id.in_(cycles))
    actions = select(Recommendation.id).where(Recommendation.cycle_id.in_(cycles))
    questions = select(Question.id).where(Question.cycle_id.in_(cycles))
    return [
        delete(Rating).where(Rating.return_id.in_(returns)),
        delete(AuditReturn).where(AuditReturn.id.in_(returns)),
        delete(Upload).where(Upload.cycle_id.in_(cycles)),
        delete(Contact).where(Contact.invitation_id.in_(invitations)),
        delete(Invitation).where(Invitation.id.in_(invitations)),
        delete(ProgressUpdate).where(ProgressUpdate.recommendation_id.in_(actions)),
        delete(Recommendation).where(Recommendation.id.in_(actions)),
        delete(PublishedAggregate).where(PublishedAggregate.cycle_id.in_(cycles)),
        delete(QuestionTheme).where(QuestionTheme.question_id.in_(questions)),
        delete(Question).where(Question.id.in_(questions)),
        delete(Cycle).where(Cycle.id.in_(cycles)),
    ]


def _remove(conn: Connection, partnership_ids: list[int]) -> Counter[str]:
    removed: Counter[str] = Counter()
    steps = [
        *under_cycles(select(Cycle.id).where(Cycle.partnership_id.in_(partnership_ids))),
        delete(Upload).where(Upload.partnership_id.in_(partnership_ids)),
        delete(AuditEvent).where(AuditEvent.partnership_id.in_(partnership_ids)),
        delete(PartnershipAlias).where(PartnershipAlias.partnership_id.in_(partnership_ids)),
        delete(Partnership).where(Partnership.id.in_(partnership_ids)),
    ]
    synthetic_orgs = select(Organisation.id).where(Organisation.name.endswith(ORG_SUFFIX),
                                                   Organisation.source.startswith("synthetic"))
    unused = (synthetic_orgs.where(Organisation.id.not_in(select(Invitation.organisation_id)),
                                   Organisation.id.not_in(select(AuditReturn.organisation_id)),
                                   Organisation.id.not_in(select(Recommendation.organisation_id).where(
                                       Recommendation.organisation_id.is_not(None)))))
    steps += [delete(OrganisationAlias).where(OrganisationAlias.organisation_id.in_(unused)),
              delete(Organisation).where(Organisation.id.in_(unused))]
    for stmt in steps:
        removed[stmt.table.name] += conn.execute(stmt).rowcount
    return removed


def progress_line(stream=sys.stderr) -> Callable[[int, int, Counter[str]], None]:  # type: ignore[no-untyped-def]
    """A one-line progress bar on a terminal; a line per tenth of the way otherwise."""
    started = time.perf_counter()
    tty = stream.isatty()

    def show(done: int, total: int, counts: Counter[str]) -> None:
        if not tty and done != total and done * 10 // total == (done - 1) * 10 // total:
            return
        width = 30
        bar = "#" * (width * done // total) + "." * (width - width * done // total)
        line = (f"synth [{bar}] {done}/{total} partnerships · {counts['rating']:,} ratings · "
                f"{time.perf_counter() - started:.0f} s")
        stream.write(("\r" + line + ("\n" if done == total else "")) if tty else line + "\n")
        stream.flush()

    return show
