import pytest
from argon2 import PasswordHasher

from payrecon.auth.passwords import (
    hash_password,
    needs_rehash,
    require_acceptable_password,
    verify_password,
)
from payrecon.errors import InvalidInput

PASSWORD = "mật khẩu dài đủ 12"


def test_a_hash_verifies_its_password_only():
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "!")


def test_an_unreadable_hash_verifies_nothing():
    assert not verify_password("not a hash", PASSWORD)


def test_a_hash_with_old_parameters_needs_rehashing():
    old = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    assert needs_rehash(old)
    assert not needs_rehash(hash_password(PASSWORD))


@pytest.mark.parametrize(
    ("password", "reason"),
    [("short", "at least 12"), (" " * 12, "only spaces"), ("x" * 1025, "at most 1024")],
)
def test_unacceptable_passwords_are_refused(password, reason):
    with pytest.raises(InvalidInput, match=reason) as caught:
        require_acceptable_password(password)
    assert caught.value.where == "password"


def test_a_twelve_character_password_is_accepted():
    require_acceptable_password("x" * 12)
