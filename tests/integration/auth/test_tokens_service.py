"""API tokens on both databases: create, list, revoke, expire, and the record of their use."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from payrecon.audit import history
from payrecon.auth import queries, service
from payrecon.auth.models import ApiToken
from payrecon.auth.tokens import hash_secret, parse_token
from payrecon.db import utcnow
from payrecon.errors import InvalidInput, NotFound, Unauthorized


def issue(session, *scopes, **kwargs):
    return service.create_token(
        session, name=kwargs.pop("name", "tax-gateway"), scopes=list(scopes), actor="test", **kwargs
    )


def test_create_stores_only_the_hash_and_lists_without_the_secret(db_session):
    issued = issue(db_session, "tax:write", "tax:read", expires_in_days=30)
    public_id, secret = parse_token(issued.text)
    assert public_id == issued.public_id
    assert issued.scopes == ("tax:read", "tax:write")

    [row] = queries.list_tokens(db_session)
    assert row.public_id == public_id
    assert row.secret_sha256 == hash_secret(secret)
    assert secret not in {row.secret_sha256, row.name, row.scopes, row.public_id}
    assert row.scopes == "tax:read tax:write"
    assert row.expires_at - row.created_at == timedelta(days=30)
    assert [r.field for r in history(db_session, "api_tokens", row.id)] == ["created"]


def test_unknown_scope_or_bad_expiry_writes_nothing(db_session):
    with pytest.raises(InvalidInput, match="unknown scope 'tax:everything'"):
        issue(db_session, "tax:read", "tax:everything")
    with pytest.raises(InvalidInput, match="expiry must be") as caught:
        issue(db_session, "tax:read", expires_in_days=0)
    assert caught.value.where == "expires-in-days"
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_a_good_token_authenticates_with_its_scopes(db_session):
    issued = issue(db_session, "tax:read", name="thue-qn")
    holder = service.authenticate_token(db_session, issued.text, remote_addr="10.0.0.7")
    assert holder.public_id == issued.public_id
    assert holder.scopes == {"tax:read"}
    assert holder.actor == f"api:thue-qn:{issued.public_id}"


def test_a_wrong_secret_for_a_real_id_is_refused(db_session):
    issued = issue(db_session, "tax:read")
    public_id, _ = parse_token(issued.text)
    forged = f"prt_{public_id}_{'A' * 43}"
    with pytest.raises(Unauthorized, match="not valid"):
        service.authenticate_token(db_session, forged, remote_addr=None)


def test_a_revoked_token_stops_working_and_revoking_twice_is_harmless(db_session):
    issued = issue(db_session, "tax:read")
    token = service.revoke_token(db_session, public_id=issued.public_id, actor="cli:admin")
    assert token.revoked_at is not None
    assert token.revoked_by == "cli:admin"
    again = service.revoke_token(db_session, public_id=issued.public_id, actor="cli:other")
    assert again.revoked_by == "cli:admin"
    fields = [r.field for r in history(db_session, "api_tokens", token.id)]
    assert fields == ["created", "revoked_at"]
    with pytest.raises(Unauthorized, match="revoked"):
        service.authenticate_token(db_session, issued.text, remote_addr=None)


def test_revoking_an_unknown_id_is_not_found(db_session):
    with pytest.raises(NotFound, match="no API token with id 'ffffffffffffffff'"):
        service.revoke_token(db_session, public_id="ffffffffffffffff", actor="t")


def test_a_token_expires_at_its_expiry(db_session):
    issued_at = utcnow() - timedelta(days=2)
    issued = issue(db_session, "tax:read", expires_in_days=1, now=issued_at)
    expiry = issued_at + timedelta(days=1)
    holder = service.authenticate_token(
        db_session, issued.text, remote_addr=None, now=expiry - timedelta(seconds=1)
    )
    assert holder.public_id == issued.public_id
    with pytest.raises(Unauthorized, match="expired"):
        service.authenticate_token(db_session, issued.text, remote_addr=None, now=expiry)
    with pytest.raises(Unauthorized, match="expired"):
        service.authenticate_token(db_session, issued.text, remote_addr=None)


def last_use(session, public_id):
    session.rollback()  # see what other transactions committed
    token = queries.find_token(session, public_id)
    session.refresh(token)
    return token.last_used_at, token.last_used_from


def test_use_is_recorded_at_most_once_a_minute(db_session):
    issued = issue(db_session, "tax:read")
    start = utcnow()
    assert last_use(db_session, issued.public_id) == (None, None)

    service.authenticate_token(db_session, issued.text, remote_addr="10.0.0.1", now=start)
    assert last_use(db_session, issued.public_id) == (start, "10.0.0.1")

    soon = start + timedelta(seconds=59)
    service.authenticate_token(db_session, issued.text, remote_addr="10.0.0.2", now=soon)
    assert last_use(db_session, issued.public_id) == (start, "10.0.0.1")

    later = start + timedelta(seconds=60)
    service.authenticate_token(db_session, issued.text, remote_addr="10.0.0.3", now=later)
    assert last_use(db_session, issued.public_id) == (later, "10.0.0.3")


def test_a_refused_token_records_no_use(db_session):
    issued = issue(db_session, "tax:read")
    service.revoke_token(db_session, public_id=issued.public_id, actor="t")
    with pytest.raises(Unauthorized):
        service.authenticate_token(db_session, issued.text, remote_addr="10.0.0.9")
    assert last_use(db_session, issued.public_id) == (None, None)
