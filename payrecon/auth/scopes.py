"""The scopes an API token can carry: one constant list, checked when a token is created."""

from __future__ import annotations

from collections.abc import Iterable

from payrecon.errors import InvalidInput

KNOWN_SCOPES: tuple[str, ...] = (
    "dossiers:write",
    "invoices:read",
    "payments:write",
    "payments:refund",
    "statements:write",
    "tax:read",
    "tax:write",
    "reconciliation:read",
)


def require_known_scopes(scopes: Iterable[str], *, where: str = "scope") -> tuple[str, ...]:
    """The scopes sorted and without repeats; an unknown or empty list is refused by name."""
    wanted = sorted({scope.strip() for scope in scopes})
    if not wanted:
        raise InvalidInput(
            f"a token needs at least one scope; known scopes: {', '.join(KNOWN_SCOPES)}",
            where=where,
        )
    unknown = [scope for scope in wanted if scope not in KNOWN_SCOPES]
    if unknown:
        raise InvalidInput(
            f"unknown scope{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
            f"known scopes: {', '.join(KNOWN_SCOPES)}",
            where=where,
        )
    return tuple(wanted)


def join_scopes(scopes: Iterable[str]) -> str:
    """Stored form: space-separated, as in an OAuth 2.0 `scope` value."""
    return " ".join(sorted(scopes))


def split_scopes(stored: str) -> frozenset[str]:
    return frozenset(stored.split())
