"""The reads behind each page, scoped and aggregated in the database (small frames out), and the engagement and
action records kept from the Engagement and Actions pages. May import `s11data.returns` and `s11data.store`;
independent of `s11data.admin`.

Every read takes `session, scope` first and keeps only the caller's partnerships (`in_scope`). Filters are keyword
arguments by id (`partnership_id`, `cycle_id`, `theme_id`, `organisation_id`) or by value (`section`, `sector`), as
`app.filters.Filters.query_args()` gives them. `theme_id` is one theme's id or several (a subgroup chair's themes:
`common.on_themes` builds the one WHERE clause; a question on two of them counts once)."""
