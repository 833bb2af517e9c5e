"""Demo payments in every state, made through the real payment services.

The demo is "the morning after": money that moved did so yesterday (Vietnam time), from
09:00 on, a payment every few minutes, so last night's reconciliation has a day to reconcile;
payments still waiting were started today.

Card payments are settled the way production settles them: an IPN signed with the demo
terminal's secret goes through the same verifier as VNPAY's (handle_vnpay_ipn). Transfers
are settled the way the bank's credit notification settles them (receive_credit_notification),
under the bank transaction id the demo statement later books them with, so the statement line
is linked to that credit rather than counted as money arriving twice.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urljoin

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon.db import utcnow
from payrecon.demo.settings import DEMO_BASE_URL
from payrecon.dossiers.models import Dossier
from payrecon.payments import service, vnpay_protocol
from payrecon.payments.bank_credit import CreditNotification
from payrecon.payments.settings import PaymentSettings

ACTOR = "demo"
RETURN_PATH = "/gateway/vnpay/return"

# (how many, method, what happens to it)
PLAN = [
    (6, "vietqr", "pending"),
    (3, "vnpay", "pending"),
    (24, "vietqr", "paid"),
    (12, "vnpay", "paid"),
    (3, "vnpay", "failed"),
    (3, "vietqr", "expired"),
    (3, "vietqr", "cancelled"),
    (2, "vietqr", "refund_pending"),
    (2, "vietqr", "refunded"),
    (1, "both", "duplicate"),
]


MINUTES_APART = 5
SETTLED_FATES = ("paid", "failed", "refund_pending", "refunded")


def demo_bank_transaction_id(payment_id: int) -> str:
    """The bank's transaction id of the demo transfer that pays `payment_id`: in its credit
    notification and on the demo statement (demo.reconciliation) alike."""
    return f"FT{payment_id:010d}"


def _ipn_query(
    settings: PaymentSettings, body: dict, *, succeeded: bool, number: int, paid_at: datetime
) -> str:
    terminal = settings.require_vnpay()
    paid = paid_at.astimezone(vnpay_protocol.GMT7).strftime("%Y%m%d%H%M%S")
    params = {
        "vnp_Amount": str(body["amount"] * 100),
        "vnp_BankCode": "NCB",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": f"Nop phi ho so {body['dossier_code']}",
        "vnp_PayDate": paid,
        "vnp_ResponseCode": "00" if succeeded else "24",
        "vnp_TmnCode": terminal.tmn_code,
        "vnp_TransactionNo": str(14_500_000 + number) if succeeded else "0",
        "vnp_TransactionStatus": "00" if succeeded else "02",
        "vnp_TxnRef": body["reference"],
    }
    query = vnpay_protocol.signed_query(params)
    return f"{query}&vnp_SecureHash={vnpay_protocol.sign(params, terminal.hash_secret)}"


class _Maker:
    def __init__(self, session: Session, settings: PaymentSettings, day_start: datetime) -> None:
        self.session = session
        self.settings = settings
        self.number = 0
        self.day_start = day_start
        self.started = 0
        # the demo's simulated gateway is served by the demo app itself: return there
        pay_url = settings.vnpay.pay_url if settings.vnpay else DEMO_BASE_URL
        self.return_url = urljoin(pay_url, RETURN_PATH)

    def next_moment(self) -> datetime:
        """The next moment of the demo's business day, MINUTES_APART after the previous one."""
        self.started += 1
        return self.day_start + timedelta(minutes=MINUTES_APART * self.started)

    def start(self, dossier: Dossier, method: str, **kwargs) -> dict:
        return service.create_payment(
            self.session,
            dossier_code=dossier.code,
            method=method,
            actor=ACTOR,
            settings=self.settings,
            client_ip="127.0.0.1",
            return_url=self.return_url,
            **kwargs,
        ).body

    def settle(self, body: dict, *, paid_at: datetime, succeeded: bool = True) -> None:
        self.number += 1
        if body["method"] == "vnpay":
            query = _ipn_query(
                self.settings, body, succeeded=succeeded, number=self.number, paid_at=paid_at
            )
            service.handle_vnpay_ipn(
                self.session, raw_query=query, terminal=self.settings.require_vnpay()
            )
            return
        notification = CreditNotification(
            account_number=body["vietqr"]["account_number"],
            bank_transaction_id=demo_bank_transaction_id(body["id"]),
            amount_vnd=body["amount"],
            content=f"nop phi {body['reference']}",
            transaction_at=paid_at,
            bank="demo",
        )
        service.receive_credit_notification(
            self.session,
            body=json.dumps(
                {"reference_code": notification.bank_transaction_id, "amount": body["amount"]}
            ).encode(),
            signed_at=paid_at,
            notification=notification,
            actor="demo:bank",
        )

    def refund(self, body: dict, *, complete: bool) -> None:
        refund = service.request_refund(
            self.session,
            body["id"],
            amount_vnd=body["amount"],
            reason="hồ sơ bị trả lại (demo)",
            actor=ACTOR,
            settings=self.settings,
        )
        if complete and refund["status"] == "awaiting_transfer":
            service.complete_refund_transfer(self.session, refund["id"], actor=ACTOR)


def create_demo_payments(
    session: Session,
    settings: PaymentSettings,
    say: Callable[[str], None],
    *,
    day_start: datetime,
) -> Counter:
    """Pay, fail, expire, cancel and refund some of the demo's dossiers; counts by status.

    Payments that are paid or fail start and settle during the business day from `day_start`.
    """
    has_vnpay = settings.vnpay is not None
    needed = sum(count for count, *_ in PLAN)
    dossiers = list(
        session.scalars(
            select(Dossier)
            # not those the dossier system marks paid (at the counter): nobody pays them again
            .where(
                Dossier.status != "cancelled", Dossier.fee_due_vnd > 0, Dossier.paid_at.is_(None)
            )
            .order_by(Dossier.id)
            .limit(needed)
        )
    )
    session.rollback()
    make = _Maker(session, settings, day_start)
    made: Counter = Counter()
    queue = iter(dossiers)
    for count, method, fate in PLAN:
        if "vnpay" in (method, "both") and not has_vnpay:
            continue
        for _ in range(count):
            dossier = next(queue, None)
            if dossier is None:
                break
            if fate == "duplicate":
                at = make.next_moment()
                first = make.start(dossier, "vietqr", now=at)
                second = make.start(dossier, "vnpay", now=at)
                make.settle(first, paid_at=at + timedelta(minutes=1))
                make.settle(second, paid_at=at + timedelta(minutes=2))
                made["succeeded (duplicate to refund)"] += 1
                continue
            at = make.next_moment()
            if fate == "expired":
                body = make.start(dossier, method, now=utcnow() - timedelta(days=3))
            elif fate in SETTLED_FATES:
                body = make.start(dossier, method, now=at)
            else:
                body = make.start(dossier, method)
            if fate in ("paid", "refund_pending", "refunded"):
                make.settle(body, paid_at=at + timedelta(minutes=1))
            if fate == "failed":
                make.settle(body, paid_at=at + timedelta(minutes=1), succeeded=False)
            if fate == "cancelled":
                service.cancel_payment(session, body["id"], actor=ACTOR, why="demo: changed mind")
            if fate in ("refund_pending", "refunded"):
                make.refund(body, complete=fate == "refunded")
            made[fate] += 1
    service.expire_pending_payments(session, utcnow().date())
    if not has_vnpay:
        say("VNPAY is not configured: the demo made transfer payments only")
    return made
