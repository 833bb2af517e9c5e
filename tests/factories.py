"""Rows for tests, made through the services where a service exists."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from sqlalchemy.orm import Session

from payrecon.catalog.models import Agency, CollectionAccount, Procedure
from payrecon.dossiers.models import Dossier
from payrecon.payments.models import Payment, Refund
from payrecon.payments.references import new_reference

_serial = count(1)


def make_agency(session: Session, **overrides) -> Agency:
    n = next(_serial)
    values = {
        "code": f"AG{n:04d}",
        "name": f"Sở Thử nghiệm {n}",
        "tax_code": f"57{n:08d}",
        "address": "Hạ Long, Quảng Ninh",
    } | overrides
    agency = Agency(**values)
    session.add(agency)
    session.flush()
    session.add(
        CollectionAccount(
            agency_id=agency.id,
            bank_bin="970436",
            account_number=f"0141{n:09d}",
            account_name=f"SO THU NGHIEM {n}",
        )
    )
    session.commit()
    return agency


def make_procedure(session: Session, agency: Agency | None = None, **overrides) -> Procedure:
    agency = agency or make_agency(session)
    values = {
        "code": f"TTHC-{next(_serial):05d}",
        "name": "Cấp Phiếu lý lịch tư pháp",
        "agency_id": agency.id,
        "fee_vnd": 200_000,
        "fee_kind": "fee",
        "vat_rate": "KCT",
    } | overrides
    procedure = Procedure(**values)
    session.add(procedure)
    session.commit()
    return procedure


def make_dossier(session: Session, procedure: Procedure | None = None, **overrides) -> Dossier:
    procedure = procedure or make_procedure(session)
    values = {
        "code": f"HS-{next(_serial):06d}",
        "procedure_id": procedure.id,
        "applicant_name": "Nguyễn Văn An",
        "applicant_id_number": "022090001234",
        "applicant_tax_code": None,
        "received_at": datetime(2026, 11, 20, 2, 30, tzinfo=UTC),
        "status": "received",
        "fee_due_vnd": procedure.fee_vnd,
        "updated_at": datetime(2026, 11, 20, 2, 30, tzinfo=UTC),
    } | overrides
    dossier = Dossier(**values)
    session.add(dossier)
    session.commit()
    return dossier


def make_payment(session: Session, dossier: Dossier, **overrides) -> Payment:
    """A succeeded VietQR payment of the dossier's fee, paid on 2026-11-20."""
    paid_at = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)
    values = {
        "reference": new_reference(),
        "dossier_id": dossier.id,
        "amount_vnd": dossier.fee_due_vnd,
        "method": "vietqr",
        "status": "succeeded",
        "created_at": paid_at,
        "expires_at": paid_at,
        "updated_at": paid_at,
        "paid_at": paid_at,
        "provider_transaction_id": None,
        "is_duplicate": False,
    } | overrides
    payment = Payment(**values)
    session.add(payment)
    session.commit()
    return payment


def make_refund(session: Session, payment: Payment, amount_vnd: int, **overrides) -> Refund:
    """A completed refund of part or all of a payment."""
    values = {
        "payment_id": payment.id,
        "amount_vnd": amount_vnd,
        "reason": "hồ sơ bị trả lại",
        "status": "succeeded",
        "requested_by": "test",
        "created_at": datetime(2026, 11, 21, 3, 0, tzinfo=UTC),
        "completed_at": datetime(2026, 11, 21, 3, 0, tzinfo=UTC),
    } | overrides
    refund = Refund(**values)
    session.add(refund)
    session.commit()
    return refund
