"""VNPAY's merchant API over HTTP: querydr (what happened to a payment?) and refund.

The messages and their signatures are vnpay_protocol's; this module only sends them and
checks what comes back. Anything other than a signed JSON answer about the transaction we
asked for is an UpstreamFailure, so a caller never acts on an answer it cannot trust.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

import requests

from payrecon.errors import UpstreamFailure
from payrecon.payments import vnpay_merchant_api, vnpay_protocol
from payrecon.payments.settings import VnpayTerminal

log = logging.getLogger("payrecon.payments.gateway")

# The address VNPAY sees as the merchant's server; VNPAY records it, it does not route by it.
SERVER_IP = "127.0.0.1"


@dataclass(frozen=True)
class GatewayAnswer:
    """A verified answer of the merchant API: its fields as strings, vnp_ prefix kept."""

    fields: dict[str, str]

    @property
    def response_code(self) -> str:
        return self.fields.get("vnp_ResponseCode", "")

    @property
    def transaction_status(self) -> str:
        return self.fields.get("vnp_TransactionStatus", "")

    @property
    def message(self) -> str:
        return self.fields.get("vnp_Message", "")


def new_request_id() -> str:
    """A vnp_RequestId: unique per day, at most 32 characters."""
    return secrets.token_hex(16)


class VnpayClient:
    """Talks to one VNPAY terminal's merchant API (`api_url`)."""

    def __init__(self, terminal: VnpayTerminal, *, session: requests.Session | None = None):
        if not terminal.api_url:
            raise UpstreamFailure(
                "PAYRECON_VNPAY_API_URL is not set; VNPAY's merchant API cannot be reached",
                where="PAYRECON_VNPAY_API_URL",
            )
        self.terminal = terminal
        self.http = session or requests.Session()

    def query(
        self, *, reference: str, transaction_date: datetime, now: datetime, order_info: str
    ) -> GatewayAnswer:
        body = vnpay_merchant_api.build_querydr_request(
            tmn_code=self.terminal.tmn_code,
            secret=self.terminal.hash_secret,
            request_id=new_request_id(),
            reference=reference,
            transaction_date=transaction_date,
            created_at=now,
            ip_address=SERVER_IP,
            order_info=order_info,
        )
        return self._post(body, reference)

    def refund(
        self,
        *,
        request_id: str,
        reference: str,
        amount_vnd: int,
        full: bool,
        transaction_date: datetime,
        transaction_no: str | None,
        created_by: str,
        now: datetime,
        order_info: str,
    ) -> GatewayAnswer:
        body = vnpay_merchant_api.build_refund_request(
            tmn_code=self.terminal.tmn_code,
            secret=self.terminal.hash_secret,
            request_id=request_id,
            reference=reference,
            amount_vnd=amount_vnd,
            full=full,
            transaction_date=transaction_date,
            created_by=created_by[:250],
            created_at=now,
            ip_address=SERVER_IP,
            order_info=order_info,
            transaction_no=transaction_no,
        )
        return self._post(body, reference)

    def _post(self, body: dict[str, str], reference: str) -> GatewayAnswer:
        command = body["vnp_Command"]
        url = self.terminal.api_url
        try:
            response = self.http.post(url, json=body, timeout=self.terminal.timeout_seconds)
        except requests.RequestException as exc:
            raise UpstreamFailure(
                f"VNPAY {command} for {reference}: no answer from {url}: {type(exc).__name__}",
                where="PAYRECON_VNPAY_API_URL",
            ) from exc
        if response.status_code != 200:
            raise UpstreamFailure(
                f"VNPAY {command} for {reference}: HTTP {response.status_code} from {url}",
                where="PAYRECON_VNPAY_API_URL",
            )
        try:
            answer = response.json()
        except ValueError as exc:
            raise UpstreamFailure(
                f"VNPAY {command} for {reference}: the answer is not JSON", where="response"
            ) from exc
        if not isinstance(answer, dict):
            raise UpstreamFailure(
                f"VNPAY {command} for {reference}: the answer is not a JSON object",
                where="response",
            )
        try:
            fields = vnpay_merchant_api.verify_api_response(answer, self.terminal.hash_secret)
        except vnpay_protocol.BadSignature as exc:
            log.warning("VNPAY %s for %s: unverified answer: %s", command, reference, exc)
            raise UpstreamFailure(
                f"VNPAY {command} for {reference}: the answer's signature does not verify",
                where=exc.where,
            ) from exc
        if fields.get("vnp_Command") != command:
            raise UpstreamFailure(
                f"VNPAY answered {fields.get('vnp_Command')!r} to a {command}", where="vnp_Command"
            )
        answered_ref = fields.get("vnp_TxnRef")
        if answered_ref and answered_ref != reference:
            raise UpstreamFailure(
                f"VNPAY {command}: asked about {reference}, answered about {answered_ref}",
                where="vnp_TxnRef",
            )
        return GatewayAnswer(fields)
