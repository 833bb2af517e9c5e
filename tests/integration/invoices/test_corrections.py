"""Cancellation, replacement and adjustment, by hand and after refunds; originals never change."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from lxml import etree
from sqlalchemy import select

from payrecon import audit, outbox
from payrecon.dossiers.models import Dossier
from payrecon.errors import Conflict, InvalidInput
from payrecon.invoices import queries, service
from payrecon.invoices.models import Invoice, InvoiceChange
from payrecon.invoices.rules import invoice_problems
from payrecon.invoices.signing import verify_invoice
from payrecon.invoices.xsd import schema_problems
from tests.factories import make_dossier
from tests.integration.invoices.helpers import pay, refund, xmlsec1_verifies

ISSUED = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


@pytest.fixture
def original(db_session, signing_keys) -> Invoice:
    """An issued invoice for a 200,000 VND fee, on a dossier still being processed."""
    pay(db_session, make_dossier(db_session, status="processing"))
    service.issue_pending_invoices(db_session, keys=signing_keys, now=ISSUED)
    db_session.rollback()
    return db_session.scalars(select(Invoice)).one()


def follow_refunds(db_session, signing_keys):
    summary = service.issue_pending_invoices(db_session, keys=signing_keys, now=LATER)
    db_session.rollback()
    return summary


def link(xml: bytes) -> dict[str, str]:
    element = etree.fromstring(xml).find("DLHDon/TTChung/TTHDLQuan")
    return {child.tag: child.text for child in element}


def changes(db_session) -> list[tuple[int, str]]:
    rows = db_session.scalars(select(InvoiceChange).order_by(InvoiceChange.id))
    return [(row.invoice_id, row.kind) for row in rows]


def assert_emitted_well(xml: bytes, cert_pem: bytes, folder) -> None:
    assert schema_problems(xml) == []
    assert invoice_problems(xml) == []
    assert verify_invoice(xml, trusted_cert_pem=cert_pem).trusted
    assert xmlsec1_verifies(xml, cert_pem, folder)


def test_a_whole_refund_before_delivery_cancels_the_invoice(db_session, signing_keys, original):
    bytes_before = original.xml
    refund(db_session, original.payment_id, 200_000)
    assert follow_refunds(db_session, signing_keys).refunds_handled == 1
    cancelled = db_session.get(Invoice, original.id)
    db_session.refresh(cancelled)
    assert cancelled.status == "cancelled"
    assert cancelled.cancel_reason.startswith("hoàn tiền ")
    assert cancelled.xml == bytes_before
    assert changes(db_session) == [(original.id, "issue"), (original.id, "cancellation")]
    assert [r.new_value for r in audit.history(db_session, "invoices", original.id)] == [
        "cancelled"
    ]
    assert db_session.scalars(select(Invoice)).all() == [cancelled]


def test_a_partial_refund_issues_an_adjustment(
    db_session, signing_keys, demo_pem, original, tmp_path
):
    bytes_before = original.xml
    refund_id = refund(db_session, original.payment_id, 50_000)
    follow_refunds(db_session, signing_keys)
    adjustment = db_session.scalars(select(Invoice).where(Invoice.kind == "adjustment")).one()
    assert (adjustment.total_vnd, adjustment.refund_id) == (-50_000, refund_id)
    assert (adjustment.number, adjustment.series) == (2, original.series)
    assert adjustment.related_invoice_id == original.id
    assert link(adjustment.xml) == {
        "TCHDon": "2",
        "LHDCLQuan": "1",
        "KHMSHDCLQuan": "1",
        "KHHDCLQuan": original.series,
        "SHDCLQuan": "1",
        "NLHDCLQuan": "2026-11-20",
        "GChu": f"hoàn tiền {refund_id}: hồ sơ bị trả lại",
    }
    assert etree.fromstring(adjustment.xml).findtext("DLHDon/NDHDon/TToan/TgTTTBSo") == "-50000"
    assert_emitted_well(adjustment.xml, demo_pem[1], tmp_path)
    db_session.refresh(original)
    assert original.status == "adjusted"
    assert original.xml == bytes_before
    assert changes(db_session) == [(original.id, "issue"), (adjustment.id, "adjustment")]


def test_a_repeated_refund_event_changes_nothing(db_session, signing_keys, original):
    refund_id = refund(db_session, original.payment_id, 50_000)
    follow_refunds(db_session, signing_keys)
    outbox.enqueue(
        db_session,
        service.REFUNDED_TOPIC,
        original.payment_id,
        {"payment_id": original.payment_id, "refund_id": refund_id, "amount_vnd": 50_000},
    )
    db_session.commit()
    assert follow_refunds(db_session, signing_keys).refunds_handled == 1
    assert len(db_session.scalars(select(Invoice)).all()) == 2


def test_a_whole_refund_after_delivery_is_an_adjustment(db_session, signing_keys, original):
    delivered = db_session.get(Dossier, original.dossier_id)
    delivered.status = "done"
    db_session.commit()
    refund(db_session, original.payment_id, 200_000)
    follow_refunds(db_session, signing_keys)
    kinds = db_session.scalars(select(Invoice.kind).order_by(Invoice.id)).all()
    assert kinds == ["original", "adjustment"]


def test_refunds_beyond_what_was_invoiced_fail_the_event(db_session, signing_keys, original):
    refund(db_session, original.payment_id, 150_000)
    refund(db_session, original.payment_id, 100_000)
    summary = follow_refunds(db_session, signing_keys)
    assert (summary.refunds_handled, summary.refund_failures) == (1, 1)
    assert service.adjusted_total(db_session, original.id) == -150_000


def test_a_replacement_corrects_the_buyer(db_session, signing_keys, demo_pem, original, tmp_path):
    replacement = service.replace_invoice(
        db_session,
        original.id,
        buyer=service.BuyerCorrection(name="Trần Văn Cường"),
        reason="sai tên người nộp",
        actor="officer:lan",
        keys=signing_keys,
        now=LATER,
    )
    db_session.rollback()
    assert (replacement.kind, replacement.number, replacement.issued_on) == (
        "replacement",
        2,
        date(2026, 11, 22),
    )
    assert link(replacement.xml)["TCHDon"] == "1"
    assert etree.fromstring(replacement.xml).findtext("DLHDon/NDHDon/NMua/Ten") == "Trần Văn Cường"
    assert replacement.total_vnd == original.total_vnd
    assert_emitted_well(replacement.xml, demo_pem[1], tmp_path)
    db_session.refresh(original)
    assert original.status == "replaced"
    assert [c.id for c in queries.corrections_of(db_session, original.id)] == [replacement.id]
    with pytest.raises(Conflict):
        service.replace_invoice(
            db_session,
            original.id,
            buyer=service.BuyerCorrection(name="X"),
            reason="again",
            actor="officer:lan",
            keys=signing_keys,
        )


def test_cancelling_needs_a_reason_and_happens_once(db_session, original):
    with pytest.raises(InvalidInput):
        service.cancel_invoice(db_session, original.id, reason=" ", actor="officer:lan")
    db_session.rollback()
    service.cancel_invoice(db_session, original.id, reason="lập nhầm", actor="officer:lan")
    with pytest.raises(Conflict):
        service.cancel_invoice(db_session, original.id, reason="lập nhầm", actor="officer:lan")
    db_session.rollback()
    assert changes(db_session)[-1] == (original.id, "cancellation")


def test_a_manual_adjustment_can_increase_and_follows_the_series(
    db_session, signing_keys, original
):
    adjustment = service.adjust_invoice(
        db_session,
        original.id,
        amount_vnd=20_000,
        reason="thu thiếu phí",
        actor="officer:lan",
        keys=signing_keys,
        now=LATER,
    )
    assert adjustment.total_vnd == 20_000
    name = etree.fromstring(adjustment.xml).findtext("DLHDon/NDHDon/DSHHDVu/HHDVu/THHDVu")
    assert name.startswith("Điều chỉnh tăng: ")
    with pytest.raises(InvalidInput):
        service.adjust_invoice(
            db_session, original.id, amount_vnd=0, reason="x", actor="a", keys=signing_keys
        )
