"""Tables of the auth domain: API tokens for integrations, officer accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from payrecon.auth.roles import ROLES
from payrecon.db import Base, BigId, UtcDateTime


class ApiToken(Base):
    """A bearer token an integration presents; the secret itself is never stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    secret_sha256: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(500))  # space-separated, see auth.scopes
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_used_from: Mapped[str | None] = mapped_column(String(45))  # an IPv6 address fits


class Officer(Base):
    """A person who signs in to the officer pages: finance staff, auditors, administrators."""

    __tablename__ = "officers"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(map(repr, ROLES))})", name="role_known"),
        CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_login_from: Mapped[str | None] = mapped_column(String(45))
    # Written into each sign-in session; signing out raises it, which ends every session of
    # the account, copies of its cookie included (a Flask session is only a signed cookie).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
