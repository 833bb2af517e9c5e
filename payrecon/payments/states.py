"""The payment state machine, refund arithmetic and the rule for money that arrives late.

Modelled on GOV.UK Pay: a payment starts pending and finishes once, as succeeded, failed, expired
or cancelled. Only a succeeded payment can be refunded.

    pending ──> succeeded ──> refund_pending ──> refunded
       │            ^               │
       │            └───────────────┘   (partial refund done, or refund rejected)
       └──> failed | expired | cancelled

Partial refunds: the status says whether any money is still kept, the amounts say how much.
A refund request moves succeeded -> refund_pending. When the provider confirms it, the payment
becomes refunded only if everything paid has now been refunded; after a partial refund, or a
refund the provider rejected, it goes back to succeeded, and the caller's refunded_vnd tells how
much went back (status_after_refund computes this). Several refunds may be in flight at once,
so a new refund request is allowed while refund_pending; each one must fit in
refund_amount_available(), which counts pending refunds as already spent.

Pure: statuses and integer VND amounts in, statuses and decisions out. The service reads the
row, asks these functions, writes the change and its audit record.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from payrecon.errors import Conflict, InvalidInput


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    REFUND_PENDING = "refund_pending"
    REFUNDED = "refunded"


_S = PaymentStatus

ALLOWED_MOVES: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    _S.PENDING: frozenset({_S.SUCCEEDED, _S.FAILED, _S.EXPIRED, _S.CANCELLED}),
    _S.SUCCEEDED: frozenset({_S.REFUND_PENDING}),
    _S.REFUND_PENDING: frozenset({_S.SUCCEEDED, _S.REFUNDED}),
    _S.FAILED: frozenset(),
    _S.EXPIRED: frozenset(),
    _S.CANCELLED: frozenset(),
    _S.REFUNDED: frozenset(),
}

FINISHED_WITHOUT_MONEY = frozenset({_S.FAILED, _S.EXPIRED, _S.CANCELLED})
"""Statuses in which we believe no money was taken; money arriving anyway is a late success."""

MONEY_KEPT = frozenset({_S.SUCCEEDED, _S.REFUND_PENDING})
"""Statuses in which we hold money that may still be refunded."""


class IllegalTransition(Conflict):
    """The payment's current status does not allow the requested move."""

    def __init__(self, current: PaymentStatus, wanted: PaymentStatus) -> None:
        super().__init__(f"a payment cannot move from {current} to {wanted}", where="status")
        self.current = current
        self.wanted = wanted


class RefundNotAllowed(Conflict):
    """A refund was asked for a payment that holds no money, or for more than it holds."""


class RefundAmountAvailableMismatch(Conflict):
    """The caller's idea of the refundable amount is stale (GOV.UK Pay answers 412 here)."""


def apply_move(current: PaymentStatus, wanted: PaymentStatus) -> PaymentStatus | None:
    """The status to store, None when `wanted` is already the status (a quiet repeat).

    Gateways and banks repeat themselves: a second notification of the same outcome changes
    nothing and is not an error. Anything not in ALLOWED_MOVES raises IllegalTransition.
    Money arriving for a failed, expired or cancelled payment is not a move: see on_money_received.
    """
    current, wanted = PaymentStatus(current), PaymentStatus(wanted)
    if current == wanted:
        return None
    if wanted not in ALLOWED_MOVES[current]:
        raise IllegalTransition(current, wanted)
    return wanted


def _require_vnd(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int of VND, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")


def refund_amount_available(paid_vnd: int, refunded_or_pending_vnd: int) -> int:
    """How much may still be refunded: paid minus what is refunded or being refunded."""
    _require_vnd("paid_vnd", paid_vnd)
    _require_vnd("refunded_or_pending_vnd", refunded_or_pending_vnd)
    if refunded_or_pending_vnd > paid_vnd:
        raise ValueError(
            f"refunds ({refunded_or_pending_vnd} VND) exceed the amount paid ({paid_vnd} VND)"
        )
    return paid_vnd - refunded_or_pending_vnd


def check_refund_request(
    *,
    status: PaymentStatus,
    paid_vnd: int,
    refunded_or_pending_vnd: int,
    requested_vnd: int,
    expected_available_vnd: int | None = None,
) -> int:
    """Raise unless a refund of `requested_vnd` may be started now; return what is left after it.

    `expected_available_vnd` is GOV.UK Pay's refund_amount_available precondition: the amount the
    officer saw when deciding. If another refund started meanwhile, the numbers differ and the
    request is refused, so a blind retry after a lost answer cannot refund twice.
    """
    status = PaymentStatus(status)
    if isinstance(requested_vnd, bool) or not isinstance(requested_vnd, int):
        raise InvalidInput("the refund amount must be a whole number of VND", where="amount")
    if requested_vnd <= 0:
        raise InvalidInput(
            f"the refund amount must be positive, got {requested_vnd}", where="amount"
        )
    if status not in MONEY_KEPT:
        raise RefundNotAllowed(
            f"a payment that is {status} holds no money to refund", where="status"
        )
    available = refund_amount_available(paid_vnd, refunded_or_pending_vnd)
    if expected_available_vnd is not None and expected_available_vnd != available:
        raise RefundAmountAvailableMismatch(
            f"refund_amount_available is {available} VND, not {expected_available_vnd} VND: "
            "another refund changed it; reload the payment and decide again",
            where="refund_amount_available",
        )
    if requested_vnd > available:
        raise RefundNotAllowed(
            f"a refund of {requested_vnd} VND exceeds the {available} VND still refundable",
            where="amount",
        )
    return available - requested_vnd


def status_after_refund(*, paid_vnd: int, refunded_vnd: int) -> PaymentStatus:
    """Where a payment goes when no refund is pending any more.

    refunded_vnd counts only refunds the provider confirmed. Everything back: refunded;
    anything still kept (partial refund, or the refund was rejected): succeeded.
    """
    remaining = refund_amount_available(paid_vnd, refunded_vnd)
    return _S.REFUNDED if remaining == 0 else _S.SUCCEEDED


@dataclass(frozen=True)
class MoneyOutcome:
    """What to do when a bank or gateway says the money for a payment has arrived.

    new_status: the status to store, None to keep the current one.
    refund_due: True when the money must go back to the payer (record it and raise a
    duplicate_payment exception for an officer).
    why: one line for the audit record.
    """

    new_status: PaymentStatus | None
    refund_due: bool
    why: str


def on_money_received(current: PaymentStatus, *, dossier_still_due: bool) -> MoneyOutcome:
    """The rule for a success report, including one that arrives after we gave up waiting.

    - pending: the ordinary case, it succeeds.
    - succeeded, refund_pending, refunded: a repeat of the report we already acted on;
      nothing changes. (A second, different bank credit is told apart by its bank or gateway
      transaction id before calling this, and is reconciliation's duplicate_payment.)
    - failed, expired, cancelled: money arrived late (the citizen paid at 23:59, the bank
      posted at 00:10, or the gateway's IPN was slow). The money is real, so:
        * if the dossier still needs paying, the payment is revived to succeeded — the
          one way out of a finished status, deliberately not in ALLOWED_MOVES;
        * otherwise (paid another way meanwhile, or the dossier was cancelled) the payment
          keeps its status and the money is a duplicate to refund.
    """
    current = PaymentStatus(current)
    if current == _S.PENDING:
        return MoneyOutcome(_S.SUCCEEDED, refund_due=False, why="payment confirmed")
    if current in (_S.SUCCEEDED, _S.REFUND_PENDING, _S.REFUNDED):
        return MoneyOutcome(None, refund_due=False, why="repeat of a success already recorded")
    if dossier_still_due:
        return MoneyOutcome(
            _S.SUCCEEDED,
            refund_due=False,
            why=f"late success for a payment already {current}; the dossier still owed the fee",
        )
    return MoneyOutcome(
        None,
        refund_due=True,
        why=f"late success for a payment already {current}; the dossier no longer owes it: refund",
    )
