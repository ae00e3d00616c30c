"""Administration: users, roles and chairs' themes (`users`), the sign-in cookie key, and setting up cycles with
their frameworks and invitation lists (`cycles`). May import `s11data.returns` and `s11data.store`; independent of
`s11data.views`."""
