"""Tokens for tests that call guarded endpoints."""

from __future__ import annotations

from payrecon.auth import service


def issue_token(session, *scopes: str, name: str = "test-client", **kwargs) -> str:
    """A new token's text, made through the service (only its hash is in the database)."""
    return service.create_token(
        session, name=name, scopes=list(scopes), actor="test", **kwargs
    ).text


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def bearer_for(session, *scopes: str, **kwargs) -> dict[str, str]:
    return bearer(issue_token(session, *scopes, **kwargs))
