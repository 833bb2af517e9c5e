"""Reading the payloads of the outbox events invoices are made from; a bad field is named."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from payrecon.errors import InvalidInput


def payload_field(payload: Mapping[str, Any], name: str, kind: type) -> Any:
    value = payload.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InvalidInput(
            f"event payload {name} must be {kind.__name__}, got {value!r}", where=f"payload.{name}"
        )
    return value


def paid_amount(payload: Mapping[str, Any]) -> int:
    amount = payload_field(payload, "amount_vnd", int)
    if amount <= 0:
        raise InvalidInput(
            f"paid amount must be positive, got {amount}", where="payload.amount_vnd"
        )
    return amount


def payment_method(payload: Mapping[str, Any]) -> str | None:
    method = payload.get("method")
    return method if isinstance(method, str) else None
