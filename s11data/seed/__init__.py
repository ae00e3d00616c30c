"""The first data: the published record transcribed under seed/published/ (`loader`) and the illustrative demo
partnership generated from seed/demo/ (`demo`), loaded idempotently. May import every s11data subpackage below it
(`views`, `admin`, `returns`, `store`), never `cli`."""
