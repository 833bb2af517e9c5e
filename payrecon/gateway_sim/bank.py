"""The simulated gateway's memory and messages: what VNPAY would know and send.

Kept in the process's memory (one per app), because a simulator needs no durability: restart
it and it has forgotten every transaction, as a sandbox may. With several worker processes
each has its own memory, so the demo's simulator answers querydr only for payments its own
process saw; tests run one process.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime

from payrecon.payments import vnpay_protocol
from payrecon.payments.vnpay_protocol import GMT7


@dataclass
class SimTransaction:
    txn_ref: str
    amount_x100: str  # as VNPAY carries it: VND × 100
    order_info: str
    return_url: str
    create_date: str
    status: str = "pending"  # pending | success | cancelled
    transaction_no: str = "0"
    pay_date: str = ""
    refunded_x100: int = 0
    refund_request_ids: set[str] = field(default_factory=set)
    ipn_answers: list[dict[str, str]] = field(default_factory=list)


class SimBank:
    """Transactions by vnp_TxnRef, behind one lock (the dev server serves threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.transactions: dict[str, SimTransaction] = {}
        self._numbers = itertools.count(14_000_000 + secrets.randbelow(1_000_000))
        self.api_fault: str | None = None  # garbage | bad_signature | http_500 | None

    def register(self, values: dict[str, str]) -> SimTransaction:
        """Remember the payment a verified payment URL asks for (once per reference)."""
        with self.lock:
            known = self.transactions.get(values["vnp_TxnRef"])
            if known is not None:
                return known
            txn = SimTransaction(
                txn_ref=values["vnp_TxnRef"],
                amount_x100=values["vnp_Amount"],
                order_info=values.get("vnp_OrderInfo", ""),
                return_url=values.get("vnp_ReturnUrl", ""),
                create_date=values.get("vnp_CreateDate", ""),
            )
            self.transactions[txn.txn_ref] = txn
            return txn

    def find(self, txn_ref: str) -> SimTransaction | None:
        with self.lock:
            return self.transactions.get(txn_ref)

    def complete(self, txn: SimTransaction, outcome: str, now: datetime) -> None:
        """The customer paid (success) or gave up (cancel); a finished one stays finished."""
        with self.lock:
            if txn.status != "pending":
                return
            if outcome == "success":
                txn.status = "success"
                txn.transaction_no = str(next(self._numbers))
                txn.pay_date = now.astimezone(GMT7).strftime("%Y%m%d%H%M%S")
            else:
                txn.status = "cancelled"


def result_params(
    txn: SimTransaction,
    *,
    tmn_code: str,
    outcome: str | None = None,
    amount_vnd: int | None = None,
) -> dict[str, str]:
    """The vnp_* values of an IPN or return URL for `txn` (or for a forced `outcome`)."""
    outcome = outcome or ("success" if txn.status == "success" else "cancel")
    succeeded = outcome == "success"
    params = {
        "vnp_Amount": str(amount_vnd * 100) if amount_vnd is not None else txn.amount_x100,
        "vnp_BankCode": "NCB",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": txn.order_info,
        "vnp_PayDate": txn.pay_date or txn.create_date,
        "vnp_ResponseCode": "00" if succeeded else "24",
        "vnp_TmnCode": tmn_code,
        "vnp_TransactionNo": txn.transaction_no if succeeded else "0",
        "vnp_TransactionStatus": "00" if succeeded else "02",
        "vnp_TxnRef": txn.txn_ref,
    }
    if succeeded:
        params["vnp_BankTranNo"] = f"VNP{txn.transaction_no}"
    return params


def signed_result_query(params: dict[str, str], secret: str) -> str:
    query = vnpay_protocol.signed_query(params)
    return f"{query}&vnp_SecureHash={vnpay_protocol.sign(params, secret)}"


def querydr_answer(
    txn: SimTransaction | None, request: dict[str, str], *, tmn_code: str
) -> dict[str, str]:
    base = {
        "vnp_ResponseId": secrets.token_hex(8),
        "vnp_Command": "querydr",
        "vnp_TmnCode": tmn_code,
        "vnp_TxnRef": request.get("vnp_TxnRef", ""),
        "vnp_PromotionCode": "",
        "vnp_PromotionAmount": "",
    }
    if txn is None:
        return base | {"vnp_ResponseCode": "91", "vnp_Message": "Transaction not found"}
    status = {"success": "00", "pending": "01", "cancelled": "02"}[txn.status]
    return base | {
        "vnp_ResponseCode": "00",
        "vnp_Message": "QueryDR Success",
        "vnp_Amount": txn.amount_x100,
        "vnp_BankCode": "NCB",
        "vnp_PayDate": txn.pay_date,
        "vnp_TransactionNo": txn.transaction_no,
        "vnp_TransactionType": "01",
        "vnp_TransactionStatus": status,
        "vnp_OrderInfo": txn.order_info,
    }


def refund_answer(
    bank: SimBank, txn: SimTransaction | None, request: dict[str, str], *, tmn_code: str
) -> dict[str, str]:
    base = {
        "vnp_ResponseId": secrets.token_hex(8),
        "vnp_Command": "refund",
        "vnp_TmnCode": tmn_code,
        "vnp_TxnRef": request.get("vnp_TxnRef", ""),
        "vnp_Amount": request.get("vnp_Amount", ""),
        "vnp_TransactionType": request.get("vnp_TransactionType", ""),
        "vnp_OrderInfo": request.get("vnp_OrderInfo", ""),
    }
    if txn is None:
        return base | {"vnp_ResponseCode": "91", "vnp_Message": "Transaction not found"}
    with bank.lock:
        request_id = request.get("vnp_RequestId", "")
        if request_id in txn.refund_request_ids:
            return base | {"vnp_ResponseCode": "94", "vnp_Message": "Duplicate request"}
        if txn.status != "success":
            return base | {"vnp_ResponseCode": "95", "vnp_Message": "Transaction not success"}
        amount = int(request.get("vnp_Amount", "0") or 0)
        if amount <= 0 or txn.refunded_x100 + amount > int(txn.amount_x100):
            return base | {"vnp_ResponseCode": "03", "vnp_Message": "Invalid amount"}
        txn.refunded_x100 += amount
        txn.refund_request_ids.add(request_id)
        return base | {
            "vnp_ResponseCode": "00",
            "vnp_Message": "Refund success",
            "vnp_BankCode": "NCB",
            "vnp_PayDate": txn.pay_date,
            "vnp_TransactionNo": str(next(bank._numbers)),
            "vnp_TransactionStatus": "05",
        }
