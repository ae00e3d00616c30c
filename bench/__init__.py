"""Synthetic data and the benchmark (`s11 synth`, `s11 bench`): the one package allowed to import both `app/`
(to time the pages' scripts) and `s11data/`. Nothing imports it but the `s11` console script (`bench.cli`)."""
