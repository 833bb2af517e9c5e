"""Shared pieces of the payments tests: settings, a signer for IPNs, a fake gateway."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from payrecon.errors import UpstreamFailure
from payrecon.payments import service, vnpay_protocol
from payrecon.payments.gateway_client import GatewayAnswer
from payrecon.payments.settings import PaymentSettings, VnpayTerminal

TERMINAL = VnpayTerminal(
    tmn_code="TESTTMN1",
    hash_secret="integration-test-secret",
    pay_url="https://sandbox.example/paymentv2/vpcpay.html",
    api_url="http://127.0.0.1:9/merchant_webapi/api/transaction",
    timeout_seconds=2,
)


def make_settings() -> PaymentSettings:
    return PaymentSettings(
        expiry_vnpay=timedelta(minutes=15),
        expiry_vietqr=timedelta(hours=24),
        querydr_after=timedelta(minutes=15),
        vnpay=TERMINAL,
    )


def signed_ipn(
    reference: str,
    amount_vnd: int,
    *,
    succeeded: bool = True,
    transaction_no: str = "14422574",
    secret: str = TERMINAL.hash_secret,
) -> str:
    """An IPN query as VNPAY sends it, signed with `secret`."""
    params = {
        "vnp_Amount": str(amount_vnd * 100),
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": f"Nop phi {reference}",
        "vnp_PayDate": "20261120093000",
        "vnp_ResponseCode": "00" if succeeded else "24",
        "vnp_TmnCode": TERMINAL.tmn_code,
        "vnp_TransactionNo": transaction_no if succeeded else "0",
        "vnp_TransactionStatus": "00" if succeeded else "02",
        "vnp_TxnRef": reference,
    }
    query = vnpay_protocol.signed_query(params)
    return f"{query}&vnp_SecureHash={vnpay_protocol.sign(params, secret)}"


class FakeGateway:
    """Stands in for VnpayClient: answers from a script, records what it was asked."""

    def __init__(self, *answers: dict | Exception) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, dict]] = []

    def _next(self, kind: str, kwargs: dict) -> GatewayAnswer:
        self.calls.append((kind, kwargs))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return GatewayAnswer(answer)

    def query(self, **kwargs) -> GatewayAnswer:
        return self._next("querydr", kwargs)

    def refund(self, **kwargs) -> GatewayAnswer:
        return self._next("refund", kwargs)


def no_answer() -> UpstreamFailure:
    return UpstreamFailure("VNPAY querydr: no answer (test)")


PAID_AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def create(session, settings, dossier, method="vietqr", **kwargs):
    return service.create_payment(
        session,
        dossier_code=dossier.code,
        method=method,
        actor="test",
        settings=settings,
        client_ip="203.0.113.7",
        return_url="https://payrecon.example/gateway/vnpay/return",
        **kwargs,
    )


def pay(session, reference, amount_vnd, transaction_id="FT26324001"):
    return service.record_money_received(
        session,
        reference=reference,
        amount_vnd=amount_vnd,
        provider_transaction_id=transaction_id,
        paid_at=PAID_AT,
        actor="bank:test",
        source="bank credit",
    )
