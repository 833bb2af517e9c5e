from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from payrecon import audit
from payrecon.audit import AuditRecord


def write(engine, n: int) -> None:
    with Session(engine) as session:
        audit.record(
            session,
            subject_type="test",
            subject_id=n,
            field="status",
            old="a",
            new="b",
            actor=f"writer-{n}",
        )
        session.commit()


def test_concurrent_writers_extend_one_unbroken_chain(engine, db_session):
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: write(engine, n), range(40)))
    records = db_session.scalars(select(AuditRecord).order_by(AuditRecord.id)).all()
    assert len(records) == 40
    assert len({r.previous_hash for r in records}) == 40  # no fork: each link used once
    assert audit.verify_chain(db_session) is None


def test_an_edited_record_breaks_the_chain_where_it_was_edited(engine, db_session):
    for n in range(3):
        write(engine, n)
    middle = db_session.scalars(select(AuditRecord.id).order_by(AuditRecord.id)).all()[1]
    db_session.execute(update(AuditRecord).where(AuditRecord.id == middle).values(new_value="z"))
    db_session.commit()
    assert audit.verify_chain(db_session) == middle
