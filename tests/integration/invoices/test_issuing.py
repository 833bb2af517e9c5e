"""Issuing invoices for paid fees from the outbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest
from lxml import etree
from sqlalchemy import select

from payrecon import outbox
from payrecon.errors import InvalidInvoiceXml
from payrecon.invoices import counter, queries, service
from payrecon.invoices.keys import SigningNotConfigured
from payrecon.invoices.models import Invoice, InvoiceChange, InvoiceSeries
from payrecon.invoices.own_signature import check_own_signature, own_certificate
from payrecon.invoices.rules import invoice_problems
from payrecon.invoices.signing import verify_invoice
from payrecon.invoices.xsd import schema_problems
from payrecon.outbox import OutboxEvent
from tests.factories import make_agency, make_dossier, make_procedure
from tests.integration.invoices.helpers import pay, xmlsec1_verifies

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 10:00 in Hạ Long


def issue(session, keys, now=NOW):
    summary = service.issue_pending_invoices(session, keys=keys, now=now)
    session.rollback()  # end the test session's read so it sees the commits
    return summary


def field(xml: bytes, path: str) -> str:
    return etree.fromstring(xml).findtext(path)


def test_a_paid_fee_gets_a_valid_signed_invoice(db_session, signing_keys, demo_pem, tmp_path):
    dossier = make_dossier(db_session, applicant_name="Trần Thị Bình")
    payment_id = pay(db_session, dossier)

    summary = issue(db_session, signing_keys)

    assert (summary.issued, summary.issue_failures) == (1, 0)
    invoice = db_session.scalars(select(Invoice)).one()
    assert (invoice.kind, invoice.status, invoice.number) == ("original", "issued", 1)
    assert invoice.series == f"C26T{invoice.series[-2:]}"
    assert (invoice.payment_id, invoice.total_vnd) == (payment_id, 200_000)
    assert invoice.issued_on == date(2026, 11, 20)
    assert invoice.xml_sha256 == hashlib.sha256(invoice.xml).hexdigest()
    assert len(invoice.lookup_code) == 12
    assert schema_problems(invoice.xml) == []
    assert invoice_problems(invoice.xml, today=date(2026, 11, 20)) == []
    assert verify_invoice(invoice.xml, trusted_cert_pem=demo_pem[1]).trusted
    assert xmlsec1_verifies(invoice.xml, demo_pem[1], tmp_path)
    assert field(invoice.xml, "DLHDon/NDHDon/NMua/Ten") == "Trần Thị Bình"
    assert field(invoice.xml, "DLHDon/NDHDon/NBan/MST") == dossier.procedure.agency.tax_code
    assert field(invoice.xml, "DLHDon/NDHDon/TToan/TgTTTBChu") == "Hai trăm nghìn đồng"
    assert field(invoice.xml, "DLHDon/TTChung/TTKhac/TTin/DLieu") == invoice.lookup_code
    changes = db_session.scalars(select(InvoiceChange)).all()
    assert [(c.invoice_id, c.kind) for c in changes] == [(invoice.id, "issue")]
    assert outbox.pending_count(db_session, service.PAID_TOPIC) == 0


def test_the_stored_bytes_pass_our_xmlsec_check_and_one_changed_byte_fails_it(
    db_session, signing_keys
):
    pay(db_session, make_dossier(db_session))
    issue(db_session, signing_keys)
    stored = db_session.scalars(select(Invoice)).one()
    certificate = own_certificate(signing_keys.cert_pem)
    data_id = etree.fromstring(stored.xml).find("DLHDon").get("Id")
    check_own_signature(stored.xml, certificate=certificate, data_id=data_id, signing_time=NOW)

    at = stored.xml.index(b"<TgTTTBSo>200000<") + len(b"<TgTTTBSo>")
    tampered = stored.xml[:at] + b"3" + stored.xml[at + 1 :]  # 200000 -> 300000
    with pytest.raises(InvalidInvoiceXml, match="does not verify"):
        check_own_signature(tampered, certificate=certificate, data_id=data_id, signing_time=NOW)


def test_a_fee_with_vat_is_split_so_the_invoice_totals_what_was_paid(db_session, signing_keys):
    procedure = make_procedure(db_session, fee_vnd=523_056, vat_rate="10%", fee_kind="charge")
    pay(db_session, make_dossier(db_session, procedure))
    issue(db_session, signing_keys)
    xml = db_session.scalars(select(Invoice.xml)).one()
    assert field(xml, "DLHDon/NDHDon/TToan/TgTCThue") == "475505"
    assert field(xml, "DLHDon/NDHDon/TToan/TgTThue") == "47551"
    assert field(xml, "DLHDon/NDHDon/TToan/TgTTTBSo") == "523056"
    assert field(xml, "DLHDon/NDHDon/DSHHDVu/HHDVu/THHDVu").startswith("Lệ phí ")
    assert invoice_problems(xml) == []


def test_numbers_run_from_one_per_agency_series(db_session, signing_keys):
    first, second = make_procedure(db_session), make_procedure(db_session)
    for procedure in (first, first, second, first):
        pay(db_session, make_dossier(db_session, procedure))
    issue(db_session, signing_keys)
    rows = db_session.execute(
        select(Invoice.agency_id, Invoice.series, Invoice.number).order_by(Invoice.payment_id)
    ).all()
    assert [number for _, _, number in rows] == [1, 2, 1, 3]
    assert len({series for _, series, _ in rows}) == 2


def test_a_new_series_starts_at_one_on_1_january_local_time(db_session, signing_keys):
    procedure = make_procedure(db_session)
    pay(db_session, make_dossier(db_session, procedure))
    pay(db_session, make_dossier(db_session, procedure))
    issue(db_session, signing_keys, now=datetime(2026, 12, 31, 16, 59, 59, tzinfo=UTC))
    pay(db_session, make_dossier(db_session, procedure))
    issue(db_session, signing_keys, now=datetime(2026, 12, 31, 17, 0, 0, tzinfo=UTC))
    rows = db_session.execute(
        select(Invoice.series, Invoice.number, Invoice.issued_on).order_by(Invoice.id)
    ).all()
    suffix = rows[0][0][-2:]
    assert rows == [
        (f"C26T{suffix}", 1, date(2026, 12, 31)),
        (f"C26T{suffix}", 2, date(2026, 12, 31)),
        (f"C27T{suffix}", 1, date(2027, 1, 1)),
    ]
    years = db_session.scalars(select(InvoiceSeries.year).order_by(InvoiceSeries.id)).all()
    assert years == [2026, 2027]


def test_a_repeated_payment_event_issues_nothing_new(db_session, signing_keys):
    dossier = make_dossier(db_session)
    payment_id = pay(db_session, dossier)
    issue(db_session, signing_keys)
    outbox.enqueue(
        db_session,
        service.PAID_TOPIC,
        payment_id,
        {"payment_id": payment_id, "dossier_code": dossier.code, "amount_vnd": 200_000},
    )
    db_session.commit()
    summary = issue(db_session, signing_keys)
    assert summary.issued == 1
    assert db_session.scalars(select(Invoice.number)).all() == [1]


def test_a_wrong_guess_is_signed_again_with_the_number_taken(db_session, signing_keys, monkeypatch):
    """Another issuer took the guessed number: the stored XML must carry the real one."""
    pay(db_session, make_dossier(db_session))
    open_series = counter.open_series

    def stale_series(session, **key):
        return counter.SeriesState(id=open_series(session, **key).id, last_number=4)

    monkeypatch.setattr(counter, "open_series", stale_series)
    issue(db_session, signing_keys)
    invoice = db_session.scalars(select(Invoice)).one()
    assert invoice.number == 1
    assert field(invoice.xml, "DLHDon/TTChung/SHDon") == "1"
    assert verify_invoice(invoice.xml).data_id.endswith("-1")


def test_without_a_signing_key_nothing_is_touched(db_session):
    pay(db_session, make_dossier(db_session))
    with pytest.raises(SigningNotConfigured):
        service.issue_pending_invoices(db_session)
    db_session.rollback()
    event = db_session.scalars(select(OutboxEvent)).one()
    assert (event.attempts, event.processed_at) == (0, None)


def test_a_seller_without_tax_code_fails_the_event_and_takes_no_number(db_session, signing_keys):
    agency = make_agency(db_session, tax_code=None)
    pay(db_session, make_dossier(db_session, make_procedure(db_session, agency)))
    summary = issue(db_session, signing_keys)
    assert (summary.issued, summary.issue_failures) == (0, 1)
    event = db_session.scalars(select(OutboxEvent)).one()
    assert "has no tax code" in event.last_error
    assert db_session.scalars(select(Invoice)).all() == []
    assert db_session.scalars(select(InvoiceSeries.last_number)).all() == []


def test_a_malformed_event_is_reported_by_field(db_session, signing_keys):
    outbox.enqueue(db_session, service.PAID_TOPIC, 1, {"payment_id": "x", "amount_vnd": 1})
    db_session.commit()
    issue(db_session, signing_keys)
    event = db_session.scalars(select(OutboxEvent)).one()
    assert event.last_error.startswith("InvalidInput: event payload payment_id must be int")


def test_the_lookup_code_finds_the_invoice(db_session, signing_keys):
    pay(db_session, make_dossier(db_session))
    issue(db_session, signing_keys)
    invoice = db_session.scalars(select(Invoice)).one()
    found = queries.get_invoice_by_lookup_code(db_session, invoice.lookup_code.lower())
    assert found.id == invoice.id
