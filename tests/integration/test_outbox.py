from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon import outbox
from payrecon.outbox import OutboxEvent


def test_an_event_exists_only_if_its_transaction_commits(db_session):
    outbox.enqueue(db_session, "test.topic", 1, {"n": 1})
    db_session.rollback()
    outbox.enqueue(db_session, "test.topic", 2, {"n": 2})
    db_session.commit()
    assert [e.subject_id for e in db_session.scalars(select(OutboxEvent))] == ["2"]


def test_drain_handles_in_order_marks_done_and_retries_failures(db_session):
    for n in range(3):
        outbox.enqueue(db_session, "test.topic", n, {"n": n})
    outbox.enqueue(db_session, "other.topic", 9, {"n": 9})
    db_session.commit()
    seen = []

    def handler(session, event):
        if event.payload["n"] == 1:
            raise ValueError("boom")
        seen.append(event.payload["n"])

    result = outbox.drain(db_session, "test.topic", handler)
    assert (result.handled, result.failed) == (2, 1)
    assert seen == [0, 2]
    failed = db_session.scalars(select(OutboxEvent).where(OutboxEvent.subject_id == "1")).one()
    assert failed.processed_at is None
    assert failed.attempts == 1
    assert failed.last_error == "ValueError: boom"
    assert outbox.pending_count(db_session, "test.topic") == 1
    assert outbox.pending_count(db_session, "other.topic") == 1


def test_a_failing_handler_rolls_back_its_own_writes(db_session):
    outbox.enqueue(db_session, "test.topic", 1, {})
    db_session.commit()

    def handler(session, event):
        from payrecon.catalog.models import Agency

        session.add(Agency(code="HALF", name="half-written"))
        session.flush()
        raise RuntimeError("after the write")

    outbox.drain(db_session, "test.topic", handler)
    from payrecon.catalog.models import Agency

    assert db_session.scalars(select(Agency).where(Agency.code == "HALF")).first() is None


def test_concurrent_drainers_handle_each_event_once(engine, db_session):
    for n in range(60):
        outbox.enqueue(db_session, "test.topic", n, {"n": n})
    db_session.commit()
    handled: list[int] = []

    def drainer(_):
        with Session(engine) as session:
            outbox.drain(session, "test.topic", lambda s, e: handled.append(e.payload["n"]))

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(drainer, range(4)))
    assert sorted(handled) == list(range(60))
