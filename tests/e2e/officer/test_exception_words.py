"""The exception page speaks the officer's language: evidence codes have words, the forms'
refusals are ours (WTForms' own English never shows), and the page links back to the queue
and on to its run, as the queue links to each row's run. On both databases."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from payrecon.reconciliation.models import ManualLink, ReconciliationException
from tests.e2e.officer.exception_day import reconciled_day
from tests.e2e.officer.helpers import csrf_token, page_text, post_form, signed_in_client

WTFORMS_ENGLISH = ("Not a valid", "Field cannot be", "Invalid Choice", "This field is")


@pytest.fixture
def day(db_session):
    return reconciled_day(db_session)


def _evidence(client, exception_id: int) -> str:
    """The exception's facts (the first definition list), tags stripped, one space apart."""
    page = page_text(client.get(f"/officer/exceptions/{exception_id}"))
    facts = re.search(r'<dl class="facts">(.*?)</dl>', page, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", facts))


def _refusal(response) -> list[str]:
    """The messages of the refusal box, one per item."""
    box = re.search(r'id="refusal">(.*?)</div>', page_text(response), re.S).group(1)
    return [re.sub(r"\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", box, re.S)]


def test_evidence_codes_are_shown_in_words(app, db_session, day):
    client = signed_in_client(app, db_session, "officer")
    cases = [
        (day.exception("amount_mismatch", payment="P3"), "Chiều Nộp thiếu", "underpaid"),
        (day.exception("fee_mismatch", payment="P9"), "Số tiền đã nộp khác với phí", "fee_differs"),
        (
            day.exception("duplicate_payment", payment="P2"),
            "ghi có lại cùng một",
            "credit_repeated",
        ),
        (day.exception("settlement_mismatch", line="L:FT19"), "số thực nhận của lô", "net_differs"),
        (
            day.exception("refund_not_reflected", payment="P12"),
            "Chưa có dòng ghi nợ",
            "no_bank_debit",
        ),
        (day.exception("invoice_without_payment", payment="P11"), "Đã phát hành", "issued"),
        (
            day.exception("missing_credit", payment="P21"),
            "Tiền về tài khoản ngân hàng",
            "bank_credit",
        ),
    ]
    for exception, words, code in cases:
        shown = _evidence(client, exception.id)
        assert words in shown, (exception.kind, shown)
        assert code not in shown, (exception.kind, shown)
    due = _evidence(client, day.exception("missing_credit", payment="P21").id)
    assert "23/11/2026" in due
    assert "2026-11-23" not in due


def test_the_dossier_card_names_its_status(app, db_session, day):
    client = signed_in_client(app, db_session, "officer")
    cancelled = day.exception("cancelled_dossier", payment="P8")
    page = page_text(client.get(f"/officer/exceptions/{cancelled.id}"))
    assert "<dd>Đã hủy</dd>" in page
    assert "<dd>cancelled</dd>" not in page


@pytest.mark.parametrize(
    ("action", "prefix", "fields", "message"),
    [
        ("link", "link", {"line_id": "abc"}, "Mã dòng sao kê: Mã dòng sao kê là một số nguyên"),
        ("link", "link", {"line_id": "0"}, "Mã dòng sao kê: Mã dòng sao kê là một số nguyên"),
        ("link", "link", {"payment_reference": "PR" * 11}, "Mã thanh toán: Tối đa 20 ký tự."),
        ("note", "note", {"note": "x" * 2001}, "Ghi chú: Tối đa 2000 ký tự."),
    ],
)
def test_the_forms_refuse_in_our_words_once(app, db_session, day, action, prefix, fields, message):
    client = signed_in_client(app, db_session, "officer")
    exception = day.exception("unmatched_credit", line="L:FT8")
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    data[f"{prefix}-csrf_token"] = csrf_token(client, "/officer/search")
    response = client.post(f"/officer/exceptions/{exception.id}/{action}", data=data)
    assert response.status_code == 422
    messages = _refusal(response)
    assert len(messages) == 1, messages
    assert messages[0].startswith(message), messages
    assert not any(english in page_text(response) for english in WTFORMS_ENGLISH)
    db_session.rollback()
    assert db_session.get(ReconciliationException, exception.id).status == "open"
    assert db_session.scalar(select(func.count()).select_from(ManualLink)) == 0


def test_a_payment_not_listed_is_refused_in_our_words(app, db_session, day):
    client = signed_in_client(app, db_session, "supervisor")
    exception = day.exception("missing_credit", payment="P21")
    for payment_id in ("999999", "abc"):
        response = client.post(
            f"/officer/exceptions/{exception.id}/refund",
            data={
                "refund-csrf_token": csrf_token(client, "/officer/search"),
                "refund-payment_id": payment_id,
                "refund-amount_vnd": "1.000",
                "refund-reason": "thử",
            },
        )
        assert response.status_code == 422
        assert _refusal(response) == [
            "Thanh toán: Hãy chọn một trong các khoản thanh toán được liệt kê."
        ]


def test_the_exception_page_links_to_the_queue_and_its_run(app, db_session, day):
    client = signed_in_client(app, db_session, "auditor")
    exception = day.exception("unmatched_credit", line="L:FT8")
    page = page_text(client.get(f"/officer/exceptions/{exception.id}"))
    assert '<a href="/officer/exceptions">Quay lại danh sách ngoại lệ</a>' in page
    assert (
        f'<a href="/officer/reconciliation/runs/{day.run_id}">Lần đối soát {day.run_id}</a>' in page
    )

    queue = page_text(client.get("/officer/exceptions?kind=unmatched_credit"))
    assert f'<a href="/officer/reconciliation/runs/{day.run_id}">24/11/2026</a>' in queue
    of_run = page_text(client.get(f"/officer/exceptions?run={day.run_id}"))
    assert (
        f'<a href="/officer/reconciliation/runs/{day.run_id}">Chi tiết lần đối soát</a>' in of_run
    )


def test_a_services_refusal_is_in_the_officers_language(app, db_session, day):
    """The reconciliation service's refusals are translated messages, their values filled in;
    in English they read as the service raised them."""
    client = signed_in_client(app, db_session, "officer")
    exception = day.exception("unmatched_credit", line="L:FT8")

    def link_unknown_reference():
        return client.post(
            f"/officer/exceptions/{exception.id}/link",
            data={
                "link-csrf_token": csrf_token(client, "/officer/search"),
                "link-payment_reference": "PRNOSUCH000",
            },
        )

    refused = link_unknown_reference()
    assert refused.status_code == 404
    assert _refusal(refused) == [
        "Mã thanh toán: Không có thanh toán nào mang mã tham chiếu PRNOSUCH000"
    ]
    post_form(client, "/language", {"lang": "en", "next": "/officer/"}, form_page="/officer/search")
    in_english = link_unknown_reference()
    assert _refusal(in_english) == ["Payment reference: no payment with reference PRNOSUCH000"]
    db_session.rollback()
    assert db_session.get(ReconciliationException, exception.id).status == "open"
