"""The officer pages' navigation: a registry other blueprints add their pages to.

    from payrecon.web.officer.nav import register_nav
    register_nav(app, endpoint="reconciliation.runs", label=lazy_gettext("Reconciliation"),
                 permission="view_reports", description=lazy_gettext("Nightly runs ..."))

Entries live in `app.extensions["officer_nav"]`, in registration order. The layout's menu and
the home page show an officer exactly the entries their role's permissions allow; the page
itself must still guard its view with `require_permission` (a menu is not a lock).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from payrecon.auth.roles import PERMISSIONS, role_allows

NAV_KEY = "officer_nav"


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: Any  # a lazy gettext string, rendered in the officer's language
    permission: str
    description: Any = ""


def register_nav(
    app: Any, *, endpoint: str, label: Any, permission: str, description: Any = ""
) -> NavEntry:
    """Add a page to the officer menu (once per endpoint; an unknown permission is an error)."""
    if permission not in PERMISSIONS:
        raise ValueError(
            f"unknown permission {permission!r} for {endpoint}; known: {', '.join(PERMISSIONS)}"
        )
    entries: list[NavEntry] = app.extensions.setdefault(NAV_KEY, [])
    if any(entry.endpoint == endpoint for entry in entries):
        raise ValueError(f"{endpoint} is already in the officer menu")
    entry = NavEntry(endpoint, label, permission, description)
    entries.append(entry)
    return entry


def entries_for(entries: Iterable[NavEntry], role: str) -> list[NavEntry]:
    """The entries `role` may open, in registration order."""
    return [entry for entry in entries if role_allows(role, entry.permission)]
