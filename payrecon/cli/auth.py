"""`payrecon tokens …` (API tokens for integrations) and `payrecon users …` (officer accounts)."""

from __future__ import annotations

import sys
from datetime import datetime

import click
from flask.cli import with_appcontext

from payrecon.auth.roles import ROLES
from payrecon.auth.scopes import KNOWN_SCOPES
from payrecon.cli.common import cli_actor, reports_errors
from payrecon.db import request_session, utcnow


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


@click.group("tokens", help="API tokens for integrations (bearer tokens with scopes).")
def tokens_group() -> None:
    pass


@tokens_group.command("create")
@click.option("--name", required=True, help="who will use it, e.g. tax-gateway")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    help=f"repeat for each scope: {', '.join(KNOWN_SCOPES)}",
)
@click.option("--expires-in-days", type=int, default=None, help="default: never expires")
@with_appcontext
@reports_errors
def create_token(name: str, scopes: tuple[str, ...], expires_in_days: int | None) -> None:
    """Issue a token. It is printed once, alone on standard output; only its hash is kept."""
    from payrecon.auth import service

    issued = service.create_token(
        request_session(),
        name=name,
        scopes=list(scopes),
        expires_in_days=expires_in_days,
        actor=cli_actor(),
    )
    click.echo(
        f"token {issued.public_id} for {issued.name}: scopes {' '.join(issued.scopes)}; "
        f"expires {_when(issued.expires_at) if issued.expires_at else 'never'}",
        err=True,
    )
    click.echo("store it now: it cannot be shown again", err=True)
    click.echo(issued.text)


@tokens_group.command("list")
@with_appcontext
def list_tokens() -> None:
    """Every token with its state and last use (never the secret)."""
    from payrecon.auth import queries
    from payrecon.auth.tokens import token_state

    tokens = queries.list_tokens(request_session())
    if not tokens:
        click.echo("no API tokens")
        return
    now = utcnow()
    click.echo("id                name                 state    scopes / expires / last used")
    for token in tokens:
        state = token_state(revoked_at=token.revoked_at, expires_at=token.expires_at, now=now)
        used = (
            f"{_when(token.last_used_at)} from {token.last_used_from or '?'}"
            if token.last_used_at
            else "never"
        )
        click.echo(
            f"{token.public_id:<17} {token.name[:20]:<20} {state:<8} {token.scopes}; "
            f"expires {_when(token.expires_at) if token.expires_at else 'never'}; used {used}"
        )


@tokens_group.command("revoke")
@click.argument("token_id")
@with_appcontext
@reports_errors
def revoke_token(token_id: str) -> None:
    """Revoke a token by its id (the 16 hex digits after prt_); it stops working at once."""
    from payrecon.auth import service

    token = service.revoke_token(request_session(), public_id=token_id, actor=cli_actor())
    click.echo(f"token {token.public_id} ({token.name}) revoked at {_when(token.revoked_at)}")


@click.group("users", help="Officer accounts and their roles.")
def users_group() -> None:
    pass


@users_group.command("create")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True, help='display name, e.g. "Trần Thị Hoa"')
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option(
    "--password-stdin",
    is_flag=True,
    help="read the password from the first line of standard input (otherwise it is prompted)",
)
@with_appcontext
@reports_errors
def create_user(username: str, display_name: str, role: str, password_stdin: bool) -> None:
    """Create an officer account."""
    from payrecon.auth import service

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    officer = service.create_officer(
        request_session(),
        username=username,
        display_name=display_name,
        role=role,
        password=password,
        actor=cli_actor(),
    )
    click.echo(f"officer {officer.username} ({officer.display_name}) created with role {role}")


@users_group.command("list")
@with_appcontext
def list_users() -> None:
    """Every officer account with its role and state."""
    from payrecon.auth import queries
    from payrecon.auth.lockout import is_locked

    officers = queries.list_officers(request_session())
    if not officers:
        click.echo("no officer accounts")
        return
    now = utcnow()
    for officer in officers:
        if officer.disabled_at:
            state = f"disabled since {_when(officer.disabled_at)}"
        elif is_locked(officer.locked_until, now):
            state = f"locked until {_when(officer.locked_until)}"
        else:
            state = "active"
        click.echo(
            f"{officer.username:<20} {officer.role:<10} {officer.display_name} · {state} · "
            f"last sign-in {_when(officer.last_login_at)}"
        )


@users_group.command("disable")
@click.argument("username")
@with_appcontext
@reports_errors
def disable_user(username: str) -> None:
    """Disable an officer account: it can no longer sign in."""
    from payrecon.auth import service

    officer = service.disable_officer(request_session(), username=username, actor=cli_actor())
    click.echo(f"officer {officer.username} disabled")


COMMANDS = [tokens_group, users_group]
