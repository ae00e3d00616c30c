"""Errors whose message is written for the person who caused them (shown as is, never as a stack trace)."""


class UserError(Exception):
    """Something the user can fix; the message says what and how."""
