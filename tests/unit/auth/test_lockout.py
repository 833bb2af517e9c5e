from datetime import UTC, datetime, timedelta

import pytest

from payrecon.auth.lockout import LockoutPolicy, after_failure, is_locked

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
POLICY = LockoutPolicy(max_failures=5, lock_for=timedelta(minutes=15))


def test_the_fifth_consecutive_failure_locks_for_fifteen_minutes():
    count = 0
    for expected in (1, 2, 3, 4):
        result = after_failure(count, NOW, POLICY)
        assert result.failed_logins == expected
        assert result.locked_until is None
        count = result.failed_logins
    fifth = after_failure(count, NOW, POLICY)
    assert fifth.locked
    assert fifth.locked_until == NOW + timedelta(minutes=15)
    assert fifth.failed_logins == 0


def test_locked_until_the_instant_the_lock_ends():
    until = NOW + timedelta(minutes=15)
    assert is_locked(until, NOW)
    assert is_locked(until, until - timedelta(seconds=1))
    assert not is_locked(until, until)
    assert not is_locked(None, NOW)


def test_the_policy_is_configurable():
    strict = LockoutPolicy(max_failures=1, lock_for=timedelta(hours=1))
    assert after_failure(0, NOW, strict).locked_until == NOW + timedelta(hours=1)


@pytest.mark.parametrize(
    "kwargs", [{"max_failures": 0}, {"lock_for": timedelta(0)}, {"lock_for": timedelta(-1)}]
)
def test_a_nonsensical_policy_is_refused(kwargs):
    with pytest.raises(ValueError, match="must be"):
        LockoutPolicy(**kwargs)
