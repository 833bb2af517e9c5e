"""Read-only selects over tokens and officer accounts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon.auth.models import ApiToken, Officer


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.created_at, ApiToken.id)))


def find_token(session: Session, public_id: str) -> ApiToken | None:
    return session.scalars(select(ApiToken).where(ApiToken.public_id == public_id)).one_or_none()


def list_officers(session: Session) -> list[Officer]:
    return list(session.scalars(select(Officer).order_by(Officer.username)))


def find_officer(session: Session, username: str) -> Officer | None:
    return session.scalars(
        select(Officer).where(Officer.username == username.strip().lower())
    ).one_or_none()
