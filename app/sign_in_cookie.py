"""The browser's sign-in cookie: made and checked on the server, written and deleted by a script in the page.

The cookie is a JWT (HS256, claims `username` and `exp_date`) signed with `s11data.cookie_key`. A new session reads
it from the request that opened the session (`st.context.cookies`), so it is signed in on its first script run:
no component, no reply, no second run. Writing and deleting use `st.html` with a script: it sends nothing back, so
it starts no run either; the gate draws it again on every run until the session's state changes, so a write or a
delete lost to a quick rerun is made on the next one.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from dataclasses import dataclass

import jwt
import streamlit as st

from s11data.admin import cookie_key, users
from s11data.store import db


def expiry_days() -> float:
    try:
        return max(0.01, float(os.environ.get("S11_COOKIE_EXPIRY_DAYS", "1")))
    except ValueError:
        return 1.0


def cookie_name(url: str) -> str:
    """The sign-in cookie's name for this database (the same host may serve several)."""
    return "s11_auth_" + hashlib.sha256(db.redacted(url).encode()).hexdigest()[:12]


def signing_key() -> str:
    """`S11_COOKIE_KEY`, else Streamlit secret `cookie_key`, else the generated key file. With the variable set,
    Streamlit's secrets are not touched (reading them starts a polling watcher on the secrets files that costs
    CPU in every process, measured ~9 % of a warm heat-map load's samples)."""
    if os.environ.get(cookie_key.ENV, "").strip():
        return cookie_key.cookie_key()
    try:
        secret = st.secrets.get("cookie_key")
    except Exception:  # noqa: BLE001 - no secrets file: that is fine
        secret = None
    return cookie_key.cookie_key(str(secret) if secret else None)


@dataclass(frozen=True)
class CookieClaims:
    username: str
    token_id: str
    """Names this cookie in the sign-out record (`users.token_signed_out`): its expiry, to the microsecond."""
    issued_at: dt.datetime


def _token_id(exp: float) -> str:
    return f"{exp:.6f}"


def read_cookie(token: str, key: str, now: float | None = None) -> CookieClaims | None:
    """The claims of a sign-in cookie if its signature and expiry are good and its user name is written exactly
    as accounts are (lower case, trimmed), else None (never raises)."""
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"])
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    username, exp = claims.get("username"), claims.get("exp_date")
    now = time.time() if now is None else now
    if not isinstance(username, str) or username != users.normalise_username(username) or not username:
        return None
    if not isinstance(exp, (int, float)) or isinstance(exp, bool):
        return None
    lifetime = expiry_days() * 86400
    if not now < exp <= now + lifetime + 60:  # expired, or longer-lived than this app issues
        return None
    issued = dt.datetime.fromtimestamp(exp - lifetime, dt.timezone.utc).replace(tzinfo=None)
    return CookieClaims(username, _token_id(exp), issued)


@dataclass(frozen=True)
class Issued:
    token: str
    token_id: str
    expires: float


def issue(username: str, key: str, now: float | None = None) -> Issued:
    """A new sign-in cookie for `username`, expiring `expiry_days()` from now."""
    exp = (time.time() if now is None else now) + expiry_days() * 86400
    token = jwt.encode({"username": username, "exp_date": exp}, key, algorithm="HS256")
    return Issued(token, _token_id(exp), exp)


def write(name: str, issued: Issued) -> None:
    """Put the cookie in the browser (path /, SameSite=Strict, Secure over HTTPS), in the current container."""
    _script(name, issued.token, round(issued.expires * 1000))


def delete(name: str) -> None:
    """Remove the cookie from the browser (an expiry in the past), in the current container."""
    _script(name, "", 0)


_SET = ("<script>(function (c) { document.cookie = c[0] + '=' + c[1] + '; expires=' + new Date(c[2]).toUTCString()"
        " + '; path=/; SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : ''); })(%s);</script>")


def _script(name: str, value: str, expires_ms: int) -> None:
    # Only the cookie's name (hex) and a JWT (base64url and dots) reach the script; JSON quotes them anyway.
    st.html(_SET % json.dumps([name, value, expires_ms]).replace("</", "<\\/"), unsafe_allow_javascript=True)
