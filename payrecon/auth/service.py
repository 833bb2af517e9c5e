"""Auth use cases. Each function is one business operation and ends in one commit.

Tokens: create_token, revoke_token, authenticate_token.
Officers: create_officer, disable_officer, authenticate_officer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from payrecon import audit
from payrecon.auth import passwords
from payrecon.auth.lockout import LockoutPolicy, after_failure, is_locked
from payrecon.auth.models import ApiToken, Officer
from payrecon.auth.roles import ROLES
from payrecon.auth.scopes import join_scopes, require_known_scopes, split_scopes
from payrecon.auth.tokens import generate_token, parse_token, secret_matches, token_state
from payrecon.db import utcnow
from payrecon.errors import Conflict, InvalidInput, NotFound, Unauthorized

# A token's last use is written at most once a minute: a busy integration must not turn
# every read into a write.
USE_RECORD_INTERVAL = timedelta(seconds=60)
MAX_TOKEN_DAYS = 3650

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,59}")


class LoginFailed(Unauthorized):
    """Unknown username, wrong password, locked or disabled account: one message for all.

    The reason is in the audit log, never in the answer, so nobody can learn from the
    answer which usernames exist or which accounts are locked.
    """

    def __init__(self) -> None:
        super().__init__(
            "sign-in failed: wrong username or password, or the account is locked or disabled"
        )


# --- API tokens -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    """A new token; `text` is the only copy of the secret there will ever be."""

    public_id: str
    name: str
    scopes: tuple[str, ...]
    expires_at: datetime | None
    text: str


@dataclass(frozen=True)
class TokenHolder:
    """Who presented a valid token: what the request guard and audit records need."""

    public_id: str
    name: str
    scopes: frozenset[str]

    @property
    def actor(self) -> str:
        return f"api:{self.name}:{self.public_id}"


def create_token(
    session: Session,
    *,
    name: str,
    scopes: list[str] | tuple[str, ...],
    actor: str,
    expires_in_days: int | None = None,
    now: datetime | None = None,
) -> IssuedToken:
    """Issue a token for an integration; only the SHA-256 of its secret is stored."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput("a token name must have 1–100 characters", where="name")
    granted = require_known_scopes(scopes)
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise InvalidInput(
            f"expiry must be 1–{MAX_TOKEN_DAYS} days, not {expires_in_days}",
            where="expires-in-days",
        )
    now = now or utcnow()
    expires_at = now + timedelta(days=expires_in_days) if expires_in_days else None
    new = generate_token()
    token = ApiToken(
        public_id=new.public_id,
        name=name,
        secret_sha256=new.secret_sha256,
        scopes=join_scopes(granted),
        created_at=now,
        created_by=actor,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    audit.record_change(session, token, "created", None, f"{name}: {token.scopes}", actor=actor)
    session.commit()
    return IssuedToken(new.public_id, name, granted, expires_at, new.text)


def revoke_token(
    session: Session, *, public_id: str, actor: str, now: datetime | None = None
) -> ApiToken:
    """Revoke a token at once; revoking it again changes nothing."""
    token = session.scalars(
        select(ApiToken).where(ApiToken.public_id == public_id.strip()).with_for_update()
    ).one_or_none()
    if token is None:
        raise NotFound(f"no API token with id {public_id!r}", where="id")
    if token.revoked_at is None:
        now = now or utcnow()
        audit.record_change(session, token, "revoked_at", None, now, actor=actor)
        token.revoked_at = now
        token.revoked_by = actor
        session.commit()
    return token


# Built once: every API request runs it. Parameter: public_id. The columns the check needs,
# not the ORM entity: on the request path, loading and tracking an object costs more Python
# time than the round trip itself.
_TOKEN_BY_PUBLIC_ID = select(
    ApiToken.id,
    ApiToken.public_id,
    ApiToken.name,
    ApiToken.secret_sha256,
    ApiToken.scopes,
    ApiToken.expires_at,
    ApiToken.revoked_at,
    ApiToken.last_used_at,
).where(ApiToken.public_id == bindparam("public_id"))


def authenticate_token(
    session: Session, presented: str, *, remote_addr: str | None, now: datetime | None = None
) -> TokenHolder:
    """Check a presented token and note its use; raise Unauthorized if it is not good.

    The secret is compared before anything about the token is told, so only its holder
    learns whether it expired or was revoked. Every request reads the token's row: a
    revocation holds from the next request on, in every process.
    """
    public_id, secret = parse_token(presented)
    token = session.execute(_TOKEN_BY_PUBLIC_ID, {"public_id": public_id}).one_or_none()
    if token is None or not secret_matches(secret, token.secret_sha256):
        raise Unauthorized("the bearer token is not valid")
    now = now or utcnow()
    state = token_state(revoked_at=token.revoked_at, expires_at=token.expires_at, now=now)
    if state == "revoked":
        raise Unauthorized("the bearer token has been revoked")
    if state == "expired":
        raise Unauthorized("the bearer token has expired")
    if token.last_used_at is None or now - token.last_used_at >= USE_RECORD_INTERVAL:
        _record_use(session, token.id, remote_addr, now)
    return TokenHolder(token.public_id, token.name, split_scopes(token.scopes))


def _record_use(session: Session, token_id: int, remote_addr: str | None, now: datetime) -> None:
    """Write last use (at most once per USE_RECORD_INTERVAL), in its own short commit.

    The UPDATE repeats the age test, so of two requests racing past the check only one
    writes. It commits at once: a use is a use even if the request then fails.
    """
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at <= now - USE_RECORD_INTERVAL,
            ),
        )
        .values(last_used_at=now, last_used_from=(remote_addr or "")[:45] or None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


# --- officers ---------------------------------------------------------------------------------


def normalise_username(username: str) -> str:
    return username.strip().lower()


def create_officer(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: str,
    password: str,
    actor: str,
    now: datetime | None = None,
) -> Officer:
    """Create an officer account; the password is stored as an argon2id hash."""
    username = normalise_username(username)
    if not _USERNAME.fullmatch(username):
        raise InvalidInput(
            "a username has 2–60 characters: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
            where="username",
        )
    display_name = display_name.strip()
    if not 1 <= len(display_name) <= 200:
        raise InvalidInput("a display name must have 1–200 characters", where="name")
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; roles: {', '.join(ROLES)}", where="role")
    passwords.require_acceptable_password(password)
    if session.scalars(select(Officer.id).where(Officer.username == username)).first():
        raise Conflict(f"username {username!r} is taken", where="username")
    officer = Officer(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=passwords.hash_password(password),
        created_at=now or utcnow(),
        failed_logins=0,
    )
    session.add(officer)
    session.flush()
    audit.record_change(session, officer, "created", None, f"{username} ({role})", actor=actor)
    session.commit()
    return officer


def disable_officer(
    session: Session, *, username: str, actor: str, now: datetime | None = None
) -> Officer:
    """Disable an account: it can no longer sign in. Disabling it again changes nothing."""
    officer = _officer_for_update(session, normalise_username(username))
    if officer is None:
        raise NotFound(f"no officer with username {username!r}", where="username")
    if officer.disabled_at is None:
        now = now or utcnow()
        audit.record_change(session, officer, "disabled_at", None, now, actor=actor)
        officer.disabled_at = now
        session.commit()
    return officer


def end_officer_sessions(session: Session, officer_id: int, *, actor: str) -> None:
    """Sign the officer out everywhere: every session started before now stops working."""
    session.execute(
        update(Officer)
        .where(Officer.id == officer_id)
        .values(session_generation=Officer.session_generation + 1)
    )
    audit.record(
        session,
        subject_type="officers",
        subject_id=officer_id,
        field="login",
        old=None,
        new="signed_out",
        actor=actor,
        why="signed out: every session of the account ends",
    )
    session.commit()


def _officer_for_update(session: Session, username: str) -> Officer | None:
    return session.scalars(
        select(Officer).where(Officer.username == username).with_for_update()
    ).one_or_none()


def authenticate_officer(
    session: Session,
    username: str,
    password: str,
    remote_addr: str | None,
    *,
    policy: LockoutPolicy | None = None,
    now: datetime | None = None,
) -> Officer:
    """Check an officer's password; raise LoginFailed (the same for every reason) if wrong.

    Every attempt is in the audit log with its reason. After `policy.max_failures`
    consecutive failures the account is locked for `policy.lock_for`; while locked even
    the right password is refused. A hash made with outdated argon2 parameters is
    replaced on success.
    """
    policy = policy or LockoutPolicy()
    now = now or utcnow()
    actor = f"login:{remote_addr or 'unknown address'}"
    wanted = normalise_username(username)
    officer = _officer_for_update(session, wanted)

    def refuse(outcome: str, why: str) -> LoginFailed:
        audit.record(
            session,
            subject_type="officers",
            subject_id=officer.id if officer else f"unknown:{wanted[:60]}",
            field="login",
            old=None,
            new=outcome,
            actor=actor,
            why=why,
        )
        session.commit()
        return LoginFailed()

    if officer is None:
        passwords.spend_verification_time(password)
        raise refuse("failed", "unknown username")
    if officer.disabled_at is not None:
        passwords.spend_verification_time(password)
        raise refuse("refused", "account disabled")
    if is_locked(officer.locked_until, now):
        passwords.spend_verification_time(password)
        raise refuse("refused", f"account locked until {officer.locked_until.isoformat()}")
    if not passwords.verify_password(officer.password_hash, password):
        result = after_failure(officer.failed_logins, now, policy)
        officer.failed_logins = result.failed_logins
        officer.locked_until = result.locked_until
        if result.locked:
            audit.record(
                session,
                subject_type="officers",
                subject_id=officer.id,
                field="login",
                old=None,
                new="failed",
                actor=actor,
                why=f"wrong password ({policy.max_failures} in a row)",
            )
            raise refuse("locked", f"locked until {result.locked_until.isoformat()}")
        raise refuse("failed", f"wrong password ({result.failed_logins} in a row)")

    if passwords.needs_rehash(officer.password_hash):
        officer.password_hash = passwords.hash_password(password)
    officer.failed_logins = 0
    officer.locked_until = None
    officer.last_login_at = now
    officer.last_login_from = (remote_addr or "")[:45] or None
    audit.record_change(session, officer, "login", None, "succeeded", actor=actor)
    session.commit()
    return officer
