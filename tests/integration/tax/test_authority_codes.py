"""Recording the tax authority's code or rejection: once, idempotent, signed part untouched."""

from __future__ import annotations

import hashlib

import pytest
from lxml import etree
from sqlalchemy import select, update

from payrecon import audit
from payrecon.errors import Conflict, InvalidInput, NotFound
from payrecon.invoices import queries
from payrecon.invoices.authority import record_authority_decision
from payrecon.invoices.models import Invoice, InvoiceAuthorityDecision, InvoiceChange
from payrecon.invoices.signing import verify_invoice
from tests.integration.tax.helpers import issue_invoices, read_whole_feed

CODE = "00A1B2C3D4E5F60718293A4B5C6D7E8F90"
OTHER_CODE = "11A1B2C3D4E5F60718293A4B5C6D7E8F90"
ACTOR = "api:tax-gateway:test"


@pytest.fixture
def invoice(db_session, signing_keys) -> Invoice:
    (issued,) = issue_invoices(db_session, signing_keys, 1)
    return issued


def change_kinds(session, invoice_id: int) -> list[str]:
    kinds = list(
        session.scalars(
            select(InvoiceChange.kind)
            .where(InvoiceChange.invoice_id == invoice_id)
            .order_by(InvoiceChange.id)
        )
    )
    session.rollback()
    return kinds


def test_a_code_makes_a_new_stored_version_with_the_seller_part_unchanged(
    db_session, invoice, demo_pem
):
    assert len(CODE) == 34
    recorded = record_authority_decision(db_session, invoice.id, code=CODE, actor=ACTOR)
    db_session.rollback()

    assert recorded.created
    decision = db_session.scalars(select(InvoiceAuthorityDecision)).one()
    assert (decision.outcome, decision.code, decision.recorded_by) == ("coded", CODE, ACTOR)
    issued = invoice.xml
    position = issued.index(b"<DSCKS")
    assert decision.xml == issued[:position] + f"<MCCQT>{CODE}</MCCQT>".encode() + issued[position:]
    assert verify_invoice(decision.xml, trusted_cert_pem=demo_pem[1]).trusted
    assert etree.fromstring(decision.xml).findtext("MCCQT") == CODE
    assert decision.xml_sha256 == hashlib.sha256(decision.xml).hexdigest()
    stored = db_session.get(Invoice, invoice.id)
    assert (stored.xml, stored.xml_sha256) == (issued, invoice.xml_sha256)  # issued bytes kept
    assert queries.current_xml(db_session, invoice.id) == (decision.xml, decision.xml_sha256)
    assert change_kinds(db_session, invoice.id) == ["issue", "authority_code"]
    (entry,) = audit.history(db_session, "invoices", invoice.id)
    assert (entry.field, entry.old_value, entry.new_value, entry.actor) == (
        "authority_status",
        "awaiting_code",
        "coded",
        ACTOR,
    )


def test_the_feed_shows_the_code_as_a_change_with_the_new_hash(db_session, invoice):
    record_authority_decision(db_session, invoice.id, code=CODE, actor=ACTOR)
    entries, _ = read_whole_feed(db_session)
    assert [e.change_kind for e in entries] == ["issue", "authority_code"]
    shown = entries[-1].invoice
    assert (shown.authority_status, shown.authority_code) == ("coded", CODE)
    assert shown.xml_sha256 == queries.current_xml(db_session, invoice.id)[1]
    assert shown.xml_sha256 != invoice.xml_sha256


def test_the_same_code_again_changes_nothing(db_session, invoice):
    record_authority_decision(db_session, invoice.id, code=CODE, actor=ACTOR)
    again = record_authority_decision(db_session, invoice.id, code=f" {CODE} ", actor="api:x:y")
    db_session.rollback()
    assert not again.created
    assert again.decision.recorded_by == ACTOR
    assert change_kinds(db_session, invoice.id) == ["issue", "authority_code"]


@pytest.mark.parametrize(
    "second",
    [{"code": OTHER_CODE}, {"rejection_reason": "sai mã số thuế người bán"}],
    ids=["another code", "a rejection"],
)
def test_another_answer_after_a_code_is_a_conflict(db_session, invoice, second):
    record_authority_decision(db_session, invoice.id, code=CODE, actor=ACTOR)
    with pytest.raises(Conflict) as raised:
        record_authority_decision(db_session, invoice.id, actor=ACTOR, **second)
    db_session.rollback()
    assert CODE not in str(raised.value)
    assert db_session.scalars(select(InvoiceAuthorityDecision.code)).all() == [CODE]
    assert change_kinds(db_session, invoice.id) == ["issue", "authority_code"]


def test_a_rejection_is_recorded_once_and_then_shown(db_session, invoice):
    reason = "Thông tin người bán không khớp đăng ký"
    assert record_authority_decision(
        db_session, invoice.id, rejection_reason=reason, actor=ACTOR
    ).created
    assert not record_authority_decision(
        db_session, invoice.id, rejection_reason=reason, actor=ACTOR
    ).created
    with pytest.raises(Conflict):
        record_authority_decision(db_session, invoice.id, code=CODE, actor=ACTOR)
    db_session.rollback()
    shown = queries.get_tax_invoice(db_session, invoice.id)
    assert (shown.authority_status, shown.authority_rejection_reason) == ("rejected", reason)
    assert shown.xml_sha256 == invoice.xml_sha256  # a rejection stores no new version
    assert change_kinds(db_session, invoice.id) == ["issue", "authority_rejection"]


@pytest.mark.parametrize(
    ("answer", "where"),
    [
        ({"code": CODE[:-1]}, "body.code"),
        ({"code": CODE[:-1] + "-"}, "body.code"),
        ({"code": CODE + "0"}, "body.code"),
        ({"rejection_reason": "   "}, "body.rejection_reason"),
        ({}, "body"),
        ({"code": CODE, "rejection_reason": "both"}, "body"),
    ],
)
def test_malformed_answers_are_refused_by_name(db_session, invoice, answer, where):
    with pytest.raises(InvalidInput) as raised:
        record_authority_decision(db_session, invoice.id, actor=ACTOR, **answer)
    db_session.rollback()
    assert raised.value.where == where
    assert db_session.scalars(select(InvoiceAuthorityDecision)).all() == []


def test_one_code_cannot_belong_to_two_invoices(db_session, signing_keys):
    first, second = issue_invoices(db_session, signing_keys, 2)
    record_authority_decision(db_session, first.id, code=CODE, actor=ACTOR)
    with pytest.raises(Conflict):
        record_authority_decision(db_session, second.id, code=CODE, actor=ACTOR)


def test_an_invoice_of_a_series_without_codes_takes_none(db_session, invoice):
    db_session.execute(update(Invoice).where(Invoice.id == invoice.id).values(series="K26TAA"))
    db_session.commit()
    with pytest.raises(Conflict):
        record_authority_decision(db_session, invoice.id, code=CODE, actor=ACTOR)
    db_session.rollback()
    assert queries.get_tax_invoice(db_session, invoice.id).authority_status == "not_applicable"


def test_an_unknown_invoice_is_not_found(db_session):
    with pytest.raises(NotFound):
        record_authority_decision(db_session, 999_999, code=CODE, actor=ACTOR)
