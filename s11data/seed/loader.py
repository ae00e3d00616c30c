"""Loading `seed/` into the database: the published record and the illustrative demo.

Both arrive as bundles of rows keyed by the CSV file names of `seed/README.md`; every row is matched on its
natural key and inserted or updated in place, so seeding twice leaves the same content.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from s11data.store import db
from s11data.store.errors import UserError
from s11data.store.models import (
    STABLE_THEMES,
    ActionKind,
    ActionStatus,
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
    Rag,
    Rating,
    Recommendation,
    Scale,
    Sector,
    SubjectKind,
    Theme,
)
from s11data.returns.ratings import NOT_PUBLISHED, Grade, parse_grade

SEED_DIR = Path(os.environ.get("S11_SEED_DIR", db.PROJECT_DIR / "seed"))

COLUMNS: dict[str, list[str]] = {
    "partnerships": ["name", "short_name", "aliases", "region"],
    "cycles": ["partnership", "label", "method", "scale", "period_start", "period_end", "returns_due",
               "published_on", "title", "report_file"],
    "questions": ["partnership", "cycle", "section_code", "section_title", "code", "text", "themes", "position"],
    "organisations": ["name", "sector", "aliases"],
    "invitations": ["partnership", "cycle", "organisation", "status"],
    "contacts": ["partnership", "cycle", "organisation", "kind", "date", "detail"],
    "ratings": ["partnership", "cycle", "organisation", "question", "rating", "moderated_rating", "evidence"],
    "aggregates": ["partnership", "cycle", "subject_kind", "subject", "grade", "count", "percent", "base"],
    "recommendations": ["partnership", "cycle", "made_by", "kind", "number", "text", "target", "theme", "owner",
                        "response", "due", "status"],
    "progress": ["partnership", "cycle", "made_by", "kind", "number", "date", "status", "text"],
}
for _cols in COLUMNS.values():
    _cols += ["source", "note"]

Row = dict[str, str]


@dataclass
class Bundle:
    """The rows of one seed source (a report folder or the demo), by file name without `.csv`."""

    name: str
    tables: dict[str, list[Row]] = field(default_factory=dict)
    illustrative: bool = False


def read_folder(folder: Path) -> Bundle:
    """Read one `seed/published/<report>/` folder, checking each header against the format."""
    bundle = Bundle(folder.name)
    for table, columns in COLUMNS.items():
        path = folder / f"{table}.csv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if [c.strip() for c in reader.fieldnames or []] != columns:
                raise UserError(f"{path}: header must be {', '.join(columns)}")
            rows = []
            for line, row in enumerate(reader, start=2):
                if None in row or any(v is None for v in row.values()):
                    raise UserError(f"{path}:{line}: expected {len(columns)} fields")
                row = {k.strip(): (v or "").strip() for k, v in row.items()}
                row["_where"] = f"{path.relative_to(folder.parent.parent)}:{line}"
                rows.append(row)
            bundle.tables[table] = rows
    return bundle


def published_bundles(seed_dir: Path = SEED_DIR) -> list[Bundle]:
    return [read_folder(p) for p in sorted((seed_dir / "published").iterdir()) if p.is_dir()]


def _date(value: str, where: str) -> dt.date | None:
    if not value:
        return None
    try:
        if len(value) == 7:  # YYYY-MM: a month-only date, kept as the 1st (the note says so)
            return dt.date.fromisoformat(value + "-01")
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{where}: '{value}' is not a date (YYYY-MM-DD)") from None


def _enum(cls, value: str, where: str):  # type: ignore[no-untyped-def]
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in cls)
        raise UserError(f"{where}: '{value}' is not one of: {allowed}") from None


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _number(value: str, kind: type, where: str):  # type: ignore[no-untyped-def]
    if not value:
        return None
    try:
        return kind(value.rstrip("%"))
    except ValueError:
        raise UserError(f"{where}: '{value}' is not a number") from None


class Loader:
    """Upserts bundle rows by natural key inside one session."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self._themes: dict[str, Theme] = {}
        self._cache: dict[tuple, object] = {}
        self._indexes: dict[tuple, dict[tuple, object]] = {}

    # -- lookups ----------------------------------------------------------------------------------
    def themes(self) -> None:
        existing = {t.name: t for t in self.s.scalars(select(Theme))}
        for position, name in enumerate(STABLE_THEMES):
            theme = existing.get(name) or Theme(name=name)
            theme.position = position
            self.s.add(theme)
            self._themes[name] = theme
        self.s.flush()

    def theme(self, name: str, where: str) -> Theme:
        if name not in self._themes:
            raise UserError(f"{where}: '{name}' is not a theme of the stable list")
        return self._themes[name]

    def partnership(self, name: str, where: str) -> Partnership:
        found = self.s.scalar(select(Partnership).where(Partnership.name == name))
        if found is None:
            raise UserError(f"{where}: partnership '{name}' is not in partnerships.csv")
        return found

    def cycle(self, partnership: str, label: str, where: str) -> Cycle:
        key = ("cycle", partnership, label)
        if key not in self._cache:
            self._cache[key] = self._find_cycle(partnership, label, where)
        return self._cache[key]  # type: ignore[return-value]

    def _find_cycle(self, partnership: str, label: str, where: str) -> Cycle:
        p = self.partnership(partnership, where)
        found = self.s.scalar(select(Cycle).where(Cycle.partnership_id == p.id, Cycle.label == label))
        if found is None:
            raise UserError(f"{where}: cycle '{partnership} {label}' is not in cycles.csv")
        return found

    def organisation(self, name: str, where: str) -> Organisation:
        key = ("organisation", name)
        if key not in self._cache:
            self._cache[key] = self._find_organisation(name, where)
        return self._cache[key]  # type: ignore[return-value]

    def _find_organisation(self, name: str, where: str) -> Organisation:
        found = self.s.scalar(select(Organisation).where(Organisation.name == name))
        if found is None:
            found = self.s.scalar(select(Organisation).join(OrganisationAlias)
                                  .where(OrganisationAlias.alias == name))
        if found is None:
            raise UserError(f"{where}: organisation '{name}' is not in organisations.csv")
        return found

    def question(self, cycle: Cycle, code: str, where: str) -> Question:
        key = ("question", cycle.id, code)
        if key not in self._cache:
            self._cache[key] = self._find_question(cycle, code, where)
        return self._cache[key]  # type: ignore[return-value]

    def _find_question(self, cycle: Cycle, code: str, where: str) -> Question:
        found = self.s.scalar(select(Question).where(Question.cycle_id == cycle.id, Question.code == code))
        if found is None:
            raise UserError(f"{where}: question '{code}' is not in questions.csv of {cycle.label}")
        return found

    def _get(self, model, **key):  # type: ignore[no-untyped-def]
        """The row with this natural key, created if missing. Rows sharing the key's first column (its parent:
        a cycle's questions, a return's ratings) are fetched in one query and remembered."""
        names = tuple(key)
        scope_key = (model, names, key[names[0]])
        index = self._indexes.get(scope_key)
        if index is None:
            siblings = self.s.scalars(select(model).filter_by(**{names[0]: key[names[0]]}))
            index = {tuple(getattr(row, n) for n in names): row for row in siblings}
            self._indexes[scope_key] = index
        values = tuple(key.values())
        found = index.get(values)
        if found is None:
            found = model(**key)
            self.s.add(found)
            index[values] = found
        return found

    # -- tables -----------------------------------------------------------------------------------
    def load(self, bundle: Bundle) -> Counter[str]:
        counts: Counter[str] = Counter()
        for table in COLUMNS:
            with self.s.no_autoflush:
                for row in bundle.tables.get(table, []):
                    getattr(self, f"_{table}")(row, bundle)
                    counts[table] += 1
            self.s.flush()
        return counts

    def _aliases(self, owner, alias_model, fk: str, names: Iterable[str]) -> None:  # type: ignore[no-untyped-def]
        for alias in names:
            found = self.s.scalar(select(alias_model).where(alias_model.alias == alias))
            if found is None:
                self.s.add(alias_model(alias=alias, **{fk: owner.id}))
            elif getattr(found, fk) != owner.id:
                raise UserError(f"alias '{alias}' already names another record")

    def _partnerships(self, row: Row, bundle: Bundle) -> None:
        p = self._get(Partnership, name=row["name"])
        p.short_name, p.region, p.illustrative = row["short_name"], row["region"], bundle.illustrative
        p.source = row["source"]
        self.s.flush()
        self._aliases(p, PartnershipAlias, "partnership_id", _split(row["aliases"]))

    def _organisations(self, row: Row, bundle: Bundle) -> None:
        where = row["_where"]
        o = self._get(Organisation, name=row["name"])
        sector = _enum(Sector, row["sector"], where)
        if o.id is not None and o.source and o.source != row["source"] and o.sector not in (None, sector):
            raise UserError(f"{where}: organisation '{o.name}' has sector {o.sector.value} elsewhere")
        o.sector, o.note = sector, row["note"]
        o.source = o.source if o.source and o.source != row["source"] else row["source"]
        self.s.flush()
        self._aliases(o, OrganisationAlias, "organisation_id", _split(row["aliases"]))

    def _cycles(self, row: Row, bundle: Bundle) -> None:
        where = row["_where"]
        p = self.partnership(row["partnership"], where)
        c = self._get(Cycle, partnership_id=p.id, label=row["label"])
        c.method = _enum(Method, row["method"], where)
        c.scale = _enum(Scale, row["scale"], where)
        for name in ("period_start", "period_end", "returns_due", "published_on"):
            setattr(c, name, _date(row[name], where))
        c.title, c.report_file, c.source, c.note = row["title"], row["report_file"], row["source"], row["note"]

    def _questions(self, row: Row, bundle: Bundle) -> None:
        where = row["_where"]
        c = self.cycle(row["partnership"], row["cycle"], where)
        q = self._get(Question, cycle_id=c.id, code=row["code"])
        q.section_code, q.section_title, q.text = row["section_code"], row["section_title"], row["text"]
        q.position = _number(row["position"], int, where) or 0
        q.source, q.note = row["source"], row["note"]
        q.themes = [self.theme(t, where) for t in _split(row["themes"])]

    def _invitations(self, row: Row, bundle: Bundle) -> None:
        where = row["_where"]
        c = self.cycle(row["partnership"], row["cycle"], where)
        o = self.organisation(row["organisation"], where)
        i = self._get(Invitation, cycle_id=c.id, organisation_id=o.id)
        i.status = _enum(Engagement, row["status"], where)
        i.source, i.note = row["source"], row["note"]

    def _invitation(self, row: Row) -> Invitation:
        where = row["_where"]
        c = self.cycle(row["partnership"], row["cycle"], where)
        o = self.organisation(row["organisation"], where)
        found = self.s.scalar(select(Invitation).where(Invitation.cycle_id == c.id,
                                                       Invitation.organisation_id == o.id))
        if found is None:
            raise UserError(f"{where}: '{o.name}' has no row in invitations.csv for {c.label}")
        return found

    def _contacts(self, row: Row, bundle: Bundle) -> None:
        where = row["_where"]
        inv = self._invitation(row)
        contact = self._get(Contact, invitation_id=inv.id, kind=_enum(ContactKind, row["kind"], where),
                            occurred_on=_date(row["date"], where))
        contact.detail, contact.source, contact.note = row["detail"], row["source"], row["note"]

    def _ratings(self, row: Row, bundle: Bundle) -> None:
        where = row["_where"]
        c = self.cycle(row["partnership"], row["cycle"], where)
        o = self.organisation(row["organisation"], where)
        q = self.question(c, row["question"], where)
        ret = self._current_return(c, o, row["source"])
        r = self._get(Rating, return_id=ret.id, question_id=q.id)
        try:
            grade = (Grade(raw="", rag=None, scale=c.scale)  # type: ignore[arg-type]
                     if row["rating"] == NOT_PUBLISHED else parse_grade(row["rating"], c.scale))
            moderated = parse_grade(row["moderated_rating"], c.scale) if row["moderated_rating"] else None
        except ValueError as exc:
            raise UserError(f"{where}: {exc}") from None
        r.raw_value, r.rag, r.scale = grade.raw, grade.rag, grade.scale if grade.raw else c.scale
        r.moderated_raw = moderated.raw if moderated else ""
        r.moderated_rag = moderated.rag if moderated else None
        r.evidence, r.source, r.note = row["evidence"], row["source"], row["note"]

    def _current_return(self, cycle: Cycle, organisation: Organisation, source: str) -> AuditReturn:
        """The organisation's current return for the cycle, created (version 1) when it has none."""
        key = ("return", cycle.id, organisation.id)
        if key not in self._cache:
            ret = self.s.scalar(select(AuditReturn).where(AuditReturn.cycle_id == cycle.id,
                                                          AuditReturn.organisation_id == organisation.id,
                                                          AuditReturn.is_current.is_(True)))
            if ret is None:
                ret = AuditReturn(cycle_id=cycle.id, organisation_id=organisation.id, version=1, is_current=True,
                                  source=source, submitted_on=self._submitted_on(cycle, organisation))
                self.s.add(ret)
                self.s.flush()
            self._cache[key] = ret
        return self._cache[key]  # type: ignore[return-value]

    def _submitted_on(self, cycle: Cycle, organisation: Organisation) -> dt.date | None:
        """The date of the invitation's latest `submitted` contact, if the record gives one."""
        return self.s.scalar(select(func.max(Contact.occurred_on)).join(Invitation)
                             .where(Invitation.cycle_id == cycle.id, Invitation.organisation_id == organisation.id,
                                    Contact.kind == ContactKind.SUBMITTED))

    def _aggregates(self, row: Row, bundle: Bundle) -> None:
        where = row["_where"]
        c = self.cycle(row["partnership"], row["cycle"], where)
        kind = _enum(SubjectKind, row["subject_kind"], where)
        a = self._get(PublishedAggregate, cycle_id=c.id, subject_kind=kind, subject=row["subject"],
                      grade=_enum(Rag, row["grade"], where))
        a.question_id = self.question(c, row["subject"], where).id if kind == SubjectKind.QUESTION else None
        a.organisation_id = (self.organisation(row["subject"], where).id
                             if kind == SubjectKind.ORGANISATION else None)
        a.count = _number(row["count"], int, where)
        a.percent = _number(row["percent"], float, where)
        a.base = _number(row["base"], int, where)
        a.source, a.note = row["source"], row["note"]

    def _recommendation(self, row: Row, create: bool) -> Recommendation:
        where = row["_where"]
        c = self.cycle(row["partnership"], row["cycle"], where)
        key = dict(cycle_id=c.id, made_by=row["made_by"], kind=_enum(ActionKind, row["kind"], where),
                   number=row["number"])
        if create:
            return self._get(Recommendation, **key)
        found = self.s.scalar(select(Recommendation).filter_by(**key))
        if found is None:
            raise UserError(f"{where}: recommendation {row['number']} is not in recommendations.csv")
        return found

    def _recommendations(self, row: Row, bundle: Bundle) -> None:
        where = row["_where"]
        r = self._recommendation(row, create=True)
        target = row["target"]
        r.organisation_id = None if target in ("", "Partnership") else self.organisation(target, where).id
        r.theme_id = self.theme(row["theme"], where).id if row["theme"] else None
        r.text, r.owner, r.response = row["text"], row["owner"], row["response"]
        r.due_on = _date(row["due"], where)
        r.status = _enum(ActionStatus, row["status"] or "open", where)
        r.source, r.note = row["source"], row["note"]

    def _progress(self, row: Row, bundle: Bundle) -> None:
        where = row["_where"]
        r = self._recommendation(row, create=False)
        self.s.flush()
        u = self._get(ProgressUpdate, recommendation_id=r.id, recorded_on=_date(row["date"], where),
                      status=_enum(ActionStatus, row["status"], where))
        u.text, u.source, u.note = row["text"], row["source"], row["note"]
        u.recorded_by = u.recorded_by or "published report"
