"""Return templates: pre-filled with the cycle's question codes and invited organisations, in both layouts and
formats, and importable as they come back (rows left empty are skipped)."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine, select

from s11data.store import db
from s11data.store.errors import UserError
from s11data.store.models import Cycle, Invitation, Organisation, Partnership, Rag, Role
from s11data.store.scope import Scope
from s11data.returns.templates import template_file, template_frame
from test_import import DEMO, NEW_ORG, codes, current, run

CYCLE = "2025-26"


def _invited(engine: Engine) -> list[str]:
    with db.read_session(engine) as s:
        return sorted(s.scalars(select(Organisation.name).join(Invitation).join(Cycle).join(Partnership)
                                .where(Partnership.name == DEMO, Cycle.label == CYCLE)), key=str)


def test_long_template_is_every_invited_organisation_by_every_question(sqlite_seeded: Engine) -> None:
    with db.read_session(sqlite_seeded) as s:
        frame = template_frame(s, Scope.system(), "DEMO", CYCLE, "long")
    qs, invited = codes(sqlite_seeded), _invited(sqlite_seeded)
    assert list(frame.columns[:6]) == ["partnership", "cycle", "organisation", "question", "rating", "evidence"]
    assert len(frame) == len(qs) * len(invited)
    assert sorted(set(frame["organisation"])) == sorted(invited)
    assert list(frame["question"][:len(qs)]) == qs
    assert set(frame["rating"]) == {""}


def test_wide_template_has_a_grade_and_an_evidence_column_per_question(sqlite_seeded: Engine) -> None:
    with db.read_session(sqlite_seeded) as s:
        frame = template_frame(s, Scope.system(), DEMO, CYCLE, "wide")
    qs = codes(sqlite_seeded)
    assert [c for c in frame.columns if c in qs] == qs
    assert all(f"{q} evidence" in frame.columns for q in qs)
    assert len(frame) == len(_invited(sqlite_seeded))


@pytest.mark.parametrize("layout", ["long", "wide"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_filled_in_template_imports_only_the_organisations_filled(seeded_engine: Engine, layout: str,
                                                                     fmt: str) -> None:
    with db.read_session(seeded_engine) as s:
        name, data = template_file(s, Scope.system(), DEMO, CYCLE, layout, fmt)
    assert name.endswith(f"-{layout}.{fmt}") and "2025-26" in name
    frame = (pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig") if fmt == "csv"
             else pd.read_excel(io.BytesIO(data), sheet_name="return", dtype=str).fillna(""))
    qs = codes(seeded_engine)
    mine = frame["organisation"] == NEW_ORG
    if layout == "long":
        frame.loc[mine, "rating"] = "Amber"
    else:
        frame.loc[mine, qs] = "Amber"
    buffer = io.BytesIO()
    if fmt == "csv":
        frame.to_csv(buffer, index=False)
    else:
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:  # as Excel saves it back, sheets and all
            frame.to_excel(writer, index=False, sheet_name="return")
            pd.DataFrame({"code": qs}).to_excel(writer, index=False, sheet_name="questions")
    result = run(seeded_engine, buffer.getvalue(), name=name)
    assert result.ok, result.errors
    assert result.return_counts()["new return"] == 1 and result.imported == len(qs)
    assert {v[0] for v in current(seeded_engine, NEW_ORG).values()} == {Rag.AMBER}
    assert any("skipped" in w.message for w in result.warnings)
    assert not any("sheet" in w.message for w in result.warnings)


@pytest.mark.parametrize("cycle, offered", [("2025-26", '"Green,Amber,Red,Not rated,N/A"'),
                                            ("2023-24", '"3,2,1,0,Not rated,N/A"')])  # RAG and 0–3 cycles
def test_the_xlsx_template_offers_the_grades_and_explains_itself(sqlite_seeded: Engine, cycle: str,
                                                                 offered: str) -> None:
    with db.read_session(sqlite_seeded) as s:
        _name, data = template_file(s, Scope.system(), DEMO, cycle, "long", "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["return", "questions", "how to fill in"]
    validation = book["return"].data_validations.dataValidation[0]
    assert validation.formula1 == offered and "E2" in str(validation.sqref)  # the rating column
    guidance = " ".join(str(c.value) for c in book["how to fill in"]["A"])
    assert "lower grade" in guidance and "Not rated" in guidance


def test_templates_respect_scope(sqlite_seeded: Engine) -> None:
    with db.read_session(sqlite_seeded) as s:
        other = s.scalar(select(Partnership.id).where(Partnership.name != DEMO))
        with pytest.raises(UserError):
            template_frame(s, Scope.of("bm", Role.BUSINESS_MANAGER, [other]), DEMO, CYCLE, "long")
