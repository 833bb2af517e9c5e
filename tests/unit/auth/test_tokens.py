import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from payrecon.auth.tokens import (
    format_token,
    generate_token,
    hash_secret,
    parse_token,
    secret_matches,
    token_state,
)
from payrecon.errors import Unauthorized

PUBLIC_ID = "0123456789abcdef"
SECRET = "A" * 40 + "b-_"


def test_a_new_token_has_the_documented_shape():
    token = generate_token()
    assert token.text == f"prt_{token.public_id}_{token.secret}"
    assert len(token.public_id) == 16
    assert int(token.public_id, 16) >= 0
    assert len(token.secret) == 43
    assert parse_token(token.text) == (token.public_id, token.secret)


def test_two_tokens_differ_in_id_and_secret():
    first, second = generate_token(), generate_token()
    assert first.public_id != second.public_id
    assert first.secret != second.secret


def test_only_the_sha256_of_the_secret_is_kept():
    token = generate_token()
    assert token.secret_sha256 == hashlib.sha256(token.secret.encode()).hexdigest()
    assert token.secret not in token.secret_sha256
    assert hash_secret(SECRET) == hashlib.sha256(SECRET.encode()).hexdigest()


def test_a_secret_with_underscores_parses_back_whole():
    assert parse_token(format_token(PUBLIC_ID, SECRET)) == (PUBLIC_ID, SECRET)
    assert parse_token(f"  {format_token(PUBLIC_ID, SECRET)}\n") == (PUBLIC_ID, SECRET)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "prt_",
        f"xyz_{PUBLIC_ID}_{SECRET}",
        f"prt_{PUBLIC_ID.upper()}_{SECRET}",
        f"prt_{PUBLIC_ID[:-1]}_{SECRET}",
        f"prt_{PUBLIC_ID}_{SECRET[:-1]}",
        f"prt_{PUBLIC_ID}_{SECRET}x",
        f"prt_{PUBLIC_ID}_{SECRET[:-1]}!",
        f"prt_{PUBLIC_ID}{SECRET}",
    ],
)
def test_anything_else_is_unauthorized_without_echoing_it(text):
    with pytest.raises(Unauthorized) as caught:
        parse_token(text)
    assert SECRET[:20] not in str(caught.value)
    assert PUBLIC_ID[:8] not in str(caught.value)


def test_secret_matches_only_the_right_secret():
    stored = hash_secret(SECRET)
    assert secret_matches(SECRET, stored)
    assert not secret_matches(SECRET[:-1] + "c", stored)


NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("revoked_at", "expires_at", "state"),
    [
        (None, None, "active"),
        (None, NOW + timedelta(seconds=1), "active"),
        (None, NOW, "expired"),
        (None, NOW - timedelta(days=1), "expired"),
        (NOW - timedelta(hours=1), None, "revoked"),
        (NOW - timedelta(hours=1), NOW - timedelta(days=1), "revoked"),
    ],
)
def test_token_state(revoked_at, expires_at, state):
    assert token_state(revoked_at=revoked_at, expires_at=expires_at, now=NOW) == state
