"""The report's benchmark (issue 11, item 5): one partnership's cycle drafted and rendered as DOCX and PDF (target
< 10 s), and a roll-up of 15 partnerships' cycles of one year (target < 60 s), on the synthetic set.

`seconds` is the whole of what a business manager waits for to get both documents: draft + DOCX + PDF (each
timed apart too). Figures are medians of `repeat` runs for one cycle, one run for the roll-up. Nothing is asserted:
the table says pass or fail beside each target.
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select

from s11data.report import document, draft, render, rollup
from s11data.store import db
from s11data.store.models import Cycle, Invitation, Question, Role
from s11data.store.scope import Scope
from s11data.views import filter_choices

TARGETS: dict[str, float] = {"report": 10.0, "rollup": 60.0}
"""Seconds (issue 11): a national-scale partnership's cycle drafted and rendered; a 15-partnership roll-up."""
ROLLUP_PARTNERSHIPS = 15
FORMATS = ("docx", "pdf")
BENCH_USER = "s11bench"


@dataclass
class ReportFigure:
    what: str
    partnerships: int = 0
    cycles: str = ""
    organisations: int = 0
    questions: int = 0
    draft_seconds: float | None = None
    render_seconds: dict[str, float] = field(default_factory=dict)
    seconds: float | None = None
    cpu_seconds: float | None = None
    """CPU time of this process for the same work (draft + renders, summed over parts as `seconds` is): on a
    machine shared with other work, wall time rises with the load and CPU time much less."""
    cpu_parts: dict[str, float] = field(default_factory=dict)
    pages_blocks: int = 0
    target: float = 0.0
    ok: bool = False
    error: str | None = None


def _timed(make: Callable[[], object], cpu: list[float] | None = None) -> tuple[float, object]:
    """(wall seconds, what `make` made); its CPU seconds appended to `cpu` when given."""
    started, used = time.perf_counter(), time.process_time()
    made = make()
    if cpu is not None:
        cpu.append(time.process_time() - used)
    return time.perf_counter() - started, made


def _measure(engine: Engine, figure: ReportFigure, scope: Scope, cycle_ids: list[int], repeat: int) -> ReportFigure:
    """Draft (one cycle or the roll-up) and render each format, `repeat` times; medians."""
    drafts, renders = [], {fmt: [] for fmt in FORMATS}
    cpu: dict[str, list[float]] = {part: [] for part in ("draft", *FORMATS)}
    with db.read_session(engine) as session:
        figure.organisations = session.scalar(select(func.count(func.distinct(Invitation.organisation_id)))
                                              .where(Invitation.cycle_id.in_(cycle_ids))) or 0
        figure.questions = session.scalar(select(func.count(Question.id)).where(Question.cycle_id.in_(cycle_ids))) or 0
        figure.cycles = ", ".join(session.scalars(select(Cycle.label).where(Cycle.id.in_(cycle_ids))
                                                  .distinct().order_by(Cycle.label)))
        for _ in range(repeat):
            if len(cycle_ids) == 1:
                seconds, made = _timed(lambda: draft.draft(session, scope, cycle_id=cycle_ids[0]), cpu["draft"])
            else:
                seconds, made = _timed(lambda: rollup.draft_rollup(session, scope, cycle_ids=cycle_ids),
                                       cpu["draft"])
            drafts.append(seconds)
            assert isinstance(made, document.Report)
            for fmt in FORMATS:
                renders[fmt].append(_timed(lambda: render.render(made, fmt), cpu[fmt])[0])  # noqa: B023 - used at once
    figure.partnerships = len(cycle_ids)
    figure.pages_blocks = len(made.blocks)
    figure.draft_seconds = statistics.median(drafts)
    figure.render_seconds = {fmt: statistics.median(times) for fmt, times in renders.items()}
    figure.seconds = figure.draft_seconds + sum(figure.render_seconds.values())
    figure.cpu_parts = {part: statistics.median(times) for part, times in cpu.items()}
    figure.cpu_seconds = sum(figure.cpu_parts.values())
    figure.ok = figure.seconds < figure.target
    return figure


def time_reports(engine: Engine, partnership_id: int, cycle_id: int, partnership_ids: tuple[int, ...],
                 repeat: int) -> list[ReportFigure]:
    """One cycle (the picked partnership's latest) and the roll-up of up to 15 partnerships' cycles of its year."""
    figures = []
    one = ReportFigure("one partnership's cycle (draft + DOCX + PDF)", target=TARGETS["report"])
    try:
        figures.append(_measure(engine, one, Scope.of(BENCH_USER, Role.ADMIN, [partnership_id]), [cycle_id],
                                max(1, min(repeat, 3))))
    except Exception as exc:  # noqa: BLE001 - reported as the figure's error
        one.error = f"{type(exc).__name__}: {exc}"
        figures.append(one)
    chosen = partnership_ids[:ROLLUP_PARTNERSHIPS]
    many = ReportFigure(f"roll-up of {len(chosen)} partnerships (draft + DOCX + PDF)", target=TARGETS["rollup"])
    try:
        scope = Scope.of(BENCH_USER, Role.ADMIN, chosen)
        with db.read_session(engine) as session:
            label = session.scalar(select(Cycle.label).where(Cycle.id == cycle_id)) or ""
            cycles = filter_choices.filter_choices(session, scope).cycles
        ids = rollup.cycles_of_year(cycles, label, {pid: str(pid) for pid in chosen})
        figures.append(_measure(engine, many, scope, ids, 1))
    except Exception as exc:  # noqa: BLE001 - reported as the figure's error
        many.error = f"{type(exc).__name__}: {exc}"
        figures.append(many)
    return figures


def table_lines(figures: list[dict]) -> list[str]:
    """The report figures as lines of `s11 bench`'s table."""
    lines = [f"  {'report':<58}{'orgs':>6}{'qns':>6}{'draft':>8}"
             + "".join(f"{fmt.upper():>8}" for fmt in FORMATS) + f"{'total':>8}{'target':>8}{'cpu':>8}  result"]
    for f in figures:
        def s(v: float | None) -> str:
            return "—" if v is None else f"{v:.2f}"
        verdict = f"ERROR {f['error']}" if f["error"] else ("pass" if f["ok"] else "FAIL")
        lines.append(f"  {f['what']:<58}{f['organisations']:>6}{f['questions']:>6}{s(f['draft_seconds']):>8}"
                     + "".join(f"{s(f['render_seconds'].get(fmt)):>8}" for fmt in FORMATS)
                     + f"{s(f['seconds']):>8}{f['target']:>8.0f}{s(f.get('cpu_seconds')):>8}  {verdict}")
    return lines
