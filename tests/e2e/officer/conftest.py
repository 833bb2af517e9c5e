"""The officer pages' tests sign in a lot: a cheap argon2 setting keeps them quick.

What argon2 costs is the auth domain's business, tested there with the real parameters;
here only the pages around it are under test.
"""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from payrecon.auth import passwords


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
