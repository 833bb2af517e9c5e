from __future__ import annotations

import logging

import pytest

from jobs.registry import JOBS
from tests.integration.jobs.sample_jobs import TEST_JOBS


@pytest.fixture
def test_jobs(monkeypatch):
    """The registry with the test jobs added (and removed again afterwards)."""
    monkeypatch.delenv("PAYRECON_TEST_JOB_GATE", raising=False)
    for name, spec in TEST_JOBS.items():
        monkeypatch.setitem(JOBS, name, spec)
    return TEST_JOBS


@pytest.fixture(autouse=True)
def _restore_jobs_logger():
    """configure_logging replaces the jobs logger's handlers; put them back after a test."""
    logger = logging.getLogger("payrecon.jobs")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved
