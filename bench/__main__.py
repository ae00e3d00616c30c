"""`python -m bench`: the `s11` command line with synth and bench (the same as the `s11` console script)."""
from bench.cli import main

raise SystemExit(main())
