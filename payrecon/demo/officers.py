"""Demo sign-in accounts, one per role, with passwords generated into instance/settings.py.

Demo only: the passwords are printed by `payrecon demo` and kept in the demo's settings
file so that every run prints the same ones. Production creates accounts with
`payrecon users create` and never has these.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from payrecon.auth import queries, service

ACTOR = "demo"

# role, username, display name
DEMO_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    ("officer", "canbo.demo", "Nguyễn Thị Thu (demo)"),
    ("supervisor", "truongbp.demo", "Trần Văn Hải (demo)"),
    ("auditor", "kiemtoan.demo", "Lê Minh Tâm (demo)"),
    ("admin", "quantri.demo", "Phạm Quang Long (demo)"),
)


def generate_demo_passwords() -> dict[str, str]:
    return {username: secrets.token_urlsafe(12) for _role, username, _name in DEMO_ACCOUNTS}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    created: bool


def ensure_demo_officers(session: Session, passwords: Mapping[str, str]) -> list[DemoLogin]:
    """Create the demo accounts that do not exist yet; existing ones are left as they are."""
    logins = []
    for role, username, display_name in DEMO_ACCOUNTS:
        password = passwords[username]
        exists = queries.find_officer(session, username) is not None
        if not exists:
            service.create_officer(
                session,
                username=username,
                display_name=display_name,
                role=role,
                password=password,
                actor=ACTOR,
            )
        logins.append(DemoLogin(role, username, password, created=not exists))
    return logins
