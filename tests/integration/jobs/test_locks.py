"""Run locks: one holder at a time; a lapsed lease or a dropped connection frees the lock."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from payrecon.jobruns.locks import AdvisoryRunLock, LeaseRunLock, advisory_key


def test_advisory_keys_are_stable_signed_64_bit_and_distinct():
    key = advisory_key("reconcile", "2026-11-25")
    assert key == advisory_key("reconcile", "2026-11-25")
    assert -(2**63) <= key < 2**63
    assert key != advisory_key("reconcile", "2026-11-26")
    assert key != advisory_key("reconcile2", "026-11-25")
    assert advisory_key("job", "2026-11-25") > 0 > advisory_key("job", "2026-11-28")


def test_a_lease_has_one_holder_until_released(engine):
    first = LeaseRunLock(engine, "job", "2026-11-25", holder="a", lease_seconds=600)
    second = LeaseRunLock(engine, "job", "2026-11-25", holder="b", lease_seconds=600)
    other_key = LeaseRunLock(engine, "job", "2026-11-26", holder="b", lease_seconds=600)
    try:
        assert first.acquire()
        assert not second.acquire()
        assert other_key.acquire()
        assert first.renew()
        first.release()
        assert second.acquire()
    finally:
        for lock in (first, second, other_key):
            lock.release()


def test_a_lapsed_lease_is_taken_over_and_its_old_holder_learns_it_on_renewal(engine):
    crashed = LeaseRunLock(engine, "job", "2026-11-25", holder="crashed", lease_seconds=0)
    successor = LeaseRunLock(engine, "job", "2026-11-25", holder="next", lease_seconds=600)
    try:
        assert crashed.acquire()
        assert successor.acquire()
        assert not crashed.renew()
        assert successor.renew()
    finally:
        successor.release()
        crashed.release()


@pytest.fixture
def postgres_engine(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    return engine


# The key of 2026-11-25 is positive, that of 2026-11-28 negative: both halves of the range.
@pytest.mark.parametrize("run_key", ["2026-11-25", "2026-11-28"])
def test_an_advisory_lock_has_one_holder_until_released(postgres_engine, run_key):
    first = AdvisoryRunLock(postgres_engine, "job", run_key)
    second = AdvisoryRunLock(postgres_engine, "job", run_key)
    try:
        assert first.acquire()
        assert not second.acquire()
        assert first.renew()
        first.release()
        assert not first.renew()
        assert second.acquire()
        assert second.renew()
    finally:
        first.release()
        second.release()


def test_renewal_checks_the_server_still_holds_the_lock(postgres_engine):
    holder = AdvisoryRunLock(postgres_engine, "job", "2026-11-25")
    assert holder.acquire()
    try:
        holder._connection.execute(text("SELECT pg_advisory_unlock_all()"))
        assert not holder.renew()
    finally:
        holder.release()


def test_an_advisory_lock_vanishes_with_its_connection(postgres_engine):
    holder = AdvisoryRunLock(postgres_engine, "job", "2026-11-25")
    successor = AdvisoryRunLock(postgres_engine, "job", "2026-11-25")
    assert holder.acquire()
    connection = holder._connection
    connection.invalidate()  # the server session ends, as when the runner process dies
    try:
        # The server notices the closed socket asynchronously: poll for a bounded while.
        deadline = time.monotonic() + 15
        acquired = successor.acquire()
        while not acquired and time.monotonic() < deadline:
            time.sleep(0.05)
            acquired = successor.acquire()
        assert acquired
        assert not holder.renew()
    finally:
        successor.release()
        holder._connection = None
