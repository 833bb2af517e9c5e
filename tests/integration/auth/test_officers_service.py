"""Officer accounts on both databases: creation, sign-in, lock-out, disabling, audit."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from payrecon.audit import AuditRecord, history, verify_chain
from payrecon.auth import queries, service
from payrecon.auth.lockout import LockoutPolicy
from payrecon.auth.passwords import needs_rehash
from payrecon.db import utcnow
from payrecon.errors import Conflict, InvalidInput, NotFound

PASSWORD = "đúng mật khẩu 2026"
ADDRESS = "192.0.2.10"


def make_officer(session, username="hoa.tt", role="officer", password=PASSWORD):
    return service.create_officer(
        session,
        username=username,
        display_name="Trần Thị Hoa",
        role=role,
        password=password,
        actor="cli:admin",
    )


def login(session, password, *, username="hoa.tt", now=None, policy=None):
    return service.authenticate_officer(
        session, username, password, ADDRESS, now=now, policy=policy
    )


def login_outcomes(session, officer_id):
    return [(r.new_value, r.why) for r in history(session, "officers", officer_id)][1:]


def test_create_then_sign_in(db_session):
    officer = make_officer(db_session, username="  Hoa.TT ")
    assert officer.username == "hoa.tt"
    assert officer.password_hash.startswith("$argon2id$")
    signed_in = login(db_session, PASSWORD, username="HOA.tt")
    assert signed_in.id == officer.id
    assert signed_in.last_login_from == ADDRESS
    assert login_outcomes(db_session, officer.id) == [("succeeded", None)]
    assert [o.username for o in queries.list_officers(db_session)] == ["hoa.tt"]


@pytest.mark.parametrize(
    ("field", "overrides", "message"),
    [
        ("username", {"username": "a b"}, "a username has"),
        ("role", {"role": "cashier"}, "unknown role 'cashier'"),
        ("password", {"password": "short"}, "at least 12"),
        ("name", {"display_name": "  "}, "display name"),
    ],
)
def test_bad_account_details_are_refused_and_located(db_session, field, overrides, message):
    values = {
        "username": "hoa.tt",
        "display_name": "Trần Thị Hoa",
        "role": "officer",
        "password": PASSWORD,
    } | overrides
    with pytest.raises(InvalidInput, match=message) as caught:
        service.create_officer(db_session, actor="t", **values)
    assert caught.value.where == field
    db_session.rollback()
    assert queries.list_officers(db_session) == []


def test_a_taken_username_is_a_conflict(db_session):
    make_officer(db_session)
    with pytest.raises(Conflict, match=r"'hoa\.tt' is taken"):
        make_officer(db_session, username="HOA.TT", role="admin")


def test_unknown_user_and_wrong_password_fail_alike(db_session):
    officer = make_officer(db_session)
    with pytest.raises(service.LoginFailed) as unknown:
        login(db_session, PASSWORD, username="nobody")
    with pytest.raises(service.LoginFailed) as wrong:
        login(db_session, "wrong password!")
    assert str(unknown.value) == str(wrong.value)
    assert "nobody" not in str(unknown.value)
    assert login_outcomes(db_session, officer.id) == [("failed", "wrong password (1 in a row)")]
    [unknown_record] = history(db_session, "officers", "unknown:nobody")
    assert (unknown_record.new_value, unknown_record.why) == ("failed", "unknown username")
    assert unknown_record.actor == f"login:{ADDRESS}"


def test_five_failures_lock_for_fifteen_minutes_even_against_the_right_password(db_session):
    officer = make_officer(db_session)
    start = utcnow()
    for attempt in range(5):
        with pytest.raises(service.LoginFailed):
            login(db_session, f"wrong password {attempt}", now=start)
    with pytest.raises(service.LoginFailed):
        login(db_session, PASSWORD, now=start + timedelta(minutes=14, seconds=59))

    outcomes = login_outcomes(db_session, officer.id)
    assert [o for o, _ in outcomes] == ["failed"] * 5 + ["locked", "refused"]
    assert outcomes[4][1] == "wrong password (5 in a row)"
    unlocked_at = start + timedelta(minutes=15)
    assert outcomes[5][1] == f"locked until {unlocked_at.isoformat()}"
    assert outcomes[6][1] == f"account locked until {unlocked_at.isoformat()}"
    assert queries.find_officer(db_session, "hoa.tt").locked_until == unlocked_at

    assert login(db_session, PASSWORD, now=unlocked_at).id == officer.id
    assert queries.find_officer(db_session, "hoa.tt").locked_until is None
    assert verify_chain(db_session) is None


def test_a_success_resets_the_count_of_failures(db_session):
    make_officer(db_session)
    start = utcnow()
    for attempt in range(4):
        with pytest.raises(service.LoginFailed):
            login(db_session, f"wrong password {attempt}", now=start)
    login(db_session, PASSWORD, now=start)
    assert queries.find_officer(db_session, "hoa.tt").failed_logins == 0
    for attempt in range(4):
        with pytest.raises(service.LoginFailed):
            login(db_session, f"wrong password {attempt}", now=start)
    assert login(db_session, PASSWORD, now=start).username == "hoa.tt"


def test_the_lockout_policy_is_configurable(db_session):
    officer = make_officer(db_session)
    policy = LockoutPolicy(max_failures=2, lock_for=timedelta(hours=1))
    start = utcnow()
    for _ in range(2):
        with pytest.raises(service.LoginFailed):
            login(db_session, "wrong password!", now=start, policy=policy)
    stored = queries.find_officer(db_session, "hoa.tt")
    assert stored.locked_until == start + timedelta(hours=1)
    assert "locked" in [o for o, _ in login_outcomes(db_session, officer.id)]


def test_a_disabled_officer_cannot_sign_in(db_session):
    officer = make_officer(db_session)
    service.disable_officer(db_session, username="hoa.tt", actor="cli:admin")
    service.disable_officer(db_session, username="hoa.tt", actor="cli:admin")  # no change
    with pytest.raises(service.LoginFailed):
        login(db_session, PASSWORD)
    fields = [(r.field, r.new_value) for r in history(db_session, "officers", officer.id)]
    assert fields[0] == ("created", "hoa.tt (officer)")
    assert fields[1][0] == "disabled_at"
    assert fields[2:] == [("login", "refused")]
    with pytest.raises(NotFound):
        service.disable_officer(db_session, username="nobody", actor="t")


def test_an_outdated_hash_is_replaced_on_sign_in(db_session):
    officer = make_officer(db_session)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    officer.password_hash = weak
    db_session.commit()
    login(db_session, PASSWORD)
    db_session.rollback()
    stored = queries.find_officer(db_session, "hoa.tt")
    db_session.refresh(stored)
    assert stored.password_hash != weak
    assert not needs_rehash(stored.password_hash)


def test_no_password_reaches_the_audit_log(db_session):
    make_officer(db_session)
    with pytest.raises(service.LoginFailed):
        login(db_session, "a wrong password guess")
    login(db_session, PASSWORD)
    for record in db_session.scalars(select(AuditRecord)):
        text = f"{record.old_value} {record.new_value} {record.why}"
        assert PASSWORD not in text
        assert "a wrong password guess" not in text
