"""The periodic clean-up of payments nobody told us about: expiry and the VNPAY querydr mop-up.

Both take (session, business_date) like every job, are safe to re-run, and commit payment by
payment, so one bad payment never holds back the others. `business_date` bounds the work:
for a past date they act as of the end of that day, for today as of now.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon.db import utcnow
from payrecon.errors import UpstreamFailure
from payrecon.payments import queries, recording
from payrecon.payments.gateway_client import VnpayClient
from payrecon.payments.models import Payment
from payrecon.payments.money_in import lock_dossier_and_payment, pay_date_of, take_money
from payrecon.payments.settings import PaymentSettings
from payrecon.payments.states import PaymentStatus, apply_move

log = logging.getLogger("payrecon.payments")
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
ACTOR = "job:payments"

# vnp_TransactionStatus values that mean the payment will not complete.
GATEWAY_FAILED = frozenset({"02", "04", "07", "09"})


def as_of(business_date: date, now: datetime) -> datetime:
    end_of_day = datetime.combine(business_date + timedelta(days=1), time(0), tzinfo=LOCAL)
    return min(end_of_day, now)


def _lock_pending(session: Session, payment_id: int) -> Payment | None:
    payment = session.scalars(
        select(Payment)
        .where(Payment.id == payment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return payment if payment.status == PaymentStatus.PENDING else None


def expire_pending_payments(session: Session, business_date: date) -> str:
    """Expire pending payments whose time ran out (as of the end of business_date, or now).

    Money that arrives after all is handled by states.on_money_received (revived, or a
    duplicate to refund), so expiring is never a loss of money, only of waiting.
    """
    cutoff = as_of(business_date, utcnow())
    expired = 0
    for payment_id in queries.pending_payment_ids(session, expired_before=cutoff):
        payment = _lock_pending(session, payment_id)
        if payment is None:  # paid or cancelled meanwhile
            session.rollback()
            continue
        new_status = apply_move(PaymentStatus.PENDING, PaymentStatus.EXPIRED)
        assert new_status is not None
        recording.change_status(
            session,
            payment,
            new_status,
            actor=ACTOR,
            why=f"no money by {payment.expires_at.isoformat()}",
        )
        session.commit()
        expired += 1
    session.rollback()
    return f"{expired} pending payments expired (as of {cutoff.isoformat()})"


def settle_stale_vnpay_payments(
    session: Session,
    business_date: date,
    *,
    settings: PaymentSettings | None = None,
    client: VnpayClient | None = None,
) -> str:
    """Ask VNPAY (querydr) about pending VNPAY payments older than VNPAY_QUERYDR_AFTER_MINUTES.

    A verified success settles the payment as an IPN would; a verified failure fails it; an
    unfinished or unknown transaction is left for the expiry job. If the gateway gives no
    usable answer for some payments the others are still settled, and the job then raises
    UpstreamFailure naming how many, so the failure is recorded and the job retried.
    """
    settings = settings or PaymentSettings.from_app()
    now = utcnow()
    cutoff = as_of(business_date, now) - settings.querydr_after
    payment_ids = queries.pending_payment_ids(session, method="vnpay", created_before=cutoff)
    session.rollback()
    if not payment_ids:
        return "no stale VNPAY payments to ask about"
    client = client or VnpayClient(settings.require_vnpay())
    counts = {"succeeded": 0, "failed": 0, "unchanged": 0, "unanswered": 0}
    problems: list[str] = []
    for payment_id in payment_ids:
        payment = session.get(Payment, payment_id)
        assert payment is not None
        reference, created_at = payment.reference, payment.created_at
        session.rollback()
        try:
            answer = client.query(
                reference=reference,
                transaction_date=created_at,
                now=utcnow(),
                order_info=f"Truy van {reference}",
            )
        except UpstreamFailure as exc:
            counts["unanswered"] += 1
            problems.append(f"{reference}: {exc}")
            log.warning("querydr for %s: %s", reference, exc)
            continue
        counts[_settle_one(session, payment_id, answer.fields)] += 1
    summary = ", ".join(f"{count} {name}" for name, count in counts.items())
    if problems:
        raise UpstreamFailure(
            f"VNPAY querydr mop-up: {summary}; no usable answer for {len(problems)}: "
            + "; ".join(problems[:5]),
            where="PAYRECON_VNPAY_API_URL",
        )
    return f"VNPAY querydr mop-up: {summary}"


def _settle_one(session: Session, payment_id: int, fields: dict[str, str]) -> str:
    payment = session.get(Payment, payment_id)
    assert payment is not None
    dossier, payment = lock_dossier_and_payment(session, payment)
    if payment.status != PaymentStatus.PENDING:
        session.rollback()
        return "unchanged"
    response_code = fields.get("vnp_ResponseCode", "")
    status = fields.get("vnp_TransactionStatus", "")
    recording.add_event(
        session,
        payment,
        "vnpay_querydr",
        actor=ACTOR,
        why=f"querydr answer {response_code}",
        payload={"answer": fields},
    )
    outcome = "unchanged"
    if response_code == "00" and status == "00":
        if fields.get("vnp_Amount") != str(payment.amount_vnd * 100):
            log.warning(
                "querydr for %s reports vnp_Amount %s; we asked %s VND: for reconciliation",
                payment.reference,
                fields.get("vnp_Amount"),
                payment.amount_vnd,
            )
        else:
            take_money(
                session,
                dossier,
                payment,
                provider_transaction_id=fields.get("vnp_TransactionNo") or None,
                paid_at=pay_date_of(fields),
                actor=ACTOR,
                source="VNPAY querydr",
            )
            outcome = "succeeded"
    elif response_code == "00" and status in GATEWAY_FAILED:
        recording.change_status(
            session,
            payment,
            PaymentStatus.FAILED,
            actor=ACTOR,
            why=f"VNPAY querydr: vnp_TransactionStatus {status}",
        )
        outcome = "failed"
    session.commit()
    return outcome
