"""API token format and hashing. Pure: no database, no framework.

A token reads `prt_<public id>_<secret>`:
- `prt_` says what it is (secret scanners and people can recognise a leaked one);
- the public id (16 hex digits) is stored in clear and finds the row, so lookup never
  compares secrets one by one;
- the secret (32 random bytes, base64url) is stored only as its SHA-256. A slow password
  hash is not needed: 256 random bits cannot be guessed, only stolen, and a stolen
  database then yields nothing usable. Comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from payrecon.errors import Unauthorized

TOKEN_PREFIX = "prt"  # noqa: S105 (a label, not a secret)
PUBLIC_ID_BYTES = 8
SECRET_BYTES = 32

_TOKEN_SHAPE = re.compile(r"prt_(?P<public_id>[0-9a-f]{16})_(?P<secret>[A-Za-z0-9_-]{43})")


@dataclass(frozen=True)
class NewToken:
    """A freshly generated token: `text` is what the client gets, `secret_sha256` what we keep."""

    public_id: str
    secret: str

    @property
    def text(self) -> str:
        return format_token(self.public_id, self.secret)

    @property
    def secret_sha256(self) -> str:
        return hash_secret(self.secret)


def generate_token() -> NewToken:
    return NewToken(
        public_id=secrets.token_hex(PUBLIC_ID_BYTES), secret=secrets.token_urlsafe(SECRET_BYTES)
    )


def format_token(public_id: str, secret: str) -> str:
    return f"{TOKEN_PREFIX}_{public_id}_{secret}"


def parse_token(text: str) -> tuple[str, str]:
    """(public id, secret) of a presented token; anything else is Unauthorized.

    The message never repeats what was presented: it may be someone's secret.
    """
    match = _TOKEN_SHAPE.fullmatch(text.strip())
    if match is None:
        raise Unauthorized("the bearer token is not a payrecon API token (prt_<id>_<secret>)")
    return match["public_id"], match["secret"]


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def secret_matches(secret: str, stored_sha256: str) -> bool:
    """Constant-time comparison of the presented secret's hash with the stored one."""
    return hmac.compare_digest(hash_secret(secret), stored_sha256)


def token_state(*, revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> str:
    """'revoked', 'expired' or 'active'. A token expires at the instant `expires_at`."""
    if revoked_at is not None:
        return "revoked"
    if expires_at is not None and now >= expires_at:
        return "expired"
    return "active"
