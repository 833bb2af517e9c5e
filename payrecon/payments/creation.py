"""The SQL of create_payment's hot path: lock the dossier with what paying it needs, and write
the new payment with its "created" event.

Core statements built once, rather than ORM objects: creating a payment is the busiest write
of the API, and on two cores the Python time around each statement (building it, loading
and tracking rows, the unit of work's flush) cost more than PostgreSQL's work on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, insert, literal, select
from sqlalchemy.orm import Session

from payrecon.catalog.models import CollectionAccount, Procedure
from payrecon.db import UtcDateTime
from payrecon.dossiers.models import Dossier
from payrecon.payments.models import IdempotencyKey, Payment, PaymentEvent


@dataclass(frozen=True)
class Beneficiary:
    """The agency's collection account: where a VietQR transfer goes."""

    bank_bin: str
    account_number: str
    account_name: str


@dataclass(frozen=True)
class PayableDossier:
    """A dossier locked for paying: what create_payment decides on."""

    id: int
    code: str
    status: str
    fee_due_vnd: int
    beneficiary: Beneficiary | None  # the agency's first account (by id); None if it has none


# Parameter: code. The dossier row is locked (FOR UPDATE OF dossiers only); the agency's
# accounts come along, first by id, so a transfer needs no further query.
_LOCK_PAYABLE_DOSSIER = (
    select(
        Dossier.id,
        Dossier.code,
        Dossier.status,
        Dossier.fee_due_vnd,
        CollectionAccount.bank_bin,
        CollectionAccount.account_number,
        CollectionAccount.account_name,
    )
    .join(Procedure, Procedure.id == Dossier.procedure_id)
    .outerjoin(CollectionAccount, CollectionAccount.agency_id == Procedure.agency_id)
    .where(Dossier.code == bindparam("code"))
    .order_by(CollectionAccount.id)
    .with_for_update(of=Dossier)
)


# The same, with the client's Idempotency-Key row if it has one (parameters client, key): a
# request that carries a key needs no separate round trip to look it up.
_LOCK_PAYABLE_DOSSIER_AND_KEY = _LOCK_PAYABLE_DOSSIER.add_columns(
    IdempotencyKey.request_fingerprint,
    IdempotencyKey.response_status,
    IdempotencyKey.response_body,
).outerjoin(
    IdempotencyKey,
    and_(IdempotencyKey.client == bindparam("client"), IdempotencyKey.key == bindparam("key")),
)


def lock_payable_dossier(
    session: Session, code: str, *, idempotency_key: tuple[str, str] | None = None
) -> tuple[PayableDossier | None, Any]:
    """Lock the dossier `code` and read it with its beneficiary: (dossier or None, key row).

    With `idempotency_key` (client, key), the key's row (request_fingerprint,
    response_status, response_body) comes along when it exists; otherwise the row is None.
    When the dossier does not exist nothing comes back, the key's row included.
    """
    if idempotency_key is None:
        row = session.execute(_LOCK_PAYABLE_DOSSIER, {"code": code}).first()
    else:
        client, key = idempotency_key
        row = session.execute(
            _LOCK_PAYABLE_DOSSIER_AND_KEY, {"code": code, "client": client, "key": key}
        ).first()
    if row is None:
        return None, None
    beneficiary = (
        Beneficiary(row.bank_bin, row.account_number, row.account_name)
        if row.account_number is not None
        else None
    )
    dossier = PayableDossier(row.id, row.code, row.status, row.fee_due_vnd, beneficiary)
    key_row = row if idempotency_key is not None and row.request_fingerprint is not None else None
    return dossier, key_row


# The payment's columns as parameters p_<column> (a bindparam may not share a column's name
# in an INSERT's VALUES).
_PAYMENT_COLUMNS = (
    "reference",
    "dossier_id",
    "amount_vnd",
    "method",
    "status",
    "created_at",
    "expires_at",
    "updated_at",
    "is_duplicate",
    "redirect_url",
    "qr_payload",
)
# On the tables, not the mapped classes: an INSERT on a class is an ORM bulk insert, with
# the ORM's bookkeeping (and no INSERT ... SELECT FROM a WITH).
_payments = Payment.__table__
_payment_events = PaymentEvent.__table__
_INSERT_PAYMENT = (
    insert(_payments)
    .values({name: bindparam(f"p_{name}") for name in _PAYMENT_COLUMNS})
    .returning(_payments.c.id)
)
_EVENT_VALUES = {
    "created_at": bindparam("e_created_at", type_=UtcDateTime()),
    "kind": literal("created"),
    "to_status": bindparam("e_to_status", type_=PaymentEvent.to_status.type),
    "actor": bindparam("e_actor", type_=PaymentEvent.actor.type),
    "why": bindparam("e_why", type_=PaymentEvent.why.type),
}
_INSERT_EVENT = insert(_payment_events).values(
    payment_id=bindparam("e_payment_id"), **_EVENT_VALUES
)
# PostgreSQL: both rows in one statement (a data-modifying WITH), one round trip.
_new_payment = _INSERT_PAYMENT.cte("new_payment")
_INSERT_PAYMENT_AND_EVENT = (
    insert(_payment_events)
    .from_select(["payment_id", *_EVENT_VALUES], select(_new_payment.c.id, *_EVENT_VALUES.values()))
    .returning(_payment_events.c.payment_id)
)


def insert_payment(
    session: Session, values: dict[str, Any], *, actor: str, why: str, now: datetime
) -> int:
    """Insert the payment (`values`: its columns) and its "created" event; the payment's id.

    Both in the caller's transaction, as one statement on PostgreSQL and two on SQLite
    (which has no INSERT inside WITH).
    """
    parameters = {f"p_{name}": values.get(name) for name in _PAYMENT_COLUMNS}
    event = {"e_created_at": now, "e_to_status": values["status"], "e_actor": actor, "e_why": why}
    if session.get_bind().dialect.name == "postgresql":
        return session.execute(_INSERT_PAYMENT_AND_EVENT, parameters | event).scalar_one()
    payment_id = session.execute(_INSERT_PAYMENT, parameters).scalar_one()
    session.execute(_INSERT_EVENT, event | {"e_payment_id": payment_id})
    return payment_id
