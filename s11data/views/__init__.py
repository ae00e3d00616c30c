"""The reads behind each page, scoped and aggregated in the database (small frames out), and the engagement and
action records kept from the Engagement and Actions pages. May import `s11data.returns` and `s11data.store`;
independent of `s11data.admin`."""
