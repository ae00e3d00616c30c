"""The key that signs the sign-in cookie.

In order: the environment variable `S11_COOKIE_KEY`; else the app's Streamlit secret (`cookie_key` in
`.streamlit/secrets.toml`, passed in by the app layer since `s11data` does not import Streamlit); else a strong key
generated once with `secrets.token_urlsafe(48)` and kept in `data/cookie_key` (mode 0600, outside git: `data/` is
gitignored). A configured key that is short or a library's published default is refused, never used.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from s11data.store import db
from s11data.store.errors import UserError

ENV = "S11_COOKIE_KEY"
FILE_NAME = "cookie_key"
MIN_LENGTH = 32
KNOWN_DEFAULTS = frozenset({"some_key", "some_signature_key", "random_signature_key", "abcdef", "key", "secret",
                            "changeme", "change-me"})
"""Keys printed in streamlit-authenticator's code and examples: anyone could forge a cookie with them."""


def key_path() -> Path:
    return db.DATA_DIR / FILE_NAME


def cookie_key(secret: str | None = None) -> str:
    """The signing key: `S11_COOKIE_KEY`, else `secret` (from Streamlit secrets), else the generated file."""
    configured = os.environ.get(ENV, "").strip()
    if configured:
        return _checked(configured, f"the environment variable {ENV}")
    if secret and secret.strip():
        return _checked(secret.strip(), "the Streamlit secret cookie_key")
    return _generated(key_path())


def _checked(key: str, where: str) -> str:
    if key.lower() in KNOWN_DEFAULTS or len(key) < MIN_LENGTH:
        raise UserError(f"the cookie signing key in {where} is too weak (a published default or shorter than "
                        f"{MIN_LENGTH} characters); set a long random one, e.g. "
                        "python -c 'import secrets; print(secrets.token_urlsafe(48))', or remove it to let the "
                        "app generate one in data/cookie_key")
    return key


def _generated(path: Path) -> str:
    """Read the generated key, creating it (0600, atomically: a concurrent first start reads the winner's)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            tmp = path.with_name(f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(48) + "\n")
            try:
                os.link(tmp, path)  # atomic, and fails if another process made the file first
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        key = path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise UserError(f"cannot keep the cookie signing key in {path} ({exc.strerror}); make its folder "
                        f"writable or set {ENV}") from None
    if len(key) < MIN_LENGTH:
        raise UserError(f"the cookie signing key in {path} is damaged (too short); delete the file to let the app "
                        "generate a new one (everyone will have to sign in again)")
    return key
