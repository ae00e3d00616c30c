"""`s11 synth --scale small|regional|national [--seed N] [--replace]`: a synthetic set for benchmarks."""
from __future__ import annotations

import argparse
import sys

from s11data.store import db
from s11data.seed.load import prepare


def register(commands: argparse._SubParsersAction) -> None:
    from bench.synth import SIZES

    cmd = commands.add_parser("synth", help="generate a synthetic, clearly labelled dataset (for benchmarks)")
    cmd.add_argument("--scale", choices=list(SIZES), default="small",
                     help="small (seconds), regional (15 partnerships) or national (150 partnerships, ~1.2 M "
                          "ratings); default small")
    cmd.add_argument("--seed", type=int, default=1, help="the same seed gives the same content (default 1)")
    cmd.add_argument("--replace", action="store_true", help="remove an earlier synthetic set first")
    cmd.add_argument("--remove", action="store_true", help="only remove the synthetic set, generate nothing")
    cmd.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from bench import synth

    engine = db.get_engine()
    prepare(engine)
    if args.remove:
        removed = synth.remove(engine)
        print("removed " + (", ".join(f"{n:,} {t}" for t, n in removed.items() if n) or "nothing"))
        return 0
    progress = synth.progress_line(sys.stderr) if args.scale != "small" else None
    result = synth.synthesize(engine, args.scale, args.seed, replace=args.replace, progress=progress)
    print(result.summary())
    return 0
