"""The citizen's /pay pages: Vietnamese first, English on request, no JavaScript needed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from payrecon.payments import service
from payrecon.web.citizen import ReceiptLink, register_receipt_links
from payrecon.web.citizen.texts import TEXTS
from tests.e2e.officer.helpers import csrf_token
from tests.factories import make_dossier


def test_both_languages_have_every_text():
    assert set(TEXTS["vi"]) == set(TEXTS["en"])


def test_the_dossier_page_shows_the_fee_and_two_ways_to_pay(payments_client, db_session):
    dossier = make_dossier(db_session, fee_due_vnd=1_284_000)
    page = payments_client.get(f"/pay/{dossier.code}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<html lang="vi">' in text
    assert "1.284.000 ₫" in text
    assert "Cấp Phiếu lý lịch tư pháp" in text
    assert 'value="vietqr"' in text
    assert 'value="vnpay"' in text
    assert "<script" not in text  # nothing here needs JavaScript

    english = payments_client.get(f"/pay/{dossier.code}?lang=en")
    assert "Choose how to pay" in english.get_data(as_text=True)
    assert "lang=en" in english.headers["Set-Cookie"]
    remembered = payments_client.get(f"/pay/{dossier.code}")
    assert '<html lang="en">' in remembered.get_data(as_text=True)


def start_payment(client, dossier, method: str, *, lang: str | None = None):
    """Press "pay" on the dossier's page, with the session's CSRF token as every form has it
    (read from the sign-in form: a refused dossier's page has no form to read it from)."""
    query = f"?lang={lang}" if lang else ""
    token = csrf_token(client)
    return client.post(
        f"/pay/{dossier.code}/start{query}", data={"method": method, "csrf_token": token}
    )


def test_an_unknown_dossier_is_a_404(payments_client):
    assert payments_client.get("/pay/HS-NOWHERE").status_code == 404


def test_paying_by_vietqr_shows_the_code_the_account_and_the_content(payments_client, db_session):
    dossier = make_dossier(db_session, fee_due_vnd=200_000)
    started = start_payment(payments_client, dossier, "vietqr")
    assert started.status_code == 303
    qr_url = started.headers["Location"]
    reference = qr_url.split("/")[2]
    page = payments_client.get(qr_url).get_data(as_text=True)
    account = dossier.procedure.agency.accounts[0]
    assert account.account_number in page
    assert "Vietcombank" in page
    assert "Hai trăm nghìn đồng" in page
    grouped = " ".join(reference[i : i + 4] for i in range(0, len(reference), 4))
    assert grouped in page
    svg = payments_client.get(f"/pay/{reference}/qr.svg")
    assert svg.mimetype == "image/svg+xml"
    assert svg.get_data(as_text=True).lstrip().startswith("<svg")
    status = payments_client.get(f"/pay/{reference}/status.json").get_json()
    assert status == {"reference": reference, "status": "pending"}
    assert payments_client.get(f"/pay/{reference}/receipt").status_code == 302
    again = start_payment(payments_client, dossier, "vietqr")
    assert again.headers["Location"] == qr_url  # the same payment, not a second one


def test_paying_by_card_sends_the_browser_to_the_gateway(payments_client, db_session):
    dossier = make_dossier(db_session)
    started = start_payment(payments_client, dossier, "vnpay", lang="en")
    assert started.status_code == 303
    assert "/_sim/vnpay/paymentv2/vpcpay.html?" in started.headers["Location"]
    assert "vnp_Locale=en" in started.headers["Location"]


def test_a_cancelled_dossier_gets_a_readable_page_not_json(payments_client, db_session):
    dossier = make_dossier(db_session, status="cancelled")
    page = payments_client.get(f"/pay/{dossier.code}")
    assert "Hồ sơ đã bị hủy" in page.get_data(as_text=True)
    refused = start_payment(payments_client, dossier, "vietqr")
    assert refused.status_code == 409
    assert refused.mimetype == "text/html"


@pytest.fixture
def paid_reference(payments_client, db_session):
    dossier = make_dossier(db_session, fee_due_vnd=50_000)
    started = start_payment(payments_client, dossier, "vietqr")
    reference = started.headers["Location"].split("/")[2]
    service.record_money_received(
        db_session,
        reference=reference,
        amount_vnd=50_000,
        provider_transaction_id="FT26324999",
        paid_at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC),
        actor="bank:test",
        source="bank credit",
    )
    return reference


def test_the_receipt_waits_for_documents_until_a_domain_provides_them(
    payments_app, payments_client, paid_reference
):
    status = payments_client.get(f"/pay/{paid_reference}/status").get_data(as_text=True)
    assert "Đã thanh toán" in status
    receipt = payments_client.get(f"/pay/{paid_reference}/receipt")
    assert receipt.status_code == 200
    text = receipt.get_data(as_text=True)
    assert "FT26324999" in text
    assert "50.000 ₫" in text
    assert "sẽ xuất hiện tại đây" in text

    register_receipt_links(
        payments_app,
        lambda payment: [
            ReceiptLink("Biên lai điện tử", "E-receipt", f"/invoices/{payment['reference']}")
        ],
    )
    linked = payments_client.get(f"/pay/{paid_reference}/receipt?lang=en").get_data(as_text=True)
    assert f'href="/invoices/{paid_reference}">E-receipt' in linked
