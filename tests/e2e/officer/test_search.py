"""/officer/search and the payment and invoice detail pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from payrecon.invoices import service as invoice_service
from payrecon.invoices.keys import keys_from_pem
from payrecon.invoices.models import Invoice
from payrecon.payments.models import Payment, PaymentEvent
from tests.e2e.officer.helpers import page_text, post_form, signed_in_client
from tests.factories import make_dossier, make_payment, make_refund
from tests.integration.invoices.helpers import demo_signing_pem, pay

ID_NUMBER = "022090001234"


@pytest.fixture
def paid(db_session):
    """A paid dossier with its invoice issued, and a second, unpaid-then-failed payment."""
    dossier = make_dossier(db_session, code="HS-2026-000777", applicant_name="Lê Thị Hoa")
    payment_id = pay(db_session, dossier)
    invoice_service.issue_pending_invoices(db_session, keys=keys_from_pem(*demo_signing_pem()))
    failed = make_payment(db_session, dossier, status="failed", paid_at=None)
    db_session.rollback()
    return {
        "dossier": dossier,
        "payment": db_session.get(Payment, payment_id),
        "failed": failed,
        "invoice": db_session.scalars(select(Invoice)).one(),
    }


def search(client, kind: str, term: str):
    return post_form(
        client, "/officer/search", {"kind": kind, "term": term}, form_page="/officer/search"
    )


def test_a_payment_is_found_by_its_reference_with_its_dossier_and_invoice(app, db_session, paid):
    client = signed_in_client(app, db_session, "auditor")
    payment, invoice = paid["payment"], paid["invoice"]
    response = search(client, "reference", payment.reference.lower())
    assert response.status_code == 200
    page = page_text(response)
    assert "Tìm thấy 1 khoản thanh toán." in page
    assert f'href="/officer/payments/{payment.id}"' in page
    assert "HS-2026-000777" in page
    assert "Cấp Phiếu lý lịch tư pháp" in page
    assert "200.000 ₫" in page
    assert "Đã thanh toán" in page
    assert f'href="/officer/invoices/{invoice.id}"' in page
    assert f"{invoice.template_code}{invoice.series}-0000001" in page
    assert paid["failed"].reference not in page


def test_the_id_number_is_searched_in_the_body_and_shown_masked(app, db_session, paid):
    client = signed_in_client(app, db_session, "officer")
    response = search(client, "id_number", "022 090 001 234")
    page = page_text(response)
    assert "Tìm thấy 2 khoản thanh toán." in page
    assert "••••••••1234" in page
    assert ID_NUMBER not in page
    assert "022 090 001 234" not in page  # not even echoed back in the search box
    assert response.request.path == "/officer/search"
    assert ID_NUMBER not in response.request.query_string.decode()


def test_search_by_dossier_code_and_by_invoice_number(app, db_session, paid):
    client = signed_in_client(app, db_session, "supervisor")
    by_dossier = page_text(search(client, "dossier_code", "hs-2026-000777"))
    assert paid["payment"].reference in by_dossier
    assert paid["failed"].reference in by_dossier
    invoice = paid["invoice"]
    by_invoice = page_text(search(client, "invoice_number", f"{invoice.series}-1"))
    assert paid["payment"].reference in by_invoice
    assert paid["failed"].reference not in by_invoice
    nothing = page_text(search(client, "invoice_number", f"{invoice.series}-2"))
    assert "Không có khoản thanh toán nào phù hợp." in nothing


def test_a_malformed_term_is_refused_next_to_the_field(app, db_session, paid):
    client = signed_in_client(app, db_session, "officer")
    response = search(client, "id_number", "12345")
    assert response.status_code == 422
    page = page_text(response)
    assert "Số giấy tờ có 12 chữ số (CCCD) hoặc 9 chữ số (CMND)." in page
    assert 'aria-invalid="true"' in page
    empty = search(client, "reference", "")
    assert empty.status_code == 422


def test_the_payment_page_shows_its_events_refunds_and_invoice(app, db_session, paid):
    payment = paid["payment"]
    db_session.add(
        PaymentEvent(
            payment_id=payment.id,
            created_at=payment.paid_at,
            kind="status_changed",
            from_status="pending",
            to_status="succeeded",
            actor="bank:webhook",
            why="tiền đã về tài khoản",
        )
    )
    db_session.commit()
    make_refund(db_session, payment, 50_000, reason="nộp thừa")
    client = signed_in_client(app, db_session, "auditor")
    page = page_text(client.get(f"/officer/payments/{payment.id}"))
    assert f"Thanh toán {payment.reference}" in page
    assert "bank:webhook" in page
    assert "tiền đã về tài khoản" in page
    assert "Chờ thanh toán" in page
    assert "Đã thanh toán" in page
    assert "nộp thừa" in page
    assert "50.000 ₫" in page
    assert "••••••••1234" in page
    assert ID_NUMBER not in page
    assert f'href="/officer/invoices/{paid["invoice"].id}"' in page


def test_the_invoice_page_shows_status_corrections_authority_code_and_print_link(
    app, db_session, paid
):
    invoice = paid["invoice"]
    adjustment = invoice_service.adjust_invoice(
        db_session,
        invoice.id,
        amount_vnd=-10_000,
        reason="thu thừa",
        actor="test",
        keys=keys_from_pem(*demo_signing_pem()),
    )
    client = signed_in_client(app, db_session, "officer")
    page = page_text(client.get(f"/officer/invoices/{invoice.id}"))
    assert "Đã bị điều chỉnh" in page
    assert f'href="/officer/invoices/{adjustment.id}"' in page
    assert "thu thừa" in page
    assert "Chưa nhận được" in page  # no tax authority code yet
    assert f'href="/invoices/{invoice.lookup_code}"' in page
    correction = page_text(client.get(f"/officer/invoices/{adjustment.id}"))
    assert "Hóa đơn điều chỉnh" in correction
    assert f'href="/officer/invoices/{invoice.id}"' in correction


def test_unknown_payment_or_invoice_is_a_404_page(app, db_session):
    client = signed_in_client(app, db_session, "officer")
    assert client.get("/officer/payments/987654").status_code == 404
    assert client.get("/officer/invoices/987654").status_code == 404
