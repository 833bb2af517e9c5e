"""Shared paths for the statement parser tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "statements"
SHARED_SAMPLES = REPO_ROOT.parent / "shared" / "data" / "statements"


@pytest.fixture
def fixture_bytes():
    def read(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    return read


@pytest.fixture
def shared_sample():
    """Bytes of an AGPL sample kept outside the repository; skip (or fail on CI) without it."""

    def read(name: str) -> bytes:
        path = SHARED_SAMPLES / name
        if not path.is_file():
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"CI must run the AGPL sample tests: {path} is missing")
            pytest.skip(f"AGPL sample {name} is kept outside the repo and {path} is absent")
        return path.read_bytes()

    return read
