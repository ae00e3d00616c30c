"""The `s11` command line (also `python -m s11data`). Each command lives in its own module with `register`.

The `s11` console script is `bench.cli:main`, which adds `synth` and `bench` (they live above s11data) to these."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from s11data.cli import cycle, database, export, import_, report, users

COMMAND_MODULES: tuple[ModuleType, ...] = (database, export, import_, users, cycle, report)
"""The modules whose `register(commands)` adds a command, in the order `s11 --help` lists them."""


def build_parser(command_modules: Sequence[ModuleType] = COMMAND_MODULES) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="s11", description="Section 11 audit dashboard: database and files.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in command_modules:
        module.register(commands)
    return parser


def main(argv: list[str] | None = None, command_modules: Sequence[ModuleType] = COMMAND_MODULES) -> int:
    """Run one command; every failure is a one-line message and a non-zero exit, never a stack trace."""
    from s11data.store.errors import UserError

    args = build_parser(command_modules).parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except UserError as exc:
        print(f"s11 {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"s11 {args.command}: interrupted; nothing was changed by the unfinished step", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no stack trace reaches a user
        print(f"s11 {args.command}: failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
