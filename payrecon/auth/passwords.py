"""Officer passwords: argon2id through argon2-cffi, and the rules a new password must meet.

Pure apart from the CPU time argon2 costs by design. The hasher uses argon2-cffi's defaults
(RFC 9106's low-memory profile); when those change in a later release, `needs_rehash` says
so and the login service stores a new hash while it still has the plain password.
"""

from __future__ import annotations

import os
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from payrecon.errors import InvalidInput

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 takes anything; this only stops absurd inputs

PROFILE_VARIABLE = "PAYRECON_PASSWORD_HASH_PROFILE"


@cache
def _profile_hasher() -> PasswordHasher:
    """argon2-cffi's RFC 9106 low-memory profile, unless PAYRECON_PASSWORD_HASH_PROFILE=cheapest.

    "cheapest" exists for the test suite only (hundreds of hashes); it is read once, on
    first use, never at import time.
    """
    if os.environ.get(PROFILE_VARIABLE) == "cheapest":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


class _Hasher:
    def __getattr__(self, name: str):
        return getattr(_profile_hasher(), name)


_hasher = _Hasher()


def require_acceptable_password(password: str, *, where: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters", where=where
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"a password may have at most {MAX_PASSWORD_LENGTH} characters", where=where
        )
    if not password.strip():
        raise InvalidInput("a password cannot be only spaces", where=where)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when `password` matches; False for a wrong password or an unreadable hash."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """The hash was made with other parameters than the hasher's current ones."""
    return _hasher.check_needs_rehash(stored_hash)


@cache
def _decoy_hash() -> str:
    return _hasher.hash("payrecon decoy password, matches nobody")


def spend_verification_time(password: str) -> None:
    """Verify against a decoy hash, so an unknown username costs as long as a wrong password."""
    verify_password(_decoy_hash(), password)
