"""The payments domain's settings, read from the app config into one frozen value.

Services take a PaymentSettings argument; callers that only have an app (the jobs, the CLI)
use `from_app()`. Each setting is PAYRECON_<NAME> in the environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from payrecon.errors import Conflict

# Defaults merged into config.DEFAULTS (payrecon/config.py).
DEFAULTS: dict[str, Any] = {
    # minutes a payment waits for its money before the expiry job gives up on it
    "PAYMENT_EXPIRY_MINUTES_VNPAY": 15,
    "PAYMENT_EXPIRY_MINUTES_VIETQR": 24 * 60,
    # the querydr mop-up asks VNPAY about pending payments older than this
    "VNPAY_QUERYDR_AFTER_MINUTES": 15,
    # seconds to wait for VNPAY's merchant API (connect, read)
    "VNPAY_TIMEOUT_SECONDS": 10,
    # the /_sim gateway simulator: demo and tests only, never production
    "GATEWAY_SIMULATOR": False,
}


class PaymentMethodUnavailable(Conflict):
    """The method is not configured on this installation (e.g. no VNPAY terminal)."""


@dataclass(frozen=True)
class VnpayTerminal:
    tmn_code: str
    hash_secret: str
    pay_url: str
    api_url: str | None
    timeout_seconds: float


@dataclass(frozen=True)
class PaymentSettings:
    expiry_vnpay: timedelta
    expiry_vietqr: timedelta
    querydr_after: timedelta
    vnpay: VnpayTerminal | None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> PaymentSettings:
        def get(name: str) -> Any:
            return config.get(name, DEFAULTS.get(name))

        vnpay = None
        if get("VNPAY_TMN_CODE") and get("VNPAY_HASH_SECRET") and get("VNPAY_PAY_URL"):
            vnpay = VnpayTerminal(
                tmn_code=str(get("VNPAY_TMN_CODE")),
                hash_secret=str(get("VNPAY_HASH_SECRET")),
                pay_url=str(get("VNPAY_PAY_URL")),
                api_url=get("VNPAY_API_URL") or None,
                timeout_seconds=float(get("VNPAY_TIMEOUT_SECONDS")),
            )
        return cls(
            expiry_vnpay=timedelta(minutes=int(get("PAYMENT_EXPIRY_MINUTES_VNPAY"))),
            expiry_vietqr=timedelta(minutes=int(get("PAYMENT_EXPIRY_MINUTES_VIETQR"))),
            querydr_after=timedelta(minutes=int(get("VNPAY_QUERYDR_AFTER_MINUTES"))),
            vnpay=vnpay,
        )

    @classmethod
    def from_app(cls) -> PaymentSettings:
        """The settings of the current Flask app (jobs and CLI run inside an app context)."""
        from flask import current_app

        return cls.from_config(current_app.config)

    def require_vnpay(self) -> VnpayTerminal:
        if self.vnpay is None:
            raise PaymentMethodUnavailable(
                "card payments through VNPAY are not configured here "
                "(PAYRECON_VNPAY_TMN_CODE, _HASH_SECRET, _PAY_URL)",
                where="body.method",
            )
        return self.vnpay

    def expiry_for(self, method: str) -> timedelta:
        return self.expiry_vnpay if method == "vnpay" else self.expiry_vietqr
