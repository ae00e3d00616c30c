"""`s11 bench [--scale small|regional|national] [--json]`: pages, queries, a 10,000-row import and the Section 11
report (one cycle; a 15-partnership roll-up) against the targets of DESIGN §6 and issue 11, on SQLite and (when reachable)
PostgreSQL, each figure beside its bare SQL time."""
from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    from bench.synth import SIZES

    cmd = commands.add_parser("bench", help="time pages, queries and a 10,000-row import against DESIGN §6")
    cmd.add_argument("--scale", choices=list(SIZES), default="small",
                     help="the synthetic set to measure on (generated first where a database has none)")
    cmd.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    cmd.add_argument("--repeat", type=int, default=5, help="runs per figure; the median is reported (default 5)")
    cmd.add_argument("--sqlite", metavar="URL|none",
                     help="SQLite database when the configured one is PostgreSQL (default data/bench.sqlite3)")
    cmd.add_argument("--postgres", metavar="URL|none",
                     help="PostgreSQL database when the configured one is SQLite (default $S11_BENCH_POSTGRES_URL, "
                          "else postgresql+psycopg://postgres@127.0.0.1:5432/s11bench, used only if reachable)")
    cmd.add_argument("--import-rows", type=int, default=10_000, metavar="N",
                     help="rows in the return file of the import figure (default 10,000, as DESIGN §6 says)")
    cmd.add_argument("--no-pages", action="store_true", help="skip the page scripts (queries and import only)")
    cmd.add_argument("--concurrency", type=_levels, default="1,5,10,20,50", metavar="N,N,…|none",
                     help="simultaneous new sessions per level against real app servers (default 1,5,10,20,50)")
    cmd.add_argument("--processes", type=_levels, default="1,2", metavar="N,N",
                     help="app server processes to measure the levels with (default 1,2)")
    cmd.add_argument("--no-report", action="store_true",
                     help="skip the Section 11 report figures (one cycle's draft + DOCX + PDF, a 15-partnership roll-up)")
    cmd.set_defaults(run=_run)


def _levels(text: str) -> tuple[int, ...]:
    if text.strip().lower() == "none":
        return ()
    try:
        levels = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a list of whole numbers such as 1,5,10") from None
    if any(level < 1 for level in levels):
        raise argparse.ArgumentTypeError("every level is at least 1")
    return levels


def _run(args: argparse.Namespace) -> int:
    from bench.benchmark import main

    args.repeat = max(1, args.repeat)
    args.import_rows = max(20, args.import_rows)
    return main(args)
