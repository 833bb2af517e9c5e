"""Payment use cases, the domain's front door. Each function is one business operation, one commit.

Here: create_payment, cancel_payment, payment_resource. Re-exported from their own modules:
money arriving (record_money_received, handle_vnpay_ipn; bank credits for VietQR payments:
receive_credit_notification, settle_statement_credits), refunds (request_refund,
complete_refund_transfer), the periodic jobs (expire_pending_payments,
settle_stale_vnpay_payments, purge_idempotency_keys).

Locks are always taken in the same order, so two operations never wait on each other in a
circle: idempotency key, then the dossier row, then the payment row.

A payment's history (who, when, from, to, why, and every provider message raw) is its own
append-only payment_events rows, written in the same transaction as the change. It is not
copied into the hash-chained audit log: that chain is one sequence behind one lock, and
putting every citizen's payment through it would make all payments wait for each other.
Officers' actions on payments (refunds, transfers) are audited there.

Creating a payment for a dossier that already has a pending, unexpired payment of the same
method and amount returns that payment (HTTP 200) instead of a second one (201): a citizen who
double-clicks, or comes back to the page, gets the same QR code or the same gateway session.
Another method may be started alongside (a citizen can give up on the QR and pay by card);
if both end up paid, the second is a duplicate to refund (states.on_money_received).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon.catalog import queries as catalog_queries
from payrecon.db import utcnow
from payrecon.dossiers.models import Dossier
from payrecon.errors import Conflict, InvalidInput, NotFound
from payrecon.payments import creation, idempotency, queries, recording, vietqr, vnpay_protocol
from payrecon.payments.bank_in import (
    CreditResult,
    StatementCredit,
    receive_credit_notification,
    settle_statement_credits,
)
from payrecon.payments.idempotency import purge_idempotency_keys
from payrecon.payments.models import METHODS, Payment
from payrecon.payments.money_in import (
    AmountMismatch,
    MoneyResult,
    handle_vnpay_ipn,
    record_money_received,
)
from payrecon.payments.mopup import expire_pending_payments, settle_stale_vnpay_payments
from payrecon.payments.present import payment_view
from payrecon.payments.references import new_reference
from payrecon.payments.refunds import complete_refund_transfer, request_refund
from payrecon.payments.settings import PaymentMethodUnavailable, PaymentSettings
from payrecon.payments.states import MONEY_KEPT, PaymentStatus, apply_move
from payrecon.payments.transactions import one_transaction

__all__ = [
    "AmountMismatch",
    "CreditResult",
    "DossierNotPayable",
    "IdempotentRequest",
    "MoneyResult",
    "PaymentAnswer",
    "StatementCredit",
    "cancel_payment",
    "complete_refund_transfer",
    "create_payment",
    "expire_pending_payments",
    "handle_vnpay_ipn",
    "payment_resource",
    "purge_idempotency_keys",
    "receive_credit_notification",
    "record_money_received",
    "request_refund",
    "settle_stale_vnpay_payments",
    "settle_statement_credits",
]


class DossierNotPayable(Conflict):
    """The dossier is cancelled, owes nothing, or is already fully paid."""


@dataclass(frozen=True)
class IdempotentRequest:
    client: str  # who sent it (an API token's public id): keys are per client
    key: str
    fingerprint: str


@dataclass(frozen=True)
class PaymentAnswer:
    """The answer to a create request: HTTP status, the payment resource, and whether it is
    a replay of an earlier answer to the same Idempotency-Key."""

    status: int
    body: dict
    replayed: bool = False

    @property
    def reference(self) -> str:
        return self.body["reference"]


def payment_resource(session: Session, payment: Payment) -> dict:
    """The payment as the API shows it (see present.payment_view)."""
    refunds = queries.list_refunds(session, payment.id)
    available = 0
    if payment.status in MONEY_KEPT:
        totals = queries.refund_totals(session, payment.id)
        available = max(payment.amount_vnd - totals.spoken_for_vnd, 0)
    account_name = None
    if payment.qr_payload:
        fields = vietqr.parse_payload(payment.qr_payload)
        account = catalog_queries.find_collection_account(
            session, account_number=fields["account_number"], bank_bin=fields["bank_bin"]
        )
        account_name = account.account_name if account else None
    dossier_code = session.scalar(select(Dossier.code).where(Dossier.id == payment.dossier_id))
    return payment_view(
        payment,
        dossier_code=dossier_code or "",
        refunds=refunds,
        refund_amount_available=available,
        account_name=account_name,
    )


def _order_info(dossier_code: str) -> str:
    return f"Nop phi ho so {dossier_code}"


@one_transaction
def create_payment(
    session: Session,
    *,
    dossier_code: str,
    method: str,
    actor: str,
    settings: PaymentSettings,
    client_ip: str,
    return_url: str,
    locale: str = "vn",
    idempotent: IdempotentRequest | None = None,
    now: datetime | None = None,
) -> PaymentAnswer:
    """Start paying a dossier's fee due (never an amount from the client) by `method`.

    Refuses an unknown dossier (404), a cancelled one, one that owes nothing or is already
    fully paid (409). `return_url` and `client_ip` feed the VNPAY redirect URL.
    """
    now = now or utcnow()
    dossier, key_row = creation.lock_payable_dossier(
        session,
        dossier_code,
        idempotency_key=(idempotent.client, idempotent.key) if idempotent is not None else None,
    )
    if idempotent is not None:
        # The key comes first: a repeat is answered as the first time, whatever has changed.
        if dossier is None:  # nothing came back, so the key is looked up on its own
            stored = idempotency.find_answer(
                session,
                client=idempotent.client,
                key=idempotent.key,
                request_fingerprint=idempotent.fingerprint,
            )
        elif key_row is not None:
            stored = idempotency.replay(key_row, idempotent.fingerprint)
            session.rollback()  # nothing to write: release the dossier lock now
        else:
            stored = None
        if stored is not None:
            return PaymentAnswer(stored.status, stored.body, replayed=True)
    if method not in METHODS:
        raise InvalidInput(f"method must be one of {', '.join(METHODS)}", where="body.method")
    if dossier is None:
        raise NotFound(f"no dossier with code {dossier_code!r}", where="body.dossier_code")
    if dossier.status == "cancelled":
        raise DossierNotPayable(
            f"dossier {dossier_code} is cancelled; nothing can be paid on it",
            where="body.dossier_code",
        )
    if dossier.fee_due_vnd <= 0:
        raise DossierNotPayable(f"dossier {dossier_code} has no fee due", where="body.dossier_code")
    standing = queries.dossier_standing(session, dossier.id, method, now)
    outstanding = dossier.fee_due_vnd - standing.paid_vnd
    if outstanding <= 0:
        raise DossierNotPayable(
            f"dossier {dossier_code} is already fully paid", where="body.dossier_code"
        )

    existing = standing.live_pending
    if existing is not None and existing.amount_vnd == outstanding:
        answer = PaymentAnswer(200, payment_resource(session, existing))
    else:
        payment, account_name = _new_payment(
            session,
            dossier,
            method=method,
            amount_vnd=outstanding,
            settings=settings,
            client_ip=client_ip,
            return_url=return_url,
            locale=locale,
            actor=actor,
            now=now,
        )
        answer = PaymentAnswer(
            201,
            payment_view(
                payment,
                dossier_code=dossier.code,
                refunds=[],
                refund_amount_available=0,
                account_name=account_name,
            ),
        )
    if idempotent is not None:
        earlier = idempotency.remember(
            session,
            client=idempotent.client,
            key=idempotent.key,
            request_fingerprint=idempotent.fingerprint,
            status=answer.status,
            body=answer.body,
        )
        if earlier is not None:  # the same key won a race with us; our work is rolled back
            return PaymentAnswer(earlier.status, earlier.body, replayed=True)
    session.commit()
    return answer


def _new_payment(
    session: Session,
    dossier: creation.PayableDossier,
    *,
    method: str,
    amount_vnd: int,
    settings: PaymentSettings,
    client_ip: str,
    return_url: str,
    locale: str,
    actor: str,
    now: datetime,
) -> tuple[Payment, str | None]:
    """Write the new pending payment and its "created" event; the payment (a detached row
    for presenting it) and, for a transfer, the beneficiary's name."""
    account_name = None
    # 40 random bits: two payments drawing the same reference is a one in 10^12 event per pair,
    # and the unique constraint turns it into a failed request, never a shared reference.
    reference = new_reference()
    expires_at = now + settings.expiry_for(method)
    values: dict[str, Any] = {
        "reference": reference,
        "dossier_id": dossier.id,
        "amount_vnd": amount_vnd,
        "method": method,
        "status": str(PaymentStatus.PENDING),
        "created_at": now,
        "expires_at": expires_at,
        "updated_at": now,
        "is_duplicate": False,
    }
    if method == "vietqr":
        account = dossier.beneficiary
        if account is None:
            raise PaymentMethodUnavailable(
                f"the agency of dossier {dossier.code} has no collection account for transfers",
                where="body.method",
            )
        account_name = account.account_name
        values["qr_payload"] = vietqr.build_payload(
            bank_bin=account.bank_bin,
            account_number=account.account_number,
            amount_vnd=amount_vnd,
            reference=reference,
        )
    else:
        terminal = settings.require_vnpay()
        values["redirect_url"] = vnpay_protocol.build_payment_url(
            pay_url=terminal.pay_url,
            tmn_code=terminal.tmn_code,
            secret=terminal.hash_secret,
            reference=reference,
            amount_vnd=amount_vnd,
            order_info=_order_info(dossier.code),
            ip_address=client_ip or "127.0.0.1",
            created_at=now,
            expires_at=expires_at,
            return_url=return_url,
            locale=locale,
        )
    payment_id = creation.insert_payment(
        session,
        values,
        actor=actor,
        why=f"{method} payment of {amount_vnd} VND for dossier {dossier.code}",
        now=now,
    )
    return Payment(id=payment_id, **values), account_name


@one_transaction
def cancel_payment(session: Session, payment_id: int, *, actor: str, why: str) -> dict:
    """Cancel a pending payment (409 for one already paid or finished; a repeat is a no-op).

    For VNPAY this only stops us waiting: money the gateway takes anyway later revives the
    payment or becomes a duplicate to refund (states.on_money_received).
    """
    payment = session.scalars(
        select(Payment).where(Payment.id == payment_id).with_for_update()
    ).one_or_none()
    if payment is None:
        raise NotFound(f"no payment with id {payment_id}", where="path.payment_id")
    new_status = apply_move(PaymentStatus(payment.status), PaymentStatus.CANCELLED)
    if new_status is not None:
        recording.change_status(session, payment, new_status, actor=actor, why=why)
    body = payment_resource(session, payment)
    session.commit()
    return body
