"""The `s11` console script: s11data's commands plus `s11 synth` and `s11 bench`, which live here above s11data."""
from __future__ import annotations

from bench import cli_bench, cli_synth
from s11data import cli

COMMAND_MODULES = (*cli.COMMAND_MODULES, cli_synth, cli_bench)


def main(argv: list[str] | None = None) -> int:
    """Run one `s11` command (see `s11data.cli.main`)."""
    return cli.main(argv, COMMAND_MODULES)
