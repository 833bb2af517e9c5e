"""The tax feed's order: every change exactly once, also when transactions commit late."""

from __future__ import annotations

import random
import threading
import time

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from payrecon.db import utcnow
from payrecon.invoices import queries, sequence, service
from payrecon.invoices.models import Invoice, InvoiceChange
from tests.factories import make_dossier, make_procedure
from tests.integration.invoices.helpers import pay
from tests.integration.tax.helpers import (
    ISSUED,
    all_change_ids,
    issue_invoices,
    read_page,
    read_whole_feed,
)


def positions_by_id(session) -> dict[int, int | None]:
    rows = session.execute(select(InvoiceChange.id, InvoiceChange.position)).all()
    session.rollback()
    return dict(rows)


def test_changes_are_positioned_after_commit_in_id_order_and_only_once(db_session, signing_keys):
    issue_invoices(db_session, signing_keys, 3)
    assert set(positions_by_id(db_session).values()) == {None}

    assert sequence.sequence_changes(db_session) == 3
    assert sequence.sequence_changes(db_session) == 0

    stamped = positions_by_id(db_session)
    assert [stamped[i] for i in sorted(stamped)] == [1, 2, 3]
    issue_invoices(db_session, signing_keys, 2)
    assert sequence.sequence_changes(db_session) == 2
    assert sorted(positions_by_id(db_session).values()) == [1, 2, 3, 4, 5]


def test_the_feed_shows_each_invoice_as_its_xml_says(db_session, signing_keys):
    procedure = make_procedure(db_session, fee_vnd=523_056, vat_rate="10%", fee_kind="charge")
    dossier = make_dossier(db_session, procedure, applicant_tax_code="0101234567")
    pay(db_session, dossier)
    service.issue_pending_invoices(db_session, keys=signing_keys, now=ISSUED)
    db_session.rollback()

    (entry,), _ = read_whole_feed(db_session)
    invoice = db_session.scalars(select(Invoice)).one()
    assert (entry.change_kind, entry.position) == ("issue", 1)
    shown = entry.invoice
    assert (shown.id, shown.series, shown.number, shown.kind) == (
        invoice.id,
        invoice.series,
        1,
        "original",
    )
    assert shown.seller_tax_code == procedure.agency.tax_code
    assert (shown.buyer_name, shown.buyer_tax_code) == (dossier.applicant_name, "0101234567")
    assert (shown.total_before_tax_vnd, shown.total_tax_vnd, shown.total_vnd) == (
        475_505,
        47_551,
        523_056,
    )
    assert (shown.status, shown.authority_status, shown.related) == (
        "issued",
        "awaiting_code",
        None,
    )
    assert shown.xml_sha256 == invoice.xml_sha256


def test_corrections_appear_as_their_own_changes_pointing_at_the_original(db_session, signing_keys):
    (original,) = issue_invoices(db_session, signing_keys, 1)
    replacement = service.replace_invoice(
        db_session,
        original.id,
        buyer=service.BuyerCorrection(name="Trần Văn Bảo"),
        reason="sai tên người mua",
        actor="officer:test",
        keys=signing_keys,
        now=ISSUED,
    )
    service.cancel_invoice(db_session, replacement.id, reason="huỷ thử", actor="officer:test")

    entries, _ = read_whole_feed(db_session)

    assert [(e.change_kind, e.invoice.id) for e in entries] == [
        ("issue", original.id),
        ("replacement", replacement.id),
        ("cancellation", replacement.id),
    ]
    assert entries[0].invoice.status == "replaced"  # an item shows the invoice as it is now
    assert entries[1].invoice.related.id == original.id
    assert entries[1].invoice.buyer_name == "Trần Văn Bảo"


def test_paging_from_any_cursor_gives_the_rest_exactly_once(db_session, signing_keys):
    issue_invoices(db_session, signing_keys, 7)
    everything, end = read_whole_feed(db_session, limit=100)
    assert [e.position for e in everything] == list(range(1, 8))

    first = read_page(db_session, None, 3)
    assert (len(first.items), first.has_more) == (3, True)
    rest, again_end = read_whole_feed(db_session, limit=2, cursor=first.next_cursor)
    assert [e.change_id for e in first.items + rest] == [e.change_id for e in everything]
    assert again_end == end
    assert read_page(db_session, end, 5).items == []


@pytest.fixture
def postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time: no transaction can commit late there")


def test_a_change_committed_late_is_not_skipped(postgres_only, db_session, engine, signing_keys):
    """Ids are taken at insert; a reader paging by id would jump over the late one."""
    first, second = issue_invoices(db_session, signing_keys, 2)
    _, cursor = read_whole_feed(db_session)

    with Session(engine) as slow, Session(engine) as quick:
        slow.add(InvoiceChange(invoice_id=first.id, kind="cancellation", created_at=utcnow()))
        slow.flush()  # takes the smaller id, and does not commit yet
        quick_change = InvoiceChange(invoice_id=second.id, kind="cancellation", created_at=utcnow())
        quick.add(quick_change)
        quick.commit()
        quick_id = quick_change.id

        seen_early = read_page(db_session, cursor, 10)
        assert [e.invoice.id for e in seen_early.items] == [second.id]
        slow.commit()

    # An id cursor would go on after quick's id and never see the late change …
    assert queries.list_changes(db_session, after_id=quick_id) == []
    db_session.rollback()
    # … the position cursor gets it on the next page.
    late = read_page(db_session, seen_early.next_cursor, 10)
    assert [(e.invoice.id, e.change_kind) for e in late.items] == [(first.id, "cancellation")]
    assert late.items[0].change_id < quick_id


def delay_every_commit(session: Session, rng: random.Random) -> None:
    """Write everything, then wait up to 30 ms before the COMMIT goes out."""

    @event.listens_for(session, "before_commit")
    def _late(session_: Session) -> None:
        session_.flush()
        time.sleep(rng.uniform(0, 0.03))


def test_every_change_is_seen_once_while_issuers_commit_late(db_session, engine, signing_keys):
    """Four issuers drain payments with randomly delayed commits while a reader pages."""
    procedures = [make_procedure(db_session) for _ in range(4)]
    for n in range(48):
        pay(db_session, make_dossier(db_session, procedures[n % 4]))
    db_session.rollback()
    failures: list[BaseException] = []

    def issuer(seed: int) -> None:
        try:
            with Session(engine) as session:
                delay_every_commit(session, random.Random(seed))
                service.issue_pending_invoices(session, keys=signing_keys, now=ISSUED)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=issuer, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    seen: list[int] = []
    cursor = None
    while any(thread.is_alive() for thread in threads):
        page = read_page(db_session, cursor, 5)
        seen += [e.change_id for e in page.items]
        cursor = page.next_cursor
    for thread in threads:
        thread.join()
    rest, _ = read_whole_feed(db_session, limit=5, cursor=cursor)
    seen += [e.change_id for e in rest]

    assert failures == []
    assert len(all_change_ids(db_session)) == 48
    assert len(seen) == len(set(seen)), "a change was handed out twice"
    assert sorted(seen) == all_change_ids(db_session), "a change was skipped"
